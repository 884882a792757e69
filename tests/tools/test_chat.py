"""`sahayak chat` against a local server speaking Rasa's REST protocol."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from bot.settings import Settings
from bot.tools import cli

REPLIES = [
    [
        {
            "text": "Which OTP?",
            "buttons": [{"title": "Mobile", "payload": "/m"}, {"title": "Email", "payload": "/e"}],
        }
    ],
    [{"text": "Too long."}],
    [{"text": "Checked email."}],
]


class RestHandler(BaseHTTPRequestHandler):
    received: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append(body["message"])
        reply = json.dumps(REPLIES[min(len(self.received), len(REPLIES)) - 1]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def rasa_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), RestHandler)
    RestHandler.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setattr(cli, "get_settings", lambda: Settings(rasa_url=url))
    yield url
    server.shutdown()


def test_button_numbers_stay_usable_until_new_buttons_appear(rasa_url: str) -> None:
    result = CliRunner().invoke(cli.app, ["chat", "--sender", "t"], input="otp\nxxx\n2\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "[2] Email" in result.output and "Checked email." in result.output
    assert RestHandler.received == ["otp", "xxx", "/e"]
