"""Tracker fixtures for action tests, in the style of RasaHQ's financial-demo."""

from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.db import make_engine, make_sessions
from bot.knowledge.search import KnowledgeBase
from bot.services import Services, set_services
from bot.settings import Settings
from contract import metadata as meta
from contract.cards import card_text, is_card
from tests.domain_files import load_domain

# The key the connectors sign channel proofs with, as the action tests' settings know it.
PROOF_KEY = "action-tests-channel-proof-key-0123456789"


def signed_phone(
    phone: str, channel: str, *, sender: str = "test-user", key: str = PROOF_KEY
) -> dict[str, Any]:
    """Metadata as the WhatsApp or Telegram connector writes it for a number it verified."""
    proof = meta.sign_proof(key, conversation=f"{channel}:{sender}", claims={meta.VERIFIED_PHONE: phone})
    return {meta.CHANNEL_PROOF: proof}


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return load_domain()


@pytest.fixture(autouse=True)
def offline_services(knowledge_base: KnowledgeBase) -> Iterator[Services]:
    """Every action test runs against the test knowledge base and an in-memory database unless it asks
    for the `services` fixture (a real migrated database), which replaces these."""
    engine = make_engine("sqlite://")
    installed = Services(
        settings=Settings(proof_key=PROOF_KEY), sessions=make_sessions(engine), knowledge_base=knowledge_base
    )
    set_services(installed)
    yield installed
    set_services(None)
    engine.dispose()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def make_tracker(
    domain: dict[str, Any],
    *,
    text: str = "",
    intent: str | None = None,
    confidence: float = 1.0,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    events: list[dict[str, Any]] | None = None,
    channel: str = "rest",
    ranking: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    sender_id: str | None = None,
) -> Tracker:
    """A tracker whose latest user message is `text`, with domain defaults for every slot. The
    conversation is `<channel>:test-user` unless `sender_id` says otherwise."""
    all_slots = {name: spec.get("initial_value") for name, spec in domain["slots"].items()}
    all_slots["requested_slot"] = None
    all_slots.update(slots or {})
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": ranking or [],
        "metadata": metadata or {},
    }
    history = list(events or [])
    history.append({"event": "user", "text": text, "parse_data": latest, "input_channel": channel})
    return Tracker(
        sender_id=sender_id or f"{channel}:test-user",
        slots=all_slots,
        latest_message=latest,
        events=history,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    """The response each message said, or "card_<kind>" for a card (as `common.shown_as` names it)."""
    return [
        f"card_{m['custom']['card']['kind']}" if "card" in (m.get("custom") or {}) else m.get("response")
        for m in dispatcher.messages
    ]


def card(message: dict[str, Any]) -> dict[str, Any]:
    """The card a message carries, checked against the contract the widget relies on."""
    sent = message["custom"]["card"]
    assert is_card(sent) and message["text"] == card_text(sent)
    return dict(sent)


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def answering(text: str):
    """A stand-in for `answer_from_knowledge` that says `text`: for routing tests, where the small test
    corpus has no passage on the topic."""

    async def answers(dispatcher: CollectingDispatcher, tracker: Tracker, **_options: Any) -> list[Any]:
        dispatcher.utter_message(text=text)
        return []

    return answers
