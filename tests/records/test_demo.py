"""The demo data: deterministic, big enough, following the platform's rules, and loadable."""

import math
import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db import make_engine, make_sessions, upgrade
from bot.records import progress
from bot.records.demo import (
    CYCLE,
    DEMO_IDENTITIES,
    DUE_DATE,
    KARMA_IN_PLAN,
    KARMA_IN_PLAN_ASSESSED,
    KARMA_OUTSIDE_PLAN,
    MONTHLY_KARMA_CAP,
    REFERENCE_TIME,
    DemoData,
    DemoLoadError,
    generate,
    karma_month,
    load,
)
from bot.records.sql_source import SqlLearnerRecords
from bot.records.tables import Employee, Enrolment, EnrolmentStatus, KarmaCredit, OrgType, TrainingPlanCourse
from bot.validators import parse_email, parse_mobile

SMALL: dict[str, Any] = {"employees": 300, "organisations": 12, "courses": 60}


@pytest.fixture(scope="module")
def full() -> DemoData:
    return generate()


@pytest.fixture(scope="module")
def small() -> DemoData:
    return generate(**SMALL)


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(small) -> None:
    again = generate(**SMALL)
    assert again == small
    other = generate(seed=8, **SMALL)
    assert other.employees != small.employees
    assert other.enrolments != small.enrolments


def test_full_size_meets_the_minimums(full) -> None:
    types = Counter(o.type for o in full.org_units)
    assert types[OrgType.ministry] + types[OrgType.state] >= 10
    assert types[OrgType.state] >= 1 and types[OrgType.department] >= 10
    assert types[OrgType.organisation] >= 50
    assert len(full.employees) >= 5000
    assert len(full.courses) >= 300
    assert len(full.enrolments) >= 50_000
    codes = {o.code for o in full.org_units}
    parents = {o.code: o.parent_code for o in full.org_units}
    for unit in full.org_units:
        depth = 0
        code: str | None = unit.code
        while (code := parents[code]) is not None:
            assert code in codes
            depth += 1
        expected = {OrgType.organisation: 2, OrgType.department: 1}.get(unit.type, 0)
        assert depth == expected, unit
    assert len({o.code for o in full.org_units}) == len(full.org_units)
    assert len({c.code for c in full.courses}) == len({c.title for c in full.courses}) == len(full.courses)


def test_people_look_real_and_their_contacts_are_unique_and_valid(full) -> None:
    assert len({e.code for e in full.employees}) == len(full.employees)
    assert len({e.email for e in full.employees}) == len(full.employees)
    assert len({e.mobile for e in full.employees}) == len(full.employees)
    for e in full.employees:
        assert re.fullmatch(r"[A-Z][a-z]+( [A-Z][a-z]+)+", e.name), e.name
        assert e.email.endswith((".gov.in", ".nic.in", "@gov.in", "@nic.in")), e.email
        assert parse_email(e.email).value == e.email
        assert re.fullmatch(r"[6-9]\d{9}", e.mobile) and parse_mobile(e.mobile).value == e.mobile
        assert e.group in "ABC"
    assert Counter(e.group for e in full.employees)["C"] > Counter(e.group for e in full.employees)["A"]


def test_courses_carry_competency_hours_and_languages(full) -> None:
    assert {c.competency for c in full.courses} == {"domain", "functional", "behavioural"}
    assert all(c.hours > 0 and c.languages and c.provider for c in full.courses)
    assert any(c.assessed for c in full.courses) and not all(c.assessed for c in full.courses)


def test_every_organisation_has_one_2025_26_plan_and_a_few_designations_their_own(full) -> None:
    organisations = [o.code for o in full.org_units if o.type == OrgType.organisation]
    org_wide = Counter(p.organisation_code for p in full.plans if p.designation is None)
    assert org_wide == Counter(organisations)
    course_codes = {c.code for c in full.courses}
    for plan in full.plans:
        assert (plan.cycle, plan.due_date, plan.min_share, plan.assessment_required) == (
            CYCLE,
            DUE_DATE,
            0.5,
            True,
        )
        assert 6 <= len(plan.course_codes) <= 12 and set(plan.course_codes) <= course_codes
        assert len(set(plan.course_codes)) == len(plan.course_codes)
    designation_plans = [p for p in full.plans if p.designation]
    assert 3 <= len(designation_plans) <= len(organisations) // 4
    # A designation plan replaces the organisation's for the people it names.
    plan = designation_plans[0]
    person = next(
        e
        for e in full.employees
        if e.organisation_code == plan.organisation_code and e.designation == plan.designation
    )
    assert full.plan_for(person) == plan


