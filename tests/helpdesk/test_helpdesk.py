"""The data layer (organisation requests and escalations) on SQLite and PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.db import Base, make_engine, utcnow
from bot.helpdesk.escalations import open_escalation, summarise_transcript
from bot.helpdesk.organisation_requests import RequestDetails, file_request, find_request
from bot.helpdesk.tables import Escalation, OrganisationRequest, RequestStatus
from contract.references import ALPHABET

DETAILS = RequestDetails(
    requester_name="Anita Verma",
    email="anita.verma@mha.gov.in",
    mobile="9876543210",
    level="centre",
    ministry_or_state="Ministry of Home Affairs",
    department="Department of Official Language",
    organisation_name="Regional Implementation Office, Bhopal",
)


def test_filing_stores_the_request_with_a_readable_reference(sessions) -> None:
    request, created = file_request(sessions, details=DETAILS, channel="rest", sender_id="u1")
    assert created
    prefix, code = request.reference.split("-")
    assert prefix == "ORG" and len(code) == 6 and set(code) <= set(ALPHABET)
    stored = find_request(sessions, reference=request.reference)
    assert stored is not None
    assert stored.organisation_name == DETAILS.organisation_name
    assert stored.status is RequestStatus.created
    assert stored.channel == "rest" and stored.sender_id == "u1"


def test_same_person_same_organisation_gets_the_existing_reference(sessions) -> None:
    first, _ = file_request(sessions, details=DETAILS, channel="rest", sender_id="u1")
    respelled = RequestDetails(
        **{**DETAILS.__dict__, "organisation_name": "regional implementation office  BHOPAL"}
    )
    again, created = file_request(sessions, details=respelled, channel="telegram", sender_id="u2")
    assert not created and again.reference == first.reference
    with sessions() as session:
        assert session.scalar(select(func.count(OrganisationRequest.id))) == 1


def test_another_person_or_organisation_gets_a_new_reference(sessions) -> None:
    first, _ = file_request(sessions, details=DETAILS, channel="rest", sender_id="u1")
    other_person = RequestDetails(**{**DETAILS.__dict__, "email": "k.rao@mha.gov.in"})
    other_org = RequestDetails(**{**DETAILS.__dict__, "organisation_name": "Regional Office, Indore"})
    refs = {first.reference}
    for details in (other_person, other_org):
        request, created = file_request(sessions, details=details, channel="rest", sender_id="u1")
        assert created
        refs.add(request.reference)
    assert len(refs) == 3


def test_concurrent_duplicate_filings_store_one_request(sessions) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(
                lambda i: file_request(sessions, details=DETAILS, channel="rest", sender_id=f"u{i}"), range(4)
            )
        )
    assert len({request.reference for request, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_status_lookup_tolerates_how_people_type_references(sessions) -> None:
    request, _ = file_request(sessions, details=DETAILS, channel="rest", sender_id="u1")
    code = request.reference.split("-")[1]
    for typed in (request.reference.lower(), f"ORG {code}", f"org-{code[:3]}-{code[3:]}"):
        found = find_request(sessions, reference=typed)
        assert found is not None and found.reference == request.reference
    assert find_request(sessions, reference="ORG-ZZZZZZ") is None
    assert find_request(sessions, reference="'; DROP TABLE organisation_requests; --") is None


def test_escalation_keeps_a_masked_transcript_and_context(sessions) -> None:
    events = [
        {"event": "user", "text": "otp nahi aaya, my number is 9876543210"},
        {"event": "bot", "text": "Which OTP is not arriving?"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "email: anita.verma@mha.gov.in"},
    ]
    summary = summarise_transcript(events, turns=10)
    assert "9876543210" not in summary and "anita.verma" not in summary
    assert summary.splitlines()[0].startswith("user: otp nahi aaya")
    escalation, opened = open_escalation(
        sessions,
        sender_id="u1",
        channel="rest",
        reason="otp_not_received",
        language="hi",
        summary=summary,
        context={"otp_channel": "email", "checks_tried": ["email_spam", "email_server"]},
    )
    with sessions() as session:
        stored = session.scalar(select(Escalation).where(Escalation.reference == escalation.reference))
    assert stored is not None and stored.reference.startswith("ESC-")
    assert stored.context["checks_tried"] == ["email_spam", "email_server"]
    assert stored.status.value == "open" and stored.summary == summary and opened


def test_asking_again_while_waiting_files_no_second_case(sessions) -> None:
    def ask(sender: str, channel: str = "widget", within: timedelta = timedelta(hours=24)):
        return open_escalation(
            sessions,
            sender_id=sender,
            channel=channel,
            reason="user_request",
            language="en",
            summary="",
            context={},
            repeat_within=within,
        )

    first, opened = ask("widget:a")
    again, opened_again = ask("widget:a")
    assert opened and not opened_again and again.reference == first.reference
    # Another conversation, another channel with the same id, or a case older than the window: a new one.
    assert ask("widget:b")[1] and ask("widget:a", "telegram")[1]
    assert ask("widget:a", within=timedelta(0))[1]
    with sessions.begin() as session:
        session.get(Escalation, first.id).created_at = utcnow() - timedelta(hours=25)  # type: ignore[union-attr]
        for later in session.scalars(select(Escalation).where(Escalation.id != first.id)):
            later.created_at = utcnow() - timedelta(hours=25)
    assert ask("widget:a")[1]


def test_transcript_keeps_only_the_last_turns() -> None:
    events = [{"event": "user", "text": f"message {i}"} for i in range(30)]
    lines = summarise_transcript(events, turns=3).splitlines()
    assert lines == [f"user: message {i}" for i in range(24, 30)]


def test_database_errors_do_not_echo_personal_data(sessions) -> None:
    request, _ = file_request(sessions, details=DETAILS, channel="rest", sender_id="u1")
    with pytest.raises(IntegrityError) as error, sessions.begin() as session:
        session.add(
            OrganisationRequest(
                **{
                    **DETAILS.__dict__,
                    "reference": request.reference,
                    "organisation_key": "x",
                    "channel": "rest",
                    "sender_id": "u1",
                }
            )
        )
    assert DETAILS.email not in str(error.value) and DETAILS.mobile not in str(error.value)


def test_migrations_match_the_models(database_url: str) -> None:
    """A model changed without a migration would fail here (Alembic's autogenerate comparison)."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
