"""Import employees and enrolments from CSV exports into the learner tables.

Every row is checked first; the valid ones are then written in one transaction (a new employee or
enrolment is inserted, a known one updated: employees by code, enrolments by employee and course), the
invalid ones are reported by row number, column and reason. Reasons never quote the value: these files
hold names, e-mails and mobile numbers. A file that cannot be read as the expected CSV is refused
whole with `ImportFileError`, before anything is written.

Row numbers count as a spreadsheet does: the header is row 1, the first record row 2. Dates are ISO 8601
(`2025-11-03` or `2025-11-03T14:20:00+05:30`); a date or time without an offset is taken as UTC.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from bot.db import as_utc
from bot.records.tables import Course, Employee, Enrolment, EnrolmentStatus, OrgUnit
from bot.validators import parse_email, parse_free_text, parse_person_name

Kind = Literal["employees", "enrolments"]
COLUMNS: dict[str, tuple[str, ...]] = {
    "employees": ("code", "name", "email", "mobile", "designation", "group", "organisation_code"),
    "enrolments": (
        "employee_code",
        "course_code",
        "status",
        "completion",
        "completed_at",
        "certificate_id",
        "certificate_issued_at",
    ),
}
STATUS_WORDS = {
    "0": EnrolmentStatus.not_started,
    "not started": EnrolmentStatus.not_started,
    "notstarted": EnrolmentStatus.not_started,
    "1": EnrolmentStatus.in_progress,
    "in progress": EnrolmentStatus.in_progress,
    "inprogress": EnrolmentStatus.in_progress,
    "2": EnrolmentStatus.completed,
    "completed": EnrolmentStatus.completed,
    "complete": EnrolmentStatus.completed,
}
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,31}")
_CERTIFICATE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_MOBILE = re.compile(r"(?:\+?91|0)?([6-9]\d{9})")
# A date in the future by more than this is a typo, not a clock difference.
FUTURE_SLACK = timedelta(days=1)
BATCH = 1000


class ImportFailed(Exception):
    """Nothing was imported: the file or the database refused. The message is safe to show."""


class ImportFileError(ImportFailed):
    """The file is not a CSV of the expected kind (unreadable, empty, missing columns); nothing changed."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    imported: int = 0  # new records
    updated: int = 0  # records that existed and were overwritten
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()

    def __str__(self) -> str:
        return (
            f"{self.kind}: {self.rows} rows, {self.imported} imported, {self.updated} updated, "
            f"{self.rejected} rejected"
        )


def import_csv(
    sessions: sessionmaker[Session], path: Path | str, *, kind: Kind, progress: bool = False
) -> ImportReport:
    """Validate and import one CSV file of `kind`. Raises `ImportFileError` for a file that is not
    usable at all; row problems are in the report."""
    if kind not in COLUMNS:
        raise ValueError(f"kind must be one of {', '.join(COLUMNS)}")
    header, records = _read(Path(path), COLUMNS[kind])
    report = ImportReport(kind=kind, rows=len(records))
    report.ignored_columns = tuple(c for c in header if c and c not in COLUMNS[kind])
    importer = _import_employees if kind == "employees" else _import_enrolments
    with tqdm(total=len(records), unit="row", desc=f"import {kind}", disable=not progress) as bar:
        try:
            with sessions.begin() as session:
                importer(session, records, report, bar)
        except DBAPIError as error:
            # The cause is dropped: driver messages can quote the row's values.
            raise ImportFailed(
                f"the database refused the import ({type(error).__name__}); nothing changed"
            ) from None
    report.errors.sort(key=lambda e: e.row)
    return report


# ---------------------------------------------------------------------------------------------------------
# Reading


