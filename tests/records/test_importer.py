"""CSV import of employees and enrolments, on SQLite and PostgreSQL."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.records.importer import ImportFileError, RowError, import_csv
from bot.records.tables import CompetencyType, Course, Employee, Enrolment, EnrolmentStatus, OrgType, OrgUnit

EMPLOYEE_HEADER = "code,name,email,mobile,designation,group,organisation_code"
ENROLMENT_HEADER = (
    "employee_code,course_code,status,completion,completed_at,certificate_id,certificate_issued_at"
)


@pytest.fixture
def seeded(sessions):
    """One organisation, two courses and one employee already known."""
    with sessions.begin() as session:
        ministry = OrgUnit(code="MHA", name="Ministry of Home Affairs", type=OrgType.ministry)
        session.add(ministry)
        session.flush()
        session.add(OrgUnit(code="RIO-BPL", name="Regional Office, Bhopal", type=OrgType.organisation,
                            parent_id=ministry.id))  # fmt: skip
        session.add_all(
            Course(code=code, title=title, provider="ISTM", competency=CompetencyType.functional, hours=2.0,
                   languages=["en"])
            for code, title in [("C-RTI", "Right to Information"), ("C-POSH", "POSH at the Workplace")]
        )  # fmt: skip
        session.flush()
        org = session.scalars(select(OrgUnit).where(OrgUnit.code == "RIO-BPL")).one()
        session.add(
            Employee(code="E1", name="Anita Verma", email="anita.verma@mha.gov.in", mobile="9876543210",
                     designation="Section Officer", group="B", organisation_id=org.id)
        )  # fmt: skip
    return sessions


def write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def employee(sessions, code: str) -> Employee | None:
    with sessions() as session:
        return session.scalars(select(Employee).where(Employee.code == code)).first()


GOOD_EMPLOYEES = f"""{EMPLOYEE_HEADER}
E2,Bala Krishnan,Bala.K@MHA.gov.in,+91 98123 45678,Assistant,b,RIO-BPL
E3,Chitra Rao,chitra.rao@nic.in,9898989890,Section Officer,C,RIO-BPL
"""


def test_good_employees_are_imported_clean(seeded, tmp_path) -> None:
    report = import_csv(seeded, write(tmp_path, GOOD_EMPLOYEES), kind="employees", progress=False)
    assert (report.rows, report.imported, report.updated, report.rejected, report.errors) == (2, 2, 0, 0, [])
    bala = employee(seeded, "E2")
    assert bala is not None
    assert (bala.name, bala.email, bala.mobile, bala.group) == (
        "Bala Krishnan",
        "bala.k@mha.gov.in",
        "9812345678",
        "B",
    )
    assert count(seeded, Employee) == 3


def test_reimport_updates_instead_of_duplicating(seeded, tmp_path) -> None:
    path = write(tmp_path, GOOD_EMPLOYEES)
    import_csv(seeded, path, kind="employees", progress=False)
    changed = GOOD_EMPLOYEES.replace("Assistant,b", "Section Officer,B") + (
        "E1,Anita Verma Singh,anita.verma@mha.gov.in,9876543210,Under Secretary,A,RIO-BPL\n"
    )
    report = import_csv(seeded, write(tmp_path, changed), kind="employees", progress=True)
    assert (report.imported, report.updated, report.rejected) == (0, 3, 0)
    assert count(seeded, Employee) == 3
    bala, anita = employee(seeded, "E2"), employee(seeded, "E1")
    assert bala is not None and (bala.designation, bala.group) == ("Section Officer", "B")
    assert anita is not None and (anita.name, anita.group) == ("Anita Verma Singh", "A")


BAD_EMPLOYEES = [
    # (row, column, reason fragment, line)
    (2, "email", "free e-mail", "E10,Ravi Shankar,ravi.shankar@gmail.com,9811111112,Clerk,C,RIO-BPL"),
    (3, "email", "not a valid e-mail", "E11,Sita Ram,sita.ram@@mha.gov.in,9811111113,Clerk,C,RIO-BPL"),
    (4, "mobile", "10-digit", "E12,Mohan Lal,mohan.lal@mha.gov.in,5811111114,Clerk,C,RIO-BPL"),
    (5, "mobile", "10-digit", "E13,Geeta Devi,geeta.devi@mha.gov.in,98111-1111,Clerk,C,RIO-BPL"),
    (6, "group", "A, B or C", "E14,Kiran Bedi,kiran.b@mha.gov.in,9811111116,Clerk,D,RIO-BPL"),
    (
        7,
        "organisation_code",
        "unknown organisation",
        "E15,Usha Nair,usha.nair@mha.gov.in,9811111117,Clerk,C,NOPE",
    ),
    (8, "name", "not a valid name", "E16,R2D2 <script>,r2d2@mha.gov.in,9811111118,Clerk,C,RIO-BPL"),
    (9, "email", "another employee", "E17,Anita Sharma,anita.verma@mha.gov.in,9811111119,Clerk,C,RIO-BPL"),
    (10, "code", "is empty", ",Hari Om,hari.om@mha.gov.in,9811111120,Clerk,C,RIO-BPL"),
    (11, "*", "fields", "E18,Too Few,too.few@mha.gov.in"),
    (13, "code", "repeats row 12", "E19,Second Copy,second.copy@mha.gov.in,9811111122,Clerk,C,RIO-BPL"),
]


def test_bad_employee_rows_are_reported_without_their_values_and_not_imported(seeded, tmp_path) -> None:
    lines = [line for _, _, _, line in BAD_EMPLOYEES]
    lines.insert(10, "E19,First Copy,first.copy@mha.gov.in,9811111121,Clerk,C,RIO-BPL")  # row 12: good
    path = write(tmp_path, "\n".join([EMPLOYEE_HEADER, *lines]) + "\n")
    report = import_csv(seeded, path, kind="employees", progress=False)
    assert (report.rows, report.imported, report.rejected) == (12, 1, 11)
    for row, column, reason, _ in BAD_EMPLOYEES:
        assert any(e.row == row and e.column == column and reason in e.reason for e in report.errors), (
            row,
            column,
        )
    assert {e.row for e in report.errors} == {row for row, *_ in BAD_EMPLOYEES}
    assert count(seeded, Employee) == 2
    assert employee(seeded, "E19") is not None and employee(seeded, "E19").name == "First Copy"  # type: ignore[union-attr]
    # No personal value, nor any other cell, is echoed back.
    cells = {cell for line in lines for cell in line.split(",") if len(cell) > 3} - {"RIO-BPL", "Clerk"}
    messages = [str(e) for e in report.errors] + [str(report)]
    leaked = [cell for cell in cells for message in messages if cell.lower() in message.lower()]
    assert not leaked


def test_the_same_email_twice_in_a_file_keeps_the_first(seeded, tmp_path) -> None:
    text = f"""{EMPLOYEE_HEADER}