def test_enrolments_mix_every_state_and_situation(full) -> None:
    enrolments = full.enrolments
    statuses = Counter(e.status for e in enrolments)
    for status in EnrolmentStatus:
        assert 0.1 < statuses[status] / len(enrolments) < 0.7, statuses
    completed = [e for e in enrolments if e.status == EnrolmentStatus.completed]
    certified = [e for e in completed if e.certificate_id]
    assert len(certified) / len(completed) > 0.9
    assert all(e.certificate_issued_at and e.completed_at and e.certificate_issued_at >= e.completed_at
               for e in certified)  # fmt: skip
    assert all(e.certificate_issued_at and e.certificate_issued_at < REFERENCE_TIME for e in certified)
    day = timedelta(hours=24)
    recent = [e for e in completed if e.completed_at and REFERENCE_TIME - e.completed_at < day]
    overdue = [
        e
        for e in completed
        if not e.certificate_id and e.completed_at and REFERENCE_TIME - e.completed_at > day
    ]
    assert len(recent) >= 20 and len(overdue) >= 100
    assert all(not e.certificate_id for e in recent)
    pending = [e for e in enrolments if e.pending_items]
    assert len(pending) >= 100 and all(e.status == EnrolmentStatus.in_progress for e in pending)
    assert {item for e in pending for item in e.pending_items} >= {"feedback", "quiz: Module 3"}
    for e in enrolments:
        assert (e.completion == 100) if e.status == EnrolmentStatus.completed else (0 <= e.completion <= 100)
        assert (e.completed_at is not None) == (e.status == EnrolmentStatus.completed)
    assert len({(e.employee_code, e.course_code) for e in enrolments}) == len(enrolments)
    # Roughly half meet the 50% share, as a plausible mid-cycle picture.
    plans = {e.code: full.plan_for(e) for e in full.employees}
    done = Counter(
        e.employee_code
        for e in completed
        if (plan := plans[e.employee_code]) and e.course_code in plan.course_codes
    )
    on_track = sum(
        done[code] >= math.ceil(len(plan.course_codes) * plan.min_share)
        for code, plan in plans.items()
        if plan
    )
    assert 0.3 < on_track / len(full.employees) < 0.75


def test_karma_follows_the_platform_rules(full) -> None:
    per_month = Counter((k.employee_code, karma_month(k.credited_at)) for k in full.karma)
    assert max(per_month.values()) == MONTHLY_KARMA_CAP
    issued = Counter(
        (e.employee_code, karma_month(e.certificate_issued_at))
        for e in full.enrolments
        if e.certificate_issued_at
    )
    # Every month someone had more than four certificates, exactly four were credited.
    capped = [key for key, n in issued.items() if n > MONTHLY_KARMA_CAP]
    assert len(capped) >= 50
    assert all(per_month[key] == MONTHLY_KARMA_CAP for key in capped)
    assert all(per_month[key] == n for key, n in issued.items() if n <= MONTHLY_KARMA_CAP)

    employees = {e.code: e for e in full.employees}
    assessed = {c.code: c.assessed for c in full.courses}
    certificates = {(e.employee_code, e.course_code): e for e in full.enrolments if e.certificate_issued_at}
    for k in full.karma:
        enrolment = certificates[k.employee_code, k.course_code]  # only issued certificates earn points
        assert k.credited_at == enrolment.certificate_issued_at
        plan = full.plan_for(employees[k.employee_code])
        if plan is None or k.course_code not in plan.course_codes:
            assert k.points == KARMA_OUTSIDE_PLAN
        else:
            assert k.points == (KARMA_IN_PLAN_ASSESSED if assessed[k.course_code] else KARMA_IN_PLAN)
    assert {k.points for k in full.karma} == {5, 10, 15}


def test_some_took_the_comprehensive_assessment(full) -> None:
    results = full.assessments
    assert 0.15 < len(results) / len(full.employees) < 0.6
    assert all(r.cycle == CYCLE and r.taken_at < REFERENCE_TIME for r in results)
    assert any(r.passed for r in results) and any(not r.passed for r in results)
    assert all(r.passed == (r.score >= 60) for r in results)
    assert len({r.employee_code for r in results}) == len(results)


