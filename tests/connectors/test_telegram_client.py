"""The Telegram connector's Bot API side with python-telegram-bot's HTTP layer handed in: what it sends,
how it retries, and that the bot token never reaches the log."""

import json
import logging
import time
from typing import Any

import pytest
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from connectors.telegram_channel import TelegramClient, TelegramOutput
from contract.telegram_settings import TelegramSettings

TOKEN = "123456:secret-bot-token"
CHAT = {"id": 555, "type": "private", "first_name": "Anita"}


def sent_message(text: str) -> dict[str, Any]:
    return {"message_id": 1, "date": int(time.time()), "chat": CHAT, "text": text}


class FakeBotApi(BaseRequest):
    """Records each Bot API call and answers from a script: (status, body) or an exception."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def do_request(  # type: ignore[override]
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        params = json.loads(request_data.json_payload) if request_data is not None else {}
        self.calls.append((url.rsplit("/", 1)[-1], params))
        answer = self.answers.pop(0) if self.answers else (200, {"ok": True, "result": sent_message("ok")})
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return status, json.dumps(body).encode()


def client(api: FakeBotApi) -> TelegramClient:
    return TelegramClient(TelegramSettings(token=TOKEN, secret="s"), request=api)


async def test_a_reply_is_one_message_with_its_buttons() -> None:
    api = FakeBotApi()
    long_payload = '/faq{"kb_chunk": "' + "x" * 80 + '"}'
    message = {
        "text": "Which one?",
        "buttons": [
            {"title": "Rules", "payload": long_payload},
            {"title": "Help", "payload": "/request_human"},
        ],
    }
    await TelegramOutput(client(api)).send_response("telegram:555", message)
    [(method, params)] = api.calls
    assert method == "sendMessage" and str(params["chat_id"]) == "555" and params["text"] == "Which one?"
    markup = params["reply_markup"]
    keyboard = [
        row[0] for row in (json.loads(markup) if isinstance(markup, str) else markup)["inline_keyboard"]
    ]
    assert [b["text"] for b in keyboard] == ["Rules", "Help"]
    assert (
        len(keyboard[0]["callback_data"].encode()) <= 64 and keyboard[1]["callback_data"] == "/request_human"
    )


async def test_a_rate_limit_is_waited_out_and_the_message_arrives(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("connectors.telegram_channel.asyncio.sleep", sleep)
    limited = (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests",
            "parameters": {"retry_after": 7},
        },
    )
    api = FakeBotApi(
        limited, NetworkError("connection reset"), (200, {"ok": True, "result": sent_message("hi")})
    )
    assert await client(api).send_message(555, {"text": "hi"}) is not None
    assert [m for m, _ in api.calls] == ["sendMessage"] * 3 and slept == [7.0, 1.0]


async def test_a_refused_request_is_not_retried_and_the_token_is_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    refused = (
        400,
        {"ok": False, "error_code": 400, "description": f"Bad Request: chat not found for bot{TOKEN}"},
    )
    api = FakeBotApi(refused)
    with caplog.at_level(logging.ERROR):
        assert await client(api).send_message(555, {"text": "hi"}) is None
    assert len(api.calls) == 1
    assert "chat not found" in caplog.text.lower() and TOKEN not in caplog.text


async def test_it_gives_up_after_a_few_network_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    async def sleep(seconds: float) -> None:
        pass

    monkeypatch.setattr("connectors.telegram_channel.asyncio.sleep", sleep)
    api = FakeBotApi(*[NetworkError("down")] * 10)
    assert await client(api).send_message(555, {"text": "hi"}) is None
    assert len(api.calls) == 4
