"""Fuzzing (Hypothesis) over every form field and every connector body: no 5xx, no traceback, and
nothing stored that did not pass its validator."""

import time
import uuid
from typing import Any

import httpx
import pytest
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa_sdk.executor import CollectingDispatcher

from bot import validators
from bot.actions.identity import ValidateIdentityForm
from bot.actions.organisation_request import FORM_SLOTS, ValidateOrganisationRequestForm
from tests.actions.conftest import make_tracker
from tests.e2e import test_telegram, test_whatsapp
from tests.e2e.servers import REST_TOKEN, Servers

# Text as people and attackers type it: any Unicode, plus the pieces that break parsers.
NASTY = st.sampled_from(
    [
        "'; DROP TABLE x; --",
        "<script>alert(1)</script>",
        "${jndi:ldap://x}",
        "{{7*7}}",
        "\x00",
        "\u202e",
        "\ud7ff",
        "null",
        "9" * 50,
        "+91 (981) 001-2345",
        "a@b.gov.in",
        "/restart",
        '/greet{"x": 1}',
        "Z̷̢̛a̸̡l̶̨g̵̢o̴̧",
        "क्ष",
        "\n\r\t",
    ]
)
TEXT = st.one_of(st.text(max_size=300), NASTY, st.lists(NASTY, max_size=4).map(" ".join))
PARSERS = {
    "requester_name": validators.parse_person_name,
    "requester_email": validators.parse_email,
    "requester_mobile": validators.parse_mobile,
    "government_level": validators.parse_level,
    "ministry_or_state": validators.parse_free_text,
    "department": validators.parse_free_text,
    "organisation_name": validators.parse_free_text,
}


@given(st.sampled_from(sorted(PARSERS)), TEXT)
@settings(max_examples=1500, deadline=None)
def test_every_validator_either_refuses_or_returns_a_clean_value(slot: str, text: str) -> None:
    parsed = PARSERS[slot](text)
    assert (parsed.value is None) != (parsed.error is None)
    if parsed.value is not None:
        assert PARSERS[slot](parsed.value).value == parsed.value  # what is stored passes again, unchanged
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in parsed.value)
        assert len(parsed.value) <= 254


@given(slot=st.sampled_from(FORM_SLOTS), text=TEXT)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_the_form_keeps_only_validated_answers(domain: dict[str, Any], slot: str, text: str) -> None:
    tracker = make_tracker(
        domain,
        text=text,
        intent="inform",
        slots={"requested_slot": slot},
        active_loop="organisation_request_form",
    )
    events = await ValidateOrganisationRequestForm().run(CollectingDispatcher(), tracker, domain)
    for event in events:
        if event.get("event") == "slot" and event["name"] in PARSERS and event["value"] is not None:
            level_is_state = (
                event["name"] == "ministry_or_state" and tracker.get_slot("government_level") == "state"
            )
            parser = validators.parse_state if level_is_state else PARSERS[event["name"]]
            assert parser(event["value"]).value == event["value"], (slot, text, event)


@given(text=TEXT)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_the_identity_code_step_never_fails(domain: dict[str, Any], text: str) -> None:
    slots = {"requested_slot": "identity_code", "pending_request": "ask_course_progress"}
    tracker = make_tracker(domain, text=text, intent="inform", slots=slots, active_loop="identity_form")
    events = await ValidateIdentityForm().run(CollectingDispatcher(), tracker, domain)
    codes = [e["value"] for e in events if e.get("event") == "slot" and e["name"] == "identity_code"]
    assert all(code in (None, "ok", "failed") for code in codes)


# --- connector bodies, against the running servers ---------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
REST_BODIES = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {
            "sender": st.one_of(st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True), TEXT),
            "message": st.one_of(TEXT, JSON),
        },
        optional={"metadata": JSON, "input_channel": TEXT},
    ),
)