def test_demo_identities_are_the_first_employees_as_listed(small) -> None:
    first = small.employees[: len(DEMO_IDENTITIES)]
    for identity, employee in zip(DEMO_IDENTITIES, first, strict=True):
        assert (employee.code, employee.name, employee.email, employee.mobile) == (
            identity.code,
            identity.name,
            identity.email,
            identity.mobile,
        )
    rest = small.employees[len(DEMO_IDENTITIES) :]
    assert not {e.email for e in rest} & {i.email for i in DEMO_IDENTITIES}
    assert not {e.mobile for e in rest} & {i.mobile for i in DEMO_IDENTITIES}


def test_generate_refuses_sizes_it_cannot_fill() -> None:
    with pytest.raises(ValueError, match="at least"):
        generate(employees=2)
    with pytest.raises(ValueError, match="timezone-aware"):
        generate(reference=REFERENCE_TIME.replace(tzinfo=None), **SMALL)


def test_a_later_reference_moves_the_recent_completion_along(small) -> None:
    later = REFERENCE_TIME + timedelta(days=300)
    data = generate(reference=later, **SMALL)
    recent = next(e for e in data.enrolments if e.employee_code == "E000004" and e.course_code == "CRS-0004")
    assert recent.completed_at == later - timedelta(hours=5)


def _check_identities(sessions) -> None:
    """Each demo identity, read back through the SQL records, is in the situation promised."""
    records = SqlLearnerRecords(sessions)
    now = REFERENCE_TIME
    states: dict[str, Any] = {}
    for identity in DEMO_IDENTITIES:
        ref = records.find_by_email(identity.email)
        assert ref is not None and records.find_by_mobile(identity.mobile) == ref
        snapshot = records.snapshot(ref.id, cycle=CYCLE)
        assert snapshot is not None and snapshot.plan is not None
        summary = progress.summarise(snapshot, today=now.date())
        states[identity.situation] = summary
        if identity.course_title:
            course = progress.find_course(snapshot, identity.course_title)
            assert course is not None and course.title == identity.course_title
            states[identity.situation + "_certificate"] = progress.check_certificate(course, now=now).state
    assert states["on_track"].on_track and states["on_track"].assessment_passed
    assert (states["on_track"].completed, states["on_track"].prescribed) == (5, 8)
    behind = states["behind"]
    assert not behind.on_track and behind.completed < behind.required and len(behind.pending) == 7
    assert states["certificate_overdue_certificate"] == progress.CertificateState.escalate
    assert states["completed_recently_certificate"] == progress.CertificateState.wait
    assert states["pending_items_certificate"] == progress.CertificateState.pending_items


def test_load_small_into_the_database(sessions, small) -> None:
    report = load(sessions, small)
    assert (report.employees, report.enrolments, report.karma_credits) == (
        len(small.employees),
        len(small.enrolments),
        len(small.karma),
    )
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Employee)) == len(small.employees)
        assert session.scalar(select(func.count()).select_from(Enrolment)) == len(small.enrolments)
        assert session.scalar(select(func.sum(KarmaCredit.points))) == sum(k.points for k in small.karma)
        assert session.scalar(select(func.count()).select_from(TrainingPlanCourse)) == sum(
            len(p.course_codes) for p in small.plans
        )
        pending = session.scalars(select(Enrolment.pending_items).where(Enrolment.status == 1)).all()
        assert ["quiz: Module 4", "feedback"] in pending
    _check_identities(sessions)


def test_load_refuses_a_database_with_employees_and_writes_nothing(sessions, small) -> None:
    load(sessions, small)
    with pytest.raises(DemoLoadError, match="already holds employees"):
        load(sessions, generate(seed=99, **SMALL))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Employee)) == len(small.employees)
        assert session.scalar(select(func.count()).select_from(Enrolment)) == len(small.enrolments)


def test_full_size_loads_into_sqlite(tmp_path, full) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessions(engine)
    report = load(sessions, full)
    assert report.enrolments >= 50_000
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Enrolment)) == len(full.enrolments)
    _check_identities(sessions)
    engine.dispose()
