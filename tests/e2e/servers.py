"""The real action server and Rasa server on free ports, with their own databases (tests and bench)."""

import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.db import upgrade
from bot.rasa_client import RasaClient
from bot.settings import ROOT

MODEL = ROOT / "models" / "sahayak.tar.gz"
# The servers run in production mode, so every secret is one a deployment would accept.
API_TOKEN = "e2e-rasa-api-token-0123456789abcdefghij"
ACTION_SERVER_TOKEN = "e2e-action-server-token-0123456789abcdef"
PROOF_KEY = "e2e-channel-proof-key-0123456789abcdefghij"
TRACKER_KEY = "e2e-tracker-encryption-key-0123456789abcd"
REST_TOKEN = "e2e-rest-channel-token-0123456789abcdefgh"
PORTAL_SECRET = "e2e-portal-secret-at-least-32-bytes-long"
# The channels' secrets as the Rasa server sees them; the platform fakes listen on the ports below.
TELEGRAM_BOT_TOKEN = "123456:e2e-telegram-token"
TELEGRAM_SECRET_TOKEN = "e2e-telegram-secret-0123456789abcdefghijk"
WHATSAPP_ACCESS_TOKEN = "e2e-whatsapp-access-token"
WHATSAPP_PHONE_NUMBER_ID = "109876543210"
WHATSAPP_VERIFY_TOKEN = "e2e-whatsapp-verify-token-0123456789abcd"
WHATSAPP_APP_SECRET = "e2e-whatsapp-app-secret"


