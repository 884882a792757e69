"""The identity layer on SQLite and PostgreSQL: portal tokens, verified phones, e-mail codes, forgetting,
and the audit trail they leave."""

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.identity import audit, proofs
from bot.identity.proofs import CodeStart
from bot.identity.tables import AuditRecord, EmailCode, IdentityLink
from bot.records.source import EmployeeRef, RecordsUnavailable
from bot.records.tables import Employee, OrgType, OrgUnit
from tests.fakes import FakeLearnerRecords, FakeMailer

SECRET = "portal-shared-secret-for-tests-0123456789"
NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
WHO: dict[str, Any] = {"channel": "rest", "sender_id": "user-1"}
ANITA = EmployeeRef(101, "Anita Sharma", "anita.sharma@nic.in", "9876543210", "Section Officer", "B", "RIO")
RAVI = EmployeeRef(102, "Ravi Kumar", "ravi.kumar@gov.in", "9123456780", "Assistant", "C", "RIO")
PERSONAL = ("anita", "sharma", "ravi", "kumar", "@", "9876543210", "9123456780")


class CountingHasher(PasswordHasher):
    """A cheap argon2 hasher (the real cost is not under test) that counts the hashes made."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.hashes = 0

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.hashes += 1
        return super().hash(password, salt=salt)


@pytest.fixture(autouse=True)
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(proofs, "HASHER", counting)
    return counting


@pytest.fixture
def records(sessions: sessionmaker[Session]) -> FakeLearnerRecords:
    """Anita and Ravi, also as rows of the employees table (the links refer to it)."""
    with sessions.begin() as session:
        session.add(OrgUnit(id=1, code="RIO", name="RIO", type=OrgType.organisation))
        for person in (ANITA, RAVI):
            session.add(
                Employee(
                    id=person.id,
                    code=f"E{person.id}",
                    name=person.name,
                    email=person.email,
                    mobile=person.mobile,
                    designation=person.designation,
                    group=person.group,
                    organisation_id=1,
                )
            )
    return FakeLearnerRecords([ANITA, RAVI])


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer()


def audit_rows(sessions: sessionmaker[Session]) -> list[tuple[str, str, int | None]]:
    with sessions() as session:
        rows = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
        return [(r.action, r.outcome, r.employee_id) for r in rows]


def link_of(sessions: sessionmaker[Session], channel: str = "rest", sender_id: str = "user-1"):
    with sessions() as session:
        return session.scalars(
            select(IdentityLink).where(IdentityLink.channel == channel, IdentityLink.sender_id == sender_id)
        ).first()


def codes(sessions: sessionmaker[Session]) -> list[EmailCode]:
    with sessions() as session:
        return list(session.scalars(select(EmailCode)).all())


# --- portal tokens -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[bytes, str]:
    """A private key (PEM) to sign with, and the public key text the bot is configured with."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


def claims(**extra: object) -> dict[str, object]:
    return {"sub": str(ANITA.id), "exp": int(time.time()) + 300, **extra}


