"""Tables of the assistant's own records: organisation requests, escalations, answer feedback, identity
links, e-mail codes and the audit trail. Learner records live in `bot.learners`."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Enum, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow


class RequestStatus(enum.StrEnum):
    created = "created"
    approved = "approved"
    rejected = "rejected"


class EscalationStatus(enum.StrEnum):
    open = "open"
    assigned = "assigned"
    closed = "closed"


class OrganisationRequest(Base):
    """A "Request for help" to add a missing organisation to the portal's dropdown."""

    __tablename__ = "organisation_requests"
    __table_args__ = (UniqueConstraint("email", "organisation_key", name="uq_request_per_person_org"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    requester_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254), index=True)
    mobile: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(8))
    ministry_or_state: Mapped[str] = mapped_column(String(150))
    department: Mapped[str] = mapped_column(String(150))
    organisation_name: Mapped[str] = mapped_column(String(150))
    organisation_key: Mapped[str] = mapped_column(String(150))
    status: Mapped[RequestStatus] = mapped_column(
        Enum(RequestStatus, native_enum=False, length=16), default=RequestStatus.created
    )
    channel: Mapped[str] = mapped_column(String(32))
    sender_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Escalation(Base):
    """A conversation handed to the helpdesk, with enough context for staff to take it over."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    summary: Mapped[str] = mapped_column(Text)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[EscalationStatus] = mapped_column(
        Enum(EscalationStatus, native_enum=False, length=16), default=EscalationStatus.open
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class AnswerFeedback(Base):
    """A user's "was this helpful?" on an answer from the knowledge base."""

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    chunk_id: Mapped[str] = mapped_column(String(200), index=True)
    question: Mapped[str] = mapped_column(String(1000))
    language: Mapped[str] = mapped_column(String(8))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IdentityLink(Base):
    """A channel user proven to be an employee; personal answers need one.

    On a channel whose sender ids anyone can claim (REST, the widget) a link holds only within the
    conversation session it was made in (`session_key`) and until `expires_at`; on WhatsApp and
    Telegram, whose senders the platform vouches for, it holds until "forget me".
    """

    __tablename__ = "identity_links"
    __table_args__ = (UniqueConstraint("channel", "sender_id", name="uq_link_per_channel_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    sender_id: Mapped[str] = mapped_column(String(128))
    # No foreign key: with the Karmayogi API as the source, employees are not in the local tables.
    employee_id: Mapped[int] = mapped_column(Integer, index=True)
    method: Mapped[str] = mapped_column(String(16))  # jwt | whatsapp | telegram | email_code
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    session_key: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EmailCode(Base):
    """A one-time code sent to an employee's official e-mail; only its hash is kept.

    An address that is nobody's (or whose mails are held back) gets a decoy row with no employee, so the
    code step answers exactly as for a real one and never succeeds.
    """

    __tablename__ = "email_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    employee_id: Mapped[int | None] = mapped_column(Integer)
    code_hash: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRecord(Base):
    """Who looked up whose personal data, what, when and on which channel."""

    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    employee_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Who asked, beyond the sender id: a keyed hash of the network a browser or REST caller came from, or
    # the conversation itself on WhatsApp and Telegram (sign-in codes are throttled per requester).
    requester: Mapped[str | None] = mapped_column(String(128), index=True)
