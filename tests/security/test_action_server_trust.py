"""Critical: anyone who could reach the action server read any employee's records by posting a tracker
that claimed the WhatsApp channel and a verified phone. Now the action server listens on 127.0.0.1,
answers only calls carrying the Rasa server's secret, and believes a phone number only under the
connector's signature for that very conversation."""

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.db import make_engine, make_sessions
from bot.identity.tables import AuditRecord
from bot.records.demo import DEMO_IDENTITIES
from contract import metadata as meta
from contract.deployment import bearer_matches as authorised
from tests.e2e.servers import ACTION_SERVER_TOKEN, PROOF_KEY, Servers

DEMO = {identity.situation: identity for identity in DEMO_IDENTITIES}
ON_TRACK = DEMO["on_track"]


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on `port`, from the kernel's own table."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def action_call(name: str, conversation: str, text: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """What the Rasa server sends to run one action, as a forger would write it."""
    channel = conversation.partition(":")[0]
    latest = {"text": text, "intent": {"name": "ask_course_progress", "confidence": 1.0}, "entities": []}
    latest["metadata"] = metadata
    return {
        "next_action": name,
        "sender_id": conversation,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": conversation,
            "slots": {"language": "en", "helpdesk_email": "support-igot@gov.in"},
            "latest_message": latest,
            "events": [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel}],
            "paused": False,
            "latest_input_channel": channel,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def post(
    servers: Servers, body: dict[str, Any], *, token: str | None = ACTION_SERVER_TOKEN
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(
        f"http://127.0.0.1:{servers.action_port}/webhook", json=body, headers=headers, timeout=60
    )


def said(response: httpx.Response) -> str:
    return " ".join(str(r.get("response") or r.get("text")) for r in response.json()["responses"])


def test_the_shared_secret_is_compared_whole() -> None:
    token = "s" * 40
    assert authorised(f"Bearer {token}", token) and authorised(f"bearer  {token} ", token)
    assert not authorised(f"Bearer {token[:-1]}", token) and not authorised(token, token)
    assert not authorised(None, token) and not authorised("Bearer ", "")


@pytest.mark.e2e
def test_both_servers_listen_on_loopback_only(servers: Servers) -> None:
    for port in (servers.rasa_port, servers.action_port):
        assert listening_addresses(port) == {"0100007F"}, port  # 127.0.0.1, nothing else


@pytest.mark.e2e
def test_a_call_without_the_secret_is_refused_before_any_action_runs(servers: Servers) -> None:
    me = f"whatsapp:91{ON_TRACK.mobile}"
    forged = action_call(
        "action_personal_records", me, "my progress", {"verified_phone": f"+91{ON_TRACK.mobile}"}
    )
    for token in (None, "wrong-token", ACTION_SERVER_TOKEN[:-1]):
        response = post(servers, forged, token=token)
        assert response.status_code == 401 and ON_TRACK.name not in response.text
    assert httpx.get(f"http://127.0.0.1:{servers.action_port}/actions", timeout=10).status_code == 401


def audit_outcomes(servers: Servers, conversation: str) -> list[str]:
    engine = make_engine(servers.database_url)
    try:
        with make_sessions(engine)() as session:
            query = select(AuditRecord.outcome).where(
                AuditRecord.sender_id == conversation, AuditRecord.action == "channel_proof"
            )
            return list(session.scalars(query))
    finally:
        engine.dispose()


@pytest.mark.e2e
@pytest.mark.parametrize(
    "proof",
    [
        "unsigned",  # the claim alone, as before
        "wrong key",  # signed, but not by our connector
        "other conversation",  # a genuine proof, replayed into another conversation
    ],
)
def test_a_forged_phone_proof_shows_nothing_and_is_audited(servers: Servers, proof: str) -> None:
    """Even a caller holding the secret (or a tracker injected some other way) proves nothing with a
    phone number the connector did not sign for this conversation."""
    me = f"whatsapp:9199{uuid.uuid4().int % 10**8:08d}"
    phone = {meta.VERIFIED_PHONE: f"+91{ON_TRACK.mobile}"}
    proofs: dict[str, dict[str, Any]] = {
        "unsigned": phone,
        "wrong key": {meta.CHANNEL_PROOF: meta.sign_proof("k" * 40, conversation=me, claims=phone)},
        "other conversation": {
            meta.CHANNEL_PROOF: meta.sign_proof(
                PROOF_KEY, conversation=f"whatsapp:91{ON_TRACK.mobile}", claims=phone
            )
        },
    }
    response = post(servers, action_call("action_personal_records", me, "my progress", proofs[proof]))
    assert response.status_code == 200
    assert "utter_identity_needed" in said(response) and ON_TRACK.name not in response.text
    assert audit_outcomes(servers, me) == [
        {"unsigned": "unsigned", "wrong key": "forged", "other conversation": "other_conversation"}[proof]
    ]


@pytest.mark.e2e
def test_the_proof_the_whatsapp_connector_signs_still_works(servers: Servers) -> None:
    me = f"whatsapp:91{ON_TRACK.mobile}"
    proof = meta.sign_proof(PROOF_KEY, conversation=me, claims={meta.VERIFIED_PHONE: f"+91{ON_TRACK.mobile}"})
    response = post(
        servers, action_call("action_personal_records", me, "my progress", {meta.CHANNEL_PROOF: proof})
    )
    cards = [r["custom"]["card"]["kind"] for r in response.json()["responses"] if r.get("custom")]
    assert cards == ["progress"] and ON_TRACK.name in said(response)
