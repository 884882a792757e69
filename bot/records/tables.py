"""Tables mirroring the Karmayogi backend's learner records (DESIGN.md section 5).

The assistant reads these through `bot.records.source.LearnerRecords`; in development and tests they hold the
demo data (`sahayak demo load`) or a CSV import, in production the HTTP client reads the portal instead.
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, utcnow


class OrgType(enum.StrEnum):
    ministry = "ministry"
    state = "state"
    department = "department"
    organisation = "organisation"


class CompetencyType(enum.StrEnum):
    domain = "domain"
    functional = "functional"
    behavioural = "behavioural"


class EnrolmentStatus(enum.IntEnum):
    """The portal's codes: 0 not started, 1 in progress, 2 completed."""

    not_started = 0
    in_progress = 1
    completed = 2


class OrgUnit(Base):
    """A node of the hierarchy: ministry or state, then department, then organisation."""

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[OrgType] = mapped_column(Enum(OrgType, native_enum=False, length=16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    mobile: Mapped[str] = mapped_column(String(10), index=True)
    designation: Mapped[str] = mapped_column(String(120))
    group: Mapped[str] = mapped_column(String(1))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)

    organisation: Mapped[OrgUnit] = relationship()


class Course(Base):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(120))
    competency: Mapped[CompetencyType] = mapped_column(Enum(CompetencyType, native_enum=False, length=16))
    hours: Mapped[float] = mapped_column(Float)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)


class TrainingPlan(Base):
    """An annual training plan: courses prescribed to an organisation, optionally narrowed to one
    designation or group, for a cycle with a due date and a minimum share to complete."""

    __tablename__ = "training_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle: Mapped[str] = mapped_column(String(9))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    designation: Mapped[str | None] = mapped_column(String(120))
    group: Mapped[str | None] = mapped_column(String(1))
    due_date: Mapped[date] = mapped_column(Date)
    min_share: Mapped[float] = mapped_column(Float, default=0.5)
    assessment_required: Mapped[bool] = mapped_column(default=True)

    courses: Mapped[list[Course]] = relationship(secondary="training_plan_courses")


class TrainingPlanCourse(Base):
    __tablename__ = "training_plan_courses"

    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plans.id"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("employee_id", "course_id", name="uq_enrolment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    status: Mapped[EnrolmentStatus] = mapped_column(Integer)
    completion: Mapped[float] = mapped_column(Float, default=0.0)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    certificate_id: Mapped[str | None] = mapped_column(String(64))
    certificate_issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What still blocks completion, e.g. ["quiz: Module 3", "feedback"].
    pending_items: Mapped[list[str]] = mapped_column(JSON, default=list)

    course: Mapped[Course] = relationship()


class KarmaCredit(Base):
    """One line of the Karma Points ledger."""

    __tablename__ = "karma_credits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(64))
    credited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssessmentResult(Base):
    """The Comprehensive Assessment of a cycle."""

    __tablename__ = "assessment_results"
    __table_args__ = (UniqueConstraint("employee_id", "cycle", name="uq_assessment_per_cycle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    cycle: Mapped[str] = mapped_column(String(9))
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool]
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
