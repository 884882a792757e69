"""Answers from the circulars and guides, with their citation, and the "was this helpful?" that follows."""

import asyncio
import contextlib
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import (
    Unavailable,
    asks_own_requirement,
    blocking,
    channel,
    entity,
    helpdesk_button,
    insists_after_refusal,
    language,
    latest_text,
    message_problem,
    response_kwargs,
    set_last_turn,
)
from bot.actions.escalation import repeat_reference
from bot.knowledge.answers import Answer, answer_question, besides_the_figure, focused, scope_of
from bot.knowledge.feedback import record_feedback
from bot.knowledge.index import IndexUnavailable
from bot.knowledge.questions import asks_whom_it_covers, leans_on_previous
from bot.knowledge.search import KnowledgeBase
from bot.language import in_unsupported_script
from bot.services import get_services
from contract.privacy import mask_personal_data

logger = logging.getLogger(__name__)
# What is kept of the answered question as the next turn's context.
MAX_CONTEXT_CHARS = 400


def _knowledge() -> KnowledgeBase | None:
    """The knowledge base; the first call loads the model and index (seconds): call it off the loop."""
    try:
        return get_services().knowledge()
    except IndexUnavailable as error:
        logger.error("knowledge search unavailable: %s", error)
        return None


async def answer_from_knowledge(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    admit_doubt: bool = True,
    doubt_when_close: bool = False,
    text: str | None = None,
) -> list[EventType] | None:
    """Answer the latest message (or the part of it in `text`) from the knowledge base.

    Returns the events to apply, or None when nothing was said because `admit_doubt` is off (the
    fallback then goes on with its own clarification) and the search was unsure or unavailable.
    `doubt_when_close` admits doubt all the same when a passage resembles the question: "APAR linkage
    from which perf yr?" is shown the closest passage, not told it is outside what the bot knows.
    The passage answered last time is not sent again in a row: the next sure one is, or the user is
    told that was all and offered the helpdesk.
    """
    text = latest_text(tracker) if text is None else text
    chosen = entity(tracker, "kb_chunk")
    if not chosen and repeat_reference(dispatcher, tracker):
        return []
    if not chosen:
        problem = message_problem(tracker)
        if problem or in_unsupported_script(text):
            dispatcher.utter_message(response=problem or "utter_unsupported_language")
            return []
    knowledge = await asyncio.to_thread(_knowledge)
    if knowledge is None:
        if not admit_doubt:
            return None
        dispatcher.utter_message(response="utter_knowledge_unavailable", **response_kwargs(tracker))
        return []
    lang = language(tracker)
    # A chosen topic is answered for the question that led to it.
    previous = tracker.get_slot("kb_last_question") or None
    question = (previous or "") if chosen else text
    # A follow-up with no topic of its own ("and for whom?") is read with the previous question's.
    context = None if chosen else previous
    sent = set_last_turn(tracker, "kb_last_answer")
    # "is that for everyone?" right after a rule: whom the document that stated it covers.
    scope = scope_of(knowledge, sent) if sent and not chosen and asks_whom_it_covers(text) else None
    result = await asyncio.to_thread(
        answer_question, knowledge, question, lang, topic=chosen or scope, previous=context
    )
    if scope is not None and isinstance(result, Answer):
        # The next follow-up ("aur miss ho gaya toh?") still leans on the rule, not on "for everyone".
        result = Answer(result.passage_id, result.text, f"{previous or ''} {text}".strip())
    if isinstance(result, Answer) and not chosen and sent and leans_on_previous(text):
        # "and by when?" after the 50% rule: the passage just sent holds the date; say that sentence. So
        # also when the search, led by the previous question, finds another passage ("aur kab tak?": the
        # memorandum's summary, dated itself) that speaks no more of the follow-up's own words.
        passage = knowledge.passage(sent, lang)
        short = focused(passage, text, lang) if passage is not None else None
        named = besides_the_figure(text)
        if short is not None and (
            result.passage_id == sent
            or knowledge.coverage(named, sent) >= knowledge.coverage(named, result.passage_id)
        ):
            result = Answer(sent, short, result.question)
            sent = None
    if isinstance(result, Answer) and not chosen and result.passage_id == sent:
        result = await asyncio.to_thread(
            answer_question, knowledge, question, lang, previous=context, exclude=sent
        )
        if not isinstance(result, Answer):
            dispatcher.utter_message(response="utter_knowledge_said_all", **response_kwargs(tracker))
            return [SlotSet("kb_last_question", mask_personal_data(text)[:MAX_CONTEXT_CHARS])]
    if result is None:
        dispatcher.utter_message(response="utter_knowledge_topic_gone", **response_kwargs(tracker))
        return []
    if isinstance(result, Answer):
        dispatcher.utter_message(text=result.text)
        dispatcher.utter_message(response="utter_ask_helpful")
        return [
            SlotSet("kb_last_answer", result.passage_id),
            SlotSet("kb_last_question", mask_personal_data(result.question)[:MAX_CONTEXT_CHARS]),
        ]
    if not admit_doubt and not (doubt_when_close and result.closest is not None):
        return None
    buttons = [{"title": t.title, "payload": f'/faq{{"kb_chunk": "{t.passage_id}"}}'} for t in result.topics]
    buttons.append(helpdesk_button(tracker))
    closest = {} if result.closest is None else {"closest": result.closest}
    said = "utter_knowledge_closest" if closest else "utter_knowledge_not_sure"
    dispatcher.utter_message(response=said, buttons=buttons, **response_kwargs(tracker, **closest))
    return [SlotSet("kb_last_question", mask_personal_data(text)[:MAX_CONTEXT_CHARS])]


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if insists_after_refusal(tracker):
            dispatcher.utter_message(response="utter_other_person_refused")
            return []
        if asks_own_requirement(tracker):
            # "What was the minimum number I needed out of those?" after the progress card.
            return [FollowupAction("action_personal_records")]
        return await answer_from_knowledge(dispatcher, tracker) or []


class ActionStoreFeedback(Action):
    def name(self) -> str:
        return "action_store_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        chunk_id = tracker.get_slot("kb_last_answer")
        helpful = entity(tracker, "helpful")
        if not chunk_id or helpful not in ("yes", "no"):
            dispatcher.utter_message(response="utter_feedback_nothing_to_rate")
            return []
        with contextlib.suppress(Unavailable):  # the thanks matter more than the row
            await blocking(
                dispatcher,
                tracker,
                record_feedback,
                get_services().sessions,
                sender_id=tracker.sender_id,
                channel=channel(tracker),
                chunk_id=chunk_id,
                question=tracker.get_slot("kb_last_question") or "",
                language=language(tracker),
                helpful=helpful == "yes",
                said=None,
            )
        if helpful == "yes":
            dispatcher.utter_message(response="utter_feedback_thanks")
        else:
            dispatcher.utter_message(response="utter_feedback_sorry", **response_kwargs(tracker))
        return [SlotSet("kb_last_answer", None)]


async def answer_instead(slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """A form's validation result for a question typed where a value was asked for ("karma points kaise
    milte?" at the e-mail prompt): the question is answered, and the field is asked again."""
    answered = await answer_from_knowledge(dispatcher, tracker) or []
    return {slot: None, **{e["name"]: e["value"] for e in answered if e.get("event") == "slot"}}
