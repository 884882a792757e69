"""The WhatsApp channel end to end: signed webhooks shaped like Meta's samples go to the real Rasa server, and
the replies reach a local fake of the Graph API."""

import hashlib
import hmac
import json
import random
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.db import make_engine, make_sessions
from bot.records.demo import DEMO_IDENTITIES
from bot.records.tables import Employee
from connectors.whatsapp_protocol import CONTACT_REPLY, MAX_BODY_BYTES
from contract.inbound import TEXT_ONLY_REPLY
from tests.e2e.fake_graph import FakeGraph, Recorded, wait_for
from tests.e2e.servers import (
    WHATSAPP_ACCESS_TOKEN,
    WHATSAPP_APP_SECRET,
    WHATSAPP_PHONE_NUMBER_ID,
    WHATSAPP_VERIFY_TOKEN,
    Servers,
)

pytestmark = pytest.mark.e2e
DEMO = {identity.situation: identity for identity in DEMO_IDENTITIES}


@pytest.fixture(scope="module")
def graph(servers: Servers) -> Iterator[FakeGraph]:
    fake = FakeGraph(
        servers.whatsapp_api_port,
        access_token=WHATSAPP_ACCESS_TOKEN,
        phone_number_id=WHATSAPP_PHONE_NUMBER_ID,
    ).start()
    try:
        yield fake
    finally:
        fake.stop()


def new_user() -> str:
    """A UK number: never a registered Indian mobile, so it proves nobody."""
    return "44" + "".join(random.choices("0123456789", k=10))


def text(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body}}


def button_reply(choice: str, title: str = "choice") -> dict[str, Any]:
    return {
        "type": "interactive",
        "context": {"from": "15550783881", "id": "wamid.HBgLMTU1NTA3ODM4ODEVAgARGBI"},
        "interactive": {"type": "button_reply", "button_reply": {"id": choice, "title": title}},
    }


def list_reply(choice: str, title: str = "choice") -> dict[str, Any]:
    return {
        "type": "interactive",
        "interactive": {
            "type": "list_reply",
            "list_reply": {"id": choice, "title": title, "description": ""},
        },
    }


def webhook(wa_id: str, content: dict[str, Any], message_id: str | None = None) -> dict[str, Any]:
    """A messages webhook as Meta documents it, with one message from `wa_id`."""
    message = {
        "from": wa_id,
        "id": message_id or f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        **content,
    }
    return value_webhook(
        {"contacts": [{"profile": {"name": "Test User"}, "wa_id": wa_id}], "messages": [message]}
    )


def value_webhook(value: dict[str, Any]) -> dict[str, Any]:
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
                                "phone_number_id": WHATSAPP_PHONE_NUMBER_ID,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def message_id(body: dict[str, Any]) -> str:
    return str(body["entry"][0]["changes"][0]["value"]["messages"][0]["id"])


