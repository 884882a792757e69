"""The real action server and Rasa server on free ports, with their own databases (tests and bench)."""

import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bot.db import upgrade
from bot.settings import ROOT

MODEL = ROOT / "models" / "sahayak.tar.gz"
API_TOKEN = "e2e-token"


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
            "HF_HUB_OFFLINE": "1",
        }

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
            [
                str(ROOT / ".venv/bin/python"),
                "-m",
                "rasa_sdk",
                "--actions",
                "bot.actions",
                "--port",
                str(self.action_port),
            ],
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
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {self.workdir / 'tracker.db'}\n"
        )
        log = self.workdir / "rasa.log"
        self.rasa = subprocess.Popen(
            [
                str(ROOT / ".venv-rasa/bin/rasa"),
                "run",
                "--enable-api",
                "--auth-token",
                API_TOKEN,
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

    def stop(self) -> None:
        self.stop_rasa()
        if self.actions is not None:
            self.actions.terminate()
            self.actions.wait(timeout=30)

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        return list(response.json())

    def tracker(self, sender: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker", params={"token": API_TOKEN}, timeout=30
        )
        response.raise_for_status()
        return dict(response.json())


def start_servers(workdir: Path) -> Servers:
    """Both servers, with a fresh database in `workdir`; the caller stops them."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: `make test` and `make bench` train it first")
    url = f"sqlite:///{workdir / 'sahayak.db'}"
    upgrade(url)
    running = Servers(workdir=workdir, database_url=url)
    try:
        running.build_knowledge_index()
        running.start_actions()
        running.start_rasa()
    except BaseException:
        running.stop()
        raise
    return running
