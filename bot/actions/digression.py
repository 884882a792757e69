"""Answers to side questions asked in the middle of a form, and cancelling a form."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import latest_intent, response_kwargs
from bot.actions.knowledge import answer_from_knowledge
from bot.actions.organisation_request import FORM_SLOTS

DIGRESSION_RESPONSES = {
    "ask_certificate": "utter_certificate_help",
    "login_problem": "utter_login_help",
    "ask_course_progress": "utter_personal_after_form",
    "ask_karma_points": "utter_personal_after_form",
    "ask_about_colleague": "utter_other_person_refused",
    "bot_challenge": "utter_iamabot",
    "no_government_email": "utter_no_government_email",
    "otp_not_received": "utter_otp_quick_tips",
    "out_of_scope": "utter_out_of_scope",
    "ask_registration_help": "utter_registration_walkthrough",
}
FORM_STATE = {
    "organisation_request_form": (*FORM_SLOTS, "request_confirmed", "field_to_correct"),
    "otp_form": ("otp_channel", "otp_resolved"),
    "identity_form": ("identity_email", "identity_code", "pending_request"),
}


class ActionAnswerDigression(Action):
    def name(self) -> str:
        return "action_answer_digression"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent, _confidence = latest_intent(tracker)
        response = DIGRESSION_RESPONSES.get(intent or "")
        events: list[EventType] = []
        if intent == "faq":
            events = await answer_from_knowledge(dispatcher, tracker) or []
        elif response:
            dispatcher.utter_message(response=response, **response_kwargs(tracker))
        dispatcher.utter_message(response="utter_continue_form")
        return events


class ActionCancelForm(Action):
    """Stops the active form and forgets what it collected."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        slots = FORM_STATE.get(tracker.active_loop_name or "", ())
        dispatcher.utter_message(response="utter_form_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *(SlotSet(s, None) for s in slots)]
