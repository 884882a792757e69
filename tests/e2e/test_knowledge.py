"""Questions answered from the circulars by the real servers and the real index, then rated."""

import uuid

import pytest
from sqlalchemy import select

from bot.db import make_engine, make_sessions
from bot.knowledge.tables import AnswerFeedback
from tests.e2e.servers import Servers
from tests.e2e.test_rest import payloads, texts

pytestmark = pytest.mark.e2e


def test_a_question_is_answered_with_a_citation_and_rated(servers: Servers) -> None:
    me = f"e2e-{uuid.uuid4().hex[:8]}"
    replies = servers.say(me, "by when must employees finish 50% of their prescribed courses?")
    answer = texts(replies)
    assert "31" in answer and "2026" in answer
    assert "T-28/27/2025-iGOT" in answer and "Source:" in answer
    assert '/feedback{"helpful": "yes"}' in payloads(replies)
    assert "Thank" in texts(servers.say(me, '/feedback{"helpful": "yes"}'))
    engine = make_engine(servers.database_url)
    with make_sessions(engine)() as session:
        vote = session.scalar(select(AnswerFeedback).where(AnswerFeedback.sender_id == f"rest:{me}"))
    engine.dispose()
    assert vote is not None and vote.helpful and vote.chunk_id.startswith("dopt-om-2025-07-04#")


def test_a_hindi_question_gets_a_hindi_answer(servers: Servers) -> None:
    me = f"e2e-{uuid.uuid4().hex[:8]}"
    answer = texts(servers.say(me, "अनिवार्य पाठ्यक्रम पूरे करने की अंतिम तिथि क्या है?"))
    assert "स्रोत:" in answer and "2026" in answer
