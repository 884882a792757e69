"""Helpdesk staff: accounts, signing in with throttles that lock out no one else, and the audit trail.

Throttles count failed attempts per name *and network* (5 in 15 minutes) and per network (30 in 15
minutes), so a stranger guessing an agent's password from elsewhere slows only themself: the agent,
signing in from the office, is never locked out by someone else's failures. An unknown name costs the
same Argon2 verification as a known one, and answers the same, so the sign-in page tells nobody which
accounts exist.
"""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import as_utc, utcnow
from bot.helpdesk.tables import Staff, StaffAction, StaffRole, StaffSignIn

HASHER = PasswordHasher()
USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,63}")
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256
THROTTLE_WINDOW = timedelta(minutes=15)
FAILURES_PER_NAME_AND_NETWORK = 5
FAILURES_PER_NETWORK = 30
# Verified when the name is unknown, so that answering takes as long as for a real account.
_DUMMY_HASH = HASHER.hash("no such account: the same work as a real one")


class StaffError(ValueError):
    """Bad account details; the message says what to change and holds no password."""


def normalise_username(value: str) -> str:
    return value.strip().casefold()


def check_password(password: str, *, username: str) -> None:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise StaffError(f"a password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")
    if username in password.casefold():
        raise StaffError("a password must not contain the username")


def add_staff(
    sessions: sessionmaker[Session], *, username: str, first_name: str, password: str, role: StaffRole
) -> Staff:
    name = normalise_username(username)
    if not USERNAME.fullmatch(name):
        raise StaffError("a username is 2-64 characters: a letter, then letters, digits, '.', '_' or '-'")
    first = " ".join(first_name.split())
    if not 1 <= len(first) <= 40:
        raise StaffError("a first name is 1-40 characters")
    check_password(password, username=name)
    with sessions.begin() as session:
        if session.scalar(select(Staff.id).where(Staff.username == name)) is not None:
            raise StaffError(f"there is already an account {name!r}")
        staff = Staff(username=name, first_name=first, role=role, password_hash=HASHER.hash(password))
        session.add(staff)
    return staff


def set_password(sessions: sessionmaker[Session], *, username: str, password: str) -> None:
    """A new password; every session signed in with the old one ends."""
    name = normalise_username(username)
    check_password(password, username=name)
    with sessions.begin() as session:
        staff = session.scalar(select(Staff).where(Staff.username == name))
        if staff is None:
            raise StaffError(f"there is no account {name!r}")
        staff.password_hash = HASHER.hash(password)
        staff.session_version += 1


def set_active(sessions: sessionmaker[Session], *, username: str, active: bool) -> None:
    """Disabling an account ends its sessions at their next request; its audit trail stays."""
    with sessions.begin() as session:
        staff = session.scalar(select(Staff).where(Staff.username == normalise_username(username)))
        if staff is None:
            raise StaffError(f"there is no account {normalise_username(username)!r}")
        staff.active = active
        staff.session_version += 1


def list_staff(sessions: sessionmaker[Session]) -> list[Staff]:
    with sessions() as session:
        return list(session.scalars(select(Staff).order_by(Staff.username)))


def find_staff(sessions: sessionmaker[Session], *, staff_id: int, session_version: int) -> Staff | None:
    """The signed-in account a console session names, if it is still active and its password unchanged."""
    with sessions() as session:
        staff = session.get(Staff, staff_id)
        if staff is None or not staff.active or staff.session_version != session_version:
            return None
        return staff


@dataclass(frozen=True)
class SignIn:
    status: Literal["ok", "wrong", "throttled"]
    staff: Staff | None = None
    retry_after: int = 0  # seconds, when throttled


def _failures(session: Session, since: datetime, **where: str) -> list[datetime]:
    query = select(StaffSignIn.at).where(StaffSignIn.succeeded.is_(False), StaffSignIn.at >= since)
    for column, value in where.items():
        query = query.where(getattr(StaffSignIn, column) == value)
    return sorted(as_utc(at) for at in session.scalars(query))


def throttle_wait(sessions: sessionmaker[Session], *, username: str, network: str, now: datetime) -> int:
    """Seconds before this name may be tried again from this network (0: now)."""
    since = now - THROTTLE_WINDOW
    with sessions() as session:
        pair = _failures(session, since, username=normalise_username(username)[:64], network=network)
        everyone = _failures(session, since, network=network)
    waits = [0.0]
    if len(pair) >= FAILURES_PER_NAME_AND_NETWORK:
        waits.append((pair[-FAILURES_PER_NAME_AND_NETWORK] + THROTTLE_WINDOW - now).total_seconds())
    if len(everyone) >= FAILURES_PER_NETWORK:
        waits.append((everyone[-FAILURES_PER_NETWORK] + THROTTLE_WINDOW - now).total_seconds())
    return max(math.ceil(max(waits)), 0)


def sign_in(
    sessions: sessionmaker[Session],
    *,
    username: str,
    password: str,
    network: str,
    now: datetime | None = None,
) -> SignIn:
    now = now or utcnow()
    name = normalise_username(username)[:64]
    wait = throttle_wait(sessions, username=name, network=network, now=now)
    if wait:
        return SignIn(status="throttled", retry_after=wait)
    with sessions.begin() as session:
        staff = session.scalar(select(Staff).where(Staff.username == name))
        known = staff is not None and staff.active
        try:
            HASHER.verify(
                staff.password_hash if known and staff else _DUMMY_HASH, password[:MAX_PASSWORD_CHARS]
            )
            matched = known
        except (VerificationError, InvalidHashError):
            matched = False
        session.add(StaffSignIn(username=name, network=network, succeeded=matched, at=now))
        if not matched or staff is None:
            return SignIn(status="wrong")
        if HASHER.check_needs_rehash(staff.password_hash):
            staff.password_hash = HASHER.hash(password)
        session.add(StaffAction(staff_id=staff.id, action="sign_in", detail={}, at=now))
        session.flush()
        session.expunge(staff)
        return SignIn(status="ok", staff=staff)


def record_action(
    sessions: sessionmaker[Session],
    *,
    staff_id: int,
    action: str,
    conversation: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    with sessions.begin() as session:
        session.add(
            StaffAction(staff_id=staff_id, action=action, conversation=conversation, detail=detail or {})
        )
