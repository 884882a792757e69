"""One small organisation's learner records, as SQL rows and as Karmayogi API responses, and the
snapshot both sources must build from them.

Regional Implementation Office, Bhopal has three plans for 2025-26: organisation-wide (RTI, POSH), for
group B (RTI, GeM), and for Section Officers (RTI, POSH, Noting), plus one for Section Officers of group C
(Yoga) and an old 2024-25 plan. So Anita (Section Officer, B) gets the designation plan, Esha (Section
Officer, C) the designation+group one, Bala (Assistant, B) the group plan, Chitra (Assistant, C) the
organisation-wide one, and Dev, elsewhere, none.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.records.source import LearnerRecords, LearnerSnapshot
from bot.records.tables import (
    AssessmentResult,
    CompetencyType,
    Course,
    Employee,
    Enrolment,
    EnrolmentStatus,
    KarmaCredit,
    OrgType,
    OrgUnit,
    TrainingPlan,
)

CYCLE = "2025-26"
NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
RIO = "Regional Implementation Office, Bhopal"
OTHER_ORG = "Zonal Office, Indore"

COURSES = {
    "C-GEM": "GeM Procurement Basics",
    "C-NOTE": "Noting and Drafting",
    "C-POSH": "Prevention of Sexual Harassment",
    "C-RTI": "Right to Information Act",
    "C-XDATA": "Data Literacy for Officers",
    "C-YOGA": "Y-Break Yoga at the Workplace",
}


@dataclass(frozen=True)
class Person:
    id: int
    first: str
    last: str
    email: str
    mobile: str
    designation: str
    group: str
    organisation: str = RIO

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


ANITA = Person(101, "Anita", "Verma", "Anita.Verma@MHA.gov.in", "9876543210", "Section Officer", "B")
BALA = Person(102, "Bala", "Krishnan", "bala.k@mha.gov.in", "9812345678", "Assistant", "B")
CHITRA = Person(103, "Chitra", "Rao", "chitra.rao@mha.gov.in", "9898989898", "Assistant", "C")
DEV = Person(104, "Dev", "Sharma", "dev.sharma@mha.gov.in", "9700000001", "Assistant", "B", OTHER_ORG)
ESHA = Person(105, "Esha", "Nair", "esha.nair@mha.gov.in", "9700000002", "Section Officer", "C")
PEOPLE = (ANITA, BALA, CHITRA, DEV, ESHA)


@dataclass(frozen=True)
class Plan:
    cycle: str
    designation: str | None
    group: str | None
    due: date
    min_share: float
    assessment_required: bool
    codes: tuple[str, ...]  # in code order, the order the SQL source lists them
    organisation: str = RIO


ORG_WIDE = Plan(CYCLE, None, None, date(2026, 3, 31), 0.5, True, ("C-POSH", "C-RTI"))
GROUP_B = Plan(CYCLE, None, "B", date(2026, 2, 28), 0.5, False, ("C-GEM", "C-RTI"))
SECTION_OFFICERS = Plan(
    CYCLE, "Section Officer", None, date(2026, 1, 31), 0.6, True, ("C-NOTE", "C-POSH", "C-RTI")
)
SECTION_OFFICERS_C = Plan(CYCLE, "Section Officer", "C", date(2026, 3, 15), 0.5, True, ("C-YOGA",))
LAST_YEAR = Plan("2024-25", None, None, date(2025, 3, 31), 0.5, True, ("C-YOGA",))
# Least specific last, so the latest-created tie-break alone would pick the wrong plan.
PLANS = (SECTION_OFFICERS_C, SECTION_OFFICERS, GROUP_B, ORG_WIDE, LAST_YEAR)
# The plan each person gets for CYCLE: what the SQL source must work out and the API server decides.
PLAN_FOR = {ANITA.id: SECTION_OFFICERS, BALA.id: GROUP_B, CHITRA.id: ORG_WIDE, ESHA.id: SECTION_OFFICERS_C}


@dataclass(frozen=True)
class Taken:
    code: str
    status: EnrolmentStatus
    completion: float
    completed_at: datetime | None = None
    certificate_id: str | None = None
    certificate_issued_at: datetime | None = None
    pending: tuple[str, ...] = field(default=())


ENROLMENTS = {
    ANITA.id: (
        Taken(
            "C-RTI",
            EnrolmentStatus.completed,
            100,
            NOW - timedelta(days=40),
            "cert-rti-101",
            NOW - timedelta(days=39),
        ),
        Taken("C-POSH", EnrolmentStatus.in_progress, 60, pending=("quiz: Module 3", "feedback")),
        Taken("C-XDATA", EnrolmentStatus.completed, 100, NOW - timedelta(hours=5)),
    ),
    BALA.id: (Taken("C-GEM", EnrolmentStatus.in_progress, 25),),
    DEV.id: (Taken("C-RTI", EnrolmentStatus.completed, 100, NOW - timedelta(days=2), "cert-rti-104", NOW),),
}


@dataclass(frozen=True)
class Credit:
    points: int
    reason: str
    credited_at: datetime
    code: str | None = None


# Twelve credits, written oldest first: the snapshot keeps the ten newest but totals all twelve.
ANITA_KARMA = tuple(
    Credit(
        points=5 + (i % 3) * 5,
        reason="course_completion" if i % 2 else "rating",
        credited_at=NOW - timedelta(days=30 - 2 * i),
        code="C-RTI" if i % 2 else None,
    )
    for i in range(12)
)
KARMA = {ANITA.id: ANITA_KARMA, BALA.id: (Credit(10, "course_completion", NOW, "C-GEM"),)}


@dataclass(frozen=True)
class Assessed:
    cycle: str
    passed: bool
    score: float | None
    taken_at: datetime


ASSESSMENTS = {
    ANITA.id: (
        Assessed("2024-25", False, 31.0, NOW - timedelta(days=300)),
        Assessed(CYCLE, True, 78.5, NOW - timedelta(days=10)),
    ),
    BALA.id: (Assessed(CYCLE, False, None, NOW - timedelta(days=3)),),
}


def seed_sql(sessions: sessionmaker[Session]) -> None:
    """Write the organisation into the learner tables, keeping the people's ids."""
    with sessions.begin() as session:
        ministry = OrgUnit(code="MHA", name="Ministry of Home Affairs", type=OrgType.ministry)
        session.add(ministry)
        session.flush()
        orgs = {
            name: OrgUnit(code=code, name=name, type=OrgType.organisation, parent_id=ministry.id)
            for code, name in (("RIO-BPL", RIO), ("ZO-IDR", OTHER_ORG))
        }
        courses = {
            code: Course(
                code=code, title=title, provider="iGOT", competency=CompetencyType.functional, hours=2.0
            )
            for code, title in COURSES.items()
        }
        session.add_all([*orgs.values(), *courses.values()])
        session.flush()
        for p in PEOPLE:
            session.add(
                Employee(
                    id=p.id,
                    code=f"E{p.id}",
                    name=p.name,
                    email=p.email,
                    mobile=p.mobile,
                    designation=p.designation,
                    group=p.group,
                    organisation_id=orgs[p.organisation].id,
                )
            )
        for plan in PLANS:
            session.add(
                TrainingPlan(
                    cycle=plan.cycle,
                    organisation_id=orgs[plan.organisation].id,
                    designation=plan.designation,
                    group=plan.group,
                    due_date=plan.due,
                    min_share=plan.min_share,
                    assessment_required=plan.assessment_required,
                    courses=[courses[code] for code in plan.codes],
                )
            )
        session.flush()
        for employee_id, taken in ENROLMENTS.items():
            for t in taken:
                session.add(
                    Enrolment(
                        employee_id=employee_id,
                        course_id=courses[t.code].id,
                        status=t.status,
                        completion=t.completion,
                        completed_at=t.completed_at,
                        certificate_id=t.certificate_id,
                        certificate_issued_at=t.certificate_issued_at,
                        pending_items=list(t.pending),
                    )
                )
                session.flush()  # ids in the order listed
        for employee_id, credits in KARMA.items():
            for c in credits:
                session.add(
                    KarmaCredit(
                        employee_id=employee_id,
                        course_id=courses[c.code].id if c.code else None,
                        points=c.points,
                        reason=c.reason,
                        credited_at=c.credited_at,
                    )
                )
        for employee_id, results in ASSESSMENTS.items():
            for a in results:
                session.add(
                    AssessmentResult(
                        employee_id=employee_id,
                        cycle=a.cycle,
                        score=a.score,
                        passed=a.passed,
                        taken_at=a.taken_at,
                    )
                )


