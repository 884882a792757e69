"""Whole conversations over REST: languages, the OTP checks, escalation and bad input."""

import uuid

import httpx
import pytest
from sqlalchemy import select

from bot.db import make_engine, make_sessions
from bot.helpdesk.tables import Escalation
from tests.e2e.servers import REST_TOKEN, Servers
from tests.e2e.test_rest import payloads, texts

pytestmark = pytest.mark.e2e


def new_user() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def test_replies_follow_the_users_language(servers: Servers) -> None:
    me = new_user()
    assert "नमस्ते" in texts(servers.say(me, "नमस्ते"))
    assert "Hello" in texts(servers.say(me, "hello there"))
    # Romanised Hindi gets romanised Hindi; Devanagari gets Devanagari.
    hinglish = texts(servers.say(me, "registration kaise karna hai"))
    assert "saat steps" in hinglish and "igotkarmayogi.gov.in" in hinglish
    assert "पंजीकरण" in texts(servers.say(me, "पंजीकरण कैसे करें"))
    # An explicit choice sticks even when the next message is in the other language.
    assert "English" in texts(servers.say(me, '/set_language{"language": "en"}'))
    assert "Registering" in texts(servers.say(me, "registration kaise karna hai"))


def test_registration_walkthrough_and_a_stuck_step(servers: Servers) -> None:
    me = new_user()
    walkthrough = servers.say(me, "how do I register on igot karmayogi?")
    assert "seven steps" in texts(walkthrough)
    assert '/registration_step{"step": "5"}' in payloads(walkthrough)
    step = servers.say(me, '/registration_step{"step": "5"}')
    assert "Request for help" in texts(step) and "/organisation_not_found" in payloads(step)


def test_otp_checks_then_escalation_with_what_was_tried(servers: Servers) -> None:
    me = new_user()
    assert "Which OTP" in texts(servers.say(me, "I am not getting the OTP"))
    first = texts(servers.say(me, '/inform{"otp_channel": "email"}'))
    assert "spam" in first and "arrived" in first
    assert "mail server" in texts(servers.say(me, "/deny"))
    servers.say(me, "/deny")
    servers.say(me, "/deny")
    offer = servers.say(me, "/deny")
    assert "/request_human" in payloads(offer)
    reply = texts(servers.say(me, "/request_human"))
    assert "ESC-" in reply
    engine = make_engine(servers.database_url)
    with make_sessions(engine)() as session:
        escalation = session.scalar(select(Escalation).where(Escalation.sender_id == f"rest:{me}"))
    engine.dispose()
    assert escalation is not None and escalation.reason == "otp_not_received" and escalation.channel == "rest"
    assert escalation.context["checks_tried"] == ["email_spam", "email_server", "wait", "limit"]


@pytest.mark.parametrize(
    ("message", "clear_reply"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("😀😀😀", "written words"),
        ("a" * 10_000, "very long"),
        ("नमस्ते hello 123 مرحبا", None),
        ("'; DROP TABLE events; --", None),
        ("<script>alert(1)</script>", None),
    ],
)
def test_bad_input_gets_a_clear_reply(servers: Servers, message: str, clear_reply: str | None) -> None:
    me = new_user()
    replies = servers.say(me, message)
    assert replies and all(r.get("text") for r in replies)
    if clear_reply:
        assert clear_reply in texts(replies)
    # The conversation goes on normally afterwards.
    assert "Hello" in texts(servers.say(me, "hello"))


def test_unreadable_message_mid_form_keeps_the_form(servers: Servers) -> None:
    me = new_user()
    question = texts(servers.say(me, "/organisation_not_found"))
    assert "full name" in question
    assert "very long" in texts(servers.say(me, "Anita " * 500))
    assert "email" in texts(servers.say(me, "Anita Verma"))


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"message": "hi"}', b'{"sender": "", "message": "hi"}', b'{"sender": "x"}'],
)
def test_malformed_webhook_is_refused_with_a_reason(servers: Servers, body: bytes) -> None:
    response = httpx.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        content=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {REST_TOKEN}"},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["error"]
