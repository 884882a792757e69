"""Secrets and development mode: every process checks its secrets here before it starts.

`make run` writes random secrets into `.env` (scripts/make-env). A value published in `.env.example`,
an empty one or a short one is accepted only in development mode (`SAHAYAK_ENV=development`), with a
warning; anywhere else the process refuses to start and names the setting to change.
"""

import hmac
import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

MODE = "SAHAYAK_ENV"
DEVELOPMENT = "development"
EXAMPLE_FILE = Path(__file__).resolve().parent.parent / ".env.example"
PLACEHOLDER = re.compile(r"change[-_ ]?me", re.IGNORECASE)
MIN_SECRET_CHARS = 32
# The browsers' origins that may embed the widget (space- or comma-separated). Never "*".
ORIGINS = "SAHAYAK_PORTAL_ORIGINS"
DEVELOPMENT_ORIGINS = ("http://localhost:8000", "http://127.0.0.1:8000")


@dataclass(frozen=True)
class Secret:
    name: str
    protects: str


SECRETS = {
    s.name: s
    for s in (
        Secret("RASA_API_TOKEN", "Rasa's HTTP API: conversations, injected events, the helpdesk's pushes"),
        Secret("SAHAYAK_ACTION_SERVER_TOKEN", "the calls from the Rasa server to the action server"),
        Secret("SAHAYAK_PROOF_KEY", "the connectors' signatures on a phone number they verified"),
        Secret("SAHAYAK_TRACKER_KEY", "the encryption of personal form answers in the conversation store"),
        Secret("SAHAYAK_IDENTITY_JWT_KEY", "the portal's HS256 signature on its identity tokens"),
        Secret("SAHAYAK_CONSOLE_SECRET", "the helpdesk console's session cookies and form tokens"),
        Secret("SAHAYAK_REST_TOKEN", "the REST channel outside development"),
        Secret("TELEGRAM_SECRET_TOKEN", "the header Telegram sends on every webhook call"),
        Secret("WHATSAPP_VERIFY_TOKEN", "Meta's check of the webhook address"),
    )
}
# What `make run` generates; the REST token is left empty, which keeps the REST channel open in
# development and closed elsewhere.
GENERATED = tuple(name for name in SECRETS if name != "SAHAYAK_REST_TOKEN")


class UnsafeSecrets(SystemExit):
    """Raised instead of starting: the message says which settings to change."""


def bearer_matches(header: str | None, token: str) -> bool:
    """Whether an `Authorization: Bearer …` header carries `token` (constant time; never an empty one)."""
    scheme, _, given = (header or "").strip().partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def is_development(env: Mapping[str, str] | None = None) -> bool:
    return (env if env is not None else os.environ).get(MODE, "").strip().lower() == DEVELOPMENT


def example_values(path: Path = EXAMPLE_FILE) -> frozenset[str]:
    """The values published in `.env.example`, commented-out lines included."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    values = set()
    for line in lines:
        key, sep, value = line.lstrip("# ").partition("=")
        if sep and key.strip().isidentifier() and value.strip():
            values.add(value.strip().strip("'\""))
    return frozenset(values)


def secret_problem(name: str, value: str | None, examples: frozenset[str] | None = None) -> str | None:
    """Why `value` is not fit to protect anything, or None."""
    value = (value or "").strip()
    if not value:
        return f"{name} is empty"
    if PLACEHOLDER.search(value) or value in (examples if examples is not None else example_values()):
        return f"{name} is the published example value"
    if len(value) < MIN_SECRET_CHARS:
        return f"{name} is shorter than {MIN_SECRET_CHARS} characters"
    return None


def require_safe_secrets(
    process: str, names: Iterable[str], env: Mapping[str, str] | None = None, *, required: Iterable[str] = ()
) -> None:
    """Refuse to start (outside development) when a secret is empty, published or short.

    `required` secrets are refused when empty in every mode: without them nothing could be checked.
    """
    env = env if env is not None else os.environ
    examples = example_values()
    problems = {name: secret_problem(name, env.get(name), examples) for name in names}
    missing = [name for name in required if not (env.get(name) or "").strip()]
    if missing:
        raise UnsafeSecrets(
            f"{process} cannot start: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set. "
            "Run `python3 scripts/make-env` (make run does) to generate random secrets into .env."
        )
    found = [(name, problem) for name, problem in problems.items() if problem]
    if not found:
        return
    lines = [f"  - {problem}: it protects {SECRETS[name].protects}" for name, problem in found]
    if is_development(env):
        logger.warning("development mode, accepting weak secrets:\n%s", "\n".join(lines))
        return
    raise UnsafeSecrets(
        f"{process} refuses to start with these secrets ({MODE} is not '{DEVELOPMENT}'):\n"
        + "\n".join(lines)
        + f"\nSet each to at least {MIN_SECRET_CHARS} random characters in .env "
        "(`python3 scripts/make-env` generates them), or set SAHAYAK_ENV=development on a machine nobody "
        "else can reach."
    )


def allowed_origins(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The portal origins whose pages may embed the widget. "*" is refused: with it any site could
    drive conversations in a visitor's browser."""
    env = env if env is not None else os.environ
    raw = env.get(ORIGINS)
    if raw is None:
        return DEVELOPMENT_ORIGINS if is_development(env) else ()
    origins = tuple(o.strip().rstrip("/") for o in re.split(r"[\s,]+", raw) if o.strip())
    if "*" in origins:
        raise UnsafeSecrets(
            f"{ORIGINS} may not contain '*': list the portal's origins, e.g. https://portal.gov.in"
        )
    return origins
