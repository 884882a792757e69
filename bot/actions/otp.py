"""OTP troubleshooting: one check at a time, in order, until the OTP arrives or the checks run out."""

from typing import Any, ClassVar

import regex
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import closes, is_button_payload, latest_intent, latest_text, stops
from bot.actions.escalation import ActionEscalate
from bot.actions.form_base import AnswerFormValidation
from bot.knowledge.questions import reports_a_problem, wants_a_person

CHECKS = {
    "mobile": ("mobile_aadhaar", "mobile_dnd", "wait", "limit"),
    "email": ("email_spam", "email_server", "wait", "limit"),
}
CHANNEL_WORDS = {
    "mobile": ("mobile", "sms", "phone", "number", "मोबाइल", "फ़ोन", "फोन", "एसएमएस"),
    "email": ("email", "e-mail", "mail", "ईमेल", "मेल"),
}


# "The mobile OTP came fine", "mobile pe aa gaya tha": a channel that worked is not the problem.
_ARRIVED = regex.compile(
    r"\b(?:came|come|arrived|received|got it|works|worked|fine|aa gaya|aa gya|aa gyi|aa gayi|aaya tha|"
    r"aa chuka|mil gaya|mil gya|mil gayi|aata hai|aa raha hai)\b|आ गया|आ गई|आ गयी|मिल गया|मिल गई|आता है",
    regex.IGNORECASE,
)
_NOT = regex.compile(r"\b(?:not|no|never|nahi|nahin|nhi|na)\b|n't|नहीं|नही", regex.IGNORECASE)
_CLAUSES = regex.compile(
    r"[,.;!?\n।]+|\b(?:but|while|whereas|lekin|magar|par|pr)\b|लेकिन|मगर", regex.IGNORECASE
)


def _named(text: str) -> list[str]:
    lowered = text.casefold()
    return [channel for channel, words in CHANNEL_WORDS.items() if any(w in lowered for w in words)]


def otp_channel_from_text(text: str) -> str | None:
    """The channel whose OTP does not come: the one named, or of two named, the one not said to work."""
    found = _named(text)
    if len(found) == 1:
        return found[0]
    if not found:
        return None
    worked = {
        channel
        for clause in _CLAUSES.split(text)
        if _ARRIVED.search(clause) and not _NOT.search(clause)
        for channel in _named(clause)
    }
    left = [channel for channel in found if channel not in worked]
    return left[0] if len(left) == 1 else None


# What a message says was already tried ("I already checked spam", "aadhaar se linked hai").
CHECK_WORDS = {
    "mobile_aadhaar": ("aadhaar", "aadhar", "आधार"),
    "mobile_dnd": ("dnd", "do not disturb", "डीएनडी"),
    "email_spam": ("spam", "junk", "स्पैम"),
    "email_server": ("server", "it team", "it department", "सर्वर"),
    "wait": ("waited", "waiting", "intezar", "intezaar", "इंतज़ार", "इंतजार"),
    "limit": ("resend", "resent", "many times", "several times", "kai baar", "bar bar", "कई बार", "बार-बार"),
}
DONE_WORDS = (
    "already", "checked", "tried", "done", "linked", "kar liya", "kr liya", "kar li", "kr li", "kar chuka",
    "kar chuki", "dekh liya", "dekh li", "check kiya", "kiya",
    "किया", "कर लिया", "कर चुका", "कर चुकी", "देख लिया", "पहले ही", "जुड़ा", "लिंक",
)  # fmt: skip
FED_UP = (
    "fed up", "tried everything", "nothing works", "nothing worked", "wasted", "sab kar liya", "sab try",
    "sab check",
    "thak gaya", "thak gayi", "pareshan", "frustrat", "परेशान", "सब कर लिया", "सब कुछ कर", "थक गया",
    "sab ho chuka", "kuch nahi ho raha", "nothing is happening", "सब हो चुका", "कुछ नहीं हो रहा",
)  # fmt: skip


def fed_up(text: str) -> bool:
    lowered = text.casefold()
    return any(w in lowered for w in FED_UP)


