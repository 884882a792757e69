"""Learner records at demo size: time to generate and load the demo data, then the latency (p50, p95) of
one learner's progress snapshot over random employees, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.records_latency

PostgreSQL is the test server (SAHAYAK_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test),
in a fresh schema dropped at the end; if it is not reachable its half is skipped, saying so.
"""

import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_sessions, upgrade
from bot.records.demo import CYCLE, DemoData, generate, load
from bot.records.tables import Course, Employee, Enrolment, KarmaCredit

POSTGRES_URL = os.environ.get(
    "SAHAYAK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
LOOKUPS = 500
WARMUP = 20


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def snapshot_function(sessions: sessionmaker[Session]) -> tuple[Callable[[int], Any], str]:
    """`SqlLearnerRecords.snapshot`, or, if that module is not there yet, a stand-in that reads the same
    rows (employee, enrolments with their courses, karma total) in three queries."""
    try:
        from bot.records.sql_source import SqlLearnerRecords
    except ImportError:

        def stand_in(employee_id: int) -> Any:
            with sessions() as session:
                session.get(Employee, employee_id)
                rows = session.execute(
                    select(Enrolment, Course)
                    .join(Course, Enrolment.course_id == Course.id)
                    .where(Enrolment.employee_id == employee_id)
                ).all()
                total = session.scalar(
                    select(func.sum(KarmaCredit.points)).where(KarmaCredit.employee_id == employee_id)
                )
                return rows, total

        return stand_in, "stand-in query (bot.records.sql_source not available)"
    records = SqlLearnerRecords(sessions)
    return (lambda employee_id: records.snapshot(employee_id, cycle=CYCLE)), "SqlLearnerRecords.snapshot"


def measure(url: str, data: DemoData) -> None:
    engine = make_engine(url)
    try:
        sessions = make_sessions(engine)
        report = load(sessions, data)
        print(f"  load      {report.seconds:6.2f} s  (all tables, one transaction)")
        with sessions() as session:
            ids = list(session.scalars(select(Employee.id)))
        lookup, what = snapshot_function(sessions)
        rng = random.Random(1)
        for employee_id in rng.sample(ids, WARMUP):
            lookup(employee_id)
        samples = []
        for employee_id in rng.sample(ids, min(LOOKUPS, len(ids))):
            started = time.perf_counter()
            result = lookup(employee_id)
            samples.append((time.perf_counter() - started) * 1000)
            assert result is not None
        print(
            f"  snapshot  p50 {percentile(samples, 50):6.2f} ms   p95 {percentile(samples, 95):6.2f} ms"
            f"   over {len(samples)} random employees ({what})"
        )
    finally:
        engine.dispose()


@contextmanager
def postgres_schema() -> Iterator[str | None]:
    """A migrated fresh schema's URL, dropped afterwards; None if the server cannot be reached."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        print(f"  skipped: PostgreSQL is not reachable ({type(error).__name__})")
        admin.dispose()
        yield None
        return
    try:
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    started = time.perf_counter()
    data = generate()
    print(
        f"generate  {time.perf_counter() - started:6.2f} s  ({len(data.employees)} employees, "
        f"{len(data.courses)} courses, {len(data.enrolments)} enrolments, {len(data.karma)} karma credits)"
    )
    print("SQLite (temporary file)")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        measure(url, data)
    print("PostgreSQL (fresh schema)")
    with postgres_schema() as postgres_url:
        if postgres_url is not None:
            measure(postgres_url, data)


if __name__ == "__main__":
    main()
