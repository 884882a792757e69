"""Proving that a channel user is an employee, and remembering it per (channel, sender_id).

Nothing personal is shown until one of three proofs succeeds: a token signed by the portal, a phone
number the channel itself verified (WhatsApp, Telegram), or a one-time code sent to the official e-mail
address on record. Every attempt, good or bad, leaves an audit row without personal data in it.

The e-mail code is never stored, only its argon2 hash; it expires, locks after a few wrong tries, and
both steps (asking for a code, typing it) answer the same, in the same time, whether or not the address
belongs to anyone: an unknown address gets a decoy code that is never mailed and never matches, and the
real mail is sent after the reply, in the background (`deliver_code`).

Codes are throttled per sender, per requester (the network a browser or REST caller came from, or the
chat account on WhatsApp and Telegram) and per employee, and one requester may use only a part of an
employee's hourly allowance: changing sender ids cannot flood an inbox or lock the real person out.

A link made on a channel where anyone can claim a sender id (REST, the widget) holds for the conversation
session it was made in, at most `WEAK_LINK_TTL`; WhatsApp and Telegram vouch for their senders, so a link
there holds until "forget me".
"""

import logging
import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, TypedDict, cast

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CursorResult, Result, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import as_utc, utcnow
from bot.identity import audit
from bot.identity.mailer import Mailer, sign_in_code_message
from bot.identity.tables import EmailCode, IdentityLink
from bot.records.source import LearnerRecords, RecordsUnavailable
from bot.validators import normalise_mobile, parse_email
from contract.conversations import VERIFIED_SENDER_CHANNELS
from contract.privacy import ascii_digits

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(seconds=60)
# Per sender (one conversation): past this the user reads "wait a little".
CODES_PER_HOUR = 3
# Per requester: one office behind one address shares this, so it is generous; it stops one machine
# spraying codes at many addresses. Past it the user reads "wait a little".
CODES_PER_REQUESTER_PER_HOUR = 30
# Per employee, silently (the user still reads "sent", as for an unknown address): no inbox gets more than
# ten codes an hour, and no one requester more than three of them, so an attacker on one network can
# neither flood an officer's inbox nor use up the ten and lock the officer out.
CODES_PER_EMPLOYEE_PER_HOUR = 10
CODES_PER_REQUESTER_PER_EMPLOYEE = 3
# A link on a channel whose sender ids anyone can claim lasts one session at most.
WEAK_LINK_TTL = timedelta(hours=2)
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
CODE_MAIL = "email_code_mail"
# Start outcomes that count towards the throttles: each looks like "sent" to the user.
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
class CodeMail:
    """A code mail waiting to be handed to the mailer (`deliver_code`), after the user has been answered."""

    code_id: int
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class CodeStart:
    """What the user may be told after asking for a code. "sent" also when the address is unknown."""

    status: Literal["sent", "throttled", "invalid_email"]
    error: str | None = None  # for "invalid_email": the validator's code (utter_invalid_<error>)
    retry_after: int | None = None  # for "throttled": seconds until a new code may be asked for
    mail: CodeMail | None = field(default=None, repr=False, compare=False)


class _Who(TypedDict):
    channel: str
    sender_id: str


def _rowcount(result: Result[Any]) -> int:
    return cast(CursorResult[Any], result).rowcount


def _utc(now: datetime | None) -> datetime:
    return utcnow() if now is None else as_utc(now)


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
    session_key: str | None = None,
) -> None:
    """Store the proven link, replacing any earlier one of this sender. A concurrent proof of the same
    sender can win the unique constraint; one retry then replaces its link. On a channel that cannot
    vouch for its senders the link is bound to this conversation session and expires."""
    weak = channel not in VERIFIED_SENDER_CHANNELS
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
                        session_key=session_key if weak else None,
                        expires_at=now + WEAK_LINK_TTL if weak else None,
                    )
                )
            return
        except IntegrityError:
            if attempt:
                raise


def linked_employee(
    sessions: sessionmaker[Session],
    *,
    channel: str,
    sender_id: str,
    session_key: str | None = None,
    now: datetime | None = None,
) -> int | None:
    """The employee this channel user has proven to be, if the proof still holds: on REST and the
    widget only in the session it was made in, and not past its expiry."""
    with sessions() as session:
        link = session.scalars(
            select(IdentityLink).where(IdentityLink.channel == channel, IdentityLink.sender_id == sender_id)
        ).first()
    if link is None:
        return None
    if channel in VERIFIED_SENDER_CHANNELS:
        return link.employee_id
    if link.session_key != session_key or link.expires_at is None or _utc(link.expires_at) <= _utc(now):
        return None
    return link.employee_id


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
    session_key: str | None = None,
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
    _link(sessions, **where, employee_id=employee.id, method="jwt", now=utcnow(), session_key=session_key)
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


def _throttle_wait(
    sessions: sessionmaker[Session], *, channel: str, sender_id: str, requester: str, now: datetime
) -> int:
    """Seconds this sender and requester must wait before another code (0: none). Counted from the
    audit trail, so asking for an unknown address counts the same as for a real one."""
    hour_ago = now - timedelta(hours=1)
    sent = audit.times(
        sessions, action=CODE_START, outcomes=_COUNTED, since=hour_ago, channel=channel, sender_id=sender_id
    )
    by_requester = audit.times(
        sessions, action=CODE_START, outcomes=_COUNTED, since=hour_ago, requester=requester
    )
    waits = [0.0]
    if sent:
        waits.append((sent[-1] + RESEND_INTERVAL - now).total_seconds())
    if len(sent) >= CODES_PER_HOUR:
        waits.append((sent[-CODES_PER_HOUR] + timedelta(hours=1) - now).total_seconds())
    if len(by_requester) >= CODES_PER_REQUESTER_PER_HOUR:
        waits.append((by_requester[-CODES_PER_REQUESTER_PER_HOUR] + timedelta(hours=1) - now).total_seconds())
    return math.ceil(max(waits))


