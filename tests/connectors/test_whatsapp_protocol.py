"""The WhatsApp Cloud API rules the channel relies on, on payloads shaped like Meta's documented samples."""

import hashlib
import hmac
from typing import Any

import pytest

from connectors.whatsapp_protocol import (
    MAX_ATTEMPTS,
    MAX_DELAY_SECONDS,
    WINDOW_SECONDS,
    Inbound,
    SeenMessages,
    ServiceWindow,
    error_code,
    outbound,
    parse_webhook,
    read_receipt,
    retry_delay,
    signature_valid,
    subscription_challenge,
    template_message,
)

SECRET = "app-secret"
PHONE_NUMBER_ID = "106540352242922"
USER = "919810012345"


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook(
    *messages: dict[str, Any], phone_number_id: str = PHONE_NUMBER_ID, **value: Any
) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": phone_number_id,
                            },
                            "contacts": [{"profile": {"name": "Priya"}, "wa_id": USER}],
                            "messages": list(messages),
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def message(kind: str, message_id: str = "wamid.A1", **content: Any) -> dict[str, Any]:
    return {"from": USER, "id": message_id, "timestamp": "1750000000", "type": kind, **content}


def test_the_signature_is_the_hmac_of_the_raw_body() -> None:
    body = b'{"object": "whatsapp_business_account"}'
    assert signature_valid(SECRET, body, sign(body))
    assert signature_valid(SECRET, body, sign(body).upper().replace("SHA256=", "sha256="))
    assert not signature_valid(SECRET, body, sign(body, "another-secret"))
    assert not signature_valid(SECRET, body + b" ", sign(body))  # re-serialised JSON is not the same body
    assert not signature_valid(SECRET, body, sign(body).removeprefix("sha256="))
    assert not signature_valid(SECRET, body, "sha1=" + sign(body).removeprefix("sha256="))
    assert not signature_valid(SECRET, body, None)
    assert not signature_valid(SECRET, body, "sha256=")
    assert not signature_valid("", body, sign(body, ""))  # no secret configured: nothing is genuine


def test_the_verification_echoes_the_challenge_only_for_our_token() -> None:
    good = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    assert subscription_challenge(good, "verify-me") == "1158201444"
    assert subscription_challenge({**good, "hub.verify_token": "verify-mE"}, "verify-me") is None
    assert subscription_challenge({**good, "hub.mode": "unsubscribe"}, "verify-me") is None
    assert subscription_challenge({**good, "hub.verify_token": None}, "verify-me") is None
    assert subscription_challenge({**good, "hub.verify_token": ""}, "") is None  # unset token never matches


def test_text_interactive_and_template_button_replies_become_text_for_rasa() -> None:
    body = webhook(
        message("text", "wamid.1", text={"body": "otp nahi aaya"}),
        message(
            "interactive",
            "wamid.2",
            context={"from": "15550783881", "id": "wamid.bot"},
            interactive={"type": "button_reply", "button_reply": {"id": "/otp_not_received", "title": "OTP"}},
        ),
        message(
            "interactive",
            "wamid.3",
            interactive={
                "type": "list_reply",
                "list_reply": {"id": "/ask_registration_help", "title": "Registration", "description": "How"},
            },
        ),
        message("button", "wamid.4", button={"text": "Yes", "payload": "/affirm"}),
    )
    assert parse_webhook(body, PHONE_NUMBER_ID) == [
        Inbound("wamid.1", USER, 1750000000.0, "text", "otp nahi aaya"),
        Inbound("wamid.2", USER, 1750000000.0, "text", "/otp_not_received"),
        Inbound("wamid.3", USER, 1750000000.0, "text", "/ask_registration_help"),
        Inbound("wamid.4", USER, 1750000000.0, "text", "/affirm"),
    ]


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("image", {"image": {"caption": "screenshot", "mime_type": "image/jpeg", "sha256": "ab", "id": "1"}}),
        (
            "audio",
            {"audio": {"mime_type": "audio/ogg; codecs=opus", "sha256": "ab", "id": "2", "voice": True}},
        ),
        ("video", {"video": {"mime_type": "video/mp4", "sha256": "ab", "id": "3"}}),
        ("document", {"document": {"filename": "a.pdf", "mime_type": "application/pdf", "id": "4"}}),
        ("sticker", {"sticker": {"mime_type": "image/webp", "sha256": "ab", "id": "5", "animated": False}}),
        ("location", {"location": {"latitude": 28.61, "longitude": 77.2, "name": "Office"}}),
    ],
)
def test_media_and_location_are_recognised_as_not_text(kind: str, content: dict[str, Any]) -> None:
    [found] = parse_webhook(webhook(message(kind, **content)), PHONE_NUMBER_ID)
    assert found.kind == "media" and found.text == ""


