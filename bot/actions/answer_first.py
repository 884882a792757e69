"""A fact question gets the fact: the first step for every intent that also has a guided flow.

NLU names the topic ("otp_not_received", "ask_certificate"), not whether the user reports a problem or
asks a rule. "What should I check if the OTP does not come?" wants the circular's answer; "OTP nahi aa
raha" wants the checklist; "how are Karma Points earned?" must not ask for an e-mail code. This action
answers from the knowledge base when the message asks a general question the search is sure of, then
offers the flow; otherwise it hands over to the flow, started from what the message already says.

Either way it names the next action (`FollowupAction`), which Rasa runs before asking any policy. The
rules write the flow's path after this action (so `rasa test` and the policies know it); when the
action answered, its `FollowupAction("action_listen")` ends the turn there instead.
"""

from typing import Any

import regex
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import (
    asks_own_requirement,
    entity,
    insists_after_refusal,
    is_button_payload,
    latest_intent,
    latest_text,
    offered_in_last_reply,
    previous_text,
    response_kwargs,
    says_goodbye,
    set_last_turn,
    shown_own_record,
)
from bot.actions.escalation import ActionEscalate, repeat_reference
from bot.actions.identity import proof_in_message
from bot.actions.knowledge import answer_from_knowledge
from bot.actions.organisation_request import start_organisation_request
from bot.actions.otp import otp_channel_from_text, otp_start
from bot.actions.records import asks_for_own_record
from bot.knowledge.questions import (
    LONG_MESSAGE_CHARS,
    about_own_record,
    asks_a_rule,
    asks_about_someone_else,
    asks_in_general,
    is_question,
    names_no_record,
    reports_a_problem,
    wants_a_person,
)
from bot.language import LANGUAGES, tokenize, words

# intent -> (the flow's first action, the response offering it after an answer)
GUIDED = {
    "otp_not_received": ("otp_form", "utter_offer_otp_checks"),
    "organisation_not_found": ("organisation_request_form", "utter_offer_organisation_request"),
}
# A user whose own organisation is missing needs the request filed whatever they asked: the form
# starts after the answer. (The OTP checklist would repeat the answer's checks; it is offered.)
STARTED_AFTER_ANSWER = frozenset({"organisation_not_found"})
PERSONAL = {
    "ask_course_progress": "utter_offer_own_progress",
    "ask_karma_points": "utter_offer_own_karma_points",
    "ask_certificate": "utter_offer_own_certificates",
}
# Intents whose "flow" is a fixed reply: the knowledge base's passage answers better when it is sure.
FIXED_REPLIES = {
    "ask_registration_help": ("utter_registration_walkthrough",),
    "no_government_email": ("utter_no_government_email", "utter_anything_else_registration"),
    "login_problem": ("utter_login_help",),
    "out_of_scope": ("utter_out_of_scope",),
    "bot_challenge": ("utter_iamabot",),
    "thank": ("utter_youre_welcome",),
    "goodbye": ("utter_goodbye",),
}
# "Are you a bot?" is about the assistant; "AIS मतलब क्या?" mistaken for it is not.
_ABOUT_THE_ASSISTANT = regex.compile(
    r"\b(?:bot|robot|human|machine|ai|computer|real|person|insaan|insan|asli|sahayak|you|your|aap|tum)\b|"
    r"बॉट|रोबोट|इंसान|मशीन|असली|आप|तुम",
    regex.IGNORECASE,
)
FLOW_ACTIONS = {
    "registration_step": "action_registration_step",
    "request_human": "action_escalate",
    **{intent: "action_personal_records" for intent in PERSONAL},
}
ROUTED_INTENTS = frozenset({*GUIDED, *PERSONAL, *FIXED_REPLIES, *FLOW_ACTIONS})
# Intents that a message about someone's record is sometimes mistaken for; in a rule question "उसके
# लिए कितने कोर्स?" ("how many courses for that?") the same words are no third person.
MISREAD_INTENTS = frozenset({"bot_challenge", "out_of_scope", "thank"})
_REGISTRATION_TEXT = """
    register registering registered registration sign signup igot karmayogi portal website online site
    account create new user step steps procedure process full complete पंजीकरण रजिस्ट्रेशन रजिस्टर
    साइन पोर्टल प्रक्रिया तरीका खाता बनाना करना करें करे karna kare karein hota hai tarika process
"""
REGISTRATION_WORDS = frozenset(tokenize(_REGISTRATION_TEXT))
# "Hindi mein batao" only chooses the language; a question beside it also wants its answer.
MIN_QUESTION_WORDS = 2
_CLAUSE_BREAK = regex.compile(r"[,;।!\n]+|(?<=\?)\s*")
_LANGUAGE_NAME = regex.compile(
    r"\b(?:hindi|english|angrezi|angreji)\b|हिंदी|हिन्दी|अंग्रेज़ी|अंग्रेजी", regex.IGNORECASE
)


