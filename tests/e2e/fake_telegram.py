"""A local stand-in for the Telegram Bot API: answers the calls we make as documented, and records them.

https://core.telegram.org/bots/api: every method is `POST /bot<token>/<method>` with JSON, form or query
parameters, and answers `{"ok": true, "result": ...}` or `{"ok": false, "error_code": ..., "description":
...}`; a 429 carries `parameters.retry_after`. python-telegram-bot sends form fields with JSON-encoded
values (reply_markup), the admin commands send JSON; both are read here.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Karmayogi Sahayak",
    "username": "sahayak_test_bot",
}
# Parameters that arrive JSON-encoded inside a form.
JSON_FIELDS = {"reply_markup", "allowed_updates", "entities", "link_preview_options", "reply_parameters"}
MAX_LONG_POLL = 1.0  # seconds a getUpdates call waits for updates here, whatever timeout it asked for


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int  # what the fake answered
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def chat_id(self) -> str:
        return str(self.params.get("chat_id", ""))


@dataclass
class _Failure:
    method: str
    chat_id: str | None
    retry_after: int


class FakeTelegram:
    """Serves on 127.0.0.1:`port` in a thread until `stop()`."""

    def __init__(self, port: int, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []  # what getUpdates hands out
        self.webhook: dict[str, Any] = {}
        self._failures: list[_Failure] = []
        self._lock = threading.Condition()
        self._next_message_id = 1000
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> "FakeTelegram":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- controlling and reading the fake ---------------------------------------------------------------

    def fail_next(self, method: str, *, chat_id: str | int | None = None, retry_after: int = 1) -> None:
        """The next `method` call (to `chat_id`, if given) gets a 429 with `retry_after`."""
        with self._lock:
            self._failures.append(_Failure(method, None if chat_id is None else str(chat_id), retry_after))

    def queue_update(self, update: dict[str, Any]) -> None:
        with self._lock:
            self.updates.append(update)
            self._lock.notify_all()

    def calls_to(self, method: str, chat_id: str | int | None = None, *, ok_only: bool = True) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method
                and (chat_id is None or c.chat_id == str(chat_id))
                and (not ok_only or c.status == 200)
            ]

    def sent_to(self, chat_id: str | int) -> list[dict[str, Any]]:
        """The sendMessage parameters that reached `chat_id` (successful calls only), in order."""
        return [c.params for c in self.calls_to("sendMessage", chat_id)]

    def wait_for(
        self, condition: Callable[[], Any], *, timeout: float = 60, what: str = "the expected Bot API calls"
    ) -> Any:
        """`condition()`'s first truthy value, polled until `timeout`; fails the test otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                recent = [(c.method, c.chat_id, c.status) for c in self.calls[-12:]]
                raise AssertionError(f"timed out after {timeout} s waiting for {what}; last calls: {recent}")
            time.sleep(0.1)

    # --- the API ----------------------------------------------------------------------------------------

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = str(params.get("chat_id", ""))
        with self._lock:
            for failure in self._failures:
                if failure.method == method and failure.chat_id in (None, chat_id):
                    self._failures.remove(failure)
                    return 429, {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {failure.retry_after}",
                        "parameters": {"retry_after": failure.retry_after},
                    }
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "sendMessage":
            if not params.get("chat_id") or not params.get("text"):
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message text is empty",
                }
            if len(str(params["text"])) > 4096:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message is too long",
                }
            with self._lock:
                self._next_message_id += 1
                message_id = self._next_message_id
            chat = {"id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id, "type": "private"}
            result: dict[str, Any] = {
                "message_id": message_id,
                "from": BOT_USER,
                "chat": chat,
                "date": int(time.time()),
                "text": params["text"],
            }
            if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
                result["reply_markup"] = params["reply_markup"]
            return 200, {"ok": True, "result": result}
        if method in ("answerCallbackQuery", "sendChatAction"):
            return 200, {"ok": True, "result": True}
        if method == "setWebhook":
            with self._lock:
                self.webhook = {
                    "url": params.get("url", ""),
                    "allowed_updates": params.get("allowed_updates"),
                }
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        if method == "deleteWebhook":
            with self._lock:
                self.webhook = {}
            return 200, {"ok": True, "result": True, "description": "Webhook was deleted"}
        if method == "getWebhookInfo":
            info = {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
            return 200, {"ok": True, "result": info}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Updates from `offset` on; earlier ones are confirmed (dropped), as Telegram does."""
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), MAX_LONG_POLL)
        deadline = time.monotonic() + wait
        with self._lock:
            while True:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or time.monotonic() >= deadline:
                    return list(self.updates[: int(params.get("limit") or 100)])
                self._lock.wait(timeout=max(0.0, deadline - time.monotonic()))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                prefix, _, method = parts.path.lstrip("/").partition("/")
                params: dict[str, Any] = dict(parse_qsl(parts.query))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                kind = self.headers.get("Content-Type", "")
                if raw and "json" in kind:
                    params.update(json.loads(raw))
                elif raw and "x-www-form-urlencoded" in kind:
                    for key, value in parse_qsl(raw.decode()):
                        params[key] = json.loads(value) if key in JSON_FIELDS else value
                if prefix != f"bot{fake.token}":
                    status, body = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                else:
                    status, body = fake._answer(method, params)
                with fake._lock:
                    fake.calls.append(Call(method, params, status, dict(self.headers.items())))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler
