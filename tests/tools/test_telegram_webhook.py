"""`sahayak telegram`: webhook administration and the poller, against a local fake of the Bot API."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.tools.cli import app
from tests.e2e.fake_telegram import FakeTelegram

TOKEN = "4242:unit-test-token"
SECRET = "unit-test-telegram-secret-0123456789abcdef"
runner = CliRunner()


class Receiver:
    """A stand-in for the Rasa server's webhook: records what is POSTed, answers `status`."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.received.append((self.path, dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/telegram/webhook"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTelegram]:
    running = FakeTelegram(0, TOKEN).start()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", SECRET)
    monkeypatch.setenv("TELEGRAM_API_URL", running.url)
    monkeypatch.setenv("TELEGRAM_MODE", "polling")
    yield running
    running.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.server.shutdown()
    running.server.server_close()


def update(update_id: int, text: str) -> dict[str, Any]:
    user = {"id": 555000111, "is_bot": False, "first_name": "Asha"}
    chat = {"id": 555000111, "first_name": "Asha", "type": "private"}
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "from": user, "chat": chat, "date": 1700000000, "text": text},
    }


def test_set_webhook_sends_the_secret_and_the_update_kinds_we_handle(fake: FakeTelegram) -> None:
    result = runner.invoke(app, ["telegram", "set-webhook", "https://bot.example.gov.in"])
    assert result.exit_code == 0, result.output
    [call] = fake.calls_to("setWebhook")
    assert call.params["url"] == "https://bot.example.gov.in/webhooks/telegram/webhook"
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query"]
    assert TOKEN not in result.output

    info = runner.invoke(app, ["telegram", "webhook-info"])
    assert "url: https://bot.example.gov.in/webhooks/telegram/webhook" in info.output
    assert "message, callback_query" in info.output

    assert runner.invoke(app, ["telegram", "delete-webhook"]).exit_code == 0
    assert fake.webhook == {} and len(fake.calls_to("deleteWebhook")) == 1


def test_a_full_webhook_url_is_kept_and_a_refused_token_is_not_printed(
    fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["telegram", "set-webhook", "https://x.example/custom/path"]).exit_code == 0
    assert fake.calls_to("setWebhook")[0].params["url"] == "https://x.example/custom/path"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "9999:wrong-token")
    result = runner.invoke(app, ["telegram", "webhook-info"])
    assert result.exit_code == 1 and "Unauthorized" in result.output
    assert "wrong-token" not in result.output


def test_poll_forwards_updates_in_order_with_the_secret_then_confirms_them(
    fake: FakeTelegram, receiver: Receiver
) -> None:
    fake.queue_update(update(7, "hello"))
    fake.queue_update(update(8, "otp nahi aaya"))
    result = runner.invoke(app, ["telegram", "poll", "--once", "--target", receiver.url])
    assert result.exit_code == 0, result.output
    assert [body for _, _, body in receiver.received] == [update(7, "hello"), update(8, "otp nahi aaya")]
    assert all(path == "/webhooks/telegram/webhook" for path, _, _ in receiver.received)
    assert all(headers["X-Telegram-Bot-Api-Secret-Token"] == SECRET for _, headers, _ in receiver.received)
    # The webhook was deleted first (getUpdates is refused while one is set), and the updates were confirmed.
    assert fake.calls[0].method == "deleteWebhook"
    assert fake.calls_to("getUpdates")[0].params["allowed_updates"] == ["message", "callback_query"]
    assert fake.updates == []


def test_poll_keeps_updates_the_rasa_server_could_not_take(fake: FakeTelegram, receiver: Receiver) -> None:
    receiver.status = 503
    fake.queue_update(update(21, "hello"))
    result = runner.invoke(app, ["telegram", "poll", "--once", "--target", receiver.url])
    assert result.exit_code == 1
    assert len(receiver.received) == 1 and [u["update_id"] for u in fake.updates] == [21]

    receiver.status = 200
    assert runner.invoke(app, ["telegram", "poll", "--once", "--target", receiver.url]).exit_code == 0
    assert len(receiver.received) == 2 and fake.updates == []


def test_poll_stays_off_without_a_token_or_in_webhook_mode(
    fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_MODE", "webhook")
    result = runner.invoke(app, ["telegram", "poll", "--once"])
    assert result.exit_code == 0 and "telegram poller: off" in result.output and "webhook" in result.output
    monkeypatch.setenv("TELEGRAM_MODE", "polling")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    result = runner.invoke(app, ["telegram", "poll", "--once"])
    assert result.exit_code == 0 and "TELEGRAM_BOT_TOKEN is empty" in result.output
    assert fake.calls == []