# --- The same records as the Karmayogi API's JSON -------------------------------------------------------


def ms(moment: datetime | None) -> int | None:
    return int(moment.timestamp() * 1000) if moment else None


def api_user(p: Person) -> dict[str, Any]:
    return {
        "userId": str(p.id),
        "firstName": p.first,
        "lastName": p.last,
        "email": p.email.lower(),  # the portal stores emails in lower case
        "phone": p.mobile,
        "designation": p.designation,
        "group": p.group,
        "rootOrgName": p.organisation,
    }


def api_enrolments(employee_id: int) -> dict[str, Any]:
    return {
        "result": {
            "courses": [
                {
                    "courseId": t.code,
                    "courseName": COURSES[t.code],
                    "completionPercentage": t.completion,
                    "status": int(t.status),
                    "completedOn": ms(t.completed_at),
                    "batchId": f"batch-{t.code}",
                    "issuedCertificates": [
                        {
                            "identifier": t.certificate_id,
                            "name": COURSES[t.code],
                            "lastIssuedOn": t.certificate_issued_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                        }
                    ]
                    if t.certificate_id and t.certificate_issued_at
                    else [],
                    **({"pendingItems": list(t.pending)} if t.pending else {}),
                }
                for t in ENROLMENTS.get(employee_id, ())
            ]
        }
    }


def api_plan(employee_id: int) -> dict[str, Any] | None:
    plan = PLAN_FOR.get(employee_id)
    if plan is None:
        return None
    return {
        "result": {
            "cycle": plan.cycle,
            "endDate": plan.due.isoformat(),
            "minShare": plan.min_share,
            "assessmentRequired": plan.assessment_required,
            "contentList": list(plan.codes),
        }
    }


