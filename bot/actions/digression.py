"""Answers to side questions asked in the middle of a form, and cancelling a form."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.answer_first import ROUTED_INTENTS, tries_the_answer
from bot.actions.common import closes, consents, latest_intent, latest_text, response_kwargs, says_goodbye
from bot.actions.knowledge import answer_from_knowledge
from bot.actions.organisation_request import FORM_SLOTS
from bot.knowledge.questions import is_question

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
    "identity_form": ("identity_email", "identity_code", "pending_request", "pending_course"),
}


class ActionAnswerDigression(Action):
    def name(self) -> str:
        return "action_answer_digression"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if closes(latest_text(tracker)):
            # "ok thanks, that's all" or "stop this, I will ask Ramesh" read as a side question: it ends.
            stopped = await ActionCancelForm().run(dispatcher, tracker, domain)
            return [*stopped, FollowupAction("action_listen")]
        intent, _confidence = latest_intent(tracker)
        response = DIGRESSION_RESPONSES.get(intent or "")
        events: list[EventType] = []
        answered = None
        # "ye add hone me kitna time lagta hai?" read as out of scope inside the request form asks about the
        # form's subject: answered, or the closest topics and the helpdesk; not "I only help with iGOT".
        asked = intent == "faq" or (intent == "out_of_scope" and is_question(latest_text(tracker)))
        if asked:
            events = await answer_from_knowledge(dispatcher, tracker) or []
        elif intent in ROUTED_INTENTS and tries_the_answer(intent, latest_text(tracker)):
            # The same choice as outside a form: a general question gets the circulars' answer.
            answered = await answer_from_knowledge(dispatcher, tracker, admit_doubt=False)
            events = answered or []
        if not asked and answered is None and response:
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
        text = latest_text(tracker)
        form = tracker.active_loop_name
        if form and is_question(text) and not closes(text):
            # "Who can I contact for this?" read as a cancel: answered, and the form goes on.
            answered = await answer_from_knowledge(dispatcher, tracker) or []
            dispatcher.utter_message(response="utter_continue_form")
            return [*answered, FollowupAction(form)]
        if form and consents(text):
            # "ok please send that request for me" read as a cancel: the user wants the form.
            dispatcher.utter_message(response="utter_form_goes_on")
            return [FollowupAction(form)]
        slots = FORM_STATE.get(form or "", ())
        dispatcher.utter_message(response="utter_form_cancelled")
        if says_goodbye(text) and latest_intent(tracker)[0] != "goodbye":  # the goodbye rule says its own
            dispatcher.utter_message(response="utter_goodbye")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *(SlotSet(s, None) for s in slots)]
