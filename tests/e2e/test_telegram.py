"""The Telegram channel with the real servers: Bot API updates in, a local fake of the Bot API out.

Updates are shaped like the samples in https://core.telegram.org/bots/api (Update, Message, CallbackQuery,
Contact). The webhook answers at once and replies in a background task, so every check waits on what the
fake Bot API has recorded.
"""

import html
import itertools
import json
import random
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.records.demo import DEMO_IDENTITIES
from tests.e2e.fake_telegram import FakeTelegram
from tests.e2e.servers import TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN, Servers

pytestmark = pytest.mark.e2e
DEMO = {identity.situation: identity for identity in DEMO_IDENTITIES}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_update_ids = itertools.count(random.randrange(10**8, 9 * 10**8))
_message_ids = itertools.count(1)


@pytest.fixture(scope="module")
def fake(servers: Servers) -> Iterator[FakeTelegram]:
    running = FakeTelegram(servers.telegram_api_port, TELEGRAM_BOT_TOKEN).start()
    yield running
    running.stop()


def new_user() -> int:
    return random.randrange(10**8, 10**10)


def user(uid: int) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": "Priya", "last_name": "R", "language_code": "en"}


def message(uid: int, **content: Any) -> dict[str, Any]:
    """An Update with a Message in the private chat with `uid`."""
    chat = {"id": uid, "first_name": "Priya", "last_name": "R", "type": "private"}
    body = {"message_id": next(_message_ids), "from": user(uid), "chat": chat, "date": int(time.time())}
    return {"update_id": next(_update_ids), "message": {**body, **content}}


def text(uid: int, words: str) -> dict[str, Any]:
    if words.startswith("/"):
        entity = {"offset": 0, "length": len(words.split()[0]), "type": "bot_command"}
        return message(uid, text=words, entities=[entity])
    return message(uid, text=words)


def callback(uid: int, data: str) -> dict[str, Any]:
    bot_message = {
        "message_id": next(_message_ids),
        "from": {"id": 7000000001, "is_bot": True, "first_name": "Karmayogi Sahayak"},
        "chat": {"id": uid, "first_name": "Priya", "type": "private"},
        "date": int(time.time()),
        "text": "Hello!",
    }
    query = {
        "id": f"{random.getrandbits(60)}",
        "from": user(uid),
        "message": bot_message,
        "chat_instance": "-1234567890123456789",
        "data": data,
    }
    return {"update_id": next(_update_ids), "callback_query": query}


def post(servers: Servers, body: Any, *, secret: str | None = TELEGRAM_SECRET_TOKEN) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(
        f"{servers.rasa_url}/webhooks/telegram/webhook", content=content, headers=headers, timeout=30
    )


def send(servers: Servers, update: dict[str, Any]) -> None:
    response = post(servers, update)
    assert response.status_code == 200, response.text


def texts(fake: FakeTelegram, uid: int) -> str:
    return "\n".join(html.unescape(m["text"]) for m in fake.sent_to(uid))


def wait_for_text(fake: FakeTelegram, uid: int, needle: str, timeout: float = 60) -> str:
    return str(
        fake.wait_for(lambda: needle in texts(fake, uid) and texts(fake, uid), timeout=timeout, what=needle)
    )


def inline_data(fake: FakeTelegram, uid: int) -> list[str]:
    return [
        button["callback_data"]
        for m in fake.sent_to(uid)
        for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]


def user_events(servers: Servers, uid: int) -> list[dict[str, Any]]:
    return [e for e in servers.tracker(f"telegram:{uid}")["events"] if e["event"] == "user"]


def test_start_greets_with_an_inline_keyboard_and_a_button_press_is_answered(
    servers: Servers, fake: FakeTelegram
) -> None:
    me = new_user()
    send(servers, text(me, "/start"))
    greeting = fake.wait_for(lambda: inline_data(fake, me), what="the greeting's keyboard")
    assert "/ask_registration_help" in greeting and "/request_human" in greeting
    assert "Karmayogi Sahayak" in texts(fake, me)
    assert all(m["parse_mode"] == "HTML" for m in fake.sent_to(me))
    methods = [c.method for c in fake.calls if c.chat_id == str(me)]
    assert methods.index("sendChatAction") < methods.index("sendMessage")

    press = callback(me, "/ask_registration_help")
    send(servers, press)
    query_id = press["callback_query"]["id"]
    fake.wait_for(
        lambda: [
            c for c in fake.calls_to("answerCallbackQuery") if c.params["callback_query_id"] == query_id
        ],
        what="answerCallbackQuery",
    )
    assert "seven steps" in wait_for_text(fake, me, "seven steps")
    tracker = servers.tracker(f"telegram:{me}")
    assert tracker["latest_input_channel"] == "telegram"
    assert [e["text"] for e in user_events(servers, me)] == ["/greet", "/ask_registration_help"]


