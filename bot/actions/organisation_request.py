"""The organisation-not-found form, filing the request, and asking for its status."""

import re
from typing import Any, ClassVar

import regex
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import cards
from bot.actions.common import (
    Unavailable,
    blocking,
    channel,
    consents,
    entity,
    language,
    latest_intent,
    latest_text,
    offered_in_last_reply,
    response_kwargs,
    steers_away,
)
from bot.actions.form_base import AnswerFormValidation, checked
from bot.actions.knowledge import answer_from_knowledge, answer_instead
from bot.actions.records import asks_for_own_record
from bot.helpdesk.organisation_requests import RequestDetails, file_request, find_request
from bot.knowledge.questions import is_question, sentences
from bot.services import get_services
from bot.validators import (
    is_full_name,
    level_and_place,
    name_in,
    parse_email,
    parse_free_text,
    parse_level,
    parse_mobile,
    parse_person_name,
    parse_state,
    without_contact,
)
from contract.privacy import find_mobiles

FORM_SLOTS = (
    "requester_name",
    "requester_email",
    "requester_mobile",
    "government_level",
    "ministry_or_state",
    "department",
    "organisation_name",
)
FIELD_SLOTS = {
    "name": "requester_name",
    "email": "requester_email",
    "mobile": "requester_mobile",
    "level": "government_level",
    "ministry": "ministry_or_state",
    "state": "ministry_or_state",
    "department": "department",
    "organisation": "organisation_name",
}
FIELD_WORDS = {
    "name": ("name", "naam", "नाम"),
    "email": ("email", "e-mail", "mail", "ईमेल"),
    "mobile": ("mobile", "phone", "number", "मोबाइल", "फ़ोन", "फोन", "नंबर"),
    "level": ("centre", "center", "level", "केंद्र", "स्तर"),
    "ministry": ("ministry", "state", "mantralaya", "मंत्रालय", "राज्य"),
    "department": ("department", "dept", "vibhag", "विभाग"),
    "organisation": ("organisation", "organization", "org", "office", "sangathan", "संगठन", "कार्यालय"),
}
_REFERENCE = re.compile(r"\b(?:ORG|ESC)[\s-]?[0-9A-Z]{3}[\s-]?[0-9A-Z]{3}\b", re.IGNORECASE)


def field_from_text(text: str) -> str | None:
    lowered = text.casefold()
    for field, words in FIELD_WORDS.items():
        if any(word in lowered for word in words):
            return field
    return None


def corrected_value(field: str, text: str) -> str | None:
    """The new e-mail or mobile a correction gives with it ("sahi wala 9911223355 hai"); None when it
    gives none, or for a field whose value cannot be told from the words around it."""
    if field == "email" and "@" in text:
        email = parse_email(text)
        return str(email.value) if email.ok else None
    if field == "mobile":
        mobiles = find_mobiles(text)
        return mobiles[0] if len(mobiles) == 1 else None
    return None


# Saying that a value given earlier was wrong: "sorry, the mobile I gave is wrong", "नंबर गलत लिख दिया था".
_CORRECTION = regex.compile(
    r"\b(?:wrong|galat|sorry|correct one|correct number|correct email|sahi wala|sahi number)\b|"
    r"गलत|ग़लत|माफ़|माफ|सही नंबर|सही ईमेल",
    regex.IGNORECASE,
)


def gives_a_correction(text: str) -> bool:
    """Whether the message corrects the e-mail or mobile given earlier and gives the new one, whatever
    NLU read it as; a correction with no new value is left to the model."""
    field = field_from_text(text)
    return bool(_CORRECTION.search(text)) and field is not None and corrected_value(field, text) is not None


def clear_field(field: str) -> dict[str, Any]:
    return {FIELD_SLOTS[field]: None, "request_confirmed": None, "field_to_correct": None}