class Inbox:
    """A real SMTP server on 127.0.0.1 that keeps what it receives (the sign-in codes)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        self.messages.append((list(envelope.rcpt_tos), content.decode("utf-8", "replace")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {timeout} s:\n{log.read_text()[-3000:]}")


@dataclass
class Servers:
    workdir: Path
    database_url: str
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    rasa: subprocess.Popen[bytes] | None = None
    actions: subprocess.Popen[bytes] | None = None
    inbox: Inbox = field(default_factory=Inbox)
    # Where the Rasa server's connectors find the Telegram Bot API and the WhatsApp Graph API; the
    # channel tests start their local fakes of those APIs on these ports.
    telegram_api_port: int = field(default_factory=free_port)
    whatsapp_api_port: int = field(default_factory=free_port)
    # The demo portal page the widget tests open: the only origin allowed to embed the widget.
    portal_port: int = field(default_factory=free_port)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def kb_index(self) -> Path:
        return self.workdir / "kb-index"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SAHAYAK_DATABASE_URL": self.database_url,
            "SAHAYAK_KB_INDEX_DIR": str(self.kb_index),
            "RASA_TELEMETRY_ENABLED": "false",
            # `make test` ignores every warning; the servers show theirs (Rasa warns about a message it
            # cannot parse, which the log sanitiser must mask), all but the deprecations.
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
            "HF_HUB_OFFLINE": "1",
            "SAHAYAK_SMTP_HOST": "127.0.0.1",
            "SAHAYAK_SMTP_PORT": str(self.inbox.controller.port),
            "SAHAYAK_SMTP_STARTTLS": "false",
            "SAHAYAK_IDENTITY_JWT_ALGORITHM": "HS256",
            "SAHAYAK_IDENTITY_JWT_KEY": PORTAL_SECRET,
            "SAHAYAK_ENV": "production",
            "RASA_API_TOKEN": API_TOKEN,
            "SAHAYAK_ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN,
            "SAHAYAK_PROOF_KEY": PROOF_KEY,
            "SAHAYAK_TRACKER_KEY": TRACKER_KEY,
            "SAHAYAK_REST_TOKEN": REST_TOKEN,
            "SAHAYAK_PORTAL_ORIGINS": f"http://127.0.0.1:{self.portal_port} http://localhost:{self.portal_port}",
            "TELEGRAM_BOT_TOKEN": TELEGRAM_BOT_TOKEN,
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET_TOKEN,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{self.telegram_api_port}",
            "WHATSAPP_ACCESS_TOKEN": WHATSAPP_ACCESS_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": WHATSAPP_PHONE_NUMBER_ID,
            "WHATSAPP_VERIFY_TOKEN": WHATSAPP_VERIFY_TOKEN,
            "WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
            "WHATSAPP_GRAPH_URL": f"http://127.0.0.1:{self.whatsapp_api_port}",
        }

    def load_demo_data(self) -> None:
        subprocess.run(
            [str(ROOT / ".venv/bin/sahayak"), "demo", "load", "--now"],
            cwd=ROOT,
            env=self.env(),
            check=True,
            capture_output=True,
        )

    def build_knowledge_index(self) -> None:
        """The bundled knowledge, indexed with the real model by the real command."""
        subprocess.run(
            [str(ROOT / ".venv/bin/sahayak"), "kb", "ingest", str(ROOT / "knowledge" / "docs")],
            cwd=ROOT,
            env=self.env(),
            check=True,
            capture_output=True,
        )

    def start_actions(self) -> None:
        log = self.workdir / "actions.log"
        self.actions = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-m", "bot.action_server", "--port", str(self.action_port)],
            cwd=ROOT,
            env=self.env(),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_until_up(f"http://127.0.0.1:{self.action_port}/health", self.actions, log)

    def start_rasa(self) -> None:
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.action_port}/webhook"\n'
            "  headers:\n    Authorization: Bearer ${SAHAYAK_ACTION_SERVER_TOKEN}\n"
            "tracker_store:\n  type: connectors.tracker_store.MaskingSQLTrackerStore\n"
            f"  dialect: sqlite\n  db: {self.workdir / 'tracker.db'}\n"
        )
        log = self.workdir / "rasa.log"
        self.rasa = subprocess.Popen(
            [
                str(ROOT / ".venv-rasa/bin/python"),
                "-m",
                "connectors.server",
                "--port",
                str(self.rasa_port),
                "--model",
                str(MODEL),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(ROOT / "credentials.yml"),
            ],
            cwd=self.workdir,
            env=self.env(),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_until_up(f"{self.rasa_url}/status?token={API_TOKEN}", self.rasa, log)

    def stop_rasa(self) -> None:
        if self.rasa is not None:
            self.rasa.terminate()
            self.rasa.wait(timeout=60)
            self.rasa = None

    def stop_actions(self) -> None:
        if self.actions is not None:
            self.actions.terminate()
            self.actions.wait(timeout=30)
            self.actions = None

    def stop(self) -> None:
        self.stop_rasa()
        self.stop_actions()
        self.inbox.controller.stop()

    def action_server_log(self) -> str:
        return (self.workdir / "actions.log").read_text(errors="replace")

    def rasa_log(self) -> str:
        return (self.workdir / "rasa.log").read_text(errors="replace")

    @property
    def client(self) -> RasaClient:
        """The Rasa server over HTTP, with the REST channel's and the HTTP API's tokens."""
        return RasaClient(self.rasa_url, api_token=API_TOKEN, rest_token=REST_TOKEN)

    def say(
        self, sender: str, message: str, *, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """One REST turn as sender `sender`; the conversation is `rest:<sender>`."""
        with self.client as rasa:
            return rasa.say(sender, message, metadata=metadata)

    def tracker(self, conversation: str) -> dict[str, Any]:
        """The stored conversation, by its id with the channel (`rest:me`, `whatsapp:91…`)."""
        with self.client as rasa:
            return rasa.tracker(conversation)

    def push(
        self, conversation: str, event: dict[str, Any], *, output_channel: str | None = "latest"
    ) -> None:
        """What a helpdesk agent does to speak to a user: a bot event through Rasa's HTTP API."""
        with self.client as rasa:
            rasa.add_events(conversation, event, output_channel=output_channel)


def start_servers(workdir: Path) -> Servers:
    """Both servers, with a fresh database in `workdir`; the caller stops them."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: `make test` and `make bench` train it first")
    url = f"sqlite:///{workdir / 'sahayak.db'}"
    upgrade(url)
    running = Servers(workdir=workdir, database_url=url)
    running.inbox.controller.start()
    try:
        running.load_demo_data()
        running.build_knowledge_index()
        running.start_actions()
        running.start_rasa()
    except BaseException:
        running.stop()
        raise
    return running
