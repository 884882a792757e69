"""Two-stage fallback: first offer the likeliest topics, then offer the helpdesk."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import (
    asks_own_requirement,
    closes,
    helpdesk_button,
    insists_after_refusal,
    language,
    latest_text,
    message_problem,
)
from bot.actions.digression import ActionCancelForm
from bot.actions.escalation import ActionEscalate
from bot.actions.knowledge import answer_from_knowledge
from bot.actions.organisation_request import start_organisation_request
from bot.actions.records import ActionPersonalRecords, asks_for_own_record
from bot.knowledge.questions import reports_a_problem, wants_a_person

TOPIC_TITLES = {  # English, Hindi, Hinglish
    "ask_registration_help": ("How to register", "पंजीकरण कैसे करें", "Registration kaise karein"),
    "otp_not_received": ("OTP not received", "OTP नहीं आया", "OTP nahi aaya"),
    "organisation_not_found": (
        "My organisation is missing",
        "मेरा संगठन सूची में नहीं है",
        "Organisation list mein nahi",
    ),
    "login_problem": ("Cannot log in", "लॉगिन नहीं हो रहा", "Login nahi ho raha"),
    "ask_certificate": ("Certificates", "सर्टिफ़िकेट", "Certificate"),
    "ask_course_progress": ("My course progress", "मेरी कोर्स प्रगति", "Meri course progress"),
    "check_request_status": ("Status of my request", "मेरे अनुरोध की स्थिति", "Meri request ka status"),
    "no_government_email": ("No government email", "सरकारी ईमेल नहीं है", "Sarkari email nahi hai"),
    "faq": ("Rules and deadlines", "नियम और समय-सीमा", "Niyam aur deadlines"),
}
TITLE_COLUMN = {"en": 0, "hi": 1, "hinglish": 2}
MAX_OPTIONS = 3


# The passages that tell a user whose organisation is missing to send a "Request for help".
ORGANISATION_MISSING = frozenset(
    {"guide-organisation-not-found#request-for-help", "gnctd-circular-2025-06-20#request-for-help"}
)


def answered_with(events: list[EventType]) -> str | None:
    """The passage an answer from the knowledge base was taken from."""
    return next((e.get("value") for e in events if e.get("name") == "kb_last_answer"), None)


def previous_user_intent(tracker: Tracker) -> str | None:
    """The intent of the user message before the latest one."""
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    if len(user_events) < 2:
        return None
    return ((user_events[-2].get("parse_data") or {}).get("intent") or {}).get("name")


class ActionFallback(Action):
    """Also Rasa's core fallback: it reverts the message it could not handle, keeping the state clean."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        problem = message_problem(tracker)
        if problem:
            dispatcher.utter_message(response=problem)
            return [UserUtteranceReverted()]
        if insists_after_refusal(tracker):
            dispatcher.utter_message(response="utter_other_person_refused")
            return [UserUtteranceReverted()]
        text = latest_text(tracker)
        if tracker.active_loop_name and closes(text):
            # "Actually leave it, … please cancel this request. Thanks", not understood inside a form: a stop.
            stopped = await ActionCancelForm().run(dispatcher, tracker, domain)
            return [*stopped, FollowupAction("action_listen")]
        if closes(text):
            # "ok thank you, bye" not understood after an answer: a goodbye, not a follow-up question.
            dispatcher.utter_message(response="utter_goodbye")
            return [UserUtteranceReverted()]
        # Handed on in place, not as a follow-up, and then the turn ends: no rule knows a path after
        # the fallback, so the policies would predict it again and again.
        handler = (
            ActionEscalate()
            if wants_a_person(text)
            else ActionPersonalRecords()
            if asks_for_own_record(text) or asks_own_requirement(tracker)
            else None
        )
        if handler is not None:
            events = await handler.run(dispatcher, tracker, domain)
            ends = any(e.get("event") == "followup" for e in events)
            return events if ends else [*events, FollowupAction("action_listen")]
        answered = await answer_from_knowledge(dispatcher, tracker, admit_doubt=False)
        if (
            answered is not None
            and answered_with(answered) in ORGANISATION_MISSING
            and reports_a_problem(text)
        ):
            # "step 5 pe mera department dropdown me aa hi nahi raha", not understood: the rule, then the
            # request is filed, as for a missing organisation that was understood.
            return [*answered, *start_organisation_request(dispatcher, tracker)]
        if answered is not None:
            return [UserUtteranceReverted(), *answered]
        ranking = tracker.latest_message.get("intent_ranking") or []
        # The helpdesk is always offered last, so it is not also one of the topics.
        options = [r["name"] for r in ranking if r.get("name") in TOPIC_TITLES][:MAX_OPTIONS]
        if previous_user_intent(tracker) == "nlu_fallback" or not options:
            dispatcher.utter_message(response="utter_fallback_helpdesk")
            return [UserUtteranceReverted()]
        column = TITLE_COLUMN.get(language(tracker), 0)
        buttons = [{"title": TOPIC_TITLES[name][column], "payload": f"/{name}"} for name in options]
        buttons.append(helpdesk_button(tracker))
        dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        return [UserUtteranceReverted()]