def implied_values(requested: str, text: str, tracker: Tracker) -> dict[str, Any]:
    """What an answer says beyond the field asked: "Anil Kumar Meena, anil@mea.gov.in" gives the
    e-mail too, "Rajasthan" at "Centre or State?" gives the State, "Centre. Ministry of X" the ministry,
    "9414098765. state govt hai, Rajasthan" the State, "dept X, org: Y" both. Only empty fields are
    filled."""

    def empty(slot: str) -> bool:
        return tracker.get_slot(slot) is None and slot != requested

    implied: dict[str, Any] = {}
    email = parse_email(text) if "@" in text else None
    if email is not None and email.ok and empty("requester_email"):
        implied["requester_email"] = email.value
    mobiles = find_mobiles(text) if requested != "requester_mobile" else []
    if len(mobiles) == 1 and empty("requester_mobile"):
        implied["requester_mobile"] = mobiles[0]
    if requested == "requester_name":
        implied["requester_name"] = name_in(text)
    place_text = {
        "government_level": text,
        "ministry_or_state": text,
        "requester_mobile": without_contact(text),
        "requester_email": without_contact(text),
    }.get(requested, "")
    if place_text and tracker.get_slot("government_level") is None:
        level, place = level_and_place(place_text)
        if level is not None:
            implied["government_level"] = level
            if place is not None and empty("ministry_or_state"):
                implied["ministry_or_state"] = place
    labelled = _LABELLED.search(text) if requested in ("department", "organisation_name") else None
    if labelled and tracker.get_slot("organisation_name") is None:
        implied["department"] = labelled["department"].strip(" .")
        implied["organisation_name"] = labelled["organisation"].strip(" .")
    return implied


_LABELLED = regex.compile(
    r"(?:(?:department|dept\b\.?|vibhag|विभाग)\s*(?:is\b|hai\b|है|:|-)?\s*(?P<department>.+?)|"
    r"(?P<department>[^,;:]+?\s(?:department|विभाग)))\s*[,;]\s*"
    r"(?:organisation|organization|org\b\.?|sangathan|संगठन)\s*(?:is\b|hai\b|है|:|-)?\s*(?P<organisation>.+)",
    regex.IGNORECASE,
)
# A name given with the request: "… request daal do. naam Vikram Singh Rathore, email …"
_NAMED = regex.compile(
    r"(?:\bmy name is|\bname is|\bnaam|\bname\s*:|मेरा नाम|नाम)\s*(?:hai|है|:|-)?\s*(?P<name>[^,;.\n@]+)",
    regex.IGNORECASE,
)


def given_at_the_start(text: str) -> dict[str, Any]:
    """The name and e-mail the message that starts the request already gives."""
    given: dict[str, Any] = {}
    email = parse_email(text) if "@" in text else None
    if email is not None and email.ok:
        given["requester_email"] = email.value
    named = _NAMED.search(text)
    if named:
        name = parse_person_name(name_in(named["name"]))
        if name.ok and is_full_name(str(name.value)):
            given["requester_name"] = name.value
    return given


