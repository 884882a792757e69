"""Tables of the helpdesk side: organisation requests, escalations, and the staff who work on them."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow


class RequestStatus(enum.StrEnum):
    """Filed by the bot; the portal's team decides on it outside the assistant."""

    created = "created"


class EscalationStatus(enum.StrEnum):
    """Waiting for the helpdesk; the helpdesk console brings the statuses that follow."""

    open = "open"


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


class StaffRole(enum.StrEnum):
    """Agents take conversations; supervisors also see every open one and manage canned replies."""

    agent = "agent"
    supervisor = "supervisor"


class Staff(Base):
    """A helpdesk account, created with `sahayak staff add`. The password is stored as an Argon2 hash."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(String(40))  # what the user sees when the agent joins
    role: Mapped[StaffRole] = mapped_column(Enum(StaffRole, native_enum=False, length=16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Changes with the password: a session signed before the change no longer counts.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffSignIn(Base):
    """Every sign-in attempt, for the throttles: the name typed and a keyed hash of the network."""

    __tablename__ = "staff_sign_ins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    network: Mapped[str] = mapped_column(String(32), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class StaffAction(Base):
    """The audit trail of the console: who did what, when, to which conversation."""

    __tablename__ = "staff_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    conversation: Mapped[str | None] = mapped_column(String(128), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
