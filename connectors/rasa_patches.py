"""Small patches to Rasa Open Source's internals, each explained, tested and pinned to its version.

Applied by `connectors.server` before Rasa starts. A Rasa upgrade must re-check each one: `apply`
refuses to patch any other version.

1. **Never silent when the action server is down.** When a custom action cannot be run (the action
   server is unreachable, refuses the call or fails), Rasa 3.6 logs the error and carries on, so a form
   answer, a question or "talk to a person" gets an empty reply. `RemoteAction.run` is wrapped: on such a
   failure the user is told, once per turn and in their language, that something went wrong on our side
   (`utter_something_went_wrong`, rendered by Rasa from the domain, so it needs no action server), and
   the failure then goes on to Rasa as before. Actions that only fill a slot on every message (custom
   slot mappings such as `action_detect_language`) fail quietly: the turn itself may still work.
"""

import logging
import re
from typing import Any

import rasa
from rasa.core.actions import action as rasa_action
from rasa.shared.core.events import SlotSet

logger = logging.getLogger(__name__)
PINNED_VERSION = "3.6.21"
APOLOGY = "utter_something_went_wrong"
_APOLOGISED = "_sahayak_apologised"
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_original_remote_run = rasa_action.RemoteAction.run


def slot_mapping_actions(domain: Any) -> frozenset[str]:
    """Custom actions the domain runs only to fill slots (`mappings: - type: custom, action: ...`)."""
    names = set()
    for slot in domain.slots:
        for mapping in slot.mappings or []:
            if isinstance(mapping, dict) and mapping.get("action"):
                names.add(str(mapping["action"]))
    return frozenset(names)


async def apologise(output_channel: Any, nlg: Any, tracker: Any) -> None:
    """Say `utter_something_went_wrong` once in this turn (the output channel lives for one turn)."""
    if getattr(output_channel, _APOLOGISED, False):
        return
    setattr(output_channel, _APOLOGISED, True)
    text = str((tracker.latest_message.text if tracker.latest_message else "") or "")
    if _DEVANAGARI.search(text) and tracker.get_slot("language") != "hi":
        # The action that detects the language could not run: Devanagari is Hindi enough.
        tracker = tracker.copy()
        tracker.update(SlotSet("language", "hi"))
    message = await nlg.generate(APOLOGY, tracker, output_channel.name())
    if message:
        await output_channel.send_response(tracker.sender_id, message)


async def remote_run_with_apology(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
    try:
        return await _original_remote_run(self, output_channel, nlg, tracker, domain)
    except rasa_action.ActionExecutionRejection:
        raise  # a form declining the message: Rasa's normal flow, not a failure
    except Exception:
        if self.name() not in slot_mapping_actions(domain):
            logger.error("custom action %s could not be run; the user was told to try again", self.name())
            try:
                await apologise(output_channel, nlg, tracker)
            except Exception as error:  # the apology must never hide the original failure
                logger.error("could not apologise: %s", type(error).__name__)
        raise


def apply() -> None:
    if rasa.__version__ != PINNED_VERSION:
        raise RuntimeError(
            f"connectors/rasa_patches.py was written for Rasa {PINNED_VERSION}, not {rasa.__version__}: "
            "check each patch against the new version, then update PINNED_VERSION"
        )
    rasa_action.RemoteAction.run = remote_run_with_apology  # type: ignore[method-assign]
