"""Learner records from the SQL tables, on SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import create_engine, event

from bot.db import make_engine, make_sessions
from bot.records.source import RecordsUnavailable
from bot.records.sql_source import SqlLearnerRecords
from bot.records.tables import Employee, EnrolmentStatus
from bot.validators import normalise_mobile
from tests.records.fixtures import (
    ANITA,
    BALA,
    CHITRA,
    CYCLE,
    LAST_YEAR,
    PLAN_CASES,
    check_anita,
    check_plan,
    seed_sql,
)


@pytest.fixture
def records(sessions) -> SqlLearnerRecords:
    seed_sql(sessions)
    return SqlLearnerRecords(sessions)


def test_snapshot_holds_plan_courses_karma_and_assessment(records) -> None:
    check_anita(records.snapshot(ANITA.id, cycle=CYCLE))


@PLAN_CASES
def test_the_most_specific_plan_applies(records, person, plan) -> None:
    check_plan(records, person, plan)


def test_people_without_records_get_an_empty_snapshot(records) -> None:
    snapshot = records.snapshot(CHITRA.id, cycle=CYCLE)
    assert snapshot is not None
    assert all(c.status is EnrolmentStatus.not_started and c.completion == 0 for c in snapshot.courses)
    assert (snapshot.karma, snapshot.karma_total, snapshot.assessment) == ((), 0, None)


def test_the_cycle_selects_plan_and_assessment(records) -> None:
    snapshot = records.snapshot(ANITA.id, cycle="2024-25")
    assert snapshot is not None and snapshot.plan is not None
    assert snapshot.plan.due_date == LAST_YEAR.due == date(2025, 3, 31)
    assert [c.code for c in snapshot.courses if c.mandated] == ["C-YOGA"]
    assert snapshot.assessment is not None and not snapshot.assessment.passed
    assert snapshot.assessment.score == 31.0
    assert records.snapshot(ANITA.id, cycle="2030-31").plan is None  # type: ignore[union-attr]


def test_a_failed_assessment_without_a_score(records) -> None:
    snapshot = records.snapshot(BALA.id, cycle=CYCLE)
    assert snapshot is not None and snapshot.assessment is not None
    assert not snapshot.assessment.passed and snapshot.assessment.score is None
    assert snapshot.karma_total == 10 and snapshot.karma[0].course_title == "GeM Procurement Basics"


def test_a_snapshot_takes_five_queries(records, sessions) -> None:
    """However many enrolments and credits: the plan, courses and karma are read eagerly, not per row."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    engine = sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        check_anita(records.snapshot(ANITA.id, cycle=CYCLE))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert 0 < len(statements) <= 5


def test_unknown_employee(records) -> None:
    assert records.snapshot(999, cycle=CYCLE) is None
    assert records.get_employee(999) is None


def test_get_employee(records) -> None:
    employee = records.get_employee(BALA.id)
    assert employee is not None
    assert (employee.name, employee.email, employee.group, employee.organisation) == (
        "Bala Krishnan",
        BALA.email,
        "B",
        "Regional Implementation Office, Bhopal",
    )


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("Anita.Verma@MHA.gov.in", ANITA),  # as stored
        ("anita.verma@mha.gov.in", ANITA),  # stored mixed case, typed lower
        ("  ANITA.VERMA@MHA.GOV.IN ", ANITA),
        ("Bala.K@MHA.gov.in", BALA),  # stored lower, typed mixed
        ("nobody@mha.gov.in", None),
        ("anita.verma@mha.gov", None),  # exact, not a prefix
        ("", None),
    ],
)
def test_find_by_email_ignores_case(records, typed, who) -> None:
    found = records.find_by_email(typed)
    assert (found.id if found else None) == (who.id if who else None)


def test_emails_differing_only_in_case_need_the_exact_spelling(records, sessions) -> None:
    with sessions.begin() as session:
        session.get(Employee, CHITRA.id).email = ANITA.email.lower()  # type: ignore[union-attr]
    assert records.find_by_email(ANITA.email).id == ANITA.id  # type: ignore[union-attr]
    assert records.find_by_email(ANITA.email.lower()).id == CHITRA.id  # type: ignore[union-attr]
    assert records.find_by_email(ANITA.email.upper()) is None


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("9876543210", ANITA),
        ("+91 98765 43210", ANITA),
        ("098765-43210", ANITA),
        ("+91-9812345678", BALA),
        ("9999999999", None),
        ("98765 4321", None),  # nine digits
        ("55 9876543210", None),  # not an Indian prefix
        ("call me", None),
    ],
)
def test_find_by_mobile_normalises_the_number(records, typed, who) -> None:
    found = records.find_by_mobile(typed)
    assert (found.id if found else None) == (who.id if who else None)


def test_a_shared_mobile_proves_nobody(records, sessions) -> None:
    with sessions.begin() as session:
        session.get(Employee, CHITRA.id).mobile = ANITA.mobile  # type: ignore[union-attr]
    assert records.find_by_mobile(ANITA.mobile) is None


def test_normalise_mobile() -> None:
    assert normalise_mobile("+91 98765 43210") == normalise_mobile("0091 9876543210") == "9876543210"
    assert normalise_mobile("12345") is None


def _unavailable(records: SqlLearnerRecords) -> list[RecordsUnavailable]:
    errors = []
    calls = (
        lambda: records.find_by_email(ANITA.email),
        lambda: records.find_by_mobile(ANITA.mobile),
        lambda: records.get_employee(ANITA.id),
        lambda: records.snapshot(ANITA.id, cycle=CYCLE),
    )
    for call in calls:
        with pytest.raises(RecordsUnavailable) as caught:
            call()
        errors.append(caught.value)
    return errors


@pytest.mark.parametrize("where", ["closed-port", "missing-directory", "unmigrated"])
def test_a_database_that_is_down_is_unavailable(where, tmp_path) -> None:
    if where == "closed-port":
        engine = make_engine(
            "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
        )
    elif where == "missing-directory":  # make_engine would create the directory
        engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'records.db'}")
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        for error in _unavailable(SqlLearnerRecords(make_sessions(engine))):
            message = str(error)
            assert "unavailable" in message
            assert ANITA.email not in message and ANITA.mobile not in message
            assert error.__cause__ is None and error.__suppress_context__
    finally:
        engine.dispose()