def test_only_updates_with_the_right_secret_and_a_sound_body_are_processed(
    servers: Servers, fake: FakeTelegram
) -> None:
    me = new_user()
    assert post(servers, text(me, "hello"), secret=None).status_code == 401
    assert post(servers, text(me, "hello"), secret="not-the-secret").status_code == 403
    assert post(servers, b'{"update_id": 1, "message": ').status_code == 400
    assert post(servers, b"[1, 2, 3]").status_code == 400
    assert post(servers, {"message": text(me, "hello")["message"]}).status_code == 400
    assert post(servers, text(me, "x" * 300_000)).status_code == 413
    edited = text(me, "hello")
    edited["edited_message"] = {**edited.pop("message"), "edit_date": int(time.time())}
    assert post(servers, edited).status_code == 200
    channel_post = {"update_id": next(_update_ids), "channel_post": edited["edited_message"]}
    assert post(servers, channel_post).status_code == 200
    poll = {
        "update_id": next(_update_ids),
        "poll": {
            "id": "5",
            "question": "?",
            "options": [],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        },
    }
    assert post(servers, poll).status_code == 200

    # Then one real message: it is the only one the assistant ever saw, and the only one answered.
    send(servers, text(me, "hello"))
    fake.wait_for(lambda: inline_data(fake, me), what="the greeting")
    assert [e["text"] for e in user_events(servers, me)] == ["hello"]
    assert len(fake.calls_to("sendChatAction", me)) == 1


def test_the_same_update_delivered_twice_is_handled_once(servers: Servers, fake: FakeTelegram) -> None:
    me = new_user()
    update = text(me, "hello")
    send(servers, update)
    send(servers, update)
    fake.wait_for(lambda: inline_data(fake, me), what="the greeting")
    send(servers, text(me, "thank you"))
    fake.wait_for(lambda: len(user_events(servers, me)) >= 2, what="the second turn")
    assert [e["text"] for e in user_events(servers, me)] == ["hello", "thank you"]


