"""OTP troubleshooting: one check at a time, in order, until the OTP arrives or the checks run out."""

from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import latest_intent
from bot.actions.form_base import AnswerFormValidation

CHECKS = {
    "mobile": ("mobile_aadhaar", "mobile_dnd", "wait", "limit"),
    "email": ("email_spam", "email_server", "wait", "limit"),
}
CHANNEL_WORDS = {
    "mobile": ("mobile", "sms", "phone", "number", "मोबाइल", "फ़ोन", "फोन", "एसएमएस"),
    "email": ("email", "e-mail", "mail", "ईमेल", "मेल"),
}


def otp_channel_from_text(text: str) -> str | None:
    lowered = text.casefold()
    found = [channel for channel, words in CHANNEL_WORDS.items() if any(w in lowered for w in words)]
    return found[0] if len(found) == 1 else None


def current_check(tracker: Tracker) -> str:
    checks = CHECKS.get(tracker.get_slot("otp_channel") or "mobile", CHECKS["mobile"])
    step = int(tracker.get_slot("otp_step") or 0)
    return checks[min(step, len(checks) - 1)]


def checks_tried(tracker: Tracker) -> list[str]:
    checks = CHECKS.get(tracker.get_slot("otp_channel") or "mobile", CHECKS["mobile"])
    return list(checks[: int(tracker.get_slot("otp_step") or 0) + 1])


class ValidateOtpForm(AnswerFormValidation):
    entity_slots: ClassVar[dict[str, str]] = {"otp_channel": "otp_channel"}

    def name(self) -> str:
        return "validate_otp_form"

    def answer(self, slot: str, tracker: Tracker) -> Any:
        if slot == "otp_resolved":
            intent, _confidence = latest_intent(tracker)
            return {"affirm": "yes", "deny": "no"}.get(intent or "")
        return super().answer(slot, tracker)

    def clearly_answers(self, slot: str, text: str) -> bool:
        return slot == "otp_channel" and otp_channel_from_text(text) is not None

    def validate_otp_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        chosen = value if value in CHECKS else otp_channel_from_text(str(value or ""))
        if chosen is None:
            dispatcher.utter_message(response="utter_invalid_otp_channel")
        return {"otp_channel": chosen, "otp_step": 0}

    def validate_otp_resolved(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value != "no":
            return {"otp_resolved": value}
        step = int(tracker.get_slot("otp_step") or 0) + 1
        if step >= len(CHECKS[tracker.get_slot("otp_channel")]):
            return {"otp_resolved": "no"}
        return {"otp_resolved": None, "otp_step": step}


class ActionAskOtpResolved(Action):
    """Shows the next check, then asks whether the OTP came."""

    def name(self) -> str:
        return "action_ask_otp_resolved"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response=f"utter_otp_check_{current_check(tracker)}")
        dispatcher.utter_message(response="utter_ask_otp_resolved")
        return []


class ActionOtpOutcome(Action):
    """Ends the troubleshooting; when nothing worked, offers the helpdesk with what was tried."""

    def name(self) -> str:
        return "action_otp_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reset = [SlotSet("otp_channel", None), SlotSet("otp_resolved", None), SlotSet("otp_step", 0)]
        if tracker.get_slot("otp_resolved") == "yes":
            dispatcher.utter_message(response="utter_otp_fixed")
            return reset
        dispatcher.utter_message(response="utter_otp_offer_escalation")
        context = {
            "topic": "otp",
            "otp_channel": tracker.get_slot("otp_channel"),
            "checks_tried": checks_tried(tracker),
        }
        return [
            *reset,
            SlotSet("escalation_reason", "otp_not_received"),
            SlotSet("escalation_context", context),
        ]