def signature(raw: bytes, secret: str = WHATSAPP_APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def post(
    servers: Servers, body: dict[str, Any] | bytes, *, sign: bool = True, secret: str = ""
) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if sign:
        headers["X-Hub-Signature-256"] = signature(raw, secret or WHATSAPP_APP_SECRET)
    return httpx.post(
        f"{servers.rasa_url}/webhooks/whatsapp/webhook", content=raw, headers=headers, timeout=30
    )


def user_message_ids(servers: Servers, wa_id: str) -> list[str]:
    return [
        e.get("message_id") for e in servers.tracker(f"whatsapp:{wa_id}")["events"] if e["event"] == "user"
    ]


def turn(servers: Servers, graph: FakeGraph, wa_id: str, content: dict[str, Any]) -> list[Recorded]:
    """Send one message and return what the bot sent back, once Rasa has finished the turn."""
    before = len(graph.messages_to(wa_id))
    body = webhook(wa_id, content)
    answer = post(servers, body)
    assert answer.status_code == 200, answer.text
    # The tracker is stored after the turn's replies went out, so this waits for all of them.
    wait_for(lambda: message_id(body) in user_message_ids(servers, wa_id), what="the turn to be handled")
    return graph.messages_to(wa_id)[before:]


def said(replies: list[Recorded]) -> str:
    return "\n".join(r.text for r in replies)


def push(servers: Servers, wa_id: str, event: dict[str, Any], output_channel: str = "latest") -> None:
    """What the helpdesk does to speak to a user: a bot event through Rasa's HTTP API."""
    servers.push(f"whatsapp:{wa_id}", event, output_channel=output_channel)


def test_meta_verifies_the_webhook_with_our_token_only(servers: Servers) -> None:
    url = f"{servers.rasa_url}/webhooks/whatsapp/webhook"
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": WHATSAPP_VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    good = httpx.get(url, params=query)
    assert good.status_code == 200 and good.text == "1158201444"
    assert good.headers["content-type"].startswith("text/plain")
    assert httpx.get(url, params={**query, "hub.verify_token": "guess"}).status_code == 403
    assert httpx.get(url, params={**query, "hub.mode": "unsubscribe"}).status_code == 403
    assert httpx.get(url).status_code == 403


def test_hello_gets_a_list_and_choices_drive_the_next_turns(servers: Servers, graph: FakeGraph) -> None:
    me = new_user()
    replies = turn(servers, graph, me, text("hello"))
    assert replies and all(r.authorization == f"Bearer {WHATSAPP_ACCESS_TOKEN}" for r in replies)
    assert all(
        r.body["recipient_type"] == "individual" and r.body["messaging_product"] == "whatsapp"
        for r in replies
    )
    menu = replies[-1]
    assert menu.body["interactive"]["type"] == "list" and "Karmayogi" in menu.text
    assert "/otp_not_received" in menu.choices
    # The row the user taps comes back as a list reply; its id is the Rasa payload.
    asked = turn(servers, graph, me, list_reply("/otp_not_received", "OTP not received"))
    assert "Which OTP" in said(asked)
    buttons = asked[-1]
    assert buttons.body["interactive"]["type"] == "button"
    assert '/inform{"otp_channel": "email"}' in buttons.choices
    check = turn(servers, graph, me, button_reply('/inform{"otp_channel": "email"}', "Email"))
    assert "spam" in said(check)
    # Rasa received the payloads themselves, not the titles the user saw.
    said_by_user = [e["text"] for e in servers.tracker(f"whatsapp:{me}")["events"] if e["event"] == "user"]
    assert said_by_user == ["hello", "/otp_not_received", '/inform{"otp_channel": "email"}']


def test_unsigned_or_forged_webhooks_are_refused_and_not_processed(
    servers: Servers, graph: FakeGraph
) -> None:
    me = new_user()
    forged = webhook(me, text("hello"))
    assert post(servers, forged, sign=False).status_code == 403
    assert post(servers, forged, secret="not-the-app-secret").status_code == 403
    raw = json.dumps(forged).encode()
    tampered = json.dumps(webhook(me, text("talk to a person"), message_id(forged))).encode()
    answer = httpx.post(
        f"{servers.rasa_url}/webhooks/whatsapp/webhook",
        content=tampered,
        headers={"X-Hub-Signature-256": signature(raw)},
    )
    assert answer.status_code == 403
    # A genuine message afterwards is the only one Rasa ever saw from this user.
    genuine = webhook(me, text("hello"))
    assert post(servers, genuine).status_code == 200
    wait_for(lambda: user_message_ids(servers, me), what="the genuine message")
    assert user_message_ids(servers, me) == [message_id(genuine)]


def test_malformed_and_oversized_bodies(servers: Servers) -> None:
    assert post(servers, b'{"object": "whatsapp_business_account", "entry": [').status_code == 400
    assert post(servers, b"\xff\xfe not json").status_code == 400
    assert post(servers, b'["an", "array"]').status_code == 400
    big = b'{"padding": "' + b"x" * MAX_BODY_BYTES + b'"}'
    assert post(servers, big).status_code == 413
    assert post(servers, big, sign=False).status_code == 413  # refused before anything else

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        yield from (big[i : i + 65536] for i in range(0, len(big), 65536))

    answer = httpx.post(f"{servers.rasa_url}/webhooks/whatsapp/webhook", content=chunks(), timeout=30)
    assert answer.status_code == 413


def test_status_callbacks_and_repeated_deliveries_are_handled_once(
    servers: Servers, graph: FakeGraph
) -> None:
    me = new_user()
    status = value_webhook(
        {
            "statuses": [
                {
                    "id": "wamid.HBgLMTU1NTA3ODM4ODEVAgARGBI",
                    "status": "delivered",
                    "timestamp": str(int(time.time())),
                    "recipient_id": me,
                    "conversation": {"id": "CONVERSATION_ID", "origin": {"type": "service"}},
                    "pricing": {"billable": True, "pricing_model": "PMP", "category": "service"},
                }
            ]
        }
    )
    assert post(servers, status).status_code == 200
    first, second = webhook(me, text("hello")), webhook(me, text("thank you"))
    assert post(servers, first).status_code == 200
    assert post(servers, first).status_code == 200  # Meta's retry of the same message
    assert post(servers, second).status_code == 200
    ids = [message_id(first), message_id(second)]
    # Only the two distinct messages reached Rasa, once each; the status callback reached nothing.
    wait_for(lambda: message_id(second) in user_message_ids(servers, me), what="the second message")
    assert user_message_ids(servers, me) == ids
    menus = [r for r in graph.messages_to(me) if "Karmayogi" in r.text]
    assert len(menus) == 1


def test_media_gets_the_text_only_reply_and_a_shared_contact_proves_nothing(
    servers: Servers, graph: FakeGraph
) -> None:
    me = new_user()
    image = {
        "type": "image",
        "image": {
            "caption": "my screen",
            "mime_type": "image/jpeg",
            "sha256": "81d3bd8a",
            "id": "2754859441498128",
        },
    }
    assert post(servers, webhook(me, image)).status_code == 200
    reply = wait_for(lambda: graph.messages_to(me), what="the text-only reply")
    assert [r.text for r in reply] == [TEXT_ONLY_REPLY]

    on_track = DEMO["on_track"]
    card = {
        "type": "contacts",
        "contacts": [
            {
                "name": {"formatted_name": on_track.name, "first_name": on_track.name.split()[0]},
                "phones": [
                    {"phone": f"+91 {on_track.mobile}", "wa_id": f"91{on_track.mobile}", "type": "CELL"}
                ],
            }
        ],
    }
    assert post(servers, webhook(me, card)).status_code == 200
    wait_for(lambda: len(graph.messages_to(me)) == 2, what="the contact reply")
    assert graph.messages_to(me)[-1].text == CONTACT_REPLY
    # Sharing Priya's card did not make this sender Priya.
    asked = said(turn(servers, graph, me, text("how many of my mandatory courses have I finished?")))
    assert "confirm who you are" in asked and "prescribed courses" not in asked


def test_the_senders_own_number_proves_who_they_are(servers: Servers, graph: FakeGraph) -> None:
    on_track = DEMO["on_track"]
    summary = said(
        turn(
            servers, graph, f"91{on_track.mobile}", text("how many of my mandatory courses have I finished?")
        )
    )
    assert "5 of 8 prescribed courses" in summary and "Comprehensive Assessment" in summary
    assert "confirm who you are" not in summary and "6-digit code" not in summary


def test_the_senders_number_proves_and_an_overdue_certificate_is_escalated(
    servers: Servers, graph: FakeGraph
) -> None:
    overdue = DEMO["certificate_overdue"]
    replies = turn(
        servers,
        graph,
        f"91{overdue.mobile}",
        text(f"why is there no certificate for {overdue.course_title}?"),
    )
    assert "over 24 hours ago" in said(replies)
    offered = [choice for r in replies for choice in r.choices]
    assert "/request_human" in offered


def unregistered_indian_mobile(servers: Servers) -> str:
    engine = make_engine(servers.database_url)
    try:
        with make_sessions(engine)() as session:
            while True:
                mobile = random.choice("6789") + "".join(random.choices("0123456789", k=9))
                if session.scalar(select(Employee.id).where(Employee.mobile == mobile)) is None:
                    return mobile
    finally:
        engine.dispose()


def test_an_unknown_number_is_asked_for_the_email(servers: Servers, graph: FakeGraph) -> None:
    me = "91" + unregistered_indian_mobile(servers)
    asked = said(turn(servers, graph, me, text("how many of my mandatory courses have I finished?")))
    assert "does not match a registered employee" in asked
    assert "confirm who you are" in asked and "official email" in asked
    assert "prescribed courses" not in asked


def test_a_rate_limited_reply_is_retried_and_arrives(servers: Servers, graph: FakeGraph) -> None:
    me = new_user()
    graph.fail_next(1)
    replies = turn(servers, graph, me, text("hello"))
    assert replies and "Karmayogi" in said(replies)
    attempts = graph.attempts_to(me)
    assert attempts[0].status == 429 and attempts[1].status == 200
    assert attempts[0].body == attempts[1].body


def test_the_helpdesk_reaches_the_user_through_the_http_api(servers: Servers, graph: FakeGraph) -> None:
    me = new_user()
    turn(servers, graph, me, text("hello"))
    push(servers, me, {"event": "bot", "text": "Hello, this is Meena from the iGOT helpdesk."})
    assert graph.messages_to(me)[-1].text == "Hello, this is Meena from the iGOT helpdesk."
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    push(servers, me, {"event": "bot", "text": "Is your problem solved?", "data": {"buttons": buttons}})
    last = graph.messages_to(me)[-1]
    assert last.text == "Is your problem solved?" and last.choices == ["/affirm", "/deny"]


def test_no_free_form_message_outside_the_24_hour_window(servers: Servers, graph: FakeGraph) -> None:
    stranger = new_user()  # has never written to us, so no window is open
    push(servers, stranger, {"event": "bot", "text": "Hello?"}, output_channel="whatsapp")
    # The push returns after the channel decided; no template is configured in these tests.
    assert graph.attempts_to(stranger) == []
    log = (servers.workdir / "rasa.log").read_text()
    assert "withheld outside the 24-hour window" in log
    assert stranger not in log and stranger[2:] not in log
