"""Deterministic demo learner records: a government hierarchy, employees, courses, 2025-26 training plans,
enrolments, Karma Points and Comprehensive Assessment results.

`generate` is a pure function of its arguments (a seeded `random.Random`, no clock, no set iteration), so
the same seed always gives the same rows and the demo identities always find themselves in the situations
the README describes. All times are relative to `REFERENCE_TIME` (or the `reference` passed in): the
"completed less than 24 hours ago" course is only recent as seen from that moment.

The rules the rows follow:
- the 2025-26 plan of an organisation (DoPT OM T-28/27/2025-iGOT, 04.07.2025): due 31 March 2026, at
  least 50% of the prescribed courses plus the Comprehensive Assessment; a designation-specific plan
  replaces it for that designation, as `bot.records.sql_source` resolves plans;
- Karma Points are credited when the certificate is issued: 5 for a course outside the learner's plan,
  10 inside it, 15 inside it when the course ends with an assessment; at most 4 credited completions per
  calendar month (India time), later ones that month earn nothing.

`load` writes the rows into an empty database in one transaction with executemany inserts.
"""

import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from bot.db import Base
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
    TrainingPlanCourse,
)

# "Now" for the demo: Thursday 15 January 2026, noon in India.
REFERENCE_TIME = datetime(2026, 1, 15, 6, 30, tzinfo=UTC)
IST = timezone(timedelta(hours=5, minutes=30), "IST")
CYCLE = "2025-26"
CYCLE_START = datetime(2025, 4, 1, tzinfo=UTC)
DUE_DATE = date(2026, 3, 31)
MIN_SHARE = 0.5
PASS_MARK = 60.0
MONTHLY_KARMA_CAP = 4
KARMA_OUTSIDE_PLAN, KARMA_IN_PLAN, KARMA_IN_PLAN_ASSESSED = 5, 10, 15
KARMA_REASON = "course_completion"
CHUNK = 10_000

# ---------------------------------------------------------------------------------------------------------
# The fixed tables (names, the hierarchy, topics, the demo identities) are data: demo_tables.yml.

TABLES_FILE = Path(__file__).with_name("demo_tables.yml")
_TABLES: dict[str, Any] = yaml.safe_load(TABLES_FILE.read_text(encoding="utf-8"))
# (code, name, type, e-mail domain, [(department code, name, [(organisation, own domain)])])
Org = tuple[str, str | None]
HIERARCHY: list[tuple[str, str, OrgType, str, list[tuple[str, str, list[Org]]]]] = [
    (
        top["code"],
        top["name"],
        OrgType(top["type"]),
        top["domain"],
        [
            (dept["code"], dept["name"], [(org["name"], org.get("domain")) for org in dept["organisations"]])
            for dept in top["departments"]
        ],
    )
    for top in _TABLES["hierarchy"]
]
CITIES: list[str] = _TABLES["cities"]
FIRST_NAMES: list[str] = _TABLES["first_names"]
SURNAMES: list[str] = _TABLES["surnames"]
CENTRAL_DESIGNATIONS: dict[str, list[str]] = _TABLES["designations"]["centre"]
STATE_DESIGNATIONS: dict[str, list[str]] = _TABLES["designations"]["state"]
GROUP_WEIGHTS: dict[str, int] = _TABLES["group_weights"]
CORE_TOPICS: list[str] = _TABLES["core_topics"]
TOPICS = {CompetencyType(kind): titles for kind, titles in _TABLES["topics"].items()}
LEVELS: list[str] = _TABLES["levels"]
PROVIDERS = {CompetencyType(kind): names for kind, names in _TABLES["providers"].items()}
LANGUAGE_SETS: list[list[str]] = _TABLES["language_sets"]
PENDING_CHOICES: list[list[str]] = _TABLES["pending_items"]


# ---------------------------------------------------------------------------------------------------------
# Rows. Everything refers to other rows by code, as a CSV export would; `load` turns codes into ids.