def test_a_shared_contact_is_recognised_but_its_number_is_not_taken() -> None:
    contact = {
        "name": {"formatted_name": "Rakesh Yadav", "first_name": "Rakesh"},
        "phones": [{"phone": "+91 98210 34567", "wa_id": "919821034567", "type": "CELL"}],
    }
    [found] = parse_webhook(webhook(message("contacts", contacts=[contact])), PHONE_NUMBER_ID)
    assert found == Inbound("wamid.A1", USER, 1750000000.0, "contacts", "")


def test_statuses_unknown_types_and_other_numbers_are_left_out() -> None:
    status = {
        "id": "wamid.bot",
        "status": "delivered",
        "timestamp": "1750000001",
        "recipient_id": USER,
        "conversation": {"id": "c1", "origin": {"type": "service"}},
        "pricing": {"billable": True, "pricing_model": "PMP", "category": "service"},
    }
    assert parse_webhook(webhook(statuses=[status]), PHONE_NUMBER_ID) == []
    unknown = [
        message("reaction", reaction={"message_id": "wamid.bot", "emoji": "👍"}),
        message("unsupported", errors=[{"code": 131051, "title": "Message type unknown"}]),
        message("system", system={"body": "User changed number"}),
        message("interactive", interactive={"type": "nfm_reply", "nfm_reply": {"response_json": "{}"}}),
    ]
    assert parse_webhook(webhook(*unknown), PHONE_NUMBER_ID) == []
    text = message("text", text={"body": "hello"})
    assert parse_webhook(webhook(text, phone_number_id="999"), PHONE_NUMBER_ID) == []
    assert len(parse_webhook(webhook(text, phone_number_id="999"))) == 1  # no number configured: any
    assert parse_webhook(webhook({**text, "from": "+91 98100"}), PHONE_NUMBER_ID) == []
    assert parse_webhook(webhook({**text, "id": None}), PHONE_NUMBER_ID) == []
    junks: list[Any] = [None, [], {"entry": "x"}, {"entry": [{"changes": [None, {"value": []}]}]}]
    for junk in junks:
        assert parse_webhook(junk, PHONE_NUMBER_ID) == []


def test_repeated_message_ids_are_seen_once_within_the_ttl_and_the_store_is_bounded() -> None:
    seen = SeenMessages(size=3, ttl=100)
    assert seen.first_time("a", now=0) and not seen.first_time("a", now=50)
    assert seen.first_time("a", now=101)  # expired: Meta stops retrying long before
    for i, mid in enumerate("bcde"):
        assert seen.first_time(mid, now=102 + i)
    assert len(seen) == 3
    assert seen.first_time("a", now=110)  # the oldest was dropped to keep the bound


