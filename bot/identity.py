"""Proving that a channel user is an employee, and remembering it per (channel, sender_id).

Nothing personal is shown until one of three proofs succeeds: a token signed by the portal, a phone
number the channel itself verified (WhatsApp, Telegram), or a one-time code sent to the official e-mail
address on record. Every attempt, good or bad, leaves an audit row without personal data in it.

The e-mail code is never stored, only its argon2 hash; it expires, locks after a few wrong tries, and
asking for it answers the same whether or not the address belongs to anyone.
"""

import logging
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypedDict, cast

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CursorResult, Result, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import audit
from bot.db import utcnow
from bot.mailer import Mailer, MailUnavailable, sign_in_code_message
from bot.models import EmailCode, IdentityLink
from bot.records import LearnerRecords, RecordsUnavailable
from bot.records_sql import normalise_mobile
from bot.validators import parse_email
from connectors.privacy import ascii_digits

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(seconds=60)
CODES_PER_HOUR = 5
# Across all senders: past this, codes for one employee are silently not sent, so nobody can flood an
# officer's inbox by changing sender ids. The user still reads "sent", as for an unknown address.
CODES_PER_EMPLOYEE_PER_HOUR = 10
JWT_LEEWAY_SECONDS = 30
JWT_ALGORITHMS = ("HS256", "RS256")
MAX_TOKEN_CHARS = 8192
MAX_EMPLOYEE_ID = 2**31 - 1  # the id columns are 32-bit integers

# Replaced by a cheaper hasher in tests; the defaults cost ~0.1 s per hash, which is the point.
HASHER = PasswordHasher()

# Audit labels.
PROVE_JWT = "prove_jwt"
CODE_START = "email_code_start"
CODE_VERIFY = "email_code_verify"
FORGET = "forget_link"
# Start outcomes that count towards a sender's throttle: each looks like "sent" to the user.
_COUNTED = ("sent", "unknown_email", "suppressed")

Reason = Literal[
    "ok", "expired", "invalid", "unknown", "mismatch", "wrong_code", "locked", "no_code", "throttled"
]


@dataclass(frozen=True)
class ProofResult:
    ok: bool
    reason: Reason
    employee_id: int | None = None
    attempts_left: int | None = None


@dataclass(frozen=True)
class CodeStart:
    """What the user may be told after asking for a code. "sent" also when the address is unknown."""

    status: Literal["sent", "throttled", "invalid_email"]
    error: str | None = None  # for "invalid_email": the validator's code (utter_invalid_<error>)
    retry_after: int | None = None  # for "throttled": seconds until a new code may be asked for


class _Who(TypedDict):
    channel: str
    sender_id: str


def _rowcount(result: Result[Any]) -> int:
    return cast(CursorResult[Any], result).rowcount


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _finish(
    sessions: sessionmaker[Session],
    *,
    channel: str,
    sender_id: str,
    action: str,
    reason: Reason,
    employee_id: int | None = None,
    attempts_left: int | None = None,
    at: datetime | None = None,
) -> ProofResult:
    """Audit the attempt, then say how it went."""
    audit.record(
        sessions,
        channel=channel,
        sender_id=sender_id,
        employee_id=employee_id,
        action=action,
        outcome=reason,
        at=at,
    )
    logger.info("identity %s on %s: %s", action, channel, reason)
    return ProofResult(
        ok=reason == "ok",
        reason=reason,
        employee_id=employee_id if reason == "ok" else None,
        attempts_left=attempts_left,
    )


def _link(
    sessions: sessionmaker[Session],
    *,
    channel: str,
    sender_id: str,
    employee_id: int,
    method: str,
    now: datetime,
) -> None:
    """Store the proven link, replacing any earlier one of this sender. A concurrent proof of the same
    sender can win the unique constraint; one retry then replaces its link."""
    for attempt in range(2):
        try:
            with sessions.begin() as session:
                session.execute(
                    delete(IdentityLink).where(
                        IdentityLink.channel == channel, IdentityLink.sender_id == sender_id
                    )
                )
                session.add(
                    IdentityLink(
                        channel=channel,
                        sender_id=sender_id,
                        employee_id=employee_id,
                        method=method,
                        created_at=now,
                    )
                )
            return
        except IntegrityError:
            if attempt:
                raise


