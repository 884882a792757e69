"""The Rasa server is never silent: when the action server cannot be reached, the user hears so."""

from pathlib import Path

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from connectors import rasa_patches

ROOT = Path(__file__).resolve().parents[2]
NOBODY = EndpointConfig(url="http://127.0.0.1:9/webhook")  # the discard port: nothing listens
ENGLISH = "something went wrong on our side"
HINDI = "कुछ गड़बड़ हो गई"


@pytest.fixture(scope="module", autouse=True)
def patched() -> None:
    rasa_patches.apply()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def tracker(domain: Domain, text: str, *, language: str = "en") -> DialogueStateTracker:
    events = [ActionExecuted("action_listen"), SlotSet("language", language), UserUttered(text)]
    return DialogueStateTracker.from_events("rest:someone", events, slots=domain.slots)


async def run(domain: Domain, name: str, text: str, output: CollectingOutputChannel, **kwargs: str) -> None:
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    with pytest.raises(RasaException):
        await RemoteAction(name, NOBODY).run(output, nlg, tracker(domain, text, **kwargs), domain)


@pytest.mark.asyncio
async def test_a_failed_action_is_explained_once_per_turn(domain: Domain) -> None:
    output = CollectingOutputChannel()
    await run(domain, "action_escalate", "talk to a person", output)
    await run(domain, "validate_organisation_request_form", "Anita Verma", output)
    assert len(output.messages) == 1
    assert ENGLISH in output.messages[0]["text"] and "support-igot@gov.in" in output.messages[0]["text"]


@pytest.mark.asyncio
async def test_in_the_users_language_even_before_it_was_detected(domain: Domain) -> None:
    for text, language in (("किसी इंसान से बात करनी है", "en"), ("talk to a person", "hi")):
        output = CollectingOutputChannel()
        await run(domain, "action_escalate", text, output, language=language)
        assert HINDI in output.messages[0]["text"]


@pytest.mark.asyncio
async def test_a_slot_filling_action_fails_quietly(domain: Domain) -> None:
    assert "action_detect_language" in rasa_patches.slot_mapping_actions(domain)
    output = CollectingOutputChannel()
    await run(domain, "action_detect_language", "hello", output)
    assert output.messages == []


@pytest.mark.asyncio
async def test_a_form_declining_a_message_is_not_a_failure(domain: Domain, monkeypatch) -> None:
    async def rejects(*_: object) -> list:
        raise ActionExecutionRejection("validate_organisation_request_form")

    monkeypatch.setattr(rasa_patches, "_original_remote_run", rejects)
    output = CollectingOutputChannel()
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    with pytest.raises(ActionExecutionRejection):
        await RemoteAction("validate_organisation_request_form", NOBODY).run(
            output, nlg, tracker(domain, "x"), domain
        )
    assert output.messages == []


def test_the_patch_refuses_another_rasa_version(monkeypatch) -> None:
    monkeypatch.setattr(rasa_patches.rasa, "__version__", "3.7.0")
    with pytest.raises(RuntimeError, match=r"3\.6\.21"):
        rasa_patches.apply()
