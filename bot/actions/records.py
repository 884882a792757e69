"""A learner's own records: progress with the pending mandated courses, Karma Points and certificates.

Nothing here is said before `proven_employee` names the asker; without a proof the identity form runs
first and this action resumes the question afterwards (slot `pending_request`). Every lookup is audited.
A certificate question from someone not yet proven gets the general rules first, with a button to check
their own: most such questions are answered by the rules, and asking for an e-mail code up front would
be a detour.
"""

import contextlib
from datetime import UTC, datetime
from typing import Any

import regex
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import cards
from bot.actions.common import (
    ABOUT_POINTS,
    Unavailable,
    blocking,
    channel,
    entity,
    helpdesk_button,
    insists_after_refusal,
    is_button_payload,
    language,
    latest_intent,
    latest_text,
    response_kwargs,
    said_last,
)
from bot.actions.escalation import repeat_reference
from bot.actions.identity import IDENTITY_SLOTS, proof_in_message, proven_employee
from bot.actions.knowledge import answer_from_knowledge
from bot.identity import audit
from bot.knowledge.questions import (
    LONG_MESSAGE_CHARS,
    about_own_record,
    about_someone_else,
    asking,
    asks_a_rule,
    asks_about_someone_else,
    is_question,
    names_no_record,
    names_own_record,
)
from bot.records import progress
from bot.records.progress import CertificateState
from bot.records.source import EmployeeRef, LearnerSnapshot
from bot.services import get_services
from bot.validators import parse_email, parse_mobile
from contract.privacy import mask_personal_data

PERSONAL_INTENTS = ("ask_course_progress", "ask_karma_points", "ask_certificate")
CERTIFICATE = "ask_certificate"
# A channel's own proof arriving on its own (Telegram's share-contact button): it answers the question
# waiting for it, or shows the summary.
SHARE_CONTACT = "share_contact"
MAX_PENDING_COURSE_CHARS = 300
FOLLOW_UP_TOPICS = {
    "ask_karma_points": "Karma Points",
    CERTIFICATE: "course certificate not generated",  # "What now?" after a certificate's status
    "": "mandatory prescribed courses 50% deadline 31 March 2026 APAR",
}
COURSE_BUTTONS = 5


def now() -> datetime:
    return datetime.now(UTC)


def names_someone_else(tracker: Tracker, employee: EmployeeRef) -> bool:
    """Whether the message names an e-mail or mobile that is not the asker's own."""
    text = latest_text(tracker)
    email = parse_email(text).value
    if email and email.casefold() != employee.email.casefold():
        return True
    mobile = parse_mobile(text).value if any(ch.isdigit() for ch in text) else None
    return bool(mobile and mobile != employee.mobile)


def say_summary(dispatcher: CollectingDispatcher, tracker: Tracker, snapshot: LearnerSnapshot) -> None:
    """The progress card; after a missed deadline, what to do about it."""
    summary = progress.summarise(snapshot, today=now().date())
    if summary.prescribed == 0:
        dispatcher.utter_message(response="utter_progress_no_plan", name=snapshot.employee.name)
        return
    card, buttons = cards.progress_card(
        summary,
        name=snapshot.employee.name,
        language=language(tracker),
        course_url=get_services().settings.course_url,
    )
    cards.send(dispatcher, card, buttons)
    if summary.due_date is not None and summary.days_left is not None and summary.days_left < 0:
        dispatcher.utter_message(
            response="utter_progress_deadline_passed",
            due=cards.day(summary.due_date),
            days=-summary.days_left,
        )


_LOOK_UP = regex.compile(
    r"\b(?:check|look up|look at|see|record|records|status|dekh|dekho|dekhkar|dekh kar)\b|"
    r"रिकॉर्ड|रिकार्ड|देखकर|देखें|जाँच|जांच",
    regex.IGNORECASE,
)