@dataclass(frozen=True, slots=True)
class OrgRow:
    code: str
    name: str
    type: OrgType
    parent_code: str | None
    domain: str  # where its employees' e-mail addresses are


@dataclass(frozen=True, slots=True)
class EmployeeRow:
    code: str
    name: str
    email: str
    mobile: str
    designation: str
    group: str
    organisation_code: str


@dataclass(frozen=True, slots=True)
class CourseRow:
    code: str
    title: str
    provider: str
    competency: CompetencyType
    hours: float
    languages: tuple[str, ...]
    # Ends with an assessment: worth 15 Karma Points inside a plan. Not a column of `courses`.
    assessed: bool


@dataclass(frozen=True, slots=True)
class PlanRow:
    organisation_code: str
    designation: str | None
    cycle: str
    due_date: date
    min_share: float
    assessment_required: bool
    course_codes: tuple[str, ...]
    group: str | None = None


@dataclass(frozen=True, slots=True)
class EnrolmentRow:
    employee_code: str
    course_code: str
    status: EnrolmentStatus
    completion: float
    completed_at: datetime | None = None
    certificate_id: str | None = None
    certificate_issued_at: datetime | None = None
    pending_items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KarmaRow:
    employee_code: str
    course_code: str
    points: int
    reason: str
    credited_at: datetime


@dataclass(frozen=True, slots=True)
class AssessmentRow:
    employee_code: str
    cycle: str
    score: float
    passed: bool
    taken_at: datetime


@dataclass
class DemoData:
    reference: datetime
    org_units: list[OrgRow] = field(default_factory=list)
    employees: list[EmployeeRow] = field(default_factory=list)
    courses: list[CourseRow] = field(default_factory=list)
    plans: list[PlanRow] = field(default_factory=list)
    enrolments: list[EnrolmentRow] = field(default_factory=list)
    karma: list[KarmaRow] = field(default_factory=list)
    assessments: list[AssessmentRow] = field(default_factory=list)

    def plan_for(self, employee: EmployeeRow) -> PlanRow | None:
        """The 2025-26 plan that applies: the designation's plan in their organisation, else the
        organisation-wide one (the generator makes no group plans)."""
        fallback = None
        for plan in self.plans:
            if plan.organisation_code != employee.organisation_code or plan.cycle != CYCLE:
                continue
            if plan.designation == employee.designation:
                return plan
            if plan.designation is None and plan.group is None:
                fallback = plan
        return fallback


@dataclass(frozen=True)
class DemoIdentity:
    """A fixed employee to log in as during a demo, and the situation their records show."""

    code: str
    name: str
    email: str
    mobile: str
    designation: str
    group: str
    situation: str
    description: str
    course_title: str | None = None


DEMO_IDENTITIES: tuple[DemoIdentity, ...] = tuple(
    DemoIdentity(
        **{key: value for key, value in person.items() if key != "course"},
        course_title=CORE_TOPICS[person["course"]] if "course" in person else None,
    )
    for person in _TABLES["identities"]
)


# ---------------------------------------------------------------------------------------------------------
# Generation


def generate(
    *,
    seed: int = 7,
    employees: int = 5000,
    organisations: int = 60,
    courses: int = 320,
    reference: datetime = REFERENCE_TIME,
) -> DemoData:
    """The demo rows for these sizes; the same arguments always give the same rows.

    `reference` is the moment the data describes ("now"); pass the current time to have the recent
    completions really be recent during a live demo. It must be at least 60 days into the cycle.
    """
    if employees < len(DEMO_IDENTITIES) or organisations < 1 or courses < 40:
        raise ValueError(
            f"need at least {len(DEMO_IDENTITIES)} employees, 1 organisation and 40 courses, "
            f"got {employees}, {organisations} and {courses}"
        )
    if reference.tzinfo is None or reference < CYCLE_START + timedelta(days=60):
        raise ValueError("reference must be timezone-aware and at least 60 days after 1 April 2025")
    reference = reference.astimezone(UTC)
    rng = random.Random(seed)
    data = DemoData(reference=reference)
    data.org_units = _org_units(rng, organisations)
    data.courses = _courses(rng, courses)
    organisations_list = [o for o in data.org_units if o.type == OrgType.organisation]
    data.employees = _employees(rng, employees, organisations_list, data.org_units)
    data.plans = _plans(rng, organisations_list, data.courses, data.employees)
    _activity(rng, data)
    return data