def linked_employee(sessions: sessionmaker[Session], *, channel: str, sender_id: str) -> int | None:
    """The employee this channel user has proven to be, if any."""
    with sessions() as session:
        return session.scalar(
            select(IdentityLink.employee_id).where(
                IdentityLink.channel == channel, IdentityLink.sender_id == sender_id
            )
        )


def _claimed_employee(claims: dict[str, Any]) -> int | None:
    """The employee id a token names: `employee_id` if present, else `sub`; a positive integer."""
    value = claims.get("employee_id", claims.get("sub"))
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_EMPLOYEE_ID else None


def _decode_token(
    token: str, *, key: str, algorithm: str, audience: str | None, issuer: str | None
) -> int | Literal["expired", "invalid"]:
    """The employee id in a valid token, or why it is refused. Only the configured algorithm is
    accepted, so neither "none" nor an HS256 token keyed with the RS256 public key gets through."""
    if algorithm not in JWT_ALGORITHMS or not key:
        logger.error("identity tokens are refused: no key, or algorithm %r unsupported", algorithm)
        return "invalid"
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return "invalid"
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=audience,
            issuer=issuer,
            leeway=JWT_LEEWAY_SECONDS,
            options={"require": ["exp"]},
        )
    except jwt.ExpiredSignatureError:
        return "expired"
    except jwt.InvalidKeyError as error:
        logger.error("the identity token key does not suit %s: %s", algorithm, type(error).__name__)
        return "invalid"
    except (jwt.PyJWTError, ValueError, TypeError):
        return "invalid"
    employee_id = _claimed_employee(claims)
    return "invalid" if employee_id is None else employee_id


def prove_with_token(
    sessions: sessionmaker[Session],
    records: LearnerRecords,
    *,
    channel: str,
    sender_id: str,
    token: str,
    key: str,
    algorithm: Literal["HS256", "RS256"],
    audience: str | None,
    issuer: str | None,
) -> ProofResult:
    """Check a portal-signed JWT (exp required, 30 s leeway) naming the employee in `employee_id` or
    `sub`, and link this sender to them. Raises `RecordsUnavailable` when the records are down."""
    where: _Who = {"channel": channel, "sender_id": sender_id}
    decoded = _decode_token(token, key=key, algorithm=algorithm, audience=audience, issuer=issuer)
    if isinstance(decoded, str):
        return _finish(sessions, **where, action=PROVE_JWT, reason=decoded)
    try:
        employee = records.get_employee(decoded)
    except RecordsUnavailable:
        audit.record(sessions, **where, employee_id=None, action=PROVE_JWT, outcome="unavailable")
        raise
    if employee is None:
        return _finish(sessions, **where, action=PROVE_JWT, reason="unknown")
    _link(sessions, **where, employee_id=employee.id, method="jwt", now=utcnow())
    return _finish(sessions, **where, action=PROVE_JWT, reason="ok", employee_id=employee.id)


def prove_with_phone(
    sessions: sessionmaker[Session],
    records: LearnerRecords,
    *,
    channel: str,
    sender_id: str,
    phone: str,
    method: Literal["whatsapp", "telegram"],
) -> ProofResult:
    """Link this sender to the employee whose registered mobile is `phone`, a number the channel has
    already verified (the connector checks that). "+91 98765 43210", "098765…" and "9876543210" are the
    same number; anything else, or a number registered to nobody (or to several), is "mismatch"."""
    if method not in ("whatsapp", "telegram"):
        raise ValueError("phone proofs come from whatsapp or telegram only")
    where: _Who = {"channel": channel, "sender_id": sender_id}
    action = f"prove_{method}"
    number = normalise_mobile(ascii_digits(phone)) if isinstance(phone, str) else None
    if number is None:
        return _finish(sessions, **where, action=action, reason="mismatch")
    try:
        employee = records.find_by_mobile(number)
    except RecordsUnavailable:
        audit.record(sessions, **where, employee_id=None, action=action, outcome="unavailable")
        raise
    if employee is None or normalise_mobile(employee.mobile) != number:
        return _finish(sessions, **where, action=action, reason="mismatch")
    _link(sessions, **where, employee_id=employee.id, method=method, now=utcnow())
    return _finish(sessions, **where, action=action, reason="ok", employee_id=employee.id)