def prove(sessions, records, token: str, *, key: str = SECRET, algorithm: str = "HS256", **options):
    return proofs.prove_with_token(
        sessions,
        records,
        **WHO,
        token=token,
        key=key,
        algorithm=algorithm,  # type: ignore[arg-type]
        audience=options.get("audience"),
        issuer=options.get("issuer"),
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_valid_hs256_token_links_the_sender(sessions, records):
    assert proofs.linked_employee(sessions, **WHO) is None
    result = prove(sessions, records, jwt.encode(claims(), SECRET, algorithm="HS256"))
    assert result == proofs.ProofResult(ok=True, reason="ok", employee_id=ANITA.id)
    assert proofs.linked_employee(sessions, **WHO) == ANITA.id
    assert link_of(sessions).method == "jwt"
    # The link belongs to this (channel, sender): the same id elsewhere is a different user.
    assert proofs.linked_employee(sessions, channel="whatsapp", sender_id="user-1") is None
    assert proofs.linked_employee(sessions, channel="rest", sender_id="user-2") is None
    assert audit_rows(sessions) == [("prove_jwt", "ok", ANITA.id)]


def test_valid_rs256_token_with_employee_id_claim(sessions, records, rsa_keys):
    private, public = rsa_keys
    token = jwt.encode(
        {"employee_id": RAVI.id, "exp": int(time.time()) + 60, "aud": "sahayak", "iss": "igot"},
        private,
        algorithm="RS256",
    )
    result = prove(sessions, records, token, key=public, algorithm="RS256", audience="sahayak", issuer="igot")
    assert result.ok and result.employee_id == RAVI.id
    assert proofs.linked_employee(sessions, **WHO) == RAVI.id


def test_a_new_proof_replaces_the_earlier_link(sessions, records):
    prove(sessions, records, jwt.encode(claims(), SECRET, algorithm="HS256"))
    prove(sessions, records, jwt.encode(claims(sub=str(RAVI.id)), SECRET, algorithm="HS256"))
    assert proofs.linked_employee(sessions, **WHO) == RAVI.id
    with sessions() as session:
        assert len(session.scalars(select(IdentityLink)).all()) == 1


def test_expired_token_beyond_the_leeway(sessions, records):
    late = jwt.encode(claims(exp=int(time.time()) - 60), SECRET, algorithm="HS256")
    result = prove(sessions, records, late)
    assert (result.ok, result.reason, result.employee_id) == (False, "expired", None)
    assert proofs.linked_employee(sessions, **WHO) is None
    # Within 30 seconds, clock skew is forgiven.
    assert prove(sessions, records, jwt.encode(claims(exp=int(time.time()) - 10), SECRET)).ok
    assert audit_rows(sessions) == [("prove_jwt", "expired", None), ("prove_jwt", "ok", ANITA.id)]


@pytest.mark.parametrize(
    "token",
    [
        jwt.encode(claims(), "some-other-secret-of-sufficient-length!!", algorithm="HS256"),
        jwt.encode({"sub": "101"}, SECRET, algorithm="HS256"),  # no exp
        jwt.encode(claims(sub="anita"), SECRET, algorithm="HS256"),  # not an employee id
        jwt.encode(claims(sub="-5"), SECRET, algorithm="HS256"),
        "not.a.token",
        "",
        "x" * 20000,
    ],
    ids=["forged", "no-exp", "non-numeric-sub", "negative-sub", "malformed", "empty", "huge"],
)
def test_invalid_tokens_are_refused(sessions, records, token):
    result = prove(sessions, records, token)
    assert (result.ok, result.reason, result.employee_id) == (False, "invalid", None)
    assert proofs.linked_employee(sessions, **WHO) is None
    assert audit_rows(sessions) == [("prove_jwt", "invalid", None)]


def test_tampered_payload_is_refused(sessions, records):
    header, _, signature = jwt.encode(claims(), SECRET, algorithm="HS256").split(".")
    other = b64(json.dumps(claims(sub=str(RAVI.id))).encode())
    assert prove(sessions, records, f"{header}.{other}.{signature}").reason == "invalid"


def test_hs256_token_keyed_with_the_rs256_public_key_is_refused(sessions, records, rsa_keys):
    """The classic algorithm confusion: the public key is not secret, so an HMAC over it proves nothing."""
    _, public = rsa_keys
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims()).encode())
    mac = hmac.new(public.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{payload}.{b64(mac)}"
    assert prove(sessions, records, forged, key=public, algorithm="RS256").reason == "invalid"
    # And a server misconfigured with the public key as an HS256 secret refuses it too.
    assert prove(sessions, records, forged, key=public, algorithm="HS256").reason == "invalid"
    assert proofs.linked_employee(sessions, **WHO) is None


def test_rs256_token_refused_when_hs256_is_configured(sessions, records, rsa_keys):
    private, _ = rsa_keys
    token = jwt.encode(claims(), private, algorithm="RS256")
    assert prove(sessions, records, token).reason == "invalid"


@pytest.mark.parametrize("algorithm", ["HS256", "RS256"])
def test_unsigned_none_token_is_refused(sessions, records, rsa_keys, algorithm):
    key = SECRET if algorithm == "HS256" else rsa_keys[1]
    unsigned = jwt.encode(claims(), "", algorithm="none")
    assert prove(sessions, records, unsigned, key=key, algorithm=algorithm).reason == "invalid"
    header = b64(json.dumps({"alg": "none"}).encode())
    handmade = f"{header}.{b64(json.dumps(claims()).encode())}."
    assert prove(sessions, records, handmade, key=key, algorithm=algorithm).reason == "invalid"
    assert proofs.linked_employee(sessions, **WHO) is None


def test_audience_and_issuer_are_checked_when_configured(sessions, records):
    token = jwt.encode(claims(aud="someone-else", iss="igot"), SECRET, algorithm="HS256")
    assert prove(sessions, records, token, audience="sahayak", issuer="igot").reason == "invalid"
    token = jwt.encode(claims(aud="sahayak", iss="elsewhere"), SECRET, algorithm="HS256")
    assert prove(sessions, records, token, audience="sahayak", issuer="igot").reason == "invalid"
    token = jwt.encode(claims(aud="sahayak", iss="igot"), SECRET, algorithm="HS256")
    assert prove(sessions, records, token, audience="sahayak", issuer="igot").ok


def test_an_empty_key_refuses_every_token(sessions, records):
    token = jwt.encode(claims(), SECRET, algorithm="HS256")
    assert prove(sessions, records, token, key="").reason == "invalid"


def test_token_for_an_unknown_employee(sessions, records):
    result = prove(sessions, records, jwt.encode(claims(sub="999"), SECRET, algorithm="HS256"))
    assert (result.ok, result.reason, result.employee_id) == (False, "unknown", None)
    assert proofs.linked_employee(sessions, **WHO) is None
    assert audit_rows(sessions) == [("prove_jwt", "unknown", None)]


def test_records_down_during_a_token_proof(sessions, records):
    records.down = True
    with pytest.raises(RecordsUnavailable):
        prove(sessions, records, jwt.encode(claims(), SECRET, algorithm="HS256"))
    assert proofs.linked_employee(sessions, **WHO) is None
    assert audit_rows(sessions) == [("prove_jwt", "unavailable", None)]


# --- phones verified by the channel -----------------------------------------------------------------


@pytest.mark.parametrize(
    "phone", ["9876543210", "+91 98765 43210", "919876543210", "098765-43210", "+९१ ९८७६५ ४३२१०"]
)
def test_phone_matching_the_registered_mobile(sessions, records, phone):
    result = proofs.prove_with_phone(sessions, records, **WHO, phone=phone, method="whatsapp")
    assert result == proofs.ProofResult(ok=True, reason="ok", employee_id=ANITA.id)
    assert records.mobile_queries == ["9876543210"]
    assert link_of(sessions).method == "whatsapp"
    assert audit_rows(sessions) == [("prove_whatsapp", "ok", ANITA.id)]


@pytest.mark.parametrize("phone", ["9000000000", "14159876543210", "98765", "", "+91 98765 4321", "call me"])
def test_phone_not_matching_any_registered_mobile(sessions, records, phone):
    result = proofs.prove_with_phone(sessions, records, **WHO, phone=phone, method="telegram")
    assert (result.ok, result.reason, result.employee_id) == (False, "mismatch", None)
    assert proofs.linked_employee(sessions, **WHO) is None
    assert audit_rows(sessions) == [("prove_telegram", "mismatch", None)]


def test_phone_is_compared_with_the_registered_mobile_itself(sessions, records):
    """A records source that answers loosely (any number finds Anita) still proves nobody."""
    records.find_by_mobile = lambda mobile: ANITA  # type: ignore[method-assign]
    result = proofs.prove_with_phone(sessions, records, **WHO, phone="9000000000", method="whatsapp")
    assert result.reason == "mismatch"
    assert proofs.linked_employee(sessions, **WHO) is None


def test_telegram_phone_link_is_stored_with_its_method(sessions, records):
    proofs.prove_with_phone(
        sessions, records, channel="telegram", sender_id="555", phone="+919123456780", method="telegram"
    )
    assert proofs.linked_employee(sessions, channel="telegram", sender_id="555") == RAVI.id
    assert link_of(sessions, "telegram", "555").method == "telegram"


# --- one-time codes by e-mail -------------------------------------------------------------------------


def start(
    sessions, records, mailer, *, email: str = ANITA.email, at: datetime = NOW, who=WHO, requester=None
) -> CodeStart:
    """Ask for a code, then deliver its mail, as the action does after answering."""
    started = proofs.start_email_code(sessions, records, **who, email=email, now=at, requester=requester)
    proofs.deliver_code(sessions, mailer, started, **who)
    return started


def verify(sessions, code: str, *, at: datetime = NOW, who=WHO) -> proofs.ProofResult:
    return proofs.verify_email_code(sessions, **who, code=code, now=at)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_email_code_happy_path(sessions, records, mailer):
    assert start(sessions, records, mailer, email="  Anita.Sharma@NIC.in ") == CodeStart(status="sent")
    assert [m["to"] for m in mailer.sent] == [ANITA.email]
    code = mailer.last_code()
    assert "10" in mailer.sent[0]["body"] and code not in mailer.sent[0]["subject"]
    assert proofs.linked_employee(sessions, **WHO) is None  # nothing before the proof

    result = verify(sessions, code, at=NOW + timedelta(minutes=3))
    assert result == proofs.ProofResult(ok=True, reason="ok", employee_id=ANITA.id, attempts_left=None)
    assert proofs.linked_employee(sessions, **WHO, now=NOW + timedelta(minutes=4)) == ANITA.id
    assert link_of(sessions).method == "email_code"
    # A code works once.
    assert verify(sessions, code, at=NOW + timedelta(minutes=4)).reason == "no_code"


def test_code_is_stored_only_as_an_argon2_hash(sessions, records, mailer):
    start(sessions, records, mailer)
    code = mailer.last_code()
    [row] = codes(sessions)
    assert row.code_hash.startswith("$argon2id$")
    stored = " ".join(str(getattr(row, column.key)) for column in EmailCode.__table__.columns)
    assert code not in stored
    assert row.employee_id == ANITA.id
    assert proofs._utc(row.expires_at) == NOW + timedelta(minutes=10)


def test_wrong_code_counts_down_the_attempts(sessions, records, mailer):
    start(sessions, records, mailer)
    code = mailer.last_code()
    first = verify(sessions, wrong(code))
    assert (first.ok, first.reason, first.attempts_left, first.employee_id) == (False, "wrong_code", 4, None)
    assert verify(sessions, "12345").attempts_left == 3  # too short still uses up a try
    assert proofs.linked_employee(sessions, **WHO) is None
    assert verify(sessions, f" {code[:3]} {code[3:]} ").ok  # spaces typed between digits are fine


def test_five_wrong_tries_lock_the_code(sessions, records, mailer):
    start(sessions, records, mailer)
    code = mailer.last_code()
    results = [verify(sessions, wrong(code)) for _ in range(5)]
    assert [(r.reason, r.attempts_left) for r in results] == [
        ("wrong_code", 4),
        ("wrong_code", 3),
        ("wrong_code", 2),
        ("wrong_code", 1),
        ("locked", 0),
    ]
    locked = verify(sessions, code)
    assert (locked.ok, locked.reason, locked.attempts_left) == (False, "locked", 0)
    assert proofs.linked_employee(sessions, **WHO) is None
    # A new code (after the resend interval) starts afresh.
    assert start(sessions, records, mailer, at=NOW + timedelta(seconds=61)).status == "sent"
    assert verify(sessions, mailer.last_code(), at=NOW + timedelta(seconds=70)).ok


def test_code_expires_after_ten_minutes(sessions, records, mailer):
    start(sessions, records, mailer)
    code = mailer.last_code()
    expired = verify(sessions, code, at=NOW + timedelta(minutes=10))
    assert (expired.ok, expired.reason) == (False, "expired")
    assert proofs.linked_employee(sessions, **WHO) is None

    other = {"channel": "rest", "sender_id": "user-2"}
    start(sessions, records, mailer, who=other)
    assert verify(sessions, mailer.last_code(), at=NOW + timedelta(minutes=9, seconds=59), who=other).ok


def test_no_code_requested(sessions, records):
    result = verify(sessions, "123456")
    assert (result.ok, result.reason, result.attempts_left) == (False, "no_code", None)
    assert audit_rows(sessions) == [("email_code_verify", "no_code", None)]


def test_resend_is_throttled(sessions, records, mailer):
    assert start(sessions, records, mailer).status == "sent"
    first = mailer.last_code()
    soon = start(sessions, records, mailer, at=NOW + timedelta(seconds=30))
    assert soon == CodeStart(status="throttled", retry_after=30)
    assert len(mailer.sent) == 1

    assert start(sessions, records, mailer, at=NOW + timedelta(seconds=61)).status == "sent"
    second = mailer.last_code()
    assert len(codes(sessions)) == 1  # the new code replaced the first
    if first != second:
        assert verify(sessions, first, at=NOW + timedelta(seconds=62)).reason == "wrong_code"

    assert proofs.CODES_PER_HOUR == 3
    assert start(sessions, records, mailer, at=NOW + timedelta(seconds=122)).status == "sent"
    assert len(mailer.sent) == 3
    hourly = start(sessions, records, mailer, at=NOW + timedelta(seconds=305))
    assert hourly == CodeStart(status="throttled", retry_after=3600 - 305)
    assert len(mailer.sent) == 3
    # Once the first code of the hour is an hour old, one more may go.
    assert start(sessions, records, mailer, at=NOW + timedelta(minutes=60, seconds=1)).status == "sent"
    # The throttle is per sender.
    other = {"channel": "rest", "sender_id": "user-2"}
    assert (
        start(sessions, records, mailer, at=NOW + timedelta(minutes=60, seconds=2), who=other).status
        == "sent"
    )


def test_unknown_email_looks_the_same_and_sends_nothing(sessions, records, mailer, hasher):
    other = {"channel": "rest", "sender_id": "user-2"}
    unknown = start(sessions, records, mailer, email="nobody.here@nic.in")
    known = start(sessions, records, mailer, who=other)
    assert unknown == known == CodeStart(status="sent")
    assert [m["to"] for m in mailer.sent] == [ANITA.email]
    # The unknown address has a decoy code: no employee behind it, never mailed.
    assert sorted((c.sender_id, c.employee_id) for c in codes(sessions)) == [
        ("user-1", None),
        ("user-2", ANITA.id),
    ]
    assert hasher.hashes == 2  # the unknown address paid for a hash too
    # It counts towards the throttle like a real one, so the throttle does not tell them apart either.
    assert start(sessions, records, mailer, at=NOW + timedelta(seconds=5)).status == "throttled"
    # And the code step answers the same: a wrong code counts down, then locks, for both.
    real_code = mailer.last_code()
    for attempts_left in (4, 3, 2, 1):
        decoy = verify(sessions, wrong(real_code))
        real = verify(sessions, wrong(real_code), who=other)
        assert (
            (decoy.reason, decoy.attempts_left)
            == (real.reason, real.attempts_left)
            == ("wrong_code", attempts_left)
        )
    assert (
        verify(sessions, real_code).reason == verify(sessions, wrong(real_code), who=other).reason == "locked"
    )


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("not an email", "email_syntax"),
        ("anita@gmail.com", "email_personal"),
        ("anita@example.com", "email_not_government"),
        ("a@nic.in b@nic.in", "email_several"),
    ],
)
def test_malformed_or_unofficial_email_is_refused(sessions, records, mailer, email, error):
    assert start(sessions, records, mailer, email=email) == CodeStart(status="invalid_email", error=error)
    assert mailer.sent == [] and codes(sessions) == []
    assert audit_rows(sessions) == [("email_code_start", "invalid_email", None)]


