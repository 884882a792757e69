"""What the conversation store writes: nothing personal in the clear, and the form still reads back."""

import json
import sqlite3
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors import tracker_store
from connectors.tracker_store import MaskingSQLTrackerStore, SlotCipher, loaded_form, stored_form
from contract import metadata as meta

ROOT = Path(__file__).resolve().parents[2]
KEY = "tracker-store-test-key-0123456789abcdefghij"
NAME, EMAIL, MOBILE = "Anita Verma", "anita.verma@mha.gov.in", "9810012345"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def store(tmp_path: Path, domain: Domain, monkeypatch: pytest.MonkeyPatch) -> MaskingSQLTrackerStore:
    monkeypatch.setenv(tracker_store.KEY_ENV, KEY)
    return MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))


def stored_rows(store: MaskingSQLTrackerStore) -> str:
    database = store.engine.url.database
    with sqlite3.connect(database) as connection:
        return "\n".join(row[0] for row in connection.execute("SELECT data FROM events"))


def form_turns(conversation: str) -> list:
    proof = meta.sign_proof(
        "k" * 32, conversation=conversation, claims={meta.VERIFIED_PHONE: "+919810012345"}
    )
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(NAME, {"name": "inform", "confidence": 1.0}, metadata={meta.CHANNEL_PROOF: proof}),
        SlotSet("requester_name", NAME),
        UserUttered(f"my mail is {EMAIL} and mobile 98.100.12345"),
        SlotSet("requester_email", EMAIL),
        SlotSet("requester_mobile", MOBILE),
        BotUttered(f"Please check: {NAME}, {EMAIL}, +91 (981) 001-2345. Is this right?"),
    ]


@pytest.mark.asyncio
async def test_personal_answers_are_encrypted_and_masked_at_rest_and_read_back_in_full(
    store: MaskingSQLTrackerStore, domain: Domain
) -> None:
    tracker = DialogueStateTracker.from_events("rest:anita", form_turns("rest:anita"), slots=domain.slots)
    await store.save(tracker)
    raw = stored_rows(store)
    for secret in (NAME, "Verma", EMAIL, "anita.verma", MOBILE, "98.100.12345", "981) 001", "+919810012345"):
        assert secret not in raw, secret
    assert "A*** V***" in raw and "a***@mha.gov.in" in raw and "******2345" in raw
    assert tracker_store.ENCRYPTED in raw
    loaded = await store.retrieve("rest:anita")
    assert loaded is not None
    assert (loaded.get_slot("requester_name"), loaded.get_slot("requester_email")) == (NAME, EMAIL)
    assert loaded.get_slot("requester_mobile") == MOBILE


def test_another_key_reads_nothing_rather_than_garbage() -> None:
    written = stored_form(SlotSet("requester_email", EMAIL), SlotCipher(KEY)).as_dict()
    assert EMAIL not in json.dumps(written)
    assert loaded_form(written, SlotCipher(KEY))["value"] == EMAIL
    assert loaded_form(written, SlotCipher("another-key-0123456789abcdefghijklmnop"))["value"] is None
    # A value stored before encryption was switched on is read as it is.
    assert (
        loaded_form({"event": "slot", "name": "requester_email", "value": "x"}, SlotCipher(KEY))["value"]
        == "x"
    )


def test_credentials_and_proofs_never_reach_the_store() -> None:
    event = UserUttered(
        "my progress", metadata={meta.PORTAL_TOKEN: "eyJ.secret.token", meta.CHANNEL_PROOF: {"sig": "x"}}
    )
    stored = json.dumps(stored_form(event, SlotCipher(KEY)).as_dict())
    assert "eyJ.secret.token" not in stored and '"sig"' not in stored


def test_a_store_without_its_key_does_not_start(tmp_path: Path, domain: Domain, monkeypatch) -> None:
    monkeypatch.delenv(tracker_store.KEY_ENV, raising=False)
    with pytest.raises(ValueError, match="SAHAYAK_TRACKER_KEY"):
        MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))


@pytest.mark.asyncio
async def test_conversations_under_bare_ids_move_to_ids_with_their_channel(
    tmp_path: Path, domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(tracker_store.KEY_ENV, KEY)
    db = str(tmp_path / "old.db")
    old = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    for sender, channel in (("919876500001", "whatsapp"), ("terminal-1", "rest")):
        events = [ActionExecuted("action_listen"), UserUttered("hello", input_channel=channel)]
        await old.save(DialogueStateTracker.from_events(sender, events, slots=domain.slots))
    renamed = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    assert sorted(await renamed.keys()) == ["rest:terminal-1", "whatsapp:919876500001"]
    assert await renamed.retrieve("919876500001") is None
