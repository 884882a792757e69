"""Help for the registration step the user says they are stuck at."""

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import entity, latest_text
from contract.privacy import ascii_digits

STEP_WORDS = (
    ("4", ("otp", "ओटीपी", "verify", "सत्यापन")),
    ("5", ("organisation", "organization", "department", "ministry", "dropdown", "संगठन", "विभाग", "मंत्रालय")),
    ("7", ("password", "profile", "पासवर्ड", "प्रोफ़ाइल", "प्रोफाइल")),
    ("6", ("sign up", "signup", "साइन अप")),
    ("3", ("email", "mobile", "name", "group", "ईमेल", "मोबाइल", "नाम")),
    ("2", ("register button", "रजिस्टर बटन")),
    ("1", ("portal", "website", "site", "पोर्टल", "वेबसाइट")),
)
STEP_RESPONSES = {"1": "1", "2": "1", "3": "3", "4": "4", "5": "5", "6": "6", "7": "7"}


def step_from_text(text: str) -> str | None:
    number = re.search(r"(?<!\d)([1-7])(?!\d)", ascii_digits(text))
    if number:
        return number.group(1)
    lowered = text.casefold()
    return next((step for step, words in STEP_WORDS if any(w in lowered for w in words)), None)


class ActionRegistrationStep(Action):
    def name(self) -> str:
        return "action_registration_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        raw = entity(tracker, "step")
        step = raw if raw in STEP_RESPONSES else step_from_text(raw or latest_text(tracker))
        if step not in STEP_RESPONSES:
            dispatcher.utter_message(response="utter_ask_registration_step")
            return []
        dispatcher.utter_message(response=f"utter_registration_step_{STEP_RESPONSES[step]}")
        dispatcher.utter_message(response="utter_anything_else_registration")
        return []
