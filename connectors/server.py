"""Starts the Rasa server the one way we run it (`python -m connectors.server`, in .venv-rasa).

Before Rasa's own command line takes over, in the same process:
- every log record is masked and kept on one line (`contract.logs`), whoever writes it;
- the secrets the Rasa side uses are checked (`contract.deployment`): outside development mode a
  published, empty or short one stops the start, naming the setting;
- the server listens on SAHAYAK_RASA_HOST (127.0.0.1 by default), not Rasa's 0.0.0.0, with the HTTP
  API behind RASA_API_TOKEN (read from the environment, so it never shows in a process list), CORS for
  the configured portal origins only, and a 1 MB cap on any request body;
- our small, version-pinned patches to Rasa are applied (`connectors.rasa_patches`).

Other arguments (--model, --endpoints, --credentials, --port) pass through to `rasa run`.
"""

import argparse
import os
import sys

from contract.deployment import allowed_origins, require_safe_secrets
from contract.logs import install_log_sanitiser

MAX_BODY_BYTES = 1024 * 1024
ALWAYS = ("RASA_API_TOKEN", "SAHAYAK_ACTION_SERVER_TOKEN", "SAHAYAK_PROOF_KEY", "SAHAYAK_TRACKER_KEY")


def checked_secrets(env: dict[str, str]) -> list[str]:
    """The secrets this process relies on: its own, and those of each channel that is open."""
    names = list(ALWAYS)
    if env.get("TELEGRAM_BOT_TOKEN"):
        names.append("TELEGRAM_SECRET_TOKEN")
    if env.get("WHATSAPP_ACCESS_TOKEN"):
        names.append("WHATSAPP_VERIFY_TOKEN")
    if env.get("SAHAYAK_REST_TOKEN"):
        names.append("SAHAYAK_REST_TOKEN")
    return names


def rasa_arguments(argv: list[str], env: dict[str, str]) -> list[str]:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--port", "-p", default=env.get("SAHAYAK_RASA_PORT", "5005"))
    ours, rest = parser.parse_known_args(argv)
    origins = allowed_origins(env)
    arguments = [
        "run",
        "--enable-api",
        "--auth-token",
        env["RASA_API_TOKEN"],
        "--interface",
        env.get("SAHAYAK_RASA_HOST", "127.0.0.1") or "127.0.0.1",
        "--port",
        str(ours.port),
    ]
    if origins:
        arguments += ["--cors", *origins]
    return arguments + rest


def main(argv: list[str] | None = None) -> None:
    install_log_sanitiser()
    env = dict(os.environ)
    require_safe_secrets("The Rasa server", checked_secrets(env), env, required=ALWAYS)
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_BODY_BYTES))
    arguments = rasa_arguments(sys.argv[1:] if argv is None else argv, env)

    from connectors import rasa_patches

    rasa_patches.apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *arguments]
    rasa_main()


if __name__ == "__main__":
    main()
