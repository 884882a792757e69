"""The progress rules on hand-made snapshots: the 50% share, the assessment, the 24-hour certificate wait."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.records.progress import CertificateState, check_certificate, find_course, summarise
from bot.records.source import AssessmentRecord, CourseRecord, EmployeeRef, LearnerSnapshot, PlanRecord
from bot.records.tables import EnrolmentStatus

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
ME = EmployeeRef(1, "Anita Verma", "anita@mha.gov.in", "9876543210", "Section Officer", "B", "RIO Bhopal")


def course(
    code: str, title: str, status: EnrolmentStatus, completion: float = 0, **kw: object
) -> CourseRecord:
    return CourseRecord(code=code, title=title, status=status, completion=completion, mandated=True, **kw)  # type: ignore[arg-type]


def snapshot(
    courses: list[CourseRecord], *, passed: bool | None = None, plan: bool = True
) -> LearnerSnapshot:
    return LearnerSnapshot(
        employee=ME,
        plan=PlanRecord("2025-26", date(2026, 3, 31), 0.5, True, tuple(c.code for c in courses))
        if plan
        else None,
        courses=tuple(courses),
        assessment=AssessmentRecord("2025-26", passed, NOW) if passed is not None else None,
    )


DONE = EnrolmentStatus.completed
HALF = EnrolmentStatus.in_progress
NEW = EnrolmentStatus.not_started


def test_summary_counts_mandated_courses_against_the_share() -> None:
    courses = [course("C1", "RTI", DONE, 100), course("C2", "POSH", DONE, 100), course("C3", "GeM", HALF, 40)]
    courses += [course("C4", "Yoga", NEW), course("C5", "Noting", NEW)]
    extra = CourseRecord("X", "Not in plan", DONE, 100, mandated=False)
    summary = summarise(snapshot([*courses, extra]), today=NOW.date())
    assert (summary.prescribed, summary.completed, summary.required) == (5, 2, 3)
    assert summary.share == pytest.approx(0.4)
    assert summary.days_left == 30 and not summary.on_track
    assert [c.code for c in summary.pending] == ["C3", "C4", "C5"]


@pytest.mark.parametrize(("passed", "on_track"), [(True, True), (False, False), (None, False)])
def test_the_assessment_is_part_of_the_requirement(passed: bool | None, on_track: bool) -> None:
    courses = [course("C1", "RTI", DONE, 100), course("C2", "POSH", NEW)]
    assert summarise(snapshot(courses, passed=passed), today=NOW.date()).on_track is on_track


def test_days_left_go_negative_after_the_deadline() -> None:
    assert summarise(snapshot([course("C1", "RTI", NEW)]), today=date(2026, 11, 23)).days_left == -237


def test_no_plan_means_nothing_prescribed() -> None:
    summary = summarise(snapshot([], plan=False), today=NOW.date())
    assert summary.prescribed == 0 and summary.due_date is None and not summary.assessment_required


@pytest.mark.parametrize(
    ("record", "state"),
    [
        (course("C", "RTI", DONE, 100, certificate_id="cert-1"), CertificateState.issued),
        (course("C", "RTI", DONE, 100, completed_at=NOW - timedelta(hours=3)), CertificateState.wait),
        (course("C", "RTI", DONE, 100, completed_at=NOW - timedelta(hours=30)), CertificateState.escalate),
        (course("C", "RTI", HALF, 90, pending_items=("quiz: Module 3",)), CertificateState.pending_items),
        (course("C", "RTI", HALF, 55), CertificateState.in_progress),
        (course("C", "RTI", NEW, 0), CertificateState.not_enrolled),
    ],
)
def test_certificate_states(record: CourseRecord, state: CertificateState) -> None:
    assert check_certificate(record, now=NOW).state == state


def test_course_names_are_matched_fuzzily_and_by_code() -> None:
    courses = [
        course("CS-101", "Cyber Security Awareness", DONE, 100),
        course("POSH-2", "Prevention of Sexual Harassment at Workplace", HALF, 50),
        course("RTI-1", "Right to Information Act Basics", NEW),
    ]
    snap = snapshot(courses)
    assert find_course(snap, "cyber securty awarness").code == "CS-101"  # type: ignore[union-attr]
    assert find_course(snap, "why no certificate for my sexual harassment course").code == "POSH-2"  # type: ignore[union-attr]
    assert find_course(snap, "rti-1").code == "RTI-1"  # type: ignore[union-attr]
    assert find_course(snap, "underwater basket weaving") is None
    # A name inside a longer message: its title's words, not the sentence around them, are matched.
    said = "I finished Cyber Security Awareness this morning and can't see my certifcate. Can you check mine?"
    assert find_course(snap, said).code == "CS-101"  # type: ignore[union-attr]
    assert find_course(snap, "my information and security were fine this morning") is None  # a word each


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("no certificate for posh course", "POSH"),
        ("rti ka certificate nahi aaya", "RTI"),
        ("GeM course certificate", "GEM"),
        ("gfr certificate", "GFR"),
        ("conduct rules", "CCS"),
        ("notng and draftng", "ND"),
        ("is my certificate ready", None),
    ],
)
def test_courses_are_found_by_the_short_names_people_use(question: str, code: str | None) -> None:
    titles = {
        "RTI": "Right to Information Act, 2005",
        "POSH": "Prevention of Sexual Harassment (POSH) at the Workplace",
        "ND": "Noting and Drafting",
        "GEM": "Public Procurement on the Government e-Marketplace (GeM)",
        "GFR": "General Financial Rules, 2017",
        "CCS": "CCS (Conduct) Rules, 1964",
    }
    snap = snapshot([course(c, title, DONE, 100) for c, title in titles.items()])
    found = find_course(snap, question)
    assert (found.code if found else None) == code
