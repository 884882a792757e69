"""Escalations: conversations handed to helpdesk staff, recorded with what they need to take over."""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import utcnow
from bot.helpdesk.references import insert_with_reference
from bot.helpdesk.tables import Escalation, EscalationStatus
from contract.privacy import mask_personal_data

REFERENCE_PREFIX = "ESC"
MAX_LINE_CHARS = 300


def summarise_transcript(events: Iterable[Mapping[str, Any]], *, turns: int) -> str:
    """The last `turns` user and bot messages, one a line, personal data masked."""
    lines: list[str] = []
    for event in events:
        if event.get("event") not in ("user", "bot") or not event.get("text"):
            continue
        who = "user" if event["event"] == "user" else "bot"
        text = mask_personal_data(" ".join(str(event["text"]).split()))
        if len(text) > MAX_LINE_CHARS:
            text = text[: MAX_LINE_CHARS - 1] + "…"
        lines.append(f"{who}: {text}")
    return "\n".join(lines[-2 * turns :])


def waiting_escalation(
    sessions: sessionmaker[Session], *, sender_id: str, channel: str, within: timedelta
) -> Escalation | None:
    """The conversation's escalation still waiting for the helpdesk, if one was opened within `within`.

    An escalation older than that no longer stands in the way of a new one: until staff close them in
    the console, nothing else would, and a user who asked last month is not "already waiting"."""
    with sessions.begin() as session:
        return session.scalar(
            select(Escalation)
            .where(
                Escalation.sender_id == sender_id,
                Escalation.channel == channel,
                Escalation.status == EscalationStatus.open,
                Escalation.created_at >= utcnow() - within,
            )
            .order_by(Escalation.id.desc())
            .limit(1)
        )


def waiting_queue(sessions: sessionmaker[Session], *, limit: int) -> list[Escalation]:
    """Escalations waiting for the helpdesk, the longest waiting first."""
    with sessions() as session:
        query = (
            select(Escalation)
            .where(Escalation.status == EscalationStatus.open)
            .order_by(Escalation.created_at, Escalation.id)
            .limit(limit)
        )
        return list(session.scalars(query))


def open_escalation(
    sessions: sessionmaker[Session],
    *,
    sender_id: str,
    channel: str,
    reason: str,
    language: str,
    summary: str,
    context: dict[str, Any],
    repeat_within: timedelta = timedelta(0),
) -> tuple[Escalation, bool]:
    """A new escalation, or the one this conversation opened within `repeat_within` and that is still
    waiting: asking for a person twice files one case. Returns it and whether it was opened now.

    Rasa handles one message of a conversation at a time (its lock store), so the look-up and the insert
    cannot race within a conversation."""
    if repeat_within:
        waiting = waiting_escalation(sessions, sender_id=sender_id, channel=channel, within=repeat_within)
        if waiting is not None:
            return waiting, False
    escalation, _created = insert_with_reference(
        sessions,
        REFERENCE_PREFIX,
        lambda reference: Escalation(
            reference=reference,
            sender_id=sender_id,
            channel=channel,
            reason=reason,
            language=language,
            summary=summary,
            context=context,
        ),
    )
    return escalation, True