def _throttle_wait(sessions: sessionmaker[Session], *, channel: str, sender_id: str, now: datetime) -> int:
    """Seconds this sender must wait before another code (0: none). Counted from the audit trail, so
    asking for an unknown address counts the same as for a real one."""
    sent = audit.times(
        sessions,
        action=CODE_START,
        outcomes=_COUNTED,
        since=now - timedelta(hours=1),
        channel=channel,
        sender_id=sender_id,
    )
    waits = [0.0]
    if sent:
        waits.append((sent[-1] + RESEND_INTERVAL - now).total_seconds())
    if len(sent) >= CODES_PER_HOUR:
        waits.append((sent[-CODES_PER_HOUR] + timedelta(hours=1) - now).total_seconds())
    return math.ceil(max(waits))


def start_email_code(
    sessions: sessionmaker[Session],
    records: LearnerRecords,
    mailer: Mailer,
    *,
    channel: str,
    sender_id: str,
    email: str,
    now: datetime | None = None,
    ttl: timedelta = CODE_TTL,
    approved_domains: frozenset[str] = frozenset(),
) -> CodeStart:
    """Mail a one-time code to `email` if it is an employee's official address; answer "sent" either way.

    A new code replaces the sender's previous one. Raises `RecordsUnavailable` when the records are
    down, and `MailUnavailable` when the mail cannot be handed over (the stored code is removed again).
    """
    now = _utc(now)
    where: _Who = {"channel": channel, "sender_id": sender_id}

    def audited(outcome: str, employee_id: int | None = None) -> None:
        audit.record(sessions, **where, employee_id=employee_id, action=CODE_START, outcome=outcome, at=now)

    parsed = parse_email(email if isinstance(email, str) else "", approved_domains=approved_domains)
    if parsed.value is None:
        audited("invalid_email")
        return CodeStart(status="invalid_email", error=parsed.error)
    wait = _throttle_wait(sessions, **where, now=now)
    if wait > 0:
        audited("throttled")
        return CodeStart(status="throttled", retry_after=wait)
    try:
        employee = records.find_by_email(parsed.value)
    except RecordsUnavailable:
        audited("unavailable")
        raise
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    code_hash = HASHER.hash(code)  # also for an unknown address, so both answers take about as long
    if employee is None:
        audited("unknown_email")
        return CodeStart(status="sent")
    recent_for_employee = audit.times(
        sessions,
        action=CODE_START,
        outcomes=("sent",),
        since=now - timedelta(hours=1),
        employee_id=employee.id,
    )
    if len(recent_for_employee) >= CODES_PER_EMPLOYEE_PER_HOUR:
        audited("suppressed", employee.id)
        return CodeStart(status="sent")

    with sessions.begin() as session:
        session.execute(
            delete(EmailCode).where(EmailCode.channel == channel, EmailCode.sender_id == sender_id)
        )
        row = EmailCode(
            channel=channel,
            sender_id=sender_id,
            employee_id=employee.id,
            code_hash=code_hash,
            attempts=0,
            created_at=now,
            expires_at=now + ttl,
        )
        session.add(row)
        session.flush()
        code_id = row.id
    subject, body = sign_in_code_message(code, minutes=max(1, round(ttl.total_seconds() / 60)))
    try:
        mailer.send(to=employee.email, subject=subject, body=body)
    except BaseException as error:
        with sessions.begin() as session:  # nothing half-done: no code without its mail
            session.execute(delete(EmailCode).where(EmailCode.id == code_id))
        if isinstance(error, MailUnavailable):
            audited("mail_unavailable", employee.id)
        raise
    audited("sent", employee.id)
    return CodeStart(status="sent")