E2,Bala Krishnan,bala.k@mha.gov.in,9812345678,Assistant,B,RIO-BPL
E3,Bala Krishna,BALA.K@mha.gov.in,9812345679,Assistant,B,RIO-BPL
"""
    report = import_csv(seeded, write(tmp_path, text), kind="employees", progress=False)
    assert (report.imported, report.rejected) == (1, 1)
    assert report.errors == [RowError(3, "email", "is also on row 2")]


GOOD_ENROLMENTS = f"""{ENROLMENT_HEADER}
E1,C-RTI,2,100,2025-11-03T10:15:00+05:30,cert-123,2025-11-03T12:00:00+05:30
E1,C-POSH,in progress,45,,,
"""


def enrolments(sessions) -> dict[str, Enrolment]:
    with sessions() as session:
        rows = session.execute(select(Course.code, Enrolment).join(Course, Enrolment.course_id == Course.id))
        return {code: enrolment for code, enrolment in rows.tuples()}


def as_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def test_good_enrolments_are_imported_and_reimport_updates(seeded, tmp_path) -> None:
    report = import_csv(seeded, write(tmp_path, GOOD_ENROLMENTS), kind="enrolments", progress=False)
    assert (report.imported, report.updated, report.rejected) == (2, 0, 0)
    rows = enrolments(seeded)
    rti, posh = rows["C-RTI"], rows["C-POSH"]
    assert (rti.status, rti.certificate_id) == (EnrolmentStatus.completed, "cert-123")
    assert as_utc(rti.completed_at) == datetime(2025, 11, 3, 4, 45, tzinfo=UTC)
    assert (posh.status, posh.completion, posh.completed_at, posh.pending_items) == (1, 45.0, None, [])

    # The portal recorded a pending quiz; an in-progress update keeps it, completion clears it.
    with seeded.begin() as session:
        session.get(Enrolment, posh.id).pending_items = ["quiz: Module 2"]  # type: ignore[union-attr]
    again = GOOD_ENROLMENTS.replace("in progress,45", "In_Progress,90")
    report = import_csv(seeded, write(tmp_path, again), kind="enrolments", progress=False)
    assert (report.imported, report.updated) == (0, 2)
    assert enrolments(seeded)["C-POSH"].pending_items == ["quiz: Module 2"]
    done = GOOD_ENROLMENTS.replace("in progress,45,,,", "completed,,2025-12-01,,")
    report = import_csv(seeded, write(tmp_path, done), kind="enrolments", progress=False)
    posh = enrolments(seeded)["C-POSH"]
    assert (report.updated, posh.status, posh.completion, posh.pending_items) == (2, 2, 100.0, [])
    assert as_utc(posh.completed_at) == datetime(2025, 12, 1, tzinfo=UTC)
    assert count(seeded, Enrolment) == 2


BAD_ENROLMENTS = [
    (2, "employee_code", "unknown employee", "E404,C-RTI,2,100,2025-11-03,,"),
    (3, "course_code", "unknown course", "E1,C-NOPE,1,50,,,"),
    (4, "status", "0, 1 or 2", "E1,C-RTI,5,50,,,"),
    (5, "completion", "between 0 and 100", "E1,C-RTI,1,150,,,"),
    (6, "completion", "not a number", "E1,C-RTI,1,half,,,"),
    (7, "completed_at", "ISO date", "E1,C-RTI,2,100,03/11/2025,,"),
    (8, "completed_at", "only allowed for a completed", "E1,C-RTI,1,50,2025-11-03,,"),
    (9, "certificate_issued_at", "before completed_at", "E1,C-RTI,2,100,2025-11-03,c-1,2025-11-01"),
    (10, "completed_at", "future", "E1,C-RTI,2,100,2999-01-01,,"),
    (11, "completion", "must be 0", "E1,C-RTI,not started,20,,,"),
    (12, "certificate_issued_at", "without a certificate_id", "E1,C-RTI,2,100,2025-11-03,,2025-11-04"),
]


def test_bad_enrolment_rows_are_reported_and_not_imported(seeded, tmp_path) -> None:
    lines = [line for *_, line in BAD_ENROLMENTS] + ["E1,C-POSH,0,,,,"]
    report = import_csv(seeded, write(tmp_path, "\n".join([ENROLMENT_HEADER, *lines])), kind="enrolments",
                        progress=False)  # fmt: skip
    assert (report.rows, report.imported, report.rejected) == (12, 1, 11)
    for row, column, reason, _ in BAD_ENROLMENTS:
        assert any(e.row == row and e.column == column and reason in e.reason for e in report.errors), (
            row,
            column,
        )
    assert list(enrolments(seeded)) == ["C-POSH"]
    assert not any("E404" in str(e) or "C-NOPE" in str(e) for e in report.errors)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        (EMPLOYEE_HEADER + "\n", "no rows"),
        ("code,name,email\nE9,Ravi Kumar,ravi@mha.gov.in\n", "missing columns: mobile, designation"),
        ("code;name;email;mobile;designation;group;organisation_code\n", "separated by commas"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb7\xfe\xd0", "not a CSV text file"),
        (b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n1 0 obj\n", "not UTF-8"),
        (EMPLOYEE_HEADER + ",code\n", "named twice"),
        (EMPLOYEE_HEADER + '\nE9,"Ravi "Kumar",x@mha.gov.in,9811111111,Clerk,C,RIO-BPL\n', "not a valid CSV"),
    ],
    ids=["empty", "blank", "header-only", "missing", "semicolons", "xlsx", "pdf", "repeated", "bad-quotes"],
)
def test_malformed_files_are_refused_and_change_nothing(seeded, tmp_path, content, message) -> None:
    with pytest.raises(ImportFileError, match=message):
        import_csv(seeded, write(tmp_path, content), kind="employees", progress=False)
    assert count(seeded, Employee) == 1


def test_missing_file_and_unknown_kind_are_refused(seeded, tmp_path) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        import_csv(seeded, tmp_path / "nope.csv", kind="employees", progress=False)
    with pytest.raises(ImportFileError, match="folder"):
        import_csv(seeded, tmp_path, kind="employees", progress=False)
    with pytest.raises(ValueError, match="kind"):
        import_csv(seeded, write(tmp_path, GOOD_EMPLOYEES), kind="courses", progress=False)  # type: ignore[arg-type]


def test_extra_columns_bom_and_crlf_are_accepted(seeded, tmp_path) -> None:
    text = "\ufeff" + GOOD_EMPLOYEES.replace(EMPLOYEE_HEADER, EMPLOYEE_HEADER.upper() + ",Remarks")
    lines = text.splitlines()
    text = "\r\n".join([lines[0], *(line + ",ok" for line in lines[1:])]) + "\r\n"
    report = import_csv(seeded, write(tmp_path, text), kind="employees", progress=False)
    assert (report.imported, report.rejected, report.ignored_columns) == (2, 0, ("remarks",))