def checks_said_done(text: str) -> set[str]:
    """The checks a message says were already done: "number is linked with Aadhaar", "spam dekh liya"."""
    lowered = text.casefold()
    if not any(w in lowered for w in DONE_WORDS):
        return set()
    return {check for check, words in CHECK_WORDS.items() if any(w in lowered for w in words)}


def otp_start(text: str, earlier: str = "") -> tuple[list[EventType], str]:
    """Where the OTP checklist begins for a message that reports the problem: the channel it names is
    not asked again, the checks it (or the `earlier` message that reported the problem) says were done
    are skipped, and when none is left, or the writer is fed up, the helpdesk is offered at once.
    Returns the slots to set and the action to run."""
    channel = otp_channel_from_text(text) or otp_channel_from_text(earlier)
    if fed_up(text):
        return [SlotSet("otp_channel", channel)], "action_otp_outcome"
    if channel is None:
        return [], "otp_form"
    done = checks_said_done(text) | checks_said_done(earlier)
    left = [i for i, check in enumerate(CHECKS[channel]) if check not in done]
    if not left:
        last = len(CHECKS[channel]) - 1
        tried = [SlotSet("otp_channel", channel), SlotSet("otp_step", last), SlotSet("otp_resolved", "no")]
        return tried, "action_otp_outcome"
    return [SlotSet("otp_channel", channel), SlotSet("otp_step", left[0])], "otp_form"


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
            text = latest_text(tracker)
            # "not in spam either. Never mind, I'll ask our IT cell, thanks": a stop, whatever NLU made of
            # it. Thanks alone after a problem ("still nothing, thanks") still says the check did not help.
            if closes(text) and (stops(text) or not reports_a_problem(text)):
                return None
            said = {"affirm": "yes", "deny": "no"}.get(intent or "")
            # "still not working", "फिर भी नहीं आ रहा": a no, whatever NLU made of it.
            if said is None and not is_button_payload(text) and (reports_a_problem(text) or fed_up(text)):
                said = "no"
            if said is None and current_check(tracker) in checks_said_done(text):
                said = "no"  # "आधार से तो लिंक है, और क्या करूँ?": this check was done; the next one
            return said
        return super().answer(slot, tracker)

    def clearly_answers(self, slot: str, text: str) -> bool:
        return slot == "otp_channel" and otp_channel_from_text(text) is not None

    def validate_otp_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        chosen = value if value in CHECKS else otp_channel_from_text(str(value or ""))
        if chosen is None:
            dispatcher.utter_message(response="utter_invalid_otp_channel")
        if chosen is not None and chosen == tracker.get_slot("otp_channel"):
            # The channel the checklist began with, named again by the message that started it: the
            # checks that message said were done stay skipped.
            return {"otp_channel": chosen}
        return {"otp_channel": chosen, "otp_step": 0}

    def validate_otp_resolved(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value != "no":
            return {"otp_resolved": value}
        text = latest_text(tracker)
        if fed_up(text) or wants_a_person(text):
            return {"otp_resolved": "no"}  # the outcome offers the helpdesk, or hands over at once
        checks = CHECKS[tracker.get_slot("otp_channel")]
        done = checks_said_done(text)
        step = int(tracker.get_slot("otp_step") or 0) + 1
        while step < len(checks) and checks[step] in done:
            step += 1  # not shown again: the user said it was done
        if step >= len(checks):
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
        context = {
            "topic": "otp",
            "otp_channel": tracker.get_slot("otp_channel"),
            "checks_tried": checks_tried(tracker),
        }
        handed_over = [
            *reset,
            SlotSet("escalation_reason", "otp_not_received"),
            SlotSet("escalation_context", context),
        ]
        if wants_a_person(latest_text(tracker)):
            # "किसी इंसान से बात करवाइए" said with the last "no": handed over now, not offered again.
            for event in handed_over:
                tracker.slots[event["name"]] = event["value"]
            return [*handed_over, *await ActionEscalate().run(dispatcher, tracker, domain)]
        # Reached with no answer to "did it come?" only when the user was fed up before the checks.
        gone_through = tracker.get_slot("otp_resolved") == "no"
        dispatcher.utter_message(
            response="utter_otp_offer_escalation" if gone_through else "utter_otp_offer_helpdesk_now"
        )
        return handed_over
