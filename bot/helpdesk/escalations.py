"""Escalations: conversations handed to helpdesk staff, recorded with what they need to take over."""

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.helpdesk.references import insert_with_reference
from bot.helpdesk.tables import Escalation
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


def open_escalation(
    sessions: sessionmaker[Session],
    *,
    sender_id: str,
    channel: str,
    reason: str,
    language: str,
    summary: str,
    context: dict[str, Any],
) -> Escalation:
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
    return escalation
