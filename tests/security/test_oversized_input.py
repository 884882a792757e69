"""High 5: REST metadata was stored unfiltered, four times over, under a 100 MB body limit: 8 MB of it
took 14 s and stalled other users. Now every connector caps its body and keeps only the metadata keys
it knows, each within a size limit; the Rasa server caps every other request at 1 MB."""

import json
import time
import uuid

import httpx
import pytest
import socketio

from contract.metadata import CLIENT_KEYS, client_metadata
from tests.e2e.servers import API_TOKEN, REST_TOKEN, Servers

pytestmark = pytest.mark.e2e
AUTH = {"Authorization": f"Bearer {REST_TOKEN}"}


def test_only_known_metadata_within_its_limit_is_kept() -> None:
    limit = CLIENT_KEYS["portal_token"]
    raw = {
        "portal_token": "t" * limit,
        "verified_phone": "+919810012345",
        "input_channel": "whatsapp",
        "x": "y",
    }
    assert client_metadata(raw) == {"portal_token": "t" * limit}
    assert client_metadata({"portal_token": "t" * (limit + 1)}) == {}
    assert client_metadata({"portal_token": {"nested": "object"}}) == {}
    assert client_metadata(["not", "a", "dict"]) == {}


def test_eight_megabytes_of_metadata_are_refused_at_once(servers: Servers) -> None:
    body = {"sender": "sec-big", "message": "hello", "metadata": {"junk": "x" * (8 * 1024 * 1024)}}
    started = time.monotonic()
    answer = httpx.post(f"{servers.rasa_url}/webhooks/rest/webhook", json=body, headers=AUTH, timeout=60)
    assert answer.status_code == 413
    assert time.monotonic() - started < 10  # generous: refused, not processed (was 14 s)
    assert servers.say("sec-big-after", "hello")  # and nobody else noticed


def test_unknown_metadata_never_reaches_the_conversation_store(servers: Servers) -> None:
    me = f"sec-{uuid.uuid4().hex[:8]}"
    metadata = {"junk": "x" * 2000, "verified_phone": "+919810012345", "portal_token": "not-a-token"}
    servers.say(me, "hello", metadata=metadata)
    stored = json.dumps(servers.tracker(f"rest:{me}"))
    assert "xxxxxxxxxx" not in stored and "junk" not in stored
    assert "919810012345" not in stored and "not-a-token" not in stored


def test_the_http_api_refuses_bodies_over_a_megabyte(servers: Servers) -> None:
    event = {"event": "bot", "text": "x" * (2 * 1024 * 1024)}
    answer = httpx.post(
        f"{servers.rasa_url}/conversations/rest:sec-api/tracker/events",
        params={"token": API_TOKEN},
        json=event,
        timeout=60,
    )
    assert answer.status_code == 413


def test_an_oversized_widget_packet_closes_the_socket_and_is_not_processed(servers: Servers) -> None:
    portal = f"http://127.0.0.1:{servers.portal_port}"
    client = socketio.Client(reconnection=False, websocket_extra_options={"origin": portal})
    replies: list[dict] = []
    client.on("bot_uttered", lambda data: replies.append(data))
    session = uuid.uuid4().hex
    client.connect(servers.rasa_url, transports=["websocket"], socketio_path="/socket.io")
    try:
        client.emit("session_request", {"session_id": session})
        client.emit(
            "user_uttered", {"session_id": session, "message": "hello", "customData": {"junk": "x" * 200_000}}
        )
        deadline = time.monotonic() + 10
        while client.connected and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not client.connected
    finally:
        client.disconnect()
    assert replies == []
    events = httpx.get(
        f"{servers.rasa_url}/conversations/widget:{session}/tracker", params={"token": API_TOKEN}, timeout=10
    ).json()["events"]
    assert [e for e in events if e["event"] == "user"] == []
