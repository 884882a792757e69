"""Each connector names its conversations with its channel, keeps only the metadata it knows, and signs
only what it verified itself."""

import asyncio
from typing import Any

import pytest

from connectors import rest, server, telegram_channel, whatsapp, widget
from contract import metadata as meta
from contract.telegram_settings import TelegramSettings

KEY = "channel-tests-proof-key-0123456789abcdefghij"


def test_whatsapp_signs_the_number_a_signed_webhook_came_from() -> None:
    channel = whatsapp.WhatsAppInput(whatsapp.Settings(proof_key=KEY))
    claims, verdict = meta.verify_proof(
        KEY, channel._proof("whatsapp:919810012345", "919810012345"), conversation="whatsapp:919810012345"
    )
    assert verdict == "ok" and claims[meta.VERIFIED_PHONE] == "+919810012345"


@pytest.mark.parametrize(
    ("output", "foreign"),
    [
        (
            lambda: telegram_channel.TelegramOutput(
                telegram_channel.TelegramClient(TelegramSettings("1:x", "s"))
            ),
            "rest:555",
        ),
        (lambda: whatsapp.WhatsAppOutput(whatsapp.WhatsAppInput(whatsapp.Settings())), "telegram:9198"),
        (lambda: widget.WidgetOutput(None, "bot_uttered"), "whatsapp:9198100"),  # type: ignore[arg-type]
    ],
)
def test_an_output_channel_refuses_another_channels_conversation(output: Any, foreign: str) -> None:
    with pytest.raises(ValueError, match="is not a"):
        asyncio.run(output().send_response(foreign, {"text": "hello"}))


def test_the_widget_keeps_only_the_portal_token_and_checks_the_origin() -> None:
    kept = widget.message_metadata({"portal_token": "t", "verified_phone": "+919810012345", "x": "y" * 10})
    assert kept == {"portal_token": "t"}
    assert widget.message_metadata('{"portal_token": "' + "t" * 9000 + '"}') == {}
    allowed = ("https://portal.example.gov.in",)
    assert widget.origin_allowed("https://portal.example.gov.in/", allowed)
    assert not widget.origin_allowed("https://evil.example", allowed)
    assert not widget.origin_allowed("null", allowed)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"sender": "x" * 101, "message": "hi"}, "at most 100"),
        ({"sender": "whatsapp:919810012345", "message": "hi"}, "may contain only"),
        ({"sender": "a\nb", "message": "hi"}, "may contain only"),
        ({"sender": "me", "message": 5}, "'message'"),
        ({"sender": "me", "message": "hi", "metadata": []}, "'metadata'"),
    ],
)
def test_a_rest_body_is_refused_with_its_reason(body: dict[str, Any], problem: str) -> None:
    assert problem in (rest.request_problem(body) or "")


def test_rest_is_closed_outside_development_without_a_token() -> None:
    assert not rest.RestSettings(token="", development=False).open
    assert rest.RestSettings(token="t" * 32, development=False).open
    assert rest.RestSettings(token="", development=True).open


def test_the_rasa_server_listens_on_loopback_with_its_portal_origins_only() -> None:
    env = {"RASA_API_TOKEN": "a" * 40, "SAHAYAK_PORTAL_ORIGINS": "https://portal.example.gov.in"}
    arguments = server.rasa_arguments(["--model", "m.tar.gz"], env)
    assert arguments[arguments.index("--interface") + 1] == "127.0.0.1"
    cors = arguments[arguments.index("--cors") + 1 : arguments.index("--model")]
    assert cors == ["https://portal.example.gov.in"] and "*" not in arguments
    with pytest.raises(SystemExit, match="may not contain"):
        server.rasa_arguments([], {**env, "SAHAYAK_PORTAL_ORIGINS": "*"})