def _org_units(rng: random.Random, count: int) -> list[OrgRow]:
    """The hierarchy, with organisations taken one per department in turn, so that even a small
    demo spans many ministries; more than listed become regional offices."""
    departments = [(top, dept) for top in HIERARCHY for dept in top[4]]
    picked: list[tuple[int, str, str | None]] = []  # (department index, name, own domain)
    depth = 0
    while len(picked) < count and depth < max(len(d[2]) for _, d in departments):
        for i, (_, (_, _, orgs)) in enumerate(departments):
            if depth < len(orgs) and len(picked) < count:
                picked.append((i, *orgs[depth]))
        depth += 1
    cities = list(CITIES)
    rng.shuffle(cities)
    while len(picked) < count:
        i = rng.randrange(len(departments))
        base = departments[i][1][1].removeprefix("Department of ").removeprefix("Department for ")
        city = cities[len(picked) % len(cities)]
        name = f"Regional Office of {base}, {city}"
        if len(picked) >= len(cities):
            name += f" ({len(picked) // len(cities) + 1})"
        picked.append((i, name, None))

    used = sorted({i for i, _, _ in picked})
    tops = {departments[i][0][0] for i in used}
    rows = [
        OrgRow(code, name, kind, None, domain) for code, name, kind, domain, _ in HIERARCHY if code in tops
    ]
    rows += [
        OrgRow(departments[i][1][0], departments[i][1][1], OrgType.department, departments[i][0][0],
               departments[i][0][3])
        for i in used
    ]  # fmt: skip
    per_department: Counter[int] = Counter()
    for i, name, own_domain in picked:
        per_department[i] += 1
        top, (dept_code, _, _) = departments[i]
        code = f"{dept_code}-{per_department[i]:02d}"
        rows.append(OrgRow(code, name, OrgType.organisation, dept_code, own_domain or top[3]))
    return rows


def _courses(rng: random.Random, count: int) -> list[CourseRow]:
    ordered: list[tuple[str, CompetencyType]] = [(t, CompetencyType.functional) for t in CORE_TOPICS]
    lists = [[(t, kind) for t in topics] for kind, topics in TOPICS.items()]
    for i in range(max(len(x) for x in lists)):
        ordered += [x[i] for x in lists if i < len(x)]
    titles: list[tuple[str, CompetencyType]] = []
    level = 0
    while len(titles) < count:
        suffix = LEVELS[level] if level < len(LEVELS) else f": Refresher {level - len(LEVELS) + 1}"
        titles += [(t + suffix, kind) for t, kind in ordered[: count - len(titles)]]
        level += 1
    return [
        CourseRow(
            code=f"CRS-{n:04d}",
            title=title,
            provider=rng.choice(PROVIDERS[kind]) if n > len(CORE_TOPICS) else PROVIDERS[kind][0],
            competency=kind,
            hours=rng.choice([0.5, 1.0, 1.5, 2.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0]),
            languages=tuple(rng.choice(LANGUAGE_SETS)),
            assessed=rng.random() < 0.45 if n > len(CORE_TOPICS) else n % 2 == 1,
        )
        for n, (title, kind) in enumerate(titles, start=1)
    ]