def tries_the_answer(intent: str, text: str) -> bool:
    """Whether the message asks a general question, to be answered from the circulars before any flow."""
    if is_button_payload(text):
        return False  # a button that starts the flow
    if intent in ("thank", "goodbye"):
        return is_question(text) and not says_goodbye(text)  # "ये कैसे मिलते हैं?" mistaken for thanks or bye
    if intent == "bot_challenge":
        return is_question(text) and not _ABOUT_THE_ASSISTANT.search(text)
    if intent == "request_human":
        return is_question(text) and not wants_a_person(text)
    if intent in PERSONAL:
        # "Do I have to finish every course on my list?" asks a rule, though it says "my". Of a long
        # message, the question decides ("… I retire in March and my service book lists none of my
        # courses. Where do I download the certificates, and which section do I give them to?").
        if len(text) >= LONG_MESSAGE_CHARS:
            return is_question(text) and not asks_for_own_record(text)
        return is_question(text) and (
            not about_own_record(text) or asks_a_rule(text) or names_no_record(text)
        )
    if intent == "ask_registration_help":
        # "how do I register?" wants the seven steps; "what details do I fill in to register?" a fact.
        return bool(set(tokenize(text)) - REGISTRATION_WORDS)
    if intent in GUIDED or intent == "registration_step":
        # "OTP nahi aa raha" wants the checklist; "OTP nahi aaya, kya check karu?" the answer first.
        return is_question(text) or not reports_a_problem(text)
    return True


class ActionAnswerFirst(Action):
    def name(self) -> str:
        return "action_answer_first"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)[0] or ""
        text = latest_text(tracker)
        if repeat_reference(dispatcher, tracker):
            return [FollowupAction("action_listen")]
        if insists_after_refusal(tracker):
            dispatcher.utter_message(response="utter_other_person_refused")
            return [FollowupAction("action_listen")]
        if intent != "request_human" and wants_a_person(text):
            return [FollowupAction("action_escalate")]
        if intent in MISREAD_INTENTS and asks_about_someone_else(text):
            # "But I am his RO, I have to write his APAR!" read as "are you a bot?": a colleague's record.
            return [FollowupAction("action_refuse_other_person")]
        if intent == "set_language":
            return await choose_language(dispatcher, tracker, text)
        if intent in PERSONAL and about_own_record(text) and shown_own_record(tracker):
            # "So how many must I do by the deadline?" right after the progress card: the record answers.
            return start_flow(dispatcher, tracker, intent, text)
        if (
            offered_in_last_reply(tracker, ("otp_not_received",))
            and otp_channel_from_text(text) is not None
            and reports_a_problem(text)
        ):
            # "email wala nahi aa raha" right after the offer to go through the OTP checks: taken up,
            # skipping the checks the message that reported the problem said were done.
            known, first = otp_start(text, earlier=previous_text(tracker))
            return [*known, FollowupAction(first)]
        if asks_own_requirement(tracker):
            # "Is 5 enough or must I finish all 8?" read as a registration step: the card answers it.
            return [FollowupAction("action_personal_records")]
        if tries_the_answer(intent, text) and not names_own_certificate(tracker, intent):
            # "OTP कितने मिनट तक valid रहता है?" reports no problem: when the circulars are not sure, the
            # closest topics and the helpdesk, then the offer, rather than a checklist nobody asked for.
            # "min % of courses to clear?" asks everyone's rule: unsure, still no proof of who asks.
            only_asks = (intent in GUIDED and is_question(text) and not reports_a_problem(text)) or (
                intent in PERSONAL and asks_in_general(text)
            )
            # Read as outside our subject, a question that resembles a passage gets it with the doubt said.
            answered = await answer_from_knowledge(
                dispatcher, tracker, admit_doubt=only_asks, doubt_when_close=intent == "out_of_scope"
            )
            if answered is not None and intent in STARTED_AFTER_ANSWER and reports_a_problem(text):
                # "Our office is not in the drop-down. What do I do now?": the rule, then the request.
                return [*answered, *start_flow(dispatcher, tracker, intent, text)]
            if answered is not None:
                offer = GUIDED.get(intent, ("", ""))[1] or PERSONAL.get(intent)
                if offer:
                    dispatcher.utter_message(response=offer, **response_kwargs(tracker))
                return [*answered, FollowupAction("action_listen")]
        return start_flow(dispatcher, tracker, intent, text)