def test_mail_failure_leaves_no_code_behind(sessions, records):
    assert start(sessions, records, FakeMailer(fail=True)).status == "sent"  # the reply came first
    assert codes(sessions) == []
    assert audit_rows(sessions) == [
        ("email_code_start", "sent", ANITA.id),
        ("email_code_mail", "failed", None),
    ]
    assert verify(sessions, "123456").reason == "no_code"
    # Asking again after the resend interval works.
    mailer = FakeMailer()
    assert start(sessions, records, mailer, at=NOW + timedelta(seconds=61)).status == "sent"
    assert verify(sessions, mailer.last_code(), at=NOW + timedelta(seconds=62)).ok


def test_records_down_when_asking_for_a_code(sessions, records, mailer):
    records.down = True
    with pytest.raises(RecordsUnavailable):
        start(sessions, records, mailer)
    assert mailer.sent == [] and codes(sessions) == []


def test_one_inbox_cannot_be_flooded_by_changing_sender(sessions, records, mailer):
    for n in range(proofs.CODES_PER_EMPLOYEE_PER_HOUR):
        who = {"channel": "rest", "sender_id": f"bot-{n}"}
        assert start(sessions, records, mailer, at=NOW + timedelta(seconds=n), who=who).status == "sent"
    flood = start(
        sessions, records, mailer, at=NOW + timedelta(seconds=20), who={**WHO, "sender_id": "bot-x"}
    )
    assert flood == CodeStart(status="sent")
    assert len(mailer.sent) == proofs.CODES_PER_EMPLOYEE_PER_HOUR


