"""High 2 and 3, and a low one: a REST sender id was a password that never expired, conversations of
all channels shared one id space, and a 100,000-character sender id was stored.

Now a proof made on a channel that cannot vouch for its senders (REST, the widget) holds for that
conversation session only; the REST channel needs a token outside development; every conversation id
carries its channel; and a REST sender id is short and plain."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.identity import proofs
from bot.records.source import EmployeeRef
from tests.e2e.fake_graph import FakeGraph
from tests.e2e.servers import REST_TOKEN, Servers
from tests.e2e.test_records import DEMO, portal_token
from tests.e2e.test_rest import texts
from tests.e2e.test_whatsapp import graph, text, turn
from tests.fakes import FakeLearnerRecords

__all__ = ["graph"]  # the fake Graph API fixture, shared with the WhatsApp tests

ANITA = EmployeeRef(101, "Anita Sharma", "anita.sharma@nic.in", "9876543210", "Section Officer", "B", "RIO")
NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)


def link(sessions, channel: str, sender: str, *, session_key: str | None, at: datetime) -> None:
    proofs._link(
        sessions,
        channel=channel,
        sender_id=sender,
        employee_id=ANITA.id,
        method="jwt",
        now=at,
        session_key=session_key,
    )


def test_a_link_on_rest_or_the_widget_lasts_one_session_at_most(sessions) -> None:
    for channel in ("rest", "widget"):
        me = f"{channel}:someone"
        link(sessions, channel, me, session_key="1700000000.000000", at=NOW)

        def linked(key: str | None, minutes: float, channel: str = channel, me: str = me) -> int | None:
            return proofs.linked_employee(
                sessions, channel=channel, sender_id=me, session_key=key, now=NOW + timedelta(minutes=minutes)
            )

        assert linked("1700000000.000000", 5) == ANITA.id
        assert linked("1700009999.000000", 5) is None  # a new session: whoever posts as `me` now
        assert linked(None, 5) is None
        assert linked("1700000000.000000", 121) is None  # and never beyond two hours


def test_a_link_on_whatsapp_or_telegram_lasts_until_forgotten(sessions) -> None:
    for channel in ("whatsapp", "telegram"):
        me = f"{channel}:919876543210"
        proofs.prove_with_phone(
            sessions,
            FakeLearnerRecords([ANITA]),
            channel=channel,
            sender_id=me,
            phone=ANITA.mobile,
            method=channel,
        )  # type: ignore[arg-type]
        later = datetime.now(UTC) + timedelta(days=30)
        assert (
            proofs.linked_employee(sessions, channel=channel, sender_id=me, session_key="other", now=later)
            == ANITA.id
        )


def post(servers: Servers, body: object, **headers: str) -> httpx.Response:
    return httpx.post(f"{servers.rasa_url}/webhooks/rest/webhook", json=body, headers=headers, timeout=60)


@pytest.mark.e2e
def test_rest_needs_its_token_outside_development(servers: Servers) -> None:
    body = {"sender": "sec-no-token", "message": "hello"}
    assert post(servers, body).status_code == 401
    assert post(servers, body, Authorization="Bearer wrong").status_code == 401
    assert post(servers, body, Authorization=f"Bearer {REST_TOKEN}").status_code == 200


@pytest.mark.e2e
def test_a_proof_on_rest_does_not_outlive_its_session(servers: Servers) -> None:
    me, on_track = f"sec-{uuid.uuid4().hex[:8]}", DEMO["on_track"]
    token = portal_token(servers, on_track.code)
    assert "5 of 8 prescribed courses" in texts(
        servers.say(me, "my progress", metadata={"portal_token": token})
    )
    # Whoever posts as the same sender later, once that session is over, gets nothing.
    servers.say(me, "/session_start")
    later = texts(servers.say(me, "how many of my courses have I finished?"))
    assert "prescribed courses" not in later and "confirm who you are" in later


@pytest.mark.e2e
def test_a_rest_caller_cannot_reach_a_whatsapp_conversation(servers: Servers, graph: FakeGraph) -> None:
    wa_id = f"9199{uuid.uuid4().int % 10**8:08d}"
    # A WhatsApp user is halfway through the organisation form.
    turn(servers, graph, wa_id, text("my organisation is not in the list"))
    turn(servers, graph, wa_id, text("Anita Verma"))
    # Posting as their number, or as their conversation id, reaches only a REST conversation of its own.
    stolen = texts(servers.say(wa_id, "what did I type so far?"))
    assert "Anita Verma" not in stolen
    refused = post(
        servers, {"sender": f"whatsapp:{wa_id}", "message": "cancel"}, Authorization=f"Bearer {REST_TOKEN}"
    )
    assert refused.status_code == 400
    tracker = servers.tracker(f"whatsapp:{wa_id}")
    assert tracker["active_loop"]["name"] == "organisation_request_form"
    assert tracker["slots"]["requester_name"] == "Anita Verma"


@pytest.mark.e2e
@pytest.mark.parametrize("sender", ["x" * 100_000, "x" * 101, "me\nFORGED", "<script>", "a b"])
def test_an_oversized_or_odd_sender_id_is_refused(servers: Servers, sender: str) -> None:
    answer = post(servers, {"sender": sender, "message": "hello"}, Authorization=f"Bearer {REST_TOKEN}")
    # 100,000 characters are over the body limit itself (413); the rest are refused by name (400).
    assert (answer.status_code, answer.status_code == 413 or "sender" in answer.json()["error"]) in (
        (400, True),
        (413, True),
    )