def _held_back(sessions: sessionmaker[Session], *, employee_id: int, requester: str, now: datetime) -> bool:
    """Whether this employee has had enough codes this hour, from everyone or from this requester."""
    hour_ago = now - timedelta(hours=1)
    mailed = audit.times(
        sessions, action=CODE_START, outcomes=("sent",), since=hour_ago, employee_id=employee_id
    )
    mine = audit.times(
        sessions,
        action=CODE_START,
        outcomes=("sent",),
        since=hour_ago,
        employee_id=employee_id,
        requester=requester,
    )
    return len(mailed) >= CODES_PER_EMPLOYEE_PER_HOUR or len(mine) >= CODES_PER_REQUESTER_PER_EMPLOYEE


def start_email_code(
    sessions: sessionmaker[Session],
    records: LearnerRecords,
    *,
    channel: str,
    sender_id: str,
    email: str,
    requester: str | None = None,
    now: datetime | None = None,
    ttl: timedelta = CODE_TTL,
    approved_domains: frozenset[str] = frozenset(),
) -> CodeStart:
    """Prepare a one-time code for `email` if it is an employee's official address; answer "sent" either
    way. The mail itself is in the result, for `deliver_code` after the user has been answered, so the
    answer takes as long for an unknown address as for a known one.

    A new code replaces the sender's previous one; an unknown address or a held-back mail leaves a decoy.
    `requester` (default: the sender) is who asks beyond the sender id. Raises `RecordsUnavailable` when
    the records are down.
    """
    now = _utc(now)
    where: _Who = {"channel": channel, "sender_id": sender_id}
    requester = requester or sender_id

    def audited(outcome: str, employee_id: int | None = None) -> None:
        audit.record(
            sessions,
            **where,
            employee_id=employee_id,
            action=CODE_START,
            outcome=outcome,
            at=now,
            requester=requester,
        )

    parsed = parse_email(email if isinstance(email, str) else "", approved_domains=approved_domains)
    if parsed.value is None:
        audited("invalid_email")
        return CodeStart(status="invalid_email", error=parsed.error)
    wait = _throttle_wait(sessions, **where, requester=requester, now=now)
    if wait > 0:
        audited("throttled")
        return CodeStart(status="throttled", retry_after=wait)
    try:
        employee = records.find_by_email(parsed.value)
    except RecordsUnavailable:
        audited("unavailable")
        raise
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    code_hash = HASHER.hash(code)
    # The same queries whether or not the address is known, so the answer takes the same time.
    held_back = _held_back(
        sessions, employee_id=employee.id if employee else -1, requester=requester, now=now
    )
    mailed = employee is not None and not held_back
    with sessions.begin() as session:
        session.execute(
            delete(EmailCode).where(EmailCode.channel == channel, EmailCode.sender_id == sender_id)
        )
        row = EmailCode(
            channel=channel,
            sender_id=sender_id,
            employee_id=employee.id if mailed and employee else None,
            code_hash=code_hash,
            attempts=0,
            created_at=now,
            expires_at=now + ttl,
        )
        session.add(row)
        session.flush()
        code_id = row.id
    if employee is None:
        audited("unknown_email")
        return CodeStart(status="sent")
    if not mailed:
        audited("suppressed", employee.id)
        return CodeStart(status="sent")
    audited("sent", employee.id)
    subject, body = sign_in_code_message(code, minutes=max(1, round(ttl.total_seconds() / 60)))
    return CodeStart(
        status="sent", mail=CodeMail(code_id=code_id, to=employee.email, subject=subject, body=body)
    )


def deliver_code(
    sessions: sessionmaker[Session], mailer: Mailer, started: CodeStart, *, channel: str, sender_id: str
) -> bool:
    """Hand a prepared code mail to the mailer. When that fails the code is withdrawn (no code without
    its mail) and the failure audited; the user, told "sent", can ask again or ask for the helpdesk."""
    mail = started.mail
    if mail is None:
        return False
    try:
        mailer.send(to=mail.to, subject=mail.subject, body=mail.body)
    except Exception as error:
        with sessions.begin() as session:
            session.execute(delete(EmailCode).where(EmailCode.id == mail.code_id))
        audit.record(
            sessions,
            channel=channel,
            sender_id=sender_id,
            employee_id=None,
            action=CODE_MAIL,
            outcome="failed",
        )
        logger.error("a sign-in code could not be mailed: %s", type(error).__name__)
        return False
    return True


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
    session_key: str | None = None,
) -> ProofResult:
    """Check the code this sender was mailed; the right one links them to the employee. Every try,
    right or wrong, uses up one of the code's attempts, claimed atomically so that parallel guesses
    cannot exceed the limit. A decoy (no employee) answers like a real code and never matches."""
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
    matches = _code_matches(row.code_hash, typed) if len(typed) == CODE_DIGITS and typed.isdigit() else False
    right = matches and employee_id is not None
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
    _link(sessions, **where, employee_id=employee_id, method="email_code", now=now, session_key=session_key)
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
