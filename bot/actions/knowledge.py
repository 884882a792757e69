"""Answers from the circulars and guides, with their citation, and the "was this helpful?" that follows."""

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot.actions.common import channel, entity, language, latest_text, message_problem, response_kwargs
from bot.knowledge.answers import compose
from bot.knowledge.chunking import Chunk
from bot.knowledge.feedback import record_feedback
from bot.knowledge.index import IndexUnavailable
from bot.knowledge.search import KnowledgeBase
from bot.language import in_unsupported_script
from bot.services import get_services
from contract.privacy import mask_personal_data

logger = logging.getLogger(__name__)
MAX_TOPICS = 3


def _knowledge() -> KnowledgeBase | None:
    """The knowledge base; the first call loads the model and index (seconds): call it off the loop."""
    try:
        return get_services().knowledge()
    except IndexUnavailable as error:
        logger.error("knowledge search unavailable: %s", error)
        return None


def _answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, chunk: Chunk, question: str
) -> list[EventType]:
    lang = language(tracker)
    dispatcher.utter_message(text=compose(chunk, question, lang))
    dispatcher.utter_message(response="utter_ask_helpful")
    return [SlotSet("kb_last_answer", chunk.id), SlotSet("kb_last_question", mask_personal_data(question))]


async def answer_from_knowledge(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, admit_doubt: bool = True
) -> list[EventType] | None:
    """Answer the latest message from the knowledge base.

    Returns the events to apply, or None when nothing was said because `admit_doubt` is off (the
    fallback then goes on with its own clarification) and the search was unsure or unavailable.
    """
    text = latest_text(tracker)
    chosen = entity(tracker, "kb_chunk")
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
    if chosen:
        chunk = knowledge.passage(chosen, lang)
        if chunk is None:
            dispatcher.utter_message(response="utter_knowledge_topic_gone", **response_kwargs(tracker))
            return []
        return _answer(dispatcher, tracker, chunk, tracker.get_slot("kb_last_question") or chunk.heading)
    hits = await asyncio.to_thread(knowledge.search, text, MAX_TOPICS)
    if knowledge.confident(hits):
        best = knowledge.passage(hits[0].chunk.id, lang) or hits[0].chunk
        return _answer(dispatcher, tracker, best, text)
    if not admit_doubt:
        return None
    buttons = []
    for hit in hits:
        passage = knowledge.passage(hit.chunk.id, lang) or hit.chunk
        # Table rows share their heading, so a row is named by its own text.
        title = passage.text if "/row-" in passage.id else passage.heading
        buttons.append({"title": title[:60], "payload": f'/faq{{"kb_chunk": "{hit.chunk.id}"}}'})
    helpdesk = "हेल्पडेस्क से बात" if lang == "hi" else "Talk to the helpdesk"
    buttons.append({"title": helpdesk, "payload": "/request_human"})
    dispatcher.utter_message(response="utter_knowledge_not_sure", buttons=buttons, **response_kwargs(tracker))
    return [SlotSet("kb_last_question", mask_personal_data(text))]


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
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
        try:
            await asyncio.to_thread(
                record_feedback,
                get_services().sessions,
                sender_id=tracker.sender_id,
                channel=channel(tracker),
                chunk_id=chunk_id,
                question=tracker.get_slot("kb_last_question") or "",
                language=language(tracker),
                helpful=helpful == "yes",
            )
        except SQLAlchemyError:
            logger.exception("could not store answer feedback")
        if helpful == "yes":
            dispatcher.utter_message(response="utter_feedback_thanks")
        else:
            dispatcher.utter_message(response="utter_feedback_sorry", **response_kwargs(tracker))
        return [SlotSet("kb_last_answer", None)]