def new_traceback(servers: Servers, before: tuple[int, int]) -> str:
    logs = (servers.rasa_log()[before[0] :], servers.action_server_log()[before[1] :])
    return "\n".join(log for log in logs if "Traceback" in log)


@pytest.fixture
def log_marks(servers: Servers) -> tuple[int, int]:
    return len(servers.rasa_log()), len(servers.action_server_log())


@pytest.mark.e2e
def test_rest_bodies(servers: Servers, log_marks: tuple[int, int]) -> None:
    @given(REST_BODIES)
    @settings(max_examples=150, deadline=None)
    def post(body: Any) -> None:
        answer = httpx.post(
            f"{servers.rasa_url}/webhooks/rest/webhook",
            json=body,
            headers={"Authorization": f"Bearer {REST_TOKEN}"},
            timeout=60,
        )
        assert answer.status_code in (200, 400, 413), (answer.status_code, answer.text[:300])

    post()
    assert new_traceback(servers, log_marks) == ""


@pytest.mark.e2e
def test_telegram_updates(servers: Servers, log_marks: tuple[int, int]) -> None:
    uid = 7_000_000
    messages = st.fixed_dictionaries(
        {
            "update_id": st.integers(1, 2**31),
            "message": st.one_of(JSON, st.builds(lambda t: test_telegram.text(uid, t), TEXT)),
        }
    )

    @given(st.one_of(JSON, messages))
    @settings(max_examples=150, deadline=None)
    def post(update: Any) -> None:
        answer = test_telegram.post(servers, update)
        assert answer.status_code in (200, 400, 413), (answer.status_code, answer.text[:300])

    post()
    time.sleep(2)  # the updates are handled in the background
    assert new_traceback(servers, log_marks) == ""


@pytest.mark.e2e
def test_whatsapp_webhooks(servers: Servers, log_marks: tuple[int, int]) -> None:
    content = st.one_of(
        st.builds(lambda t: {"type": "text", "text": {"body": t}}, TEXT),
        st.builds(
            lambda kind, body: {"type": kind, kind: body},
            st.sampled_from(["interactive", "button", "image", "contacts", "x"]),
            JSON,
        ),
        JSON.filter(lambda value: isinstance(value, dict)),
    )
    bodies = st.one_of(
        st.builds(
            lambda c: test_whatsapp.webhook(
                "4470000" + uuid.uuid4().hex[:5].translate(str.maketrans("abcdef", "123456")), c
            ),
            content,
        ),
        JSON,
    )

    @given(bodies)
    @settings(max_examples=150, deadline=None)
    def post(body: Any) -> None:
        raw = body if isinstance(body, dict) else {"x": body}
        answer = test_whatsapp.post(servers, raw)
        assert answer.status_code in (200, 400, 413), (answer.status_code, answer.text[:300])

    post()
    time.sleep(2)
    assert new_traceback(servers, log_marks) == ""


@pytest.mark.e2e
def test_widget_packets(servers: Servers, log_marks: tuple[int, int]) -> None:
    portal = f"http://127.0.0.1:{servers.portal_port}"
    client = socketio.Client(reconnection=False, websocket_extra_options={"origin": portal})
    client.connect(servers.rasa_url, transports=["websocket"], socketio_path="/socket.io")
    session = uuid.uuid4().hex

    @given(
        st.sampled_from(["user_uttered", "session_request", "other"]),
        st.one_of(
            JSON,
            st.builds(
                lambda text, data: {"session_id": session, "message": text, "customData": data}, TEXT, JSON
            ),
        ),
    )
    @settings(max_examples=150, deadline=None)
    def emit(event: str, payload: Any) -> None:
        if not client.connected:
            client.connect(servers.rasa_url, transports=["websocket"], socketio_path="/socket.io")
        client.emit(event, payload)

    try:
        emit()
        time.sleep(3)
    finally:
        client.disconnect()
    assert httpx.get(f"{servers.rasa_url}/", timeout=10).status_code == 200
    assert new_traceback(servers, log_marks) == ""
