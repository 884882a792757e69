"""Feedback on knowledge answers, kept to find passages that need rewriting."""

from sqlalchemy.orm import Session, sessionmaker

from bot.knowledge.tables import AnswerFeedback
from contract.privacy import mask_personal_data


def record_feedback(
    sessions: sessionmaker[Session],
    *,
    sender_id: str,
    channel: str,
    chunk_id: str,
    question: str,
    language: str,
    helpful: bool,
) -> AnswerFeedback:
    """Store one vote; the question is kept with e-mails and mobile numbers masked."""
    with sessions.begin() as session:
        row = AnswerFeedback(
            sender_id=sender_id,
            channel=channel,
            chunk_id=chunk_id[:200],
            question=mask_personal_data(question)[:1000],
            language=language,
            helpful=helpful,
        )
        session.add(row)
    return row
