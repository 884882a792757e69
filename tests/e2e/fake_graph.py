"""A local stand-in for the one Graph API call the WhatsApp channel makes: POST /{version}/{id}/messages.

It checks the bearer token and the path, answers like the Cloud API documentation shows, and records every
request so tests can see what the bot sent. `fail_next` makes it answer rate-limit errors first.
"""

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Recorded:
    path: str
    authorization: str
    body: dict[str, Any]
    status: int

    @property
    def to(self) -> str | None:
        return self.body.get("to")

    @property
    def text(self) -> str:
        """The visible text of a message object: a text body, or an interactive message's body."""
        if self.body.get("type") == "text":
            return str(self.body["text"]["body"])
        if self.body.get("type") == "interactive":
            return str(self.body["interactive"]["body"]["text"])
        return ""

    @property
    def choices(self) -> list[str]:
        """The ids of an interactive message's buttons or list rows."""
        if self.body.get("type") != "interactive":
            return []
        action = self.body["interactive"]["action"]
        if "buttons" in action:
            return [b["reply"]["id"] for b in action["buttons"]]
        return [row["id"] for section in action["sections"] for row in section["rows"]]


RATE_LIMIT = {
    "error": {
        "message": "(#130429) Rate limit hit",
        "type": "OAuthException",
        "code": 130429,
        "error_data": {"messaging_product": "whatsapp", "details": "Cloud API message throughput reached."},
        "fbtrace_id": "AbCdEfGh",
    }
}


class FakeGraph:
    def __init__(self, port: int, *, access_token: str, phone_number_id: str, version: str = "v21.0") -> None:
        self.token, self.path = access_token, f"/{version}/{phone_number_id}/messages"
        self.requests: list[Recorded] = []
        self._failures = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeGraph":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, count: int = 1) -> None:
        """Answer the next `count` outgoing messages (not read receipts) with HTTP 429, code 130429."""
        with self._lock:
            self._failures = count

    def messages_to(self, wa_id: str) -> list[Recorded]:
        """Messages the fake accepted for this user, in order (failed attempts and receipts left out)."""
        with self._lock:
            return [r for r in self.requests if r.to == wa_id and r.status == 200]

    def attempts_to(self, wa_id: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.to == wa_id]

    def _answer(self, path: str, authorization: str, body: Any) -> tuple[int, dict[str, Any]]:
        if authorization != f"Bearer {self.token}":
            return 401, {
                "error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}
            }
        if path != self.path or not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            return 400, {"error": {"message": "Invalid parameter", "type": "OAuthException", "code": 100}}
        if body.get("status") == "read":
            return 200, {"success": True}
        if self._failures > 0:
            self._failures -= 1
            return 429, RATE_LIMIT
        to = str(body.get("to"))
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}],
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                authorization = self.headers.get("Authorization") or ""
                with fake._lock:
                    status, answer = fake._answer(self.path, authorization, body)
                    if isinstance(body, dict):
                        fake.requests.append(Recorded(self.path, authorization, body, status))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def wait_for(check: Callable[[], T | None], timeout: float = 60, what: str = "the condition") -> T:
    """Poll `check` until it returns something truthy, and return it; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
