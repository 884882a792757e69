"""What every action shares: reading the latest user turn from the tracker, and running blocking work
(the database, learner records, mail) off the event loop."""

import asyncio
import logging
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import regex
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot.identity.mailer import MailUnavailable
from bot.knowledge.questions import about_own_record, is_question, leans_on_previous, wants_a_person
from bot.records.source import RecordsUnavailable
from contract import inbound
from contract.conversations import channel_of

logger = logging.getLogger(__name__)
T = TypeVar("T")
# What a call to our storage or to a service behind it raises when that is down.
OUTAGES = (SQLAlchemyError, RecordsUnavailable, MailUnavailable)

# Intents a user may raise in the middle of a form; the form resumes after the answer.
DIGRESSION_INTENTS = frozenset(
    {
        "faq",
        "ask_certificate",
        "login_problem",
        "ask_course_progress",
        "ask_karma_points",
        "ask_about_colleague",
        "bot_challenge",
        "ask_registration_help",
        "registration_step",
        "no_government_email",
        "otp_not_received",
        "check_request_status",
        "organisation_not_found",
        "greet",
        "thank",
        "out_of_scope",
    }
)
# The intent that names a form's own subject, said inside it ("dept Revenue, org: Office of the Collector,
# Jaipur" read as a missing organisation), answers the form rather than leaving it.
FORM_SUBJECTS = {"organisation_request_form": "organisation_not_found", "otp_form": "otp_not_received"}
# Intents that steer the form itself (cancel, hand over, switch language).
CONTROL_INTENTS = frozenset({"cancel", "goodbye", "request_human", "set_language"})
# Ending or stopping, also inside a longer sentence ("ok thanks, that's all", "stop this form, I will
# ask Ramesh"): never a form's answer, whatever else the sentence names.
_CLOSING = regex.compile(
    r"\b(?:bye|goodbye|that'?s all|thats it|nothing else|cancel|stop (?:this|the|it)|leave it|forget it|"
    r"never\s?mind|rehne do|rahne do|chhodo|chodo|band karo|alvida|bas itna|bas karo|koi baat nahi|"
    r"rehne dijiye|rahne dijiye|rehne dein|rahne dein)\b|"
    r"रहने दो|रहने दीजिए|रहने दीजिये|रहने दें|छोड़ो|छोडो|बंद करो|रद्द|कैंसल|कैन्सल|अलविदा|बस इतना|बस करो|"
    r"कोई बात नहीं",
    regex.IGNORECASE,
)


_GOODBYE = regex.compile(
    r"\b(?:bye|goodbye|thanks|thank you|thx|ty|shukriya|dhanyavad|dhanyawad|alvida)\b|धन्यवाद|शुक्रिया|अलविदा",
    regex.IGNORECASE,
)


def says_goodbye(text: str) -> bool:
    """Thanks or a goodbye among the words: a stop that also ends the conversation gets a goodbye."""
    return bool(_GOODBYE.search(text))


# A value given with thanks ("9810012345, thanks") still answers the form.
_VALUE = regex.compile(r"\d{3}|@")


def stops(text: str) -> bool:
    """Whether the message says to stop or that it is all ("never mind", "that's all"), not only thanks."""
    return not is_button_payload(text) and bool(_CLOSING.search(text))


def closes(text: str) -> bool:
    """Whether the message ends the conversation or stops what is going on: a stop, or thanks with
    no question and no value in it ("theek hai, IT wale se baat karta hu. thanks")."""
    if stops(text):
        return True
    thanks = says_goodbye(text) and not is_question(text) and not _VALUE.search(text)
    return thanks and not is_button_payload(text)


# A yes in the words ("ok please send that request for me") stops nothing, whatever the model read it as;
# unless the words also refuse or stop ("ok no, stop").
_CONSENT = regex.compile(
    r"\b(?:ok|okay|yes|yeah|yep|sure|please|go ahead|haan|han|theek|thik|kar do|bhej do|send)\b|"
    r"हाँ|हां|ठीक|भेज द|कर द",
    regex.IGNORECASE,
)
_DIGIT = regex.compile(r"\d")
_REFUSING = regex.compile(
    r"\b(?:no|not|don'?t|dont|nahi|nahin|nhi|mat|stop|quit|exit)\b|नहीं|नही|मत|रोको|बंद", regex.IGNORECASE
)


def consents(text: str) -> bool:
    """Whether the message says yes and nothing that refuses or stops; a yes has no figures in it
    ("HTTP/1.1 200 OK" is junk, not consent)."""
    return (
        bool(_CONSENT.search(text))
        and not _REFUSING.search(text)
        and not _DIGIT.search(text)
        and not closes(text)
    )