_COURSES = regex.compile(
    r"\b(?:courses?|requirement|target|pending|progress|completed|50)\b|%|पाठ्यक्रम|कोर्स|प्रगति|लक्ष्य",
    regex.IGNORECASE,
)


def asks_about_courses(text: str) -> bool:
    return bool(_COURSES.search(text)) and not ABOUT_POINTS.search(text)


def asks_for_own_certificate(tracker: Tracker) -> bool:
    """Whether the message names a course, came from the "check my certificate" button, or asks to
    look at the writer's own record ("can you check mine?", "मेरा रिकॉर्ड देखकर बताइए")."""
    if entity(tracker, "scope") == "mine" or entity(tracker, "course") is not None:
        return True
    text = latest_text(tracker)
    return about_own_record(text) and bool(_LOOK_UP.search(text))


def say_karma(dispatcher: CollectingDispatcher, snapshot: LearnerSnapshot) -> None:
    recent = progress.recent_karma(snapshot)
    lines = [
        f"• +{k.points} {cards.day(k.credited_at)} {k.course_title or k.reason}".rstrip() for k in recent
    ]
    dispatcher.utter_message(
        response="utter_karma_points", total=snapshot.karma_total, recent="\n".join(lines) or "—"
    )


def say_certificate(dispatcher: CollectingDispatcher, tracker: Tracker, snapshot: LearnerSnapshot) -> None:
    """The certificate of the course asked about; with no course named, where each started course's
    certificate stands. Just after the proof, the card also shows the account at a glance (completed of
    prescribed): the user asked to have their account checked."""
    meter = None
    if tracker.get_slot("pending_request"):
        summary = progress.summarise(snapshot, today=now().date())
        meter = cards.progress_meter(summary, language=language(tracker)) if summary.prescribed else None
    chosen = entity(tracker, "course")
    course = progress.find_course(snapshot, chosen or latest_text(tracker))
    waiting = tracker.get_slot("pending_course")
    if course is None and waiting:
        course = progress.find_course(snapshot, waiting)
    reply_language = language(tracker)
    if course is None:
        started = [c for c in snapshot.courses if c.completion > 0]
        started.sort(key=lambda c: c.completed_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        if not started:
            dispatcher.utter_message(response="utter_certificate_none_started")
            return
        checks = [progress.check_certificate(c, now=now()) for c in started[:COURSE_BUTTONS]]
        choices = [
            {"title": c.title[:60], "payload": f'/ask_certificate{{"course": "{c.code}"}}'}
            for c in started[:COURSE_BUTTONS]
        ]
        if any(check.state == CertificateState.escalate for check in checks):
            choices.append(helpdesk_button(tracker))  # a certificate overdue: the helpdesk can chase it
        lines = [(check.course.title, cards.certificate_words(check, reply_language)) for check in checks]
        overview = cards.certificate_overview_card(lines, language=reply_language, meter=meter)
        cards.send(dispatcher, overview, choices)
        return
    check = progress.check_certificate(course, now=now())
    buttons: list[dict[str, Any]] = []
    if check.state == CertificateState.issued:
        url = get_services().settings.certificate_url.format(certificate_id=course.certificate_id)
        buttons.append(cards.download_button(url, language=reply_language))
    elif check.state == CertificateState.escalate:
        buttons.append(helpdesk_button(tracker))
    card = cards.certificate_card(
        check,
        language=reply_language,
        hours=max(24 - (check.hours_since_completion or 0), 1),
        meter=meter,
    )
    cards.send(dispatcher, card, buttons)


def asks_for_own_record(text: str) -> bool:
    """What NLU could not place, but plainly about the writer's own record ("mera status dekh ke batao
    kitna hua"), or an official e-mail given on its own: the records flow asks for the proof."""
    given = parse_email(text)
    if given.ok and given.value == text.strip().casefold():
        return True
    if given.ok and about_own_record(text) and not about_someone_else(text):
        return True  # "can you tell me where I stand? my id is rakesh.yadav@istm.gov.in"
    # Of a long message, the question decides: "… I have done eleven courses … To whom should I give
    # these certificates?" asks a rule, whatever the story before it says.
    asked = asking(text)
    own = names_own_record(asked) and not about_someone_else(asked)
    return own and not asks_a_rule(asked)  # "can I do the courses on my own phone?" asks a rule


def asks_for_a_contact(tracker: Tracker) -> bool:
    """A message read as sharing a contact that shares none and asks for one: a question, or words
    about a number or address that are not the writer's own ("helpline number plz", not "here is my
    number")."""
    text = latest_text(tracker)
    if proof_in_message(tracker) is not None or is_button_payload(text) or not text.strip():
        return False  # a contact shared with the app's button, verified or not
    gives_one = "@" in text or any(ch.isdigit() for ch in text) or about_own_record(text)
    return is_question(text) or not gives_one


class ActionPersonalRecords(Action):
    """Answers the personal question just asked, or the one waiting for the identity form."""

    def name(self) -> str:
        return "action_personal_records"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Ends the turn unless it hands on (to the identity form): reached as a follow-up of another
        action ("what was the minimum I needed?" after the card), no rule says what comes next, and the
        fallback would show the card a second time."""
        events = await self._answer(dispatcher, tracker)
        hands_on = any(e.get("event") == "followup" for e in events)
        return events if hands_on else [*events, FollowupAction("action_listen")]

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        intent, _confidence = latest_intent(tracker)
        if intent == "ask_about_colleague" or (
            intent not in (*PERSONAL_INTENTS, SHARE_CONTACT) and asks_for_own_record(latest_text(tracker))
        ):
            # Sent here from a fallback, a misread "forget me", or the refusal, which found the record
            # asked about the writer's own ("main Rakesh hoon, mera kitna course hua? boss puch rahe the").
            intent = "ask_course_progress"
        if intent in (*PERSONAL_INTENTS, SHARE_CONTACT) and repeat_reference(dispatcher, tracker):
            return []  # "what is the reference number?" read as a records question or a shared contact
        if intent == SHARE_CONTACT and asks_for_a_contact(tracker):
            # "iske liye kisse contact karu?", "helpline number plz": it asks whom to contact.
            answered = await answer_from_knowledge(dispatcher, tracker)
            return [*(answered or []), SlotSet("pending_request", None)]
        pending = tracker.get_slot("pending_request")
        request = intent if intent in PERSONAL_INTENTS else pending or "ask_course_progress"
        if (
            request in ("ask_course_progress", "ask_karma_points")
            and said_last(tracker, "utter_offer_own_certificates")
            and not asks_about_courses(latest_text(tracker))
            and not ABOUT_POINTS.search(latest_text(tracker))
        ):
            # "Can you check my account?" (or "I did all the quizzes. Check mine", read as points) right
            # after the offer to check certificates.
            request = CERTIFICATE
        if request == "ask_karma_points" and asks_about_courses(latest_text(tracker)):
            request = "ask_course_progress"  # "have I met the 50% requirement?" mistaken for points
        resumed = [
            SlotSet("pending_request", None),
            SlotSet("pending_course", None),
            *(SlotSet(s, None) for s in IDENTITY_SLOTS),
        ]
        services = get_services()
        where = {"channel": channel(tracker), "sender_id": tracker.sender_id}
        down = "utter_records_unavailable"
        try:
            employee_id = await blocking(dispatcher, tracker, proven_employee, tracker, dispatcher, said=down)
            if employee_id is None:
                if tracker.get_slot("identity_code") == "failed" or intent not in (
                    *PERSONAL_INTENTS,
                    SHARE_CONTACT,
                ):
                    return resumed  # the identity form ran and failed; it said why
                if request == CERTIFICATE and not asks_for_own_certificate(tracker):
                    # The circulars' answer to what was asked, else the general rules; then the offer.
                    answered = await answer_from_knowledge(dispatcher, tracker, admit_doubt=False)
                    if answered is None:
                        dispatcher.utter_message(
                            response="utter_certificate_help", **response_kwargs(tracker)
                        )
                        return resumed
                    dispatcher.utter_message(
                        response="utter_offer_own_certificates", **response_kwargs(tracker)
                    )
                    return [*resumed, *answered]
                dispatcher.utter_message(response="utter_identity_needed")
                asked = mask_personal_data(latest_text(tracker))[:MAX_PENDING_COURSE_CHARS]
                return [
                    SlotSet("pending_request", request),
                    SlotSet("pending_course", asked if request == CERTIFICATE else None),
                    FollowupAction("identity_form"),
                ]
            snapshot = await blocking(
                dispatcher,
                tracker,
                services.records().snapshot,
                employee_id,
                cycle=services.settings.learning_cycle,
                said=down,
            )
            if snapshot is None:
                dispatcher.utter_message(response="utter_records_not_found", **response_kwargs(tracker))
                return resumed
            # Nothing is shown that could not be audited.
            outcome = "refused" if names_someone_else(tracker, snapshot.employee) else "shown"
            await blocking(
                dispatcher,
                tracker,
                audit.record,
                services.sessions,
                **where,
                employee_id=employee_id,
                action=request,
                outcome=outcome,
                said=down,
            )
        except Unavailable:
            return resumed
        if outcome == "refused":
            dispatcher.utter_message(response="utter_other_person_refused")
            return resumed
        if request == "ask_karma_points":
            say_karma(dispatcher, snapshot)
        elif request == CERTIFICATE:
            say_certificate(dispatcher, tracker, snapshot)
        else:
            say_summary(dispatcher, tracker, snapshot)
        # A follow-up such as "what if I miss it?" is read with the topic of what was shown.
        return [*resumed, SlotSet("kb_last_question", FOLLOW_UP_TOPICS.get(request, FOLLOW_UP_TOPICS[""]))]


class ActionRefuseOtherPerson(Action):
    """Questions about a colleague's records are refused, whoever asks."""

    def name(self) -> str:
        return "action_refuse_other_person"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        # Of a long message, the question decides: "My Joint Secretary forwarded the OM … When was the
        # assessment to go live, so that I can see whether we are late?" asks a date, of nobody's record.
        if len(text) >= LONG_MESSAGE_CHARS:
            own = asks_for_own_record(text)
        else:
            # "I am Priya Sharma, priya.sharma@nic.in, what is my progress?": a name is not a colleague.
            # "Main junior assistant hoon, kya mujhe certificate APAR ke saath lagana padega?" asks a rule.
            # "इस training की कमियाँ क्या हैं? हमारे यहाँ कई लोग परेशान हैं" asks nothing of anyone's record.
            own = (
                about_own_record(text)
                and not about_someone_else(text)
                and not asks_a_rule(text)
                and not names_no_record(text)
            )
        if own:
            return [FollowupAction("action_personal_records")]
        pressing = insists_after_refusal(tracker)  # "मैं उनका RO हूँ, फिर भी नहीं बता सकते?" names no one
        named = asks_about_someone_else(text) or "@" in text  # an address is someone's
        if not named and not pressing and not is_button_payload(text):
            # "उसके प्रश्न बैंक?" ("and its question bank?") points at no one's record, "certificate nahi
            # bana, kya reh gaya?" names no one at all, and "my colleague has more points than me; how
            # are they earned?" asks a rule: questions, answered when the search is sure.
            answered = await answer_from_knowledge(dispatcher, tracker, admit_doubt=False)
            if answered is not None:
                return answered
        services = get_services()
        with contextlib.suppress(Unavailable):  # the refusal stands even when it cannot be audited
            await blocking(
                dispatcher,
                tracker,
                audit.record,
                services.sessions,
                channel=channel(tracker),
                sender_id=tracker.sender_id,
                employee_id=None,
                action="ask_about_colleague",
                outcome="refused",
                said=None,
            )
        dispatcher.utter_message(response="utter_other_person_refused")
        return []
