"""Tables of identity: proven links, e-mail codes (hashed) and the audit trail."""

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow


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