def _code_matches(code_hash: str, code: str) -> bool:
    try:
        return HASHER.verify(code_hash, code)
    except (VerificationError, InvalidHashError):
        return False


def verify_email_code(
    sessions: sessionmaker[Session],
    *,
    channel: str,
    sender_id: str,
    code: str,
    now: datetime | None = None,
) -> ProofResult:
    """Check the code this sender was mailed; the right one links them to the employee. Every try,
    right or wrong, uses up one of the code's attempts, claimed atomically so that parallel guesses
    cannot exceed the limit."""
    now = _utc(now)
    where: _Who = {"channel": channel, "sender_id": sender_id}
    typed = ascii_digits("".join(code.split())) if isinstance(code, str) else ""
    with sessions() as session:
        row = session.scalars(
            select(EmailCode)
            .where(
                EmailCode.channel == channel, EmailCode.sender_id == sender_id, EmailCode.used_at.is_(None)
            )
            .order_by(EmailCode.id.desc())
            .limit(1)
        ).first()
    if row is None:
        return _finish(sessions, **where, action=CODE_VERIFY, reason="no_code", at=now)
    employee_id = row.employee_id
    if _utc(row.expires_at) <= now:
        return _finish(
            sessions, **where, action=CODE_VERIFY, reason="expired", employee_id=employee_id, at=now
        )
    with sessions.begin() as session:
        claimed = _rowcount(
            session.execute(
                update(EmailCode)
                .where(
                    EmailCode.id == row.id,
                    EmailCode.attempts < MAX_CODE_ATTEMPTS,
                    EmailCode.used_at.is_(None),
                )
                .values(attempts=EmailCode.attempts + 1)
            )
        )
        attempts = session.scalar(select(EmailCode.attempts).where(EmailCode.id == row.id))
    if not claimed:
        return _finish(
            sessions,
            **where,
            action=CODE_VERIFY,
            reason="locked",
            employee_id=employee_id,
            attempts_left=0,
            at=now,
        )
    attempts_left = max(0, MAX_CODE_ATTEMPTS - (attempts or MAX_CODE_ATTEMPTS))
    right = len(typed) == CODE_DIGITS and typed.isdigit() and _code_matches(row.code_hash, typed)
    if not right:
        reason: Reason = "wrong_code" if attempts_left else "locked"
        return _finish(
            sessions,
            **where,
            action=CODE_VERIFY,
            reason=reason,
            employee_id=employee_id,
            attempts_left=attempts_left,
            at=now,
        )
    with sessions.begin() as session:
        used = _rowcount(
            session.execute(
                update(EmailCode)
                .where(EmailCode.id == row.id, EmailCode.used_at.is_(None))
                .values(used_at=now)
            )
        )
        session.execute(
            delete(EmailCode).where(
                EmailCode.channel == channel, EmailCode.sender_id == sender_id, EmailCode.id != row.id
            )
        )
    if not used or employee_id is None:  # a parallel try used it first
        return _finish(sessions, **where, action=CODE_VERIFY, reason="no_code", at=now)
    _link(sessions, **where, employee_id=employee_id, method="email_code", now=now)
    return _finish(sessions, **where, action=CODE_VERIFY, reason="ok", employee_id=employee_id, at=now)


def forget(sessions: sessionmaker[Session], *, channel: str, sender_id: str) -> bool:
    """Remove this sender's link and any pending codes. True if there was a link to remove."""
    with sessions.begin() as session:
        employee_id = session.scalar(
            select(IdentityLink.employee_id).where(
                IdentityLink.channel == channel, IdentityLink.sender_id == sender_id
            )
        )
        removed = _rowcount(
            session.execute(
                delete(IdentityLink).where(
                    IdentityLink.channel == channel, IdentityLink.sender_id == sender_id
                )
            )
        )
        session.execute(
            delete(EmailCode).where(EmailCode.channel == channel, EmailCode.sender_id == sender_id)
        )
    audit.record(
        sessions,
        channel=channel,
        sender_id=sender_id,
        employee_id=employee_id,
        action=FORGET,
        outcome="removed" if removed else "nothing",
    )
    return bool(removed)
