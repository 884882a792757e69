"""The audit trail: who proved or looked up whose personal data, what, when and on which channel.

`action` and `outcome` are short fixed labels chosen by the code ("prove_jwt", "expired"), never text a
user typed, so the trail itself holds no emails, mobile numbers or names. A label that could carry any
is refused rather than stored.
"""

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import as_utc, utcnow
from bot.identity.tables import AuditRecord
from contract.privacy import mask_personal_data

_LABEL = re.compile(r"[a-z][a-z0-9_]*")
MAX_ACTION = 64
MAX_OUTCOME = 32


def _check_label(kind: str, value: str, limit: int) -> None:
    if len(value) > limit or not _LABEL.fullmatch(value) or mask_personal_data(value) != value:
        raise ValueError(f"audit {kind} must be a short lower-case label, not free text")


def record(
    sessions: sessionmaker[Session],
    *,
    channel: str,
    sender_id: str,
    employee_id: int | None,
    action: str,
    outcome: str,
    at: datetime | None = None,
    requester: str | None = None,
) -> None:
    """Write one audit row in its own transaction, so it is kept even when the caller's work fails."""
    _check_label("action", action, MAX_ACTION)
    _check_label("outcome", outcome, MAX_OUTCOME)
    with sessions.begin() as session:
        session.add(
            AuditRecord(
                channel=channel,
                sender_id=sender_id,
                employee_id=employee_id,
                action=action,
                outcome=outcome,
                created_at=(at or utcnow()).astimezone(UTC),
                requester=requester,
            )
        )


def times(
    sessions: sessionmaker[Session],
    *,
    action: str,
    outcomes: tuple[str, ...],
    since: datetime,
    channel: str | None = None,
    sender_id: str | None = None,
    employee_id: int | None = None,
    requester: str | None = None,
) -> list[datetime]:
    """When `action` ended in one of `outcomes` after `since` (UTC, oldest first), for one sender, one
    requester and/or one employee: the sign-in throttles count attempts here, whether or not they named a
    real person, so a throttle never tells who exists."""
    query = select(AuditRecord.created_at).where(
        AuditRecord.action == action,
        AuditRecord.outcome.in_(outcomes),
        AuditRecord.created_at > since.astimezone(UTC),
    )
    if channel is not None:
        query = query.where(AuditRecord.channel == channel)
    if sender_id is not None:
        query = query.where(AuditRecord.sender_id == sender_id)
    if employee_id is not None:
        query = query.where(AuditRecord.employee_id == employee_id)
    if requester is not None:
        query = query.where(AuditRecord.requester == requester)
    with sessions() as session:
        found = session.scalars(query.order_by(AuditRecord.created_at)).all()
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return [as_utc(at) for at in found]