def _read(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The normalised header and the (row number, values) of each non-blank record."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            text = file.read()
    except FileNotFoundError:
        raise ImportFileError(f"{path.name}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path.name}: is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path.name}: not a CSV text file (it is not UTF-8 text)") from None
    except OSError as error:
        raise ImportFileError(f"{path.name}: cannot be read ({error.strerror})") from None
    if "\x00" in text:
        raise ImportFileError(f"{path.name}: not a CSV text file (it holds binary data)")
    if not text.strip():
        raise ImportFileError(f"{path.name}: the file is empty")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:  # the csv module's messages quote no data, only its own settings
        raise ImportFileError(f"{path.name}: not a valid CSV file ({error})") from None
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        hint = " (is it separated by commas?)" if len(header) == 1 else ""
        raise ImportFileError(f"{path.name}: missing columns: {', '.join(missing)}{hint}")
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise ImportFileError(f"{path.name}: columns named twice: {', '.join(repeated)}")
    records = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            # Reported by the importer as a row error; the values stay unread.
            records.append((number, {"__fields__": str(len(values))}))
            continue
        records.append((number, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    if not records:
        raise ImportFileError(f"{path.name}: the file has a header but no rows")
    return header, records


def _batches(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


class _Row:
    """Collects the errors of one record."""

    def __init__(self, number: int, values: dict[str, str], report: ImportReport, width: int) -> None:
        self.number, self.values, self.report, self.ok = number, values, report, True
        if "__fields__" in values:
            self.fail("*", f"has {values['__fields__']} fields, the header has {width}")

    def fail(self, column: str, reason: str) -> None:
        self.ok = False
        self.report.errors.append(RowError(self.number, column, reason))

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def required(self, column: str) -> str | None:
        value = self.get(column)
        if not value:
            self.fail(column, "is empty")
            return None
        return value


# ---------------------------------------------------------------------------------------------------------
# Employees


def _clean_mobile(value: str) -> str | None:
    """Ten digits starting 6-9 (a +91, 91 or 0 in front is dropped); spaces and hyphens are ignored."""
    match = _MOBILE.fullmatch(re.sub(r"[\s-]", "", value))
    if match is None or len(set(match.group(1))) == 1:
        return None
    return match.group(1)


def _clean_email(value: str) -> tuple[str | None, str]:
    """(the address in lower case, "") or (None, the reason). Any organisation's domain may be imported;
    free-mail domains may not."""
    domain = value.rpartition("@")[2].lower()
    parsed = parse_email(value, approved_domains=frozenset({domain}))
    if parsed.error == "email_personal":
        return None, "is on a free e-mail domain, not an official one"
    if parsed.value is None or parsed.value != value.lower():
        return None, "is not a valid e-mail address"
    return parsed.value, ""


def _import_employees(
    session: Session, records: list[tuple[int, dict[str, str]]], report: ImportReport, bar: tqdm
) -> None:
    orgs = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).tuples().all())
    existing = {
        code: (id_, email)
        for id_, code, email in session.execute(select(Employee.id, Employee.code, Employee.email))
    }
    email_owner = {email.lower(): code for code, (_, email) in existing.items()}
    seen_codes: dict[str, int] = {}
    seen_emails: dict[str, int] = {}

    def prepare(row: _Row) -> _Prepared | None:
        number = row.number
        clean: dict[str, Any] = {}
        code = row.required("code")
        if code is not None:
            if not _CODE.fullmatch(code):
                row.fail("code", "must be 1-32 letters, digits or . _ / -")
            elif code in seen_codes:
                row.fail("code", f"repeats row {seen_codes[code]}")
            else:
                seen_codes[code] = number
        if (name := row.required("name")) is not None:
            parsed = parse_person_name(name)
            if parsed.value is None or len(parsed.value) > 120:
                row.fail("name", "is not a valid name (letters, spaces, . ' - only)")
            clean["name"] = parsed.value
        if (email_text := row.required("email")) is not None:
            email, reason = _clean_email(email_text)
            if email is None:
                row.fail("email", reason)
            elif email in seen_emails:
                row.fail("email", f"is also on row {seen_emails[email]}")
            elif email_owner.get(email, code) != code:
                row.fail("email", "already belongs to another employee")
            else:
                seen_emails[email] = number
            clean["email"] = email
        if (mobile_text := row.required("mobile")) is not None:
            clean["mobile"] = _clean_mobile(mobile_text)
            if clean["mobile"] is None:
                row.fail("mobile", "is not a 10-digit mobile number starting with 6-9")
        if (designation := row.required("designation")) is not None:
            parsed = parse_free_text(designation)
            if parsed.value is None or len(parsed.value) > 120:
                row.fail("designation", "is not a valid designation")
            clean["designation"] = parsed.value
        if (group := row.required("group")) is not None:
            if group.upper() not in ("A", "B", "C"):
                row.fail("group", "must be A, B or C")
            clean["group"] = group.upper()
        if (org := row.required("organisation_code")) is not None:
            if org not in orgs:
                row.fail("organisation_code", "unknown organisation code")
            clean["organisation_id"] = orgs.get(org)
        if not row.ok or code is None:
            return None
        if code in existing:
            return _Prepared(clean, existing[code][0])
        return _Prepared({"code": code, **clean}, None)

    # An address moves only to a person when nobody else holds it, so two rows swapping addresses are
    # rejected above rather than by the unique index when they are written.
    _import_rows(session, Employee, "employees", records, report, bar, prepare)


@dataclass(frozen=True)
class _Prepared:
    """A row that passed its checks: the values to write, and the id of the row it updates (or None)."""

    values: dict[str, Any]
    existing_id: int | None


def _import_rows(
    session: Session,
    model: Any,
    kind: Kind,
    records: list[tuple[int, dict[str, str]]],
    report: ImportReport,
    bar: tqdm,
    prepare: Callable[[_Row], "_Prepared | None"],
) -> None:
    """The loop both kinds share: every record checked by `prepare` (which notes its errors on the row),
    the good ones inserted or updated together, the counts reported."""
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    width = len(COLUMNS[kind])
    for number, values in records:
        row = _Row(number, values, report, width)
        bar.update()
        prepared = prepare(row) if row.ok else None
        if prepared is None or not row.ok:
            report.rejected += 1
        elif prepared.existing_id is None:
            inserts.append(prepared.values)
        else:
            updates.append({"_id": prepared.existing_id, **prepared.values})
    _write(session, model, inserts, updates, bar)
    report.imported, report.updated = len(inserts), len(updates)


def _write(
    session: Session, model: Any, inserts: list[dict[str, Any]], updates: list[dict[str, Any]], bar: tqdm
) -> None:
    """Executemany inserts and updates (by "_id"; the SET clause is the other keys of each row)."""
    bar.total += len(inserts) + len(updates)
    bar.refresh()
    connection = session.connection()
    statement = update(model).where(model.id == bindparam("_id"))
    # An executemany needs the same keys in every row.
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in updates:
        by_keys.setdefault(tuple(sorted(row)), []).append(row)
    for rows in by_keys.values():
        for batch in _batches(rows):
            connection.execute(statement, batch)
            bar.update(len(batch))
    for batch in _batches(inserts):
        connection.execute(insert(model), batch)
        bar.update(len(batch))


# ---------------------------------------------------------------------------------------------------------
# Enrolments


def _parse_moment(value: str) -> datetime | None:
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def _import_enrolments(
    session: Session, records: list[tuple[int, dict[str, str]]], report: ImportReport, bar: tqdm
) -> None:
    courses = dict(session.execute(select(Course.code, Course.id)).tuples().all())
    wanted = sorted({v.get("employee_code", "") for _, v in records} - {""})
    employees: dict[str, int] = {}
    for batch in _batches(wanted):
        employees.update(
            session.execute(select(Employee.code, Employee.id).where(Employee.code.in_(batch))).tuples().all()
        )
    existing: dict[tuple[int, int], int] = {}
    for batch in _batches(sorted(set(employees.values()))):
        query = select(Enrolment.employee_id, Enrolment.course_id, Enrolment.id).where(
            Enrolment.employee_id.in_(batch)
        )
        existing.update({(e, c): id_ for e, c, id_ in session.execute(query)})

    latest = datetime.now(UTC) + FUTURE_SLACK
    seen: dict[tuple[int, int], int] = {}

    def prepare(row: _Row) -> _Prepared | None:
        employee_id = course_id = None
        if (code := row.required("employee_code")) is not None:
            employee_id = employees.get(code)
            if employee_id is None:
                row.fail("employee_code", "unknown employee code")
        if (code := row.required("course_code")) is not None:
            course_id = courses.get(code)
            if course_id is None:
                row.fail("course_code", "unknown course code")
        status = None
        if (status_text := row.required("status")) is not None:
            status = STATUS_WORDS.get(
                " ".join(status_text.lower().replace("_", " ").replace("-", " ").split())
            )
            if status is None:
                row.fail("status", "must be 0, 1 or 2, or not started, in progress or completed")
        completion = _completion(row, status)
        completed_at = _moment(row, "completed_at", latest)
        certificate = row.get("certificate_id") or None
        issued_at = _moment(row, "certificate_issued_at", latest)
        if certificate is not None and not _CERTIFICATE.fullmatch(certificate):
            row.fail("certificate_id", "must be 1-64 letters, digits or . _ : -")
        if status is not None and status != EnrolmentStatus.completed:
            for column in ("completed_at", "certificate_id", "certificate_issued_at"):
                if row.get(column):
                    row.fail(column, "is only allowed for a completed course")
        if issued_at is not None and certificate is None:
            row.fail("certificate_issued_at", "is given without a certificate_id")
        if issued_at and completed_at and issued_at < completed_at:
            row.fail("certificate_issued_at", "is before completed_at")
        if employee_id is not None and course_id is not None:
            key = (employee_id, course_id)
            if key in seen:
                row.fail("course_code", f"this employee and course are also on row {seen[key]}")
            elif row.ok:
                seen[key] = row.number
        if not row.ok or employee_id is None or course_id is None or status is None:
            return None
        clean: dict[str, Any] = {
            "status": int(status),
            "completion": completion,
            "completed_at": completed_at,
            "certificate_id": certificate,
            "certificate_issued_at": issued_at,
        }
        if (employee_id, course_id) in existing:
            if status == EnrolmentStatus.completed:
                clean["pending_items"] = []  # nothing is pending once completed; otherwise it stays
            return _Prepared(clean, existing[employee_id, course_id])
        return _Prepared(
            {"employee_id": employee_id, "course_id": course_id, "pending_items": [], **clean}, None
        )

    _import_rows(session, Enrolment, "enrolments", records, report, bar, prepare)


def _completion(row: _Row, status: EnrolmentStatus | None) -> float:
    """The percentage given, or what the status implies when the cell is empty."""
    text = row.get("completion")
    if not text:
        return 100.0 if status == EnrolmentStatus.completed else 0.0
    try:
        value = float(text.removesuffix("%"))
    except ValueError:
        row.fail("completion", "is not a number")
        return 0.0
    if not 0 <= value <= 100:
        row.fail("completion", "must be between 0 and 100")
    elif status == EnrolmentStatus.not_started and value != 0:
        row.fail("completion", "must be 0 for a course not started")
    elif status == EnrolmentStatus.completed and value != 100:
        row.fail("completion", "must be 100 for a completed course")
    return value


def _moment(row: _Row, column: str, latest: datetime) -> datetime | None:
    text = row.get(column)
    if not text:
        return None
    moment = _parse_moment(text)
    if moment is None:
        row.fail(column, "is not an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+05:30])")
    elif moment > latest:
        row.fail(column, "is in the future")
    return moment