def test_pictures_get_a_text_only_reply_and_unreadable_text_is_screened(
    servers: Servers, fake: FakeTelegram
) -> None:
    me = new_user()
    photo = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90, "file_size": 1024}]
    send(servers, message(me, photo=photo, caption="my certificate"))
    assert "can only read text messages" in wait_for_text(fake, me, "can only read text messages")
    sticker = {
        "file_id": "CAAD",
        "file_unique_id": "AgAD",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    send(servers, message(me, sticker=sticker))
    fake.wait_for(
        lambda: texts(fake, me).count("can only read text messages") == 2, what="the second text-only reply"
    )
    assert user_events(servers, me) == []

    send(servers, text(me, "🙏🙏🙏"))
    fake.wait_for(lambda: user_events(servers, me), what="the screened message")
    [event] = user_events(servers, me)
    assert event["parse_data"]["intent"]["name"] == "nlu_fallback"
    assert event["parse_data"]["entities"][0]["value"] == "no_text"


def test_the_senders_own_contact_proves_who_they_are(servers: Servers, fake: FakeTelegram) -> None:
    me, on_track = new_user(), DEMO["on_track"]
    send(servers, text(me, "how many of my mandatory courses have I finished?"))
    asked = fake.wait_for(
        lambda: [m for m in fake.sent_to(me) if "keyboard" in (m.get("reply_markup") or {})],
        what="the share-contact keyboard",
    )
    [[button]] = asked[-1]["reply_markup"]["keyboard"]
    assert button["request_contact"] is True and "Share" in button["text"]

    contact = {"phone_number": f"91{on_track.mobile}", "first_name": "Priya", "user_id": me}
    send(servers, message(me, contact=contact))
    summary = wait_for_text(fake, me, "prescribed courses")
    assert "5 of 8 prescribed courses" in summary
    assert user_events(servers, me)[-1]["text"] == "/share_contact"
    # The phone number was a proof for this turn only: the stored conversation does not keep it.
    assert on_track.mobile not in json.dumps(servers.tracker(f"telegram:{me}"))


def test_a_contact_of_someone_else_is_refused_and_not_forwarded(servers: Servers, fake: FakeTelegram) -> None:
    me, on_track = new_user(), DEMO["on_track"]
    someone = {"phone_number": f"+91{on_track.mobile}", "first_name": "Priya", "user_id": me + 1}
    send(servers, message(me, contact=someone))
    assert "your own number" in wait_for_text(fake, me, "your own number")
    card = {"phone_number": f"+91{on_track.mobile}", "first_name": "Priya"}  # a phone-book card: no user_id
    send(servers, message(me, contact=card))
    fake.wait_for(lambda: texts(fake, me).count("your own number") == 2, what="the second refusal")
    assert user_events(servers, me) == []
    assert "prescribed" not in texts(fake, me)


def test_a_429_from_telegram_is_retried_and_the_reply_still_arrives(
    servers: Servers, fake: FakeTelegram
) -> None:
    me = new_user()
    fake.fail_next("sendMessage", chat_id=me, retry_after=1)
    send(servers, text(me, "hello"))
    fake.wait_for(lambda: inline_data(fake, me), what="the greeting after a 429")
    [refused] = [c for c in fake.calls_to("sendMessage", me, ok_only=False) if c.status == 429]
    first_delivered = fake.sent_to(me)[0]
    assert refused.params["text"] == first_delivered["text"]


def test_a_message_pushed_through_the_http_api_reaches_the_user_split_and_escaped(
    servers: Servers, fake: FakeTelegram
) -> None:
    me = new_user()
    send(servers, text(me, "hello"))
    fake.wait_for(lambda: inline_data(fake, me), what="the greeting")
    before = len(fake.sent_to(me))

    agent = "Hi, this is Meera from the helpdesk <R&D cell>. I am looking at your request now."
    servers.push(f"telegram:{me}", {"event": "bot", "text": agent})
    fake.wait_for(lambda: len(fake.sent_to(me)) == before + 1, what="the agent's message")
    assert fake.sent_to(me)[-1]["text"] == html.escape(agent, quote=False)

    long = " ".join(
        f"Paragraph {i}: the deadline rules of the circular, explained once more." for i in range(120)
    )
    assert len(long) > 8000
    servers.push(f"telegram:{me}", {"event": "bot", "text": long})
    pieces = fake.wait_for(lambda: fake.sent_to(me)[before + 1 :], what="the long message")
    assert len(pieces) >= 2 and all(len(p["text"]) <= 4096 for p in pieces)
    assert " ".join(html.unescape(p["text"]) for p in pieces).split() == long.split()


def test_a_long_button_payload_survives_telegrams_64_byte_limit(servers: Servers, fake: FakeTelegram) -> None:
    me = new_user()
    send(servers, text(me, "hello"))
    fake.wait_for(lambda: inline_data(fake, me), what="the greeting")
    payload = '/registration_step{"step": "5", "source": "a button payload well beyond sixty-four bytes"}'
    assert len(payload.encode()) > 64
    buttons = [{"title": "Step 5", "payload": payload}]
    servers.push(f"telegram:{me}", {"event": "bot", "text": "Which step?", "data": {"buttons": buttons}})
    data = fake.wait_for(
        lambda: [d for d in inline_data(fake, me) if d.startswith("p:")], what="a stored payload"
    )
    assert len(data[-1].encode()) <= 64

    send(servers, callback(me, data[-1]))
    fake.wait_for(
        lambda: user_events(servers, me)[-1]["text"] == payload, what="the payload at the assistant"
    )
    event = user_events(servers, me)[-1]
    assert event["parse_data"]["intent"]["name"] == "registration_step"
    assert event["input_channel"] == "telegram"

    stale = callback(me, "p:0123456789abcdef0123")
    send(servers, stale)
    answered = fake.wait_for(
        lambda: [
            c
            for c in fake.calls_to("answerCallbackQuery")
            if c.params["callback_query_id"] == stale["callback_query"]["id"]
        ],
        what="the stale button's answer",
    )
    assert "expired" in answered[0].params["text"]
