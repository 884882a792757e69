"""What the assistant knows about one learner, and the interface every source of learner records meets.

Two sources implement `LearnerRecords`: the local tables of `bot.records.tables` (`sql_source.py`) and
the Karmayogi enrolment API (`api_source.py`). `bot.services` picks one from the settings. Both return
these plain values, so the conversation code never sees a session or an HTTP response.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from bot.records.tables import EnrolmentStatus


class RecordsUnavailable(Exception):
    """The source of learner records cannot be reached; the user is told to try later."""


@dataclass(frozen=True)
class EmployeeRef:
    id: int
    name: str
    email: str
    mobile: str
    designation: str
    group: str
    organisation: str


@dataclass(frozen=True)
class CourseRecord:
    code: str
    title: str
    status: EnrolmentStatus
    completion: float  # 0..100
    completed_at: datetime | None = None
    certificate_id: str | None = None
    certificate_issued_at: datetime | None = None
    pending_items: tuple[str, ...] = ()
    mandated: bool = False


@dataclass(frozen=True)
class PlanRecord:
    cycle: str
    due_date: date
    min_share: float
    assessment_required: bool
    course_codes: tuple[str, ...]


@dataclass(frozen=True)
class KarmaRecord:
    points: int
    reason: str
    credited_at: datetime
    course_title: str | None = None


@dataclass(frozen=True)
class AssessmentRecord:
    cycle: str
    passed: bool
    taken_at: datetime
    score: float | None = None


@dataclass(frozen=True)
class LearnerSnapshot:
    """Everything the progress answers need, read in one go."""

    employee: EmployeeRef
    plan: PlanRecord | None
    courses: tuple[CourseRecord, ...] = ()
    karma: tuple[KarmaRecord, ...] = field(default=())  # newest first
    karma_total: int = 0
    assessment: AssessmentRecord | None = None


class LearnerRecords(Protocol):
    """Read-only access to learner records. Every method raises `RecordsUnavailable` when the source
    is down; "not found" is None, never an exception."""

    def find_by_email(self, email: str) -> EmployeeRef | None: ...

    def find_by_mobile(self, mobile: str) -> EmployeeRef | None: ...

    def get_employee(self, employee_id: int) -> EmployeeRef | None: ...

    def snapshot(self, employee_id: int, *, cycle: str) -> LearnerSnapshot | None: ...