def test_the_window_is_open_for_24_hours_after_the_users_last_message() -> None:
    window = ServiceWindow(seconds=WINDOW_SECONDS)
    assert not window.is_open(USER, now=1000)  # never seen
    window.user_wrote(USER, at=1000, now=1000)
    assert window.is_open(USER, now=1000 + WINDOW_SECONDS - 1)
    assert not window.is_open(USER, now=1000 + WINDOW_SECONDS)
    # A late retry of an old message does not reopen it: the platform counts from the message's time.
    window.user_wrote(USER, at=1000, now=1000 + WINDOW_SECONDS + 5)
    assert not window.is_open(USER, now=1000 + WINDOW_SECONDS + 5)
    # A timestamp from the future counts as now.
    window.user_wrote(USER, at=10**12, now=5000 + WINDOW_SECONDS)
    assert window.is_open(USER, now=5000 + 2 * WINDOW_SECONDS - 1)


def test_the_default_window_keeps_a_margin_before_the_platforms_limit() -> None:
    window = ServiceWindow()
    window.user_wrote(USER, at=0, now=0)
    assert window.is_open(USER, now=WINDOW_SECONDS - 600)
    assert not window.is_open(USER, now=WINDOW_SECONDS - 1)


def test_outside_the_window_the_template_goes_once_until_the_user_writes_again() -> None:
    window = ServiceWindow(seconds=100)
    window.user_wrote(USER, at=0, now=0)
    assert window.plan(USER, has_template=True, now=50) == "send"
    assert window.plan(USER, has_template=True, now=150) == "template"
    assert window.plan(USER, has_template=True, now=151) == "withhold"
    assert window.plan("447700900123", has_template=True, now=151) == "template"  # never seen
    window.user_wrote(USER, at=200, now=200)
    assert window.plan(USER, has_template=True, now=210) == "send"
    assert window.plan(USER, has_template=True, now=400) == "template"  # a new closed period
    assert window.plan("447700900999", has_template=False, now=400) == "withhold"


def test_a_platform_refusal_closes_the_window() -> None:
    window = ServiceWindow(seconds=100)
    window.user_wrote(USER, at=0, now=0)
    window.close(USER)
    assert window.plan(USER, has_template=False, now=1) == "withhold"
    window.user_wrote(USER, at=2, now=2)
    assert window.plan(USER, has_template=False, now=3) == "send"


def test_the_window_store_is_bounded() -> None:
    window = ServiceWindow(seconds=100, users=2)
    for i, user in enumerate(("1111111", "2222222", "3333333")):
        window.user_wrote(user, at=i, now=i)
    assert not window.is_open("1111111", now=5) and window.is_open("3333333", now=5)


def test_the_template_message_and_the_bodies_sent() -> None:
    assert template_message("", "en") is None and template_message("  ", "hi") is None
    assert template_message("helpdesk_reply", "hi") == {
        "type": "template",
        "template": {"name": "helpdesk_reply", "language": {"code": "hi"}},
    }
    assert template_message("helpdesk_reply", "")["template"]["language"] == {"code": "en"}  # type: ignore[index]
    text = {"type": "text", "text": {"body": "hi", "preview_url": True}}
    assert outbound(USER, text) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": USER,
        **text,
    }
    assert read_receipt("wamid.1") == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.1",
    }


def test_which_failures_are_retried_and_for_how_long() -> None:
    rate_limit = {"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429}}
    assert error_code(rate_limit) == 130429 and error_code({"error": {"code": "x"}}) is None
    assert error_code("not json") is None
    assert retry_delay(1, status=429) == 0.5
    assert retry_delay(2, status=503) == 1.0
    assert retry_delay(3, status=None) == 2.0  # a network error
    assert retry_delay(1, status=400, code=130429) == 0.5  # rate limits also come as HTTP 400
    assert retry_delay(1, status=400, code=100) is None  # a bad parameter fails again the same way
    assert retry_delay(1, status=401, code=190) is None  # a bad token too
    assert retry_delay(1, status=400, code=131047) is None  # outside the window: the template's job
    assert retry_delay(MAX_ATTEMPTS, status=429) is None
    assert retry_delay(1, status=429, retry_after="3") == 3.0
    assert retry_delay(1, status=429, retry_after="3600") == MAX_DELAY_SECONDS
    assert retry_delay(1, status=429, retry_after="soon") == 0.5
