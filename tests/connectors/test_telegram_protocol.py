"""Reading Telegram updates, button payloads, redeliveries and retries, without a network (as
test_whatsapp_protocol.py does for WhatsApp). Updates follow https://core.telegram.org/bots/api#update."""

import time
from typing import Any

import pytest

from connectors import telegram_protocol as tg
from connectors.render import Button
from contract import metadata as meta
from contract.inbound import TEXT_ONLY_REPLY

KEY = "telegram-protocol-tests-key-0123456789abcdef"
ME = {"id": 555, "is_bot": False, "first_name": "Anita"}
PRIVATE = {"id": 555, "type": "private", "first_name": "Anita"}


def message(**content: Any) -> dict[str, Any]:
    return {
        "update_id": 10,
        "message": {"message_id": 7, "date": int(time.time()), "chat": PRIVATE, "from": ME, **content},
    }


def read(update: dict[str, Any], payloads: tg.PayloadStore | None = None) -> tg.Inbound | None:
    return tg.read_update(update, payloads or tg.PayloadStore(), proof_key=KEY)


def test_a_text_message_is_screened_and_named_by_the_user() -> None:
    inbound = read(message(text="otp nahi aaya"))
    assert inbound == tg.Inbound(10, 555, "telegram:555", text="otp nahi aaya", message_id="7")
    blank = read(message(text="   "))
    assert blank is not None and (blank.text or "").startswith("/nlu_fallback")


@pytest.mark.parametrize("text", ["/start", "/start@SahayakBot", "/start deep-link-payload"])
def test_start_greets(text: str) -> None:
    assert read(message(text=text)).text == tg.GREET  # type: ignore[union-attr]


def test_the_users_own_contact_is_signed_for_this_conversation_only() -> None:
    own = read(message(contact={"phone_number": "+91 98100 12345", "first_name": "A", "user_id": 555}))
    assert own is not None and own.text == tg.SHARE_CONTACT
    claims, verdict = meta.verify_proof(KEY, own.metadata, conversation="telegram:555")
    assert verdict == "ok" and claims == {meta.VERIFIED_PHONE: "+919810012345"}
    assert meta.verify_proof(KEY, own.metadata, conversation="telegram:556")[1] == "other_conversation"


def test_someone_elses_contact_media_and_groups() -> None:
    other = read(message(contact={"phone_number": "+919999999999", "first_name": "B", "user_id": 777}))
    assert other is not None and other.metadata is None and other.direct_reply == tg.NOT_YOUR_CONTACT
    photo = read(message(photo=[{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}]))
    assert photo is not None and photo.direct_reply == TEXT_ONLY_REPLY and photo.text is None
    group = message(text="my progress")
    group["message"]["chat"] = {"id": -100, "type": "group", "title": "Section"}
    assert read(group) is None  # personal records are never shown in a group
    bot = message(text="hi")
    bot["message"]["from"] = {**ME, "is_bot": True}
    assert read(bot) is None


def test_a_button_press_carries_its_payload_even_a_long_one() -> None:
    payloads = tg.PayloadStore()
    long_payload = '/faq{"kb_chunk": "' + "dopt-om-2025-07-04#annexure-a/row-12" * 2 + '"}'
    data = payloads.data_for(Button("Row 12", long_payload))
    assert len(data.encode()) <= 64 and data.startswith(tg.PAYLOAD_KEY_PREFIX)
    press = {
        "update_id": 11,
        "callback_query": {
            "id": "q1",
            "from": ME,
            "data": data,
            "message": {"message_id": 3, "chat": PRIVATE},
        },
    }
    inbound = read(press, payloads)
    assert inbound is not None and inbound.text == long_payload and inbound.callback_query_id == "q1"
    expired = read(press, tg.PayloadStore())  # after a restart the key is unknown
    assert expired is not None and expired.text is None and expired.callback_notice == tg.BUTTON_EXPIRED


def test_the_payload_store_keeps_the_newest() -> None:
    store = tg.PayloadStore(size=2)
    keys = [store.data_for(Button("b", f"/x{{{{'n': '{n}'}}}}" + "y" * 80)) for n in range(3)]
    assert store.resolve(keys[0]) is None and store.resolve(keys[2]) is not None
    assert store.data_for(Button("short", "/greet")) == "/greet"


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        {"message": {}},
        {"update_id": "1", "message": {}},
        {"update_id": 1, "message": {"message_id": 1, "chat": "x", "from": ME}},
        {"update_id": 1, "message": {"message_id": "1", "chat": PRIVATE, "from": ME}},
        {"update_id": 1, "callback_query": {"id": 5, "from": ME}},
    ],
)
def test_what_is_not_an_update_is_refused_with_the_reason(body: Any) -> None:
    with pytest.raises(tg.MalformedUpdate):
        kind = tg.update_kind(body)
        read({"update_id": body["update_id"], kind: body[kind]} if kind else body)


def test_kinds_we_do_not_handle_are_ignored() -> None:
    assert tg.update_kind({"update_id": 1, "edited_message": {"text": "x"}}) is None
    assert tg.update_kind({"update_id": 1, "message": {"text": "x"}}) == "message"


def test_a_redelivered_update_is_taken_once() -> None:
    recent = tg.RecentUpdates(size=2)
    assert recent.first_time(1) and not recent.first_time(1)
    assert recent.first_time(2) and recent.first_time(3)
    assert recent.first_time(1)  # forgotten once more than `size` newer ones came


def test_when_a_failed_call_is_tried_again() -> None:
    assert tg.retry_delay(1, "rate_limited", retry_after=3) == 3
    assert tg.retry_delay(1, "rate_limited", retry_after=3600) == tg.MAX_RETRY_WAIT
    assert [tg.retry_delay(n, "network") for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert tg.retry_delay(tg.MAX_TRIES, "network") is None
    assert tg.retry_delay(1, "refused") is None and tg.retry_delay(1, "failed") is None