def _employees(
    rng: random.Random, count: int, organisations: list[OrgRow], units: list[OrgRow]
) -> list[EmployeeRow]:
    state_codes = {u.code for u in units if u.type == OrgType.state}
    parents = {u.code: u.parent_code for u in units}
    rows = [
        EmployeeRow(i.code, i.name, i.email, i.mobile, i.designation, i.group, organisations[0].code)
        for i in DEMO_IDENTITIES
    ]
    emails = {r.email for r in rows}
    mobiles = {r.mobile for r in rows}
    # A few large organisations and many small ones.
    weights = [min(rng.paretovariate(1.2), 12.0) for _ in organisations]
    groups, group_weights = list(GROUP_WEIGHTS), list(GROUP_WEIGHTS.values())
    for n in range(len(rows) + 1, count + 1):
        org = rng.choices(organisations, weights)[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        middle = rng.choice(["Kumar ", "Prasad ", "Chandra ", "Devi "]) if rng.random() < 0.08 else ""
        local = f"{first}.{last}".lower()
        if rng.random() < 0.15:
            local = f"{first[0]}{last}".lower()
        domain = org.domain if rng.random() < 0.85 else rng.choice(["gov.in", "nic.in"])
        email, k = f"{local}@{domain}", 1
        while email in emails:
            k += 1
            email = f"{local}{k}@{domain}"
        emails.add(email)
        mobile = _mobile(rng)
        while mobile in mobiles:
            mobile = _mobile(rng)
        mobiles.add(mobile)
        group = rng.choices(groups, group_weights)[0]
        state = parents.get(parents.get(org.code) or "") in state_codes
        designation = rng.choice((STATE_DESIGNATIONS if state else CENTRAL_DESIGNATIONS)[group])
        rows.append(
            EmployeeRow(f"E{n:06d}", f"{first} {middle}{last}", email, mobile, designation, group, org.code)
        )
    return rows


def _mobile(rng: random.Random) -> str:
    return rng.choice("6789") + f"{rng.randrange(10**9):09d}"


def _plans(
    rng: random.Random, organisations: list[OrgRow], courses: list[CourseRow], employees: list[EmployeeRow]
) -> list[PlanRow]:
    """One organisation-wide 2025-26 plan each, and a designation plan for about one in eight."""
    core = [c.code for c in courses[: len(CORE_TOPICS)]]
    rest = [c.code for c in courses[len(CORE_TOPICS) :]]

    def plan(org: str, designation: str | None, size: int) -> PlanRow:
        codes = rng.sample(core, rng.randint(2, 3))
        codes += rng.sample(rest, size - len(codes))
        return PlanRow(org, designation, CYCLE, DUE_DATE, MIN_SHARE, True, tuple(sorted(codes)))

    # The demo organisation's plan is the eight core courses, which the identities' situations rely on.
    plans = [PlanRow(organisations[0].code, None, CYCLE, DUE_DATE, MIN_SHARE, True, tuple(core))]
    plans += [plan(o.code, None, rng.randint(6, 12)) for o in organisations[1:]]
    designations: dict[str, Counter[str]] = {}
    for e in employees:
        designations.setdefault(e.organisation_code, Counter())[e.designation] += 1
    for org in organisations[1:]:
        common = designations.get(org.code, Counter()).most_common(1)
        if common and rng.random() < 0.125:
            plans.append(plan(org.code, common[0][0], rng.randint(6, 10)))
    return plans


def _working_time(rng: random.Random, day: date) -> datetime:
    """A moment in Indian office hours (09:30 to 19:00 IST, 04:00 to 13:30 UTC) of that day."""
    minutes = rng.randrange(4 * 60, 13 * 60 + 30)
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minutes)


def _months(start: date, last: date) -> list[tuple[date, date]]:
    """(first day, last usable day) of each month from `start` to `last`."""
    months = []
    first = start
    while first <= last:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        months.append((first, min(following - timedelta(days=1), last)))
        first = following
    return months