# --- forgetting -----------------------------------------------------------------------------------------


def test_forget_removes_the_link_and_pending_codes(sessions, records, mailer):
    prove(sessions, records, jwt.encode(claims(), SECRET, algorithm="HS256"))
    start(sessions, records, mailer)
    assert codes(sessions)
    assert proofs.forget(sessions, **WHO) is True
    assert proofs.linked_employee(sessions, **WHO) is None
    assert codes(sessions) == []
    assert proofs.forget(sessions, **WHO) is False
    assert audit_rows(sessions)[-2:] == [
        ("forget_link", "removed", ANITA.id),
        ("forget_link", "nothing", None),
    ]


def test_forget_leaves_other_senders_alone(sessions, records):
    other: dict[str, Any] = {"channel": "whatsapp", "sender_id": "whatsapp:919876543210"}
    proofs.prove_with_phone(sessions, records, **other, phone="9876543210", method="whatsapp")
    assert proofs.forget(sessions, **WHO) is False
    assert proofs.linked_employee(sessions, **other) == ANITA.id


# --- the audit trail ------------------------------------------------------------------------------------


def test_audit_rows_carry_no_personal_data(sessions, records, mailer):
    prove(sessions, records, jwt.encode(claims(), SECRET, algorithm="HS256"))
    proofs.prove_with_phone(sessions, records, **WHO, phone="+91 91234 56780", method="whatsapp")
    proofs.prove_with_phone(sessions, records, **WHO, phone="9000000000", method="whatsapp")
    start(sessions, records, mailer, email="ravi.kumar@gov.in")
    code = mailer.last_code()
    verify(sessions, wrong(code))
    verify(sessions, code)
    start(sessions, records, mailer, email="nobody@nic.in", at=NOW + timedelta(minutes=5))
    proofs.forget(sessions, **WHO)

    assert audit_rows(sessions) == [
        ("prove_jwt", "ok", ANITA.id),
        ("prove_whatsapp", "ok", RAVI.id),
        ("prove_whatsapp", "mismatch", None),
        ("email_code_start", "sent", RAVI.id),
        ("email_code_verify", "wrong_code", RAVI.id),
        ("email_code_verify", "ok", RAVI.id),
        ("email_code_start", "unknown_email", None),
        ("forget_link", "removed", RAVI.id),
    ]
    with sessions() as session:
        for row in session.scalars(select(AuditRecord)):
            text = f"{row.channel} {row.sender_id} {row.action} {row.outcome}".lower()
            assert not any(part in text for part in (*PERSONAL, code, "nobody")), text


@pytest.mark.parametrize(
    ("action", "outcome"),
    [
        ("lookup anita.sharma@nic.in", "shown"),
        ("lookup", "9876543210"),
        ("Lookup", "shown"),
        ("x" * 65, "ok"),
    ],
)
def test_audit_refuses_free_text_labels(sessions, action, outcome):
    with pytest.raises(ValueError):
        audit.record(
            sessions, channel="rest", sender_id="user-1", employee_id=None, action=action, outcome=outcome
        )
    assert audit_rows(sessions) == []
