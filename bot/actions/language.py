"""The reply language, settled on every message before the bot chooses its reply.

`action_detect_language` is the `language` slot's custom mapping, so Rasa runs it right after
each user message: an explicit choice ("reply in Hindi") sets and locks the language; otherwise
the message's own language is used, unless the user locked a choice earlier. An answer to a
form's question ("Ministry of Railways", a name, an e-mail address) says nothing about the language
the user reads, so it never switches it, nor does thanks or a goodbye ("great, thanks. bye"); a question
asked in the middle of a form still does.
"""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import (
    closes,
    entity,
    is_button_payload,
    latest_intent,
    latest_text,
    says_goodbye,
    steers_away,
)
from bot.language import LANGUAGES, detect_language


class ActionDetectLanguage(Action):
    def name(self) -> str:
        return "action_detect_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent, _confidence = latest_intent(tracker)
        chosen = entity(tracker, "language")
        if intent == "set_language" and chosen in LANGUAGES:
            return [SlotSet("language", chosen), SlotSet("language_locked", True)]
        text = latest_text(tracker)
        if tracker.get_slot("language_locked") or is_button_payload(text) or _answers_form(tracker):
            return []
        if says_goodbye(text) and closes(text):
            return []  # "great, thanks. bye" after a Hinglish conversation: thanks in English change nothing
        detected = detect_language(text)
        if detected is None or detected == tracker.get_slot("language"):
            return []
        return [SlotSet("language", detected)]


def _answers_form(tracker: Tracker) -> bool:
    return bool(tracker.active_loop_name and tracker.get_slot("requested_slot")) and not steers_away(tracker)
