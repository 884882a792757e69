"""Personal records over REST with the real servers, the demo data and a real SMTP server."""

import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from email.message import EmailMessage

import jwt
import pytest
from sqlalchemy import select

from bot.db import make_engine, make_sessions
from bot.identity.tables import AuditRecord
from bot.records.demo import DEMO_IDENTITIES
from bot.records.tables import Employee
from contract.privacy import mask_email
from tests.e2e.servers import PORTAL_SECRET, Servers
from tests.e2e.test_rest import texts

pytestmark = pytest.mark.e2e
DEMO = {identity.situation: identity for identity in DEMO_IDENTITIES}


def new_user() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def employee_id(servers: Servers, code: str) -> int:
    engine = make_engine(servers.database_url)
    try:
        with make_sessions(engine)() as session:
            found = session.scalar(select(Employee.id).where(Employee.code == code))
    finally:
        engine.dispose()
    assert found is not None
    return found


def portal_token(servers: Servers, code: str, *, key: str = PORTAL_SECRET) -> str:
    claims = {"employee_id": employee_id(servers, code), "exp": datetime.now(UTC) + timedelta(minutes=5)}
    return jwt.encode(claims, key, algorithm="HS256")


def code_sent_to(servers: Servers, email: str, *, after: int = 0) -> str:
    """The code in the newest mail to `email` among those after the first `after`; the action server
    mails it just after replying, so this waits for it a little."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for recipients, raw in reversed(servers.inbox.messages[after:]):
            if email in recipients:
                message = message_from_string(raw, policy=policy.default)
                assert isinstance(message, EmailMessage)
                body = message.get_body(("plain",))
                assert body is not None
                found = re.search(r"\b(\d{6})\b", body.get_content())
                assert found, "no code in the mail"
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {email}")


def test_an_email_code_proves_who_asks_then_progress_is_shown(servers: Servers) -> None:
    me, behind = new_user(), DEMO["behind"]
    asked = texts(servers.say(me, "how many of my mandatory courses have I finished?"))
    assert "confirm who you are" in asked and "official email" in asked
    before = len(servers.inbox.messages)
    assert "6-digit code" in texts(servers.say(me, behind.email))
    summary = texts(servers.say(me, code_sent_to(servers, behind.email, after=before)))
    assert "1 of 8 prescribed courses" in summary and "Comprehensive Assessment: not taken" in summary
    assert "31.03.2026" in summary and "Not finished yet (7)" in summary
    # Proven once for this chat: the next personal question needs no code.
    karma = texts(servers.say(me, "/ask_karma_points"))
    assert "Your Karma Points:" in karma
    # The stored conversation keeps a masked trace of the address and never the code.
    stored = json.dumps(servers.tracker(f"rest:{me}"), ensure_ascii=False)
    assert behind.email not in stored and mask_email(behind.email) in stored


def test_a_wrong_code_shows_nothing(servers: Servers) -> None:
    me, on_track = new_user(), DEMO["on_track"]
    servers.say(me, "/ask_course_progress")
    before = len(servers.inbox.messages)
    servers.say(me, on_track.email)
    code = code_sent_to(servers, on_track.email, after=before)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    reply = texts(servers.say(me, wrong))
    assert "not right" in reply and "prescribed courses" not in reply


def test_an_unknown_email_gets_the_same_reply_and_no_mail(servers: Servers) -> None:
    me = new_user()
    before = len(servers.inbox.messages)
    servers.say(me, "/ask_course_progress")
    assert "If this email is in our records" in texts(servers.say(me, "no.such.person@istm.gov.in"))
    time.sleep(1)  # a mail would go out just after the reply
    assert len(servers.inbox.messages) == before


def test_the_portal_token_answers_in_hindi(servers: Servers) -> None:
    me, on_track = new_user(), DEMO["on_track"]
    token = portal_token(servers, on_track.code)
    reply = texts(servers.say(me, "मेरी कोर्स प्रगति बताइए", metadata={"portal_token": token}))
    assert "निर्धारित 8 में से 5 पाठ्यक्रम पूरे हुए" in reply and "उत्तीर्ण" in reply
    assert token not in json.dumps(servers.tracker(f"rest:{me}"))


def test_a_forged_token_shows_nothing(servers: Servers) -> None:
    me, on_track = new_user(), DEMO["on_track"]
    forged = portal_token(servers, on_track.code, key="some-other-secret-at-least-32-bytes-long")
    reply = texts(servers.say(me, "/ask_course_progress", metadata={"portal_token": forged}))
    assert "could not be verified" in reply and "prescribed courses" not in reply


def test_someone_elses_records_are_refused_and_audited(servers: Servers) -> None:
    me, on_track, behind = new_user(), DEMO["on_track"], DEMO["behind"]
    token = portal_token(servers, on_track.code)
    reply = texts(servers.say(me, f"show the progress of {behind.email}", metadata={"portal_token": token}))
    assert "cannot show another person's records" in reply and "prescribed" not in reply
    engine = make_engine(servers.database_url)
    try:
        with make_sessions(engine)() as session:
            outcomes = session.scalars(
                select(AuditRecord.outcome).where(AuditRecord.sender_id == f"rest:{me}")
            ).all()
    finally:
        engine.dispose()
    assert "refused" in outcomes