def api_karma(employee_id: int, limit: int) -> dict[str, Any]:
    """The `limit` newest credits, sent oldest first: the client must not rely on the order."""
    credits = sorted(KARMA.get(employee_id, ()), key=lambda c: c.credited_at, reverse=True)
    return {
        "result": {
            "total": sum(c.points for c in credits),
            "kpList": [
                {
                    "points": c.points,
                    "operationType": c.reason,
                    "contextName": COURSES[c.code] if c.code else None,
                    "creditDate": ms(c.credited_at),
                }
                for c in reversed(credits[:limit])
            ],
        }
    }


def api_assessment(employee_id: int, cycle: str) -> dict[str, Any] | None:
    for a in ASSESSMENTS.get(employee_id, ()):
        if a.cycle == cycle:
            return {"result": {"passed": a.passed, "score": a.score, "takenOn": ms(a.taken_at)}}
    return None


# --- What both sources must make of them ----------------------------------------------------------------


# Who gets which plan: the most specific one (designation and group, then group, then the whole
# organisation), or none. Both record sources must agree.
PLAN_CASES = pytest.mark.parametrize(
    ("person", "plan"),
    [(ESHA, SECTION_OFFICERS_C), (BALA, GROUP_B), (CHITRA, ORG_WIDE), (DEV, None)],
    ids=["designation-and-group", "group", "organisation-wide", "no-plan"],
)


def check_plan(records: LearnerRecords, person: Person, plan: Plan | None) -> None:
    snapshot = records.snapshot(person.id, cycle=CYCLE)
    assert snapshot is not None
    if plan is None:
        assert snapshot.plan is None
        assert snapshot.courses and not any(c.mandated for c in snapshot.courses)
        return
    assert snapshot.plan is not None
    assert (snapshot.plan.course_codes, snapshot.plan.due_date) == (plan.codes, plan.due)
    assert snapshot.plan.assessment_required is plan.assessment_required
    assert {c.code for c in snapshot.courses if c.mandated} == set(plan.codes)


def check_anita(snapshot: LearnerSnapshot | None) -> None:
    """Anita's snapshot for CYCLE, whichever source built it."""
    assert snapshot is not None
    me = snapshot.employee
    assert (me.id, me.name, me.email.lower(), me.mobile) == (
        101,
        "Anita Verma",
        ANITA.email.lower(),
        "9876543210",
    )
    assert (me.designation, me.group, me.organisation) == ("Section Officer", "B", RIO)

    assert snapshot.plan is not None
    assert snapshot.plan.course_codes == ("C-NOTE", "C-POSH", "C-RTI")
    assert (snapshot.plan.cycle, snapshot.plan.due_date) == (CYCLE, date(2026, 1, 31))
    assert snapshot.plan.min_share == 0.6 and snapshot.plan.assessment_required

    by_code = {c.code: c for c in snapshot.courses}
    assert [c.code for c in snapshot.courses] == ["C-RTI", "C-POSH", "C-XDATA", "C-NOTE"]
    rti, posh, data, noting = (by_code[c] for c in ("C-RTI", "C-POSH", "C-XDATA", "C-NOTE"))
    assert rti.status is EnrolmentStatus.completed and rti.mandated and rti.completion == 100
    assert rti.title == COURSES["C-RTI"]
    assert rti.completed_at == NOW - timedelta(days=40)
    assert rti.certificate_id == "cert-rti-101" and rti.certificate_issued_at == NOW - timedelta(days=39)
    assert posh.status is EnrolmentStatus.in_progress and posh.completion == 60 and posh.mandated
    assert posh.pending_items == ("quiz: Module 3", "feedback") and posh.certificate_id is None
    assert data.status is EnrolmentStatus.completed and not data.mandated
    assert data.completed_at == NOW - timedelta(hours=5) and data.certificate_id is None
    # In the plan but never enrolled: listed, not started, mandated.
    assert noting.status is EnrolmentStatus.not_started and noting.completion == 0 and noting.mandated
    assert noting.completed_at is None and noting.pending_items == ()

    newest_first = sorted(ANITA_KARMA, key=lambda c: c.credited_at, reverse=True)[:10]
    assert [k.credited_at for k in snapshot.karma] == [c.credited_at for c in newest_first]
    assert [k.points for k in snapshot.karma] == [c.points for c in newest_first]
    assert [k.reason for k in snapshot.karma] == [c.reason for c in newest_first]
    assert [k.course_title for k in snapshot.karma] == [
        COURSES[c.code] if c.code else None for c in newest_first
    ]
    assert snapshot.karma_total == sum(c.points for c in ANITA_KARMA) > sum(k.points for k in snapshot.karma)

    assert snapshot.assessment is not None
    assert (snapshot.assessment.cycle, snapshot.assessment.passed, snapshot.assessment.score) == (
        CYCLE,
        True,
        78.5,
    )
    assert snapshot.assessment.taken_at == NOW - timedelta(days=10)