DIGRESSION_CONFIDENCE = 0.8


def language(tracker: Tracker) -> str:
    return tracker.get_slot("language") or "en"


HELPDESK_TITLES = {"en": "Talk to the helpdesk", "hi": "हेल्पडेस्क से बात", "hinglish": "Helpdesk se baat"}


def helpdesk_button(tracker: Tracker) -> dict[str, str]:
    """The button that hands the conversation over, in the reply language; always offered last."""
    return {
        "title": HELPDESK_TITLES.get(language(tracker), HELPDESK_TITLES["en"]),
        "payload": "/request_human",
    }


def channel(tracker: Tracker) -> str:
    """The channel the conversation belongs to, which its id names (`contract.conversations`)."""
    return channel_of(tracker.sender_id) or tracker.get_latest_input_channel() or "unknown"


def session_key(tracker: Tracker) -> str | None:
    """Names the current conversation session: when it started. A proof made on a channel that cannot
    vouch for its senders holds only while this stays the same."""
    started = [e for e in tracker.events if e.get("event") == "session_started"]
    return f"{float(started[-1].get('timestamp') or 0):.6f}" if started else None


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def previous_reply(tracker: Tracker) -> list[dict[str, Any]]:
    """The events of the bot's reply to the previous message (between it and the latest one)."""
    reply: list[dict[str, Any]] = []
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif users == 1:
            reply.append(event)
    return reply[::-1]


def previous_text(tracker: Tracker) -> str:
    """What the user wrote before the latest message ("" when nothing)."""
    said = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return said[-2] if len(said) > 1 else ""


def set_last_turn(tracker: Tracker, slot: str) -> Any:
    """The value the reply to the previous message gave `slot` (the passage it answered with, the
    reference it filed), or None when that reply did not set it."""
    values = [
        e.get("value") for e in previous_reply(tracker) if e.get("event") == "slot" and e.get("name") == slot
    ]
    return values[-1] if values else None


def offered_in_last_reply(tracker: Tracker, intents: Collection[str]) -> str | None:
    """The first of `intents` that the bot's reply to the previous message offered with a button."""
    for event in previous_reply(tracker):
        for button in (event.get("data") or {}).get("buttons") or [] if event.get("event") == "bot" else []:
            intent = str(button.get("payload") or "").lstrip("/").split("{", 1)[0]
            if intent in intents:
                return intent
    return None


def shown_as(event: dict[str, Any]) -> str:
    """What a bot message was: its domain response ("utter_escalated"), or "card_<kind>" for a card of
    `bot.actions.cards`, which is composed in the action and has no response name."""
    if event.get("event") != "bot":
        return ""
    custom = (event.get("data") or {}).get("custom")
    card = custom.get("card") if isinstance(custom, dict) else None
    if isinstance(card, dict) and isinstance(card.get("kind"), str):
        return f"card_{card['kind']}"
    return str((event.get("metadata") or {}).get("utter_action") or "")


def said_last(tracker: Tracker, response: str) -> bool:
    """Whether the bot's reply to the previous message included `response` (or that card)."""
    return any(shown_as(e) == response for e in previous_reply(tracker))


# Pressing after a refusal: "arre sirf number bata do", "मैं उनका RO हूँ, फिर भी नहीं बता सकते?"
_INSISTS = regex.compile(
    r"\b(?:just|only|still|even so|please tell|tell me|sirf|bas|phir bhi|fir bhi|bata do|batao|bataiye)\b|"
    r"फिर भी|सिर्फ़|सिर्फ|बस|बता दो|बताइए|बताओ",
    regex.IGNORECASE,
)


def insists_after_refusal(tracker: Tracker) -> bool:
    """Whether the message presses for the colleague's record the previous reply refused; "mine is still
    not there, pass it to the helpdesk" turns to one's own case, or to a person, and is no pressing."""
    text = latest_text(tracker)
    return (
        said_last(tracker, "utter_other_person_refused")
        and bool(_INSISTS.search(text))
        and not (about_own_record(text) or wants_a_person(text))
    )


# What only a proven user is shown: once it is on screen, "how many must I still do?" asks about it.
OWN_RECORD_SHOWN = ("card_progress", "utter_karma_points", "card_certificate")