def _activity(rng: random.Random, data: DemoData) -> None:
    """Enrolments, certificates, Karma Points and assessments for everyone."""
    reference = data.reference
    # Ordinary completions stop two days before the reference, so the only recent ones are the
    # deliberate ones and a certificate issued the same evening is never after "now".
    months = _months(CYCLE_START.date(), (reference - timedelta(days=2)).date())
    course_codes = [c.code for c in data.courses]
    plans = {e.code: data.plan_for(e) for e in data.employees}
    identities = {i.code: i for i in DEMO_IDENTITIES}

    for employee in data.employees:
        if employee.code in identities:
            data.enrolments += _identity_enrolments(employee.code, data)
            continue
        plan = plans[employee.code]
        mandated = list(plan.course_codes) if plan else []
        diligence = rng.betavariate(2.2, 1.8)
        active = rng.sample(months, min(len(months), rng.randint(1, 4)))
        extra_pool = [c for c in rng.sample(course_codes, 12) if c not in mandated]
        extras = extra_pool[: rng.randint(2, 6)]
        for code in mandated + extras:
            in_plan = code in mandated
            if in_plan and rng.random() > 0.88:
                continue  # never opened: the plan still lists it, as not started
            done = (0.15 + 0.75 * diligence) if in_plan else (0.2 + 0.5 * diligence)
            roll = rng.random()
            if roll < done:
                data.enrolments.append(_completed(rng, employee.code, code, active, reference))
            elif roll < done + (1 - done) * 0.6:
                if rng.random() < 0.15:
                    pending = tuple(rng.choice(PENDING_CHOICES))
                    completion = float(rng.randint(90, 100))
                else:
                    pending, completion = (), float(rng.randint(3, 95))
                data.enrolments.append(
                    EnrolmentRow(employee.code, code, EnrolmentStatus.in_progress, completion, None, None,
                                 None, pending)
                )  # fmt: skip
            else:
                data.enrolments.append(EnrolmentRow(employee.code, code, EnrolmentStatus.not_started, 0.0))
        if rng.random() < 0.1 + 0.45 * diligence:
            first, last = rng.choice(months[len(months) // 2 :])
            score = round(min(100.0, max(20.0, rng.gauss(68, 14))), 1)
            taken = _working_time(rng, first + timedelta(days=rng.randrange((last - first).days + 1)))
            data.assessments.append(AssessmentRow(employee.code, CYCLE, score, score >= PASS_MARK, taken))

    data.assessments.append(
        AssessmentRow(DEMO_IDENTITIES[0].code, CYCLE, 78.0, True, _days_ago(reference, 40))
    )
    data.assessments.sort(key=lambda a: a.employee_code)
    data.karma = _karma(data, plans)


def _completed(
    rng: random.Random, employee: str, course: str, active: list[tuple[date, date]], reference: datetime
) -> EnrolmentRow:
    first, last = rng.choice(active)
    completed = _working_time(rng, first + timedelta(days=rng.randrange((last - first).days + 1)))
    roll = rng.random()
    if roll < 0.004:  # finished this morning or yesterday: the certificate is not due yet
        recent = reference - timedelta(minutes=rng.randrange(60, 23 * 60))
        return EnrolmentRow(employee, course, EnrolmentStatus.completed, 100.0, recent)
    if roll < 0.025:  # the certificate never came
        return EnrolmentRow(employee, course, EnrolmentStatus.completed, 100.0, completed)
    # Issued within minutes to hours, the same India day (before 18:20 UTC, 23:50 IST).
    issued = completed + timedelta(minutes=rng.randrange(2, 290))
    certificate = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return EnrolmentRow(employee, course, EnrolmentStatus.completed, 100.0, completed, certificate, issued)


def _days_ago(reference: datetime, days: int, hour: int = 6) -> datetime:
    day = (reference - timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _identity_enrolments(code: str, data: DemoData) -> list[EnrolmentRow]:
    """The hand-set records of the demo identities. Their plan is the eight core courses:
    0 RTI, 1 POSH, 2 Noting and Drafting, 3 Cyber Security, 4 GeM, 5 GFR, 6 e-Office, 7 CCS (Conduct)."""
    ref = data.reference
    c = [course.code for course in data.courses]
    done, in_progress, not_started = (
        EnrolmentStatus.completed,
        EnrolmentStatus.in_progress,
        EnrolmentStatus.not_started,
    )

    def completed(course: str, days: int, certified: bool = True) -> EnrolmentRow:
        at = _days_ago(ref, days)
        certificate = f"demo-{code.lower()}-{course.lower()}" if certified else None
        issued = at + timedelta(minutes=47) if certified else None
        return EnrolmentRow(code, course, done, 100.0, at, certificate, issued)

    rows = {
        "E000001": [
            completed(c[0], 200), completed(c[1], 180), completed(c[3], 150), completed(c[5], 90),
            completed(c[6], 60), EnrolmentRow(code, c[2], in_progress, 55.0),
            completed(c[8], 120), completed(c[9], 30),
        ],
        "E000002": [
            completed(c[0], 75), EnrolmentRow(code, c[5], in_progress, 40.0),
            EnrolmentRow(code, c[6], in_progress, 15.0), EnrolmentRow(code, c[4], not_started, 0.0),
            completed(c[10], 100),
        ],
        "E000003": [
            completed(c[0], 160), completed(c[2], 110), completed(c[6], 45),
            EnrolmentRow(code, c[1], done, 100.0, _days_ago(ref, 3), None, None),
            EnrolmentRow(code, c[4], in_progress, 30.0),
        ],
        "E000004": [
            completed(c[0], 95), completed(c[7], 20),
            EnrolmentRow(code, c[3], done, 100.0, ref - timedelta(hours=5), None, None),
            EnrolmentRow(code, c[5], in_progress, 65.0),
        ],
        "E000005": [
            completed(c[0], 130),
            EnrolmentRow(code, c[2], in_progress, 100.0, pending_items=("quiz: Module 4", "feedback")),
            EnrolmentRow(code, c[1], in_progress, 80.0), completed(c[11], 70),
        ],
    }  # fmt: skip
    return rows[code]


def _karma(data: DemoData, plans: dict[str, PlanRow | None]) -> list[KarmaRow]:
    """A credit when a certificate is issued, in time order, at most `MONTHLY_KARMA_CAP` per India month."""
    assessed = {c.code: c.assessed for c in data.courses}
    by_employee: dict[str, list[EnrolmentRow]] = {}
    for e in data.enrolments:
        if e.certificate_issued_at is not None:
            by_employee.setdefault(e.employee_code, []).append(e)
    credits: list[KarmaRow] = []
    for employee, issued in by_employee.items():
        plan = plans[employee]
        mandated = plan.course_codes if plan else ()
        per_month: Counter[str] = Counter()
        for e in sorted(issued, key=lambda e: (e.certificate_issued_at, e.course_code)):
            assert e.certificate_issued_at is not None
            month = karma_month(e.certificate_issued_at)
            if per_month[month] >= MONTHLY_KARMA_CAP:
                continue
            per_month[month] += 1
            if e.course_code not in mandated:
                points = KARMA_OUTSIDE_PLAN
            else:
                points = KARMA_IN_PLAN_ASSESSED if assessed[e.course_code] else KARMA_IN_PLAN
            credits.append(KarmaRow(employee, e.course_code, points, KARMA_REASON, e.certificate_issued_at))
    return credits


def karma_month(moment: datetime) -> str:
    """The calendar month, in India, that the monthly cap counts a credit in."""
    return moment.astimezone(IST).strftime("%Y-%m")


# ---------------------------------------------------------------------------------------------------------
# Loading


class DemoLoadError(Exception):
    """The demo data cannot be loaded; nothing was written."""


@dataclass(frozen=True)
class LoadReport:
    org_units: int
    employees: int
    courses: int
    plans: int
    plan_courses: int
    enrolments: int
    karma_credits: int
    assessments: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.org_units} org units, {self.employees} employees, {self.courses} courses, "
            f"{self.plans} plans ({self.plan_courses} plan courses), {self.enrolments} enrolments, "
            f"{self.karma_credits} karma credits, {self.assessments} assessment results "
            f"in {self.seconds:.1f} s"
        )


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def load(sessions: sessionmaker[Session], data: DemoData, *, progress: bool = False) -> LoadReport:
    """Insert `data` into an empty database, in one transaction. Raises `DemoLoadError`, writing
    nothing, when the database already holds employees, organisations or courses."""
    started = time.perf_counter()
    total = (
        len(data.org_units) + len(data.employees) + len(data.courses) + len(data.plans)
        + sum(len(p.course_codes) for p in data.plans) + len(data.enrolments) + len(data.karma)
        + len(data.assessments)
    )  # fmt: skip
    with (
        sessions.begin() as session,
        tqdm(total=total, unit="row", desc="demo data", disable=not progress) as bar,
    ):
        for model in (Employee, OrgUnit, Course):
            if session.scalar(select(func.count()).select_from(model)):
                raise DemoLoadError(
                    f"the database already holds {model.__tablename__}; demo data loads only into an empty "
                    "database (point SAHAYAK_DATABASE_URL at a new one)"
                )
        connection = session.connection()

        def put(model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
            for chunk in _chunks(rows):
                connection.execute(insert(model), chunk)
                bar.update(len(chunk))

        def ids(model: Any) -> dict[str, int]:
            return dict(connection.execute(select(model.code, model.id)).tuples().all())

        org_ids: dict[str, int] = {}
        for level in (None, "department", "organisation"):
            rows = [
                {
                    "code": o.code,
                    "name": o.name,
                    "type": o.type,
                    "parent_id": org_ids.get(o.parent_code or ""),
                }
                for o in data.org_units
                if (o.parent_code is None if level is None else o.type == level)
            ]
            put(OrgUnit, rows)
            org_ids = ids(OrgUnit)

        put(Course, [
            {"code": c.code, "title": c.title, "provider": c.provider, "competency": c.competency,
             "hours": c.hours, "languages": list(c.languages)}
            for c in data.courses
        ])  # fmt: skip
        course_ids = ids(Course)
        put(Employee, [
            {"code": e.code, "name": e.name, "email": e.email, "mobile": e.mobile,
             "designation": e.designation, "group": e.group, "organisation_id": org_ids[e.organisation_code]}
            for e in data.employees
        ])  # fmt: skip
        employee_ids = ids(Employee)

        plan_courses = []
        for p in data.plans:
            plan_id = connection.execute(
                insert(TrainingPlan).returning(TrainingPlan.id),
                {"cycle": p.cycle, "organisation_id": org_ids[p.organisation_code],
                 "designation": p.designation, "group": p.group, "due_date": p.due_date,
                 "min_share": p.min_share, "assessment_required": p.assessment_required},
            ).scalar_one()  # fmt: skip
            bar.update(1)
            plan_courses += [{"plan_id": plan_id, "course_id": course_ids[code]} for code in p.course_codes]
        put(TrainingPlanCourse, plan_courses)

        put(Enrolment, [
            {"employee_id": employee_ids[e.employee_code], "course_id": course_ids[e.course_code],
             "status": int(e.status), "completion": e.completion, "completed_at": e.completed_at,
             "certificate_id": e.certificate_id, "certificate_issued_at": e.certificate_issued_at,
             "pending_items": list(e.pending_items)}
            for e in data.enrolments
        ])  # fmt: skip
        put(KarmaCredit, [
            {"employee_id": employee_ids[k.employee_code], "course_id": course_ids[k.course_code],
             "points": k.points, "reason": k.reason, "credited_at": k.credited_at}
            for k in data.karma
        ])  # fmt: skip
        put(AssessmentResult, [
            {"employee_id": employee_ids[a.employee_code], "cycle": a.cycle, "score": a.score,
             "passed": a.passed, "taken_at": a.taken_at}
            for a in data.assessments
        ])  # fmt: skip

    return LoadReport(
        org_units=len(data.org_units),
        employees=len(data.employees),
        courses=len(data.courses),
        plans=len(data.plans),
        plan_courses=len(plan_courses),
        enrolments=len(data.enrolments),
        karma_credits=len(data.karma),
        assessments=len(data.assessments),
        seconds=time.perf_counter() - started,
    )
