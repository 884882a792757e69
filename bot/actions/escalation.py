"""Handing a conversation to the helpdesk: record everything staff need to pick it up."""

from datetime import timedelta
from typing import Any

import regex
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import Unavailable, blocking, channel, language, latest_text, response_kwargs
from bot.helpdesk.escalations import open_escalation, summarise_transcript
from bot.services import get_services


class ActionEscalate(Action):
    def name(self) -> str:
        return "action_escalate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        services = get_services()
        context = dict(tracker.get_slot("escalation_context") or {})
        if tracker.active_loop_name:
            context["form"] = tracker.active_loop_name
        try:
            escalation, opened = await blocking(
                dispatcher,
                tracker,
                open_escalation,
                services.sessions,
                sender_id=tracker.sender_id,
                channel=channel(tracker),
                reason=tracker.get_slot("escalation_reason") or "user_request",
                language=language(tracker),
                summary=summarise_transcript(tracker.events, turns=services.settings.transcript_turns),
                context=context,
                repeat_within=timedelta(hours=services.settings.escalation_repeat_hours),
            )
        except Unavailable:
            return []
        dispatcher.utter_message(
            response="utter_escalated" if opened else "utter_escalation_waiting",
            **response_kwargs(tracker, reference=escalation.reference),
        )
        return [
            SlotSet("escalation_reason", None),
            SlotSet("escalation_context", None),
            SlotSet("escalation_reference", escalation.reference),
        ]


_ASKS_REFERENCE = regex.compile(
    r"\b(?:reference|ref|ticket|complaint\s+(?:no|number|id))\b|संदर्भ|रेफ़रेंस|रेफरेंस|रिफरेंस", regex.IGNORECASE
)


def repeat_reference(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """After a hand-over, "what is my reference number?" gets the same reference again, not a new case."""
    reference = tracker.get_slot("escalation_reference")
    if not reference or not _ASKS_REFERENCE.search(latest_text(tracker)):
        return False
    dispatcher.utter_message(
        response="utter_escalation_reference", **response_kwargs(tracker, reference=reference)
    )
    return True
