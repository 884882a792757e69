"""Two-stage fallback: first offer the likeliest topics, then offer the helpdesk."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import language, message_problem
from bot.actions.knowledge import answer_from_knowledge

TOPIC_TITLES = {
    "ask_registration_help": ("How to register", "पंजीकरण कैसे करें"),
    "otp_not_received": ("OTP not received", "OTP नहीं आया"),
    "organisation_not_found": ("My organisation is missing", "मेरा संगठन सूची में नहीं है"),
    "login_problem": ("Cannot log in", "लॉगिन नहीं हो रहा"),
    "ask_certificate": ("Certificates", "सर्टिफ़िकेट"),
    "ask_course_progress": ("My course progress", "मेरी कोर्स प्रगति"),
    "check_request_status": ("Status of my request", "मेरे अनुरोध की स्थिति"),
    "no_government_email": ("No government email", "सरकारी ईमेल नहीं है"),
    "faq": ("Rules and deadlines", "नियम और समय-सीमा"),
    "request_human": ("Talk to the helpdesk", "हेल्पडेस्क से बात"),
}
MAX_OPTIONS = 3


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
        answered = await answer_from_knowledge(dispatcher, tracker, admit_doubt=False)
        if answered is not None:
            return [UserUtteranceReverted(), *answered]
        ranking = tracker.latest_message.get("intent_ranking") or []
        # The helpdesk is always offered last, so it is not also one of the topics.
        topics = [name for name in TOPIC_TITLES if name != "request_human"]
        options = [r["name"] for r in ranking if r.get("name") in topics][:MAX_OPTIONS]
        if previous_user_intent(tracker) == "nlu_fallback" or not options:
            dispatcher.utter_message(response="utter_fallback_helpdesk")
            return [UserUtteranceReverted()]
        hindi = language(tracker) == "hi"
        buttons = [{"title": TOPIC_TITLES[name][hindi], "payload": f"/{name}"} for name in options]
        buttons.append({"title": TOPIC_TITLES["request_human"][hindi], "payload": "/request_human"})
        dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        return [UserUtteranceReverted()]