class ValidateOrganisationRequestForm(AnswerFormValidation):
    entity_slots: ClassVar[dict[str, str]] = {
        "requester_email": "email",
        "requester_mobile": "mobile",
        "government_level": "level",
        "ministry_or_state": "ministry",
        "department": "department",
        "organisation_name": "organisation",
    }

    def name(self) -> str:
        return "validate_organisation_request_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if tracker.get_slot("request_confirmed") == "change":
            return [*domain_slots, "field_to_correct"]
        return domain_slots

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent, _confidence = latest_intent(tracker)
        if intent == "correct_field" or gives_a_correction(latest_text(tracker)):
            # An entity the model tagged with a value that is no field still leaves the words to read.
            found = (entity(tracker, "field"), field_from_text(latest_text(tracker)))
            field = next((f for f in found if f in FIELD_SLOTS), None)
            if field is None:
                return [SlotSet("request_confirmed", "change")]
            text = latest_text(tracker)
            corrected = corrected_value(field, text)
            if corrected is None:
                return [SlotSet(slot, value) for slot, value in clear_field(field).items()]
            # "Delhi. And sorry, the mobile I gave is wrong, correct one is 9810012354": the new value
            # replaces the old, and the rest answers the question just asked, as any answer does.
            requested = tracker.get_slot("requested_slot")
            answered = implied_values(requested, text, tracker) if isinstance(requested, str) else {}
            rest = " ".join(
                s for s in sentences(text) if not _CORRECTION.search(s) and corrected_value(field, s) is None
            ).strip()
            if isinstance(requested, str) and requested not in answered and rest and requested in FORM_SLOTS:
                answered[requested] = rest  # "बिहार। और माफ़ कीजिए, मोबाइल नंबर गलत लिख दिया था, सही …"
            answered[FIELD_SLOTS[field]] = corrected
            return [SlotSet(slot, value) for slot, value in answered.items()]
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        values = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        requested = tracker.get_slot("requested_slot")
        if requested is None and tracker.get_slot("requester_name") is None:
            values.update(given_at_the_start(latest_text(tracker)))
        if isinstance(values.get(requested), str):
            values.update(implied_values(requested, values[requested], tracker))
        return [SlotSet(slot, value) for slot, value in values.items()]

    def answer(self, slot: str, tracker: Tracker) -> Any:
        if slot == "request_confirmed":
            # Only yes, no or a correction is expected here, so any question is one: it is answered and
            # the read-back comes again.
            if steers_away(tracker, digression_confidence=0.0):
                return None
            intent, _confidence = latest_intent(tracker)
            return {"affirm": "yes", "deny": "change"}.get(intent or "", "unclear")
        return super().answer(slot, tracker)

    def clearly_answers(self, slot: str, text: str) -> bool:
        strict = {
            "requester_email": parse_email,
            "requester_mobile": parse_mobile,
            "government_level": parse_level,
        }
        return slot in strict and strict[slot](text).ok

    async def validate_requester_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {}
        if is_question(str(value)):
            return await answer_instead("requester_name", dispatcher, tracker)
        if consents(str(value)):
            # "haan bhej do" to the name question just after the offer: a yes to filing, not a name.
            dispatcher.utter_message(response="utter_form_goes_on")
            return {"requester_name": None}
        parsed = parse_person_name(str(value))
        if parsed.ok and not is_full_name(str(parsed.value)):
            dispatcher.utter_message(response="utter_invalid_full_name")
            return {"requester_name": None}
        return checked("requester_name", parsed, dispatcher)

    async def validate_requester_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {}
        parsed = parse_email(str(value))
        if not parsed.ok and is_question(str(value)):
            return await answer_instead("requester_email", dispatcher, tracker)
        return checked("requester_email", parsed, dispatcher, **response_kwargs(tracker))

    async def validate_requester_mobile(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {}
        parsed = parse_mobile(str(value))
        if not parsed.ok and is_question(str(value)):
            return await answer_instead("requester_mobile", dispatcher, tracker)
        return checked("requester_mobile", parsed, dispatcher)

    def validate_government_level(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return checked("government_level", parse_level(str(value)), dispatcher) if value is not None else {}

    async def validate_ministry_or_state(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {}
        if is_question(str(value)):
            return await answer_instead("ministry_or_state", dispatcher, tracker)
        state_level = tracker.get_slot("government_level") == "state"
        return checked(
            "ministry_or_state", (parse_state if state_level else parse_free_text)(str(value)), dispatcher
        )

    async def validate_department(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {}
        if is_question(str(value)):
            return await answer_instead("department", dispatcher, tracker)
        return checked("department", parse_free_text(str(value)), dispatcher)

    async def validate_organisation_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {}
        if is_question(str(value)):
            return await answer_instead("organisation_name", dispatcher, tracker)
        return checked("organisation_name", parse_free_text(str(value)), dispatcher)

    def validate_request_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value == "unclear":
            dispatcher.utter_message(response="utter_choose_confirmation")
            return {"request_confirmed": None}
        return {"request_confirmed": value}

    def validate_field_to_correct(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        field = field_from_text(str(value or ""))
        if field is None:
            return {"field_to_correct": None}
        return clear_field(field)


# The read-back names the level in the user's language, not by the slot's stored value.
LEVEL_LABELS = {
    "en": {"centre": "Centre", "state": "State / UT"},
    "hi": {"centre": "केंद्र", "state": "राज्य / केंद्र शासित प्रदेश"},
    "hinglish": {"centre": "Centre (Kendra)", "state": "State / UT (Rajya)"},
}


class ActionAskRequestConfirmed(Action):
    """Reads the request back before filing it, every value under a label in the user's language."""

    def name(self) -> str:
        return "action_ask_request_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        level = tracker.get_slot("government_level") or ""
        labels = LEVEL_LABELS.get(language(tracker), LEVEL_LABELS["en"])
        dispatcher.utter_message(
            response="utter_ask_request_confirmed", government_level=labels.get(level, level)
        )
        return []


class ActionSubmitOrganisationRequest(Action):
    """Files the confirmed request; the same person and organisation get the existing reference."""

    def name(self) -> str:
        return "action_submit_organisation_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("request_confirmed") != "yes":
            return []
        details = RequestDetails(
            requester_name=tracker.get_slot("requester_name"),
            email=tracker.get_slot("requester_email"),
            mobile=tracker.get_slot("requester_mobile"),
            level=tracker.get_slot("government_level"),
            ministry_or_state=tracker.get_slot("ministry_or_state"),
            department=tracker.get_slot("department"),
            organisation_name=tracker.get_slot("organisation_name"),
        )
        try:
            request, created = await blocking(
                dispatcher,
                tracker,
                file_request,
                get_services().sessions,
                details=details,
                channel=channel(tracker),
                sender_id=tracker.sender_id,
            )
        except Unavailable:
            return [SlotSet("request_confirmed", None)]
        if created:
            cards.send(dispatcher, cards.request_card(request, language=language(tracker), filed_now=True))
        else:
            dispatcher.utter_message(
                response="utter_request_exists", reference=request.reference, status=request.status.value
            )
        return [SlotSet(slot, None) for slot in (*FORM_SLOTS, "request_confirmed", "field_to_correct")]


# Words of someone asking after a request they filed; without them and without a reference, a question
# read as a status check asks something else.
_ABOUT_A_REQUEST = regex.compile(
    r"\b(?:requests?|reference|ref|ticket|status|added|add|update|kya hua|hua kya)\b|"
    r"अनुरोध|रिक्वेस्ट|संदर्भ|स्थिति|जोड़|जुड़|जोड|जुड|क्या हुआ",
    regex.IGNORECASE,
)


def start_organisation_request(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """What the form is for, then its first question."""
    dispatcher.utter_message(response="utter_organisation_intro", **response_kwargs(tracker))
    return [FollowupAction("organisation_request_form")]


# Asking after a request already filed, not for one to be filed: "what is the status", "kya hua".
_ASKS_STATUS = regex.compile(
    r"\b(?:status|reference|ref|ticket|update|happened|earlier|previous|already|filed|submitted|approved|"
    r"rejected|pending|kya hua|hua kya|pehle)\b|स्थिति|संदर्भ|क्या हुआ|पहले",
    regex.IGNORECASE,
)


class ActionRequestStatus(Action):
    def name(self) -> str:
        return "action_request_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference = entity(tracker, "reference")
        if not reference:
            match = _REFERENCE.search(latest_text(tracker))
            reference = match.group(0) if match else None
        text = latest_text(tracker)
        if not reference and asks_for_own_record(text) and not _ABOUT_A_REQUEST.search(text):
            # "आप मेरा रिकॉर्ड देख सकते हैं क्या?" mistaken for a status check: the records flow asks for the proof.
            return [FollowupAction("action_personal_records")]
        if not reference and is_question(text) and not _ABOUT_A_REQUEST.search(text):
            # "५०% के अलावा और क्या पूरा करना ज़रूरी है?" mistaken for a status check: a rule, answered.
            answered = await answer_from_knowledge(dispatcher, tracker, admit_doubt=False)
            if answered is not None:
                return answered
        if not reference and not _ASKS_STATUS.search(text):
            # "ok can you raise that request for me", read as a status check: to the offer to file one, it
            # starts the form; while the form is asking, it goes on.
            if tracker.active_loop_name == "organisation_request_form":
                if is_question(text) and not consents(text):
                    # "ye request portal pe khud bhi bhej sakte hai kya?" asks a rule: answered, and the
                    # form asks its question again.
                    answered = await answer_from_knowledge(dispatcher, tracker, admit_doubt=False)
                    if answered is not None:
                        return answered
                dispatcher.utter_message(response="utter_form_goes_on")
                return []
            if offered_in_last_reply(tracker, ("organisation_not_found",)):
                return start_organisation_request(dispatcher, tracker)
        if not reference:
            dispatcher.utter_message(response="utter_ask_reference")
            return []
        try:
            request = await blocking(
                dispatcher, tracker, find_request, get_services().sessions, reference=reference
            )
        except Unavailable:
            return []
        if request is None:
            dispatcher.utter_message(response="utter_request_not_found", reference=reference.upper()[:16])
            return []
        cards.send(dispatcher, cards.request_card(request, language=language(tracker), filed_now=False))
        return []
