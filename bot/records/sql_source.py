"""Learner records read from the SQL tables in `bot.records.tables` (demo data or a CSV import).

A snapshot costs five indexed queries, whatever the size of the tables: the employee with their
organisation and the cycle's assessment, the applicable plan, its courses, their enrolments, and the ten
latest karma credits with the all-time total (a window sum, so no second pass over the ledger).
"""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from bot.db import as_utc
from bot.records.source import (
    AssessmentRecord,
    CourseRecord,
    EmployeeRef,
    KarmaRecord,
    LearnerSnapshot,
    PlanRecord,
    RecordsUnavailable,
)
from bot.records.tables import (
    AssessmentResult,
    Course,
    Employee,
    Enrolment,
    EnrolmentStatus,
    KarmaCredit,
    OrgUnit,
    TrainingPlan,
    TrainingPlanCourse,
)
from bot.validators import normalise_mobile

KARMA_LIMIT = 10

T = TypeVar("T")


def _employee_ref(employee: Employee, organisation: str) -> EmployeeRef:
    return EmployeeRef(
        id=employee.id,
        name=employee.name,
        email=employee.email,
        mobile=employee.mobile,
        designation=employee.designation,
        group=employee.group,
        organisation=organisation,
    )


class SqlLearnerRecords:
    """`LearnerRecords` over the learner tables. Read-only; safe to share between threads."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def _read(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a fresh session, turning a database that is down into `RecordsUnavailable`.

        The cause is dropped (`from None`): driver messages can quote statement parameters, which here
        are emails and mobile numbers.
        """
        try:
            with self._sessions() as session:
                return work(session)
        except (DBAPIError, PoolTimeout) as error:
            raise RecordsUnavailable(
                f"learner records database unavailable ({type(error).__name__})"
            ) from None

    def find_by_email(self, email: str) -> EmployeeRef | None:
        """The employee with this email, ignoring case; None if nobody has it, or if it differs only in
        case from the emails of several people and matches none of them exactly."""
        typed = email.strip()
        if not typed:
            return None

        def work(session: Session) -> EmployeeRef | None:
            base = select(Employee, OrgUnit.name).join(OrgUnit, Employee.organisation_id == OrgUnit.id)
            # The unique index answers the usual case, typed as stored ...
            row = session.execute(base.where(Employee.email == typed)).first()
            if row is not None:
                return _employee_ref(*row)
            # ... a scan of one column the rest.
            rows = session.execute(base.where(func.lower(Employee.email) == typed.lower()).limit(2)).all()
            return _employee_ref(*rows[0]) if len(rows) == 1 else None

        return self._read(work)

    def find_by_mobile(self, mobile: str) -> EmployeeRef | None:
        """The employee with this mobile number; None if nobody or several people share it, since a
        number that names two people proves neither."""
        number = normalise_mobile(mobile)
        if number is None:
            return None

        def work(session: Session) -> EmployeeRef | None:
            query = (
                select(Employee, OrgUnit.name)
                .join(OrgUnit, Employee.organisation_id == OrgUnit.id)
                .where(Employee.mobile == number)
                .limit(2)
            )
            rows = session.execute(query).all()
            return _employee_ref(*rows[0]) if len(rows) == 1 else None

        return self._read(work)

    def get_employee(self, employee_id: int) -> EmployeeRef | None:
        def work(session: Session) -> EmployeeRef | None:
            query = (
                select(Employee, OrgUnit.name)
                .join(OrgUnit, Employee.organisation_id == OrgUnit.id)
                .where(Employee.id == employee_id)
            )
            row = session.execute(query).first()
            return _employee_ref(*row) if row else None

        return self._read(work)

    def snapshot(self, employee_id: int, *, cycle: str) -> LearnerSnapshot | None:
        return self._read(lambda session: self._snapshot(session, employee_id, cycle))

    def _snapshot(self, session: Session, employee_id: int, cycle: str) -> LearnerSnapshot | None:
        row = session.execute(
            select(Employee, OrgUnit.name, AssessmentResult)
            .join(OrgUnit, Employee.organisation_id == OrgUnit.id)
            .outerjoin(
                AssessmentResult,
                and_(AssessmentResult.employee_id == Employee.id, AssessmentResult.cycle == cycle),
            )
            .where(Employee.id == employee_id)
        ).first()
        if row is None:
            return None
        employee, organisation, assessment = row

        plan = self._plan(session, employee, cycle)
        plan_courses: list[tuple[str, str]] = []
        if plan is not None:
            plan_courses = [
                (code, title)
                for code, title in session.execute(
                    select(Course.code, Course.title)
                    .join(TrainingPlanCourse, TrainingPlanCourse.course_id == Course.id)
                    .where(TrainingPlanCourse.plan_id == plan.id)
                    .order_by(Course.code)
                )
            ]
        mandated = {code for code, _ in plan_courses}

        courses = [
            CourseRecord(
                code=course.code,
                title=course.title,
                status=EnrolmentStatus(enrolment.status),
                completion=float(enrolment.completion),
                completed_at=as_utc(enrolment.completed_at) if enrolment.completed_at else None,
                certificate_id=enrolment.certificate_id,
                certificate_issued_at=(
                    as_utc(enrolment.certificate_issued_at) if enrolment.certificate_issued_at else None
                ),
                pending_items=tuple(enrolment.pending_items or ()),
                mandated=course.code in mandated,
            )
            for enrolment, course in session.execute(
                select(Enrolment, Course)
                .join(Course, Enrolment.course_id == Course.id)
                .where(Enrolment.employee_id == employee_id)
                .order_by(Enrolment.id)
            )
        ]
        enrolled = {c.code for c in courses}
        courses += [
            CourseRecord(code, title, EnrolmentStatus.not_started, 0.0, mandated=True)
            for code, title in plan_courses
            if code not in enrolled
        ]

        karma_rows = session.execute(
            select(
                KarmaCredit.points,
                KarmaCredit.reason,
                KarmaCredit.credited_at,
                Course.title,
                func.sum(KarmaCredit.points).over().label("total"),
            )
            .outerjoin(Course, KarmaCredit.course_id == Course.id)
            .where(KarmaCredit.employee_id == employee_id)
            .order_by(KarmaCredit.credited_at.desc(), KarmaCredit.id.desc())
            .limit(KARMA_LIMIT)
        ).all()
        karma = tuple(
            KarmaRecord(points, reason, as_utc(credited_at), title)
            for points, reason, credited_at, title, _total in karma_rows
        )

        return LearnerSnapshot(
            employee=_employee_ref(employee, organisation),
            plan=PlanRecord(
                cycle=plan.cycle,
                due_date=plan.due_date,
                min_share=plan.min_share,
                assessment_required=plan.assessment_required,
                course_codes=tuple(code for code, _ in plan_courses),
            )
            if plan is not None
            else None,
            courses=tuple(courses),
            karma=karma,
            karma_total=int(karma_rows[0].total) if karma_rows else 0,
            assessment=AssessmentRecord(
                cycle=assessment.cycle,
                passed=assessment.passed,
                taken_at=as_utc(assessment.taken_at),
                score=assessment.score,
            )
            if assessment is not None
            else None,
        )

    @staticmethod
    def _plan(session: Session, employee: Employee, cycle: str) -> TrainingPlan | None:
        """The most specific plan of the employee's organisation for `cycle`: one for their designation
        (and group, if it names one), else one for their group, else the organisation-wide one. Among
        equals, the latest created wins."""
        by_designation = and_(
            TrainingPlan.designation == employee.designation,
            or_(TrainingPlan.group.is_(None), TrainingPlan.group == employee.group),
        )
        by_group = and_(TrainingPlan.designation.is_(None), TrainingPlan.group == employee.group)
        organisation_wide = and_(TrainingPlan.designation.is_(None), TrainingPlan.group.is_(None))
        rank = case(
            (and_(by_designation, TrainingPlan.group.is_not(None)), 0),
            (by_designation, 1),
            (by_group, 2),
            else_=3,
        )
        return session.scalars(
            select(TrainingPlan)
            .where(
                TrainingPlan.organisation_id == employee.organisation_id,
                TrainingPlan.cycle == cycle,
                or_(by_designation, by_group, organisation_wide),
            )
            .order_by(rank, TrainingPlan.id.desc())
            .limit(1)
        ).first()
