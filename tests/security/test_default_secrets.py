"""High 1: `make run` copied `.env.example`, so the API token, the portal key and the WhatsApp verify
token were the published ones, and Rasa allowed CORS from anywhere. Now `make run` generates secrets,
every process refuses a published, empty or short secret outside development mode and names it, and
only the configured portal origins may call from a browser."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import jwt
import pytest
import socketio

from bot.settings import ROOT
from contract.deployment import (
    GENERATED,
    UnsafeSecrets,
    allowed_origins,
    example_values,
    require_safe_secrets,
    secret_problem,
)
from tests.e2e.servers import Servers

EXAMPLES = {
    line.partition("=")[0]: line.partition("=")[2]
    for line in (ROOT / ".env.example").read_text().splitlines()
    if "=" in line and not line.startswith("#")
}


def test_every_secret_in_env_example_is_refused_outside_development() -> None:
    for name in GENERATED:
        assert name in EXAMPLES, f"{name} is missing from .env.example"
        assert secret_problem(name, EXAMPLES[name]) == f"{name} is the published example value"
        with pytest.raises(UnsafeSecrets, match=name):
            require_safe_secrets("A process", [name], {name: EXAMPLES[name], "SAHAYAK_ENV": "production"})
    # The values of the previous release, which `make run` copied into every .env, are refused too.
    for old in ("dev-only-change-me", "dev-only-portal-secret-change-me", "dev-whatsapp-verify-change-me"):
        assert secret_problem("RASA_API_TOKEN", old)
    assert (
        secret_problem("RASA_API_TOKEN", "short-but-random-x7")
        == "RASA_API_TOKEN is shorter than 32 characters"
    )


def test_development_mode_accepts_them_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    env = {"RASA_API_TOKEN": EXAMPLES["RASA_API_TOKEN"], "SAHAYAK_ENV": "development"}
    require_safe_secrets("A process", ["RASA_API_TOKEN"], env)
    assert "RASA_API_TOKEN is the published example value" in caplog.text


def test_an_empty_required_secret_is_refused_even_in_development() -> None:
    with pytest.raises(UnsafeSecrets, match="SAHAYAK_ACTION_SERVER_TOKEN is not set"):
        require_safe_secrets(
            "A process", [], {"SAHAYAK_ENV": "development"}, required=["SAHAYAK_ACTION_SERVER_TOKEN"]
        )


def test_make_env_writes_random_secrets_and_keeps_what_was_set(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"RASA_API_TOKEN={EXAMPLES['RASA_API_TOKEN']}\nSAHAYAK_KB_MIN_SCORE=3.1\nMY_OWN=1\n")
    run = [sys.executable, str(ROOT / "scripts" / "make-env"), "--env-file", str(env_file)]
    subprocess.run(run, check=True, capture_output=True)
    first = dict(
        line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line and line[0] != "#"
    )
    published = example_values()
    for name in GENERATED:
        assert (
            first[name] not in published
            and len(first[name]) >= 32
            and secret_problem(name, first[name]) is None
        )
    assert first["SAHAYAK_KB_MIN_SCORE"] == "3.1" and first["MY_OWN"] == "1"
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    subprocess.run(run, check=True, capture_output=True)  # a second run changes nothing
    assert env_file.read_text().count(first["RASA_API_TOKEN"]) == 1
    fresh = tmp_path / "new.env"
    subprocess.run([*run[:2], "--env-file", str(fresh), "--development"], check=True, capture_output=True)
    assert "SAHAYAK_ENV=development" in fresh.read_text()
    assert first["SAHAYAK_PROOF_KEY"] not in fresh.read_text()  # every .env its own secrets


def refused(command: list[str], *, name: str, extra: dict[str, str] | None = None) -> None:
    """The process exits at once, saying which setting to change."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SAHAYAK_", "RASA_", "TELEGRAM_", "WHATSAPP_"))
    }
    env.update({key: EXAMPLES[key] for key in GENERATED}, SAHAYAK_ENV="production", **(extra or {}))
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert name in done.stderr and "published example value" in done.stderr, done.stderr[-2000:]


def test_the_action_server_refuses_to_start_with_published_secrets() -> None:
    refused([str(ROOT / ".venv/bin/python"), "-m", "bot.action_server"], name="SAHAYAK_ACTION_SERVER_TOKEN")


def test_the_rasa_server_refuses_to_start_with_published_secrets() -> None:
    refused([str(ROOT / ".venv-rasa/bin/python"), "-m", "connectors.server"], name="RASA_API_TOKEN")


def test_the_demo_portal_page_runs_only_in_development() -> None:
    env = {**os.environ, "SAHAYAK_ENV": "production", "SAHAYAK_IDENTITY_JWT_KEY": "x" * 40}
    done = subprocess.run(
        [str(ROOT / ".venv/bin/sahayak"), "portal", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "development mode" in done.stderr


def test_cors_never_allows_every_origin() -> None:
    with pytest.raises(UnsafeSecrets):
        allowed_origins({"SAHAYAK_PORTAL_ORIGINS": "https://portal.gov.in *"})
    assert allowed_origins({"SAHAYAK_ENV": "production"}) == ()
    assert allowed_origins({"SAHAYAK_ENV": "development"}) == (
        "http://localhost:8000",
        "http://127.0.0.1:8000",
    )


@pytest.mark.e2e
def test_only_the_portal_origin_gets_cors_headers(servers: Servers) -> None:
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    portal = f"http://127.0.0.1:{servers.portal_port}"
    for origin, allowed in ((portal, True), ("https://evil.example", False), ("null", False)):
        answer = httpx.options(
            url, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=10
        )
        assert (answer.headers.get("access-control-allow-origin") == origin) is allowed, origin
        assert answer.headers.get("access-control-allow-origin") != "*"


@pytest.mark.e2e
def test_a_token_signed_with_the_published_key_proves_nothing(servers: Servers) -> None:
    forged = jwt.encode(
        {"employee_id": 1, "exp": 4102444800}, EXAMPLES["SAHAYAK_IDENTITY_JWT_KEY"], algorithm="HS256"
    )
    reply = " ".join(
        r.get("text", "") for r in servers.say("sec-jwt", "my progress", metadata={"portal_token": forged})
    )
    assert "could not be verified" in reply and "prescribed courses" not in reply


@pytest.mark.e2e
def test_only_a_portal_page_may_open_the_widgets_socket(servers: Servers) -> None:
    for origin, allowed in (
        (f"http://127.0.0.1:{servers.portal_port}", True),
        ("https://evil.example", False),
    ):
        client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
        try:
            client.connect(servers.rasa_url, transports=["websocket"], socketio_path="/socket.io")
            connected = client.connected
        except socketio.exceptions.ConnectionError:
            connected = False
        finally:
            client.disconnect()
        assert connected is allowed, origin
