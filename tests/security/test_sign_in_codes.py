"""Medium: account enumeration at the code step, and locking an employee out of sign-in.

After any address, a wrong code told a known address "not right, 4 more tries" and an unknown one "no
longer valid"; and ten throw-away senders used up an employee's hourly codes, locking the real person
out and filling their inbox. Now an unknown address gets a decoy code that answers exactly like a real
one, the mail goes out after the reply, and codes are throttled per requester (the network, or the
chat account) as well as per employee, with one requester allowed only part of an employee's share."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.identity import ValidateIdentityForm, drain_deliveries
from bot.identity import proofs
from bot.services import Services
from tests.actions.conftest import make_tracker, responses
from tests.fakes import FakeLearnerRecords, FakeMailer
from tests.identity.test_proofs import ANITA

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proofs, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def ask(sessions, records, sender: str, *, requester: str, at: datetime, mailer: FakeMailer) -> str:
    started = proofs.start_email_code(
        sessions, records, channel="rest", sender_id=sender, email=ANITA.email, requester=requester, now=at
    )
    proofs.deliver_code(sessions, mailer, started, channel="rest", sender_id=sender)
    return started.status


def test_throw_away_senders_cannot_lock_out_or_flood_an_officer(sessions) -> None:
    records, mailer = FakeLearnerRecords([ANITA]), FakeMailer()
    attacker = "net:attacker-office"
    for n in range(10):
        assert (
            ask(
                sessions,
                records,
                f"rest:bot-{n}",
                requester=attacker,
                at=NOW + timedelta(seconds=n),
                mailer=mailer,
            )
            == "sent"
        )
    # The attacker's ten requests mailed only three codes...
    assert len(mailer.sent) == proofs.CODES_PER_REQUESTER_PER_EMPLOYEE == 3
    # ...so the officer, asking from their own network, still gets theirs.
    assert (
        ask(
            sessions,
            records,
            "rest:anita",
            requester="net:anita-office",
            at=NOW + timedelta(minutes=1),
            mailer=mailer,
        )
        == "sent"
    )
    assert len(mailer.sent) == 4
    code = mailer.last_code()
    proven = proofs.verify_email_code(
        sessions, channel="rest", sender_id="rest:anita", code=code, now=NOW + timedelta(minutes=2)
    )
    assert proven.ok and proven.employee_id == ANITA.id


def test_many_networks_together_still_cannot_flood_an_inbox(sessions) -> None:
    records, mailer = FakeLearnerRecords([ANITA]), FakeMailer()
    for n in range(30):
        ask(
            sessions,
            records,
            f"rest:bot-{n}",
            requester=f"net:{n % 10}",
            at=NOW + timedelta(seconds=n),
            mailer=mailer,
        )
    assert len(mailer.sent) == proofs.CODES_PER_EMPLOYEE_PER_HOUR


def test_one_network_cannot_spray_codes_at_everyone(sessions) -> None:
    records = FakeLearnerRecords([ANITA])
    statuses = [
        proofs.start_email_code(
            sessions,
            records,
            channel="rest",
            sender_id=f"rest:s{n}",
            email=f"person{n}@nic.in",
            requester="net:x",
            now=NOW,
        ).status
        for n in range(proofs.CODES_PER_REQUESTER_PER_HOUR + 1)
    ]
    assert statuses[:-1] == ["sent"] * proofs.CODES_PER_REQUESTER_PER_HOUR and statuses[-1] == "throttled"


async def code_step(domain, sender: str, text: str) -> list[str | None]:
    slots = {"requested_slot": "identity_code", "pending_request": "ask_course_progress"}
    tracker = make_tracker(
        domain, text=text, intent="inform", slots=slots, sender_id=sender, active_loop="identity_form"
    )
    dispatcher = CollectingDispatcher()
    await ValidateIdentityForm().run(dispatcher, tracker, domain)
    return [*responses(dispatcher), *(m.get("attempts_left") for m in dispatcher.messages)]


async def email_step(domain, sender: str, email: str) -> list[str]:
    slots = {"requested_slot": "identity_email", "pending_request": "ask_course_progress"}
    tracker = make_tracker(
        domain, text=email, intent="inform", slots=slots, sender_id=sender, active_loop="identity_form"
    )
    dispatcher = CollectingDispatcher()
    await ValidateIdentityForm().run(dispatcher, tracker, domain)
    return responses(dispatcher)


async def test_the_code_step_answers_alike_for_known_and_unknown_addresses(
    domain, services: Services
) -> None:
    services.learner_records = FakeLearnerRecords([ANITA])  # type: ignore[assignment]
    services.mail = FakeMailer()
    assert await email_step(domain, "rest:known", ANITA.email) == await email_step(
        domain, "rest:unknown", "nobody@nic.in"
    )
    await drain_deliveries()
    for _ in range(4):
        assert await code_step(domain, "rest:known", "000000") == await code_step(
            domain, "rest:unknown", "000000"
        )
    known, unknown = (
        await code_step(domain, "rest:known", "000000"),
        await code_step(domain, "rest:unknown", "000000"),
    )
    assert known == unknown == ["utter_identity_code_locked", None]


class SlowMailer(FakeMailer):
    """An SMTP server that takes its time: the reply must not wait for it."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def send(self, *, to: str, subject: str, body: str) -> None:
        self.release.wait(30)
        super().send(to=to, subject=subject, body=body)


async def test_the_reply_does_not_wait_for_the_mail(domain, services: Services) -> None:
    """A reply that waited for SMTP would take longer for a real address than for an unknown one."""
    services.learner_records = FakeLearnerRecords([ANITA])  # type: ignore[assignment]
    mailer = SlowMailer()
    services.mail = mailer
    assert await email_step(domain, "rest:slow", ANITA.email) == ["utter_identity_code_sent"]
    assert mailer.sent == []  # answered while the mail was still being handed over
    mailer.release.set()
    await drain_deliveries()
    assert [m["to"] for m in mailer.sent] == [ANITA.email]