# "Yes please raise it" to "Shall I pass this to the helpdesk?", "ok send that request for me" to the
# offer to file one: a yes takes up the flow the last reply offered with a button.
OFFERED_FLOWS = ("request_human", "organisation_not_found", "otp_not_received")
# "ok?", "haan ji?": shorter than this, a yes or no with a question mark asks nothing.
MIN_FOLLOW_UP_WORDS = 3


class ActionAnswerOffer(Action):
    """Yes or no outside a form: a yes takes up what the last reply offered; otherwise, what next."""

    def name(self) -> str:
        return "action_answer_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)[0]
        flow = offered_in_last_reply(tracker, OFFERED_FLOWS) if intent == "affirm" else None
        if wants_a_person(latest_text(tracker)):
            flow = "request_human"  # "Yes please, raise it with the helpdesk."
        if flow == "request_human":
            return await ActionEscalate().run(dispatcher, tracker, domain)  # no flow to go on with after it
        if flow is not None:
            return start_flow(dispatcher, tracker, flow, "")
        filed = set_last_turn(tracker, "escalation_reference")
        if intent == "affirm" and filed:
            # "Yes please raise it" right after the hand-over: it is raised; the same reference again.
            dispatcher.utter_message(
                response="utter_escalation_reference", **response_kwargs(tracker, reference=filed)
            )
            return []
        text = latest_text(tracker)
        if is_question(text) and len(words(text)) >= MIN_FOLLOW_UP_WORDS:
            # "ok. and what if I miss it?" or "aur agar miss ho gaya?": a follow-up, not a yes or no.
            answered = await answer_from_knowledge(dispatcher, tracker, admit_doubt=False)
            if answered is not None:
                return answered
        # "ok thik hai" after an answer acknowledges it; "no" asks what else.
        said = "utter_glad_to_help" if intent == "affirm" else "utter_how_can_help"
        dispatcher.utter_message(response=said)
        return []


def names_own_certificate(tracker: Tracker, intent: str) -> bool:
    """A certificate question that names a course, or comes with a proof of who asks (a WhatsApp or
    Telegram number, a portal sign-in): the user's own certificate is checked, not the rules."""
    if intent != "ask_certificate":
        return False
    return entity(tracker, "course") is not None or proof_in_message(tracker) is not None


async def choose_language(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> list[EventType]:
    """ "Reply in Hindi" switches (action_detect_language already set the slot); "मुझे हिंदी में
    बताइए, OTP कहाँ आएगा?" also gets its answer; "languages?" asks a fact and gets it."""
    chosen = entity(tracker, "language") in LANGUAGES
    if chosen:
        dispatcher.utter_message(response="utter_language_set")
    # The clauses that do not name a language ask the question: "मुझे हिंदी में बताइए, OTP कहाँ आएगा?"
    rest = " ".join(part for part in _CLAUSE_BREAK.split(text) if not _LANGUAGE_NAME.search(part)).strip()
    if not chosen or (is_question(rest) and len(tokenize(rest)) >= MIN_QUESTION_WORDS):
        asked = rest if chosen else text
        answered = await answer_from_knowledge(dispatcher, tracker, admit_doubt=False, text=asked)
        if answered is not None:
            return [*answered, FollowupAction("action_listen")]
    if not chosen:
        dispatcher.utter_message(response="utter_language_set")
    return [FollowupAction("action_listen")]


def start_flow(dispatcher: CollectingDispatcher, tracker: Tracker, intent: str, text: str) -> list[EventType]:
    """The flow for `intent`, begun from what `text` already says."""
    if intent == "otp_not_received":
        known, first = otp_start(text)
        return [*known, FollowupAction(first)]
    if intent == "organisation_not_found":
        return start_organisation_request(dispatcher, tracker)
    if intent in FLOW_ACTIONS:
        return [FollowupAction(FLOW_ACTIONS[intent])]
    if intent not in FIXED_REPLIES:
        # Reached by a policy's guess for an intent with no flow ("inform" out of the blue).
        return [FollowupAction("action_fallback")]
    for response in FIXED_REPLIES[intent]:
        dispatcher.utter_message(response=response, **response_kwargs(tracker))
    return [FollowupAction("action_listen")]