def shown_own_record(tracker: Tracker, shown: tuple[str, ...] = OWN_RECORD_SHOWN) -> bool:
    """Whether this session has shown the user their own record (or the part of it that `shown` names)."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return False
        if shown_as(event).startswith(shown):
            return True
    return False


# What the progress card counts, asked right after it: "Is 5 enough or must I finish all 8?", "what was
# the minimum I needed out of those?", "तो 31 मार्च तक कुल कितने पूरे करने होंगे?". Not "how many courses
# are there on the platform?": a count asked with no must, need or more is the catalogue's.
_OWN_REQUIREMENT = regex.compile(
    r"\b(?:enough|sufficient|minimum|out of those|kaafi|kafi|paryapt)\b|काफ़ी|काफी|पर्याप्त|न्यूनतम|"
    r"(?:\b(?:how many|kitne|kitna)\b|कितने|कितना).{0,40}?(?:\b(?:must|have to|need|needed|required|should|"
    r"more|still|left|baaki|aur|karne (?:honge|hain|hai|padenge))\b|और|बाकी|करने (?:होंगे|हैं|है|पड़ेंगे))",
    regex.IGNORECASE,
)
# Karma Points named: a question about points, not about courses.
ABOUT_POINTS = regex.compile(r"\b(?:karma|points?|pts)\b|कर्म|पॉइंट", regex.IGNORECASE)


# "aur assessment wala?", "और assessment?" right after the card: the user's own assessment, on the card.
_ASSESSMENT = regex.compile(r"\b(?:assessment|assesment|mulyankan)\b|असेसमेंट|मूल्यांकन", regex.IGNORECASE)


def asks_own_requirement(tracker: Tracker) -> bool:
    """Whether the message asks what the progress card just shown counts, which the card answers."""
    text = latest_text(tracker)
    if not shown_own_record(tracker, ("card_progress",)) or ABOUT_POINTS.search(text):
        return False
    card_just_shown = said_last(tracker, "card_progress")
    own_assessment = card_just_shown and bool(_ASSESSMENT.search(text)) and leans_on_previous(text)
    return bool(_OWN_REQUIREMENT.search(text)) or own_assessment


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def is_button_payload(text: str) -> bool:
    return text.startswith("/")


def entity(tracker: Tracker, name: str) -> str | None:
    return next(tracker.get_latest_entity_values(name), None)


def steers_away(tracker: Tracker, *, digression_confidence: float = DIGRESSION_CONFIDENCE) -> bool:
    """The latest message asks for something else rather than answering the form's question.

    A free-text answer ("Certificate Issuing Cell") often looks like some other intent, so a digression
    must be confident by default; where only yes/no/change is expected, the caller can ask for less.
    """
    name, confidence = latest_intent(tracker)
    if FORM_SUBJECTS.get(tracker.active_loop_name or "") == name:
        return False
    if name in CONTROL_INTENTS:
        text = latest_text(tracker)
        if (
            name in ("cancel", "goodbye")
            and confidence < digression_confidence
            and not is_button_payload(text)
        ):
            # "Revenue" read as cancel at 0.51 is a department; a stop says so ("abhi nahi karna", "stop").
            return bool(_REFUSING.search(text)) or closes(text)
        return confidence >= 0.5 or is_button_payload(text)
    return name in DIGRESSION_INTENTS and confidence >= digression_confidence


PROBLEM_RESPONSES = {
    "empty": "utter_empty_message",
    "too_long": "utter_message_too_long",
    "no_text": "utter_text_only",
}


def message_problem(tracker: Tracker) -> str | None:
    """The response explaining why the latest message cannot be read as words, or None when it is fine.

    The channels screen messages before NLU (contract/inbound.py) and name the problem in an entity;
    the text is checked again for channels that do not screen.
    """
    problem = entity(tracker, inbound.PROBLEM_ENTITY) or inbound.message_problem(latest_text(tracker))
    return PROBLEM_RESPONSES.get(problem or "")


def response_kwargs(tracker: Tracker, **values: Any) -> dict[str, Any]:
    """Template values every response may use, plus the caller's."""
    return {"helpdesk_email": tracker.get_slot("helpdesk_email"), **values}


class Unavailable(Exception):
    """Blocking work failed because a service is down; the user has been told (see `blocking`)."""


async def blocking(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    work: Callable[..., T],
    *args: Any,
    said: str | None = "utter_service_unavailable",
    **kwargs: Any,
) -> T:
    """`work(*args, **kwargs)` in a worker thread, so a slow or hung database never holds another user's
    turn. When a service is down the user hears `said` (None: nothing, the failure is only logged) and
    `Unavailable` is raised, for the action to stop or carry on as it sees fit."""
    try:
        return await asyncio.to_thread(work, *args, **kwargs)
    except OUTAGES as error:
        logger.error("%s failed: %s", getattr(work, "__name__", "a call"), type(error).__name__)
        if said:
            dispatcher.utter_message(response=said, **response_kwargs(tracker))
        raise Unavailable from error
