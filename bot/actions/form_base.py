"""What the assistant's forms share: the latest message answers the requested slot unless it steers away."""

from abc import abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from bot.actions.common import closes, entity, is_button_payload, latest_text, steers_away
from bot.validators import Parsed


class AnswerFormValidation(FormValidationAction):
    """The text answers the slot that was asked; entities fill other empty slots they name.

    An entity inside the answer just given fills nothing else: "Railway Board" typed as the department
    must not also become the organisation because the tagger read it, or a part of it ("Consular" in
    "Consular, Passport and Visa Division"), as one.

    A message that clearly asks something else (a digression, "cancel", "talk to a person")
    fills nothing, so Rasa rejects the form and the rules answer it, then resume the form.
    """

    entity_slots: ClassVar[dict[str, str]] = {}

    @abstractmethod
    def name(self) -> str: ...

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        values: dict[str, Any] = {}
        requested = tracker.get_slot("requested_slot")
        if requested:
            answer = self.answer(requested, tracker)
            if answer is not None:
                values[requested] = answer
        answer_words = _words(values[requested]) if isinstance(values.get(requested), str) else None
        for slot, entity_name in self.entity_slots.items():
            found = entity(tracker, entity_name)
            if (
                found
                and slot not in values
                and tracker.get_slot(slot) is None
                and (answer_words is None or _words(found) not in answer_words)
            ):
                values[slot] = found
        return [SlotSet(slot, value) for slot, value in values.items()]

    def answer(self, slot: str, tracker: Tracker) -> Any:
        """The value the latest message gives the requested `slot`, or None when it gives none."""
        text = latest_text(tracker)
        if is_button_payload(text) or closes(text):
            return None
        if steers_away(tracker) and not self.clearly_answers(slot, text):
            return None
        return text

    def clearly_answers(self, slot: str, text: str) -> bool:
        """Whether `text` is unmistakably a value for `slot`, whatever intent NLU gave it."""
        return False


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def checked(
    slot: str, parsed: Parsed, dispatcher: CollectingDispatcher, **template_values: Any
) -> dict[str, Any]:
    """A validation result: the clean value, or None after telling the user what was wrong."""
    if parsed.error:
        dispatcher.utter_message(response=f"utter_invalid_{parsed.error}", **template_values)
    return {slot: parsed.value}
