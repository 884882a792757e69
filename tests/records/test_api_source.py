"""Learner records from the Karmayogi API, served by a real HTTP server on 127.0.0.1."""

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.records.api_source import HttpLearnerRecords
from bot.records.source import RecordsUnavailable
from bot.records.tables import EnrolmentStatus
from tests.records.fixtures import (
    ANITA,
    BALA,
    CHITRA,
    CYCLE,
    ORG_WIDE,
    PEOPLE,
    PLAN_CASES,
    api_assessment,
    api_enrolments,
    api_karma,
    api_plan,
    api_user,
    check_anita,
    check_plan,
)

API_KEY = "test-key-123"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeKarmayogi:
    """Answers the documented endpoints from the fixtures. `overrides` maps a path prefix to a canned
    (status, raw body, delay in seconds), to play a broken server."""

    seen: list[Seen] = field(default_factory=list)
    overrides: dict[str, tuple[int, bytes, float]] = field(default_factory=dict)
    search_returns_everyone: bool = False

    def answer(self, seen: Seen) -> tuple[int, Any]:
        people = {str(p.id): p for p in PEOPLE}
        parts = seen.path.strip("/").split("/")
        user = people.get(parts[-1])
        if seen.method == "POST" and seen.path == "/api/user/v1/search":
            filters = seen.body["request"]["filters"]
            found = [
                api_user(p)
                for p in PEOPLE
                if self.search_returns_everyone
                or ("email" in filters and p.email.lower() == filters["email"])
                or ("mobile" in filters and p.mobile == filters["mobile"])
            ]
            return 200, {"result": {"response": {"count": len(found), "content": found}}}
        if seen.method != "GET" or user is None:
            return 404, {"params": {"status": "failed"}}
        cycle = seen.query.get("cycle", [""])[0]
        prefix = "/".join(parts[:-1])
        if prefix == "api/user/v1/read":
            return 200, {"result": {"response": api_user(user)}}
        if prefix == "api/course/v2/user/enrollment/list":
            return 200, api_enrolments(user.id)
        if prefix == "api/cbplan/v1/user":
            plan = api_plan(user.id) if cycle == CYCLE else None
            return (200, plan) if plan else (404, {})
        if prefix == "api/karmapoints/v1/user":
            return 200, api_karma(user.id, int(seen.query["limit"][0]))
        if prefix == "api/assessment/v1/comprehensive":
            result = api_assessment(user.id, cycle)
            return (200, result) if result else (404, {})
        return 404, {}


def _handler(fake: FakeKarmayogi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            seen = Seen(
                self.command,
                url.path,
                parse_qs(url.query),
                {k.lower(): v for k, v in self.headers.items()},
                json.loads(raw) if raw else None,
            )
            fake.seen.append(seen)
            canned = next((v for k, v in fake.overrides.items() if url.path.startswith(k)), None)
            if canned:
                status, body, delay = canned
                time.sleep(delay)
            else:
                status, payload = fake.answer(seen)
                body = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (timeout test)
                pass

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake() -> FakeKarmayogi:
    return FakeKarmayogi()


@pytest.fixture
def base_url(fake: FakeKarmayogi) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def records(base_url: str) -> Iterator[HttpLearnerRecords]:
    source = HttpLearnerRecords(base_url, API_KEY, timeout=0.5)
    yield source
    source.close()


def test_snapshot_holds_plan_courses_karma_and_assessment(records, fake) -> None:
    check_anita(records.snapshot(ANITA.id, cycle=CYCLE))
    paths = {s.path for s in fake.seen}
    assert paths == {
        f"/api/user/v1/read/{ANITA.id}",
        f"/api/course/v2/user/enrollment/list/{ANITA.id}",
        f"/api/cbplan/v1/user/{ANITA.id}",
        f"/api/karmapoints/v1/user/{ANITA.id}",
        f"/api/assessment/v1/comprehensive/{ANITA.id}",
    }
    asked = {s.path.split("/")[2]: s.query for s in fake.seen}
    assert asked["cbplan"] == asked["assessment"] == {"cycle": [CYCLE]}
    assert asked["karmapoints"] == {"limit": ["10"]}


def test_every_request_carries_the_api_key(records, fake) -> None:
    records.snapshot(ANITA.id, cycle=CYCLE)
    records.find_by_email(ANITA.email)
    assert len(fake.seen) == 6
    assert all(s.headers["authorization"] == f"Bearer {API_KEY}" for s in fake.seen)


@PLAN_CASES
def test_the_plan_the_server_picks_marks_the_mandated_courses(records, person, plan) -> None:
    check_plan(records, person, plan)


def test_people_without_records_get_an_empty_snapshot(records) -> None:
    snapshot = records.snapshot(CHITRA.id, cycle=CYCLE)
    assert snapshot is not None
    assert all(c.status is EnrolmentStatus.not_started and c.completion == 0 for c in snapshot.courses)
    # The plan lists ids only, so the id stands in for the title of a course never enrolled in.
    assert [c.title for c in snapshot.courses] == list(ORG_WIDE.codes)
    assert (snapshot.karma, snapshot.karma_total, snapshot.assessment) == ((), 0, None)


def test_no_plan_and_no_assessment_for_another_cycle(records) -> None:
    snapshot = records.snapshot(ANITA.id, cycle="2030-31")
    assert snapshot is not None
    assert snapshot.plan is None and snapshot.assessment is None
    assert [c.code for c in snapshot.courses] == ["C-RTI", "C-POSH", "C-XDATA"]


def test_a_failed_assessment_without_a_score(records) -> None:
    snapshot = records.snapshot(BALA.id, cycle=CYCLE)
    assert snapshot is not None and snapshot.assessment is not None
    assert not snapshot.assessment.passed and snapshot.assessment.score is None
    assert snapshot.karma_total == 10 and snapshot.karma[0].course_title == "GeM Procurement Basics"


def test_unknown_user_is_none(records) -> None:
    assert records.get_employee(999) is None
    assert records.snapshot(999, cycle=CYCLE) is None


def test_get_employee(records) -> None:
    employee = records.get_employee(BALA.id)
    assert employee is not None
    assert (employee.id, employee.name, employee.email, employee.mobile) == (
        BALA.id,
        "Bala Krishnan",
        BALA.email,
        BALA.mobile,
    )
    assert (employee.designation, employee.group, employee.organisation) == (
        "Assistant",
        "B",
        "Regional Implementation Office, Bhopal",
    )


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("Anita.Verma@MHA.gov.in", ANITA),
        ("  ANITA.VERMA@MHA.GOV.IN ", ANITA),
        ("Bala.K@MHA.gov.in", BALA),
        ("nobody@mha.gov.in", None),
    ],
)
def test_find_by_email_ignores_case(records, fake, typed, who) -> None:
    found = records.find_by_email(typed)
    assert (found.id if found else None) == (who.id if who else None)
    assert fake.seen[-1].body == {"request": {"filters": {"email": typed.strip().lower()}}}


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("9876543210", ANITA),
        ("+91 98765 43210", ANITA),
        ("098765-43210", ANITA),
        ("9999999999", None),
    ],
)
def test_find_by_mobile_normalises_the_number(records, fake, typed, who) -> None:
    found = records.find_by_mobile(typed)
    assert (found.id if found else None) == (who.id if who else None)
    digits = "".join(ch for ch in typed if ch.isdigit())[-10:]
    assert fake.seen[-1].body == {"request": {"filters": {"mobile": digits}}}


def test_bad_input_is_not_sent(records, fake) -> None:
    assert records.find_by_mobile("98765 4321") is None
    assert records.find_by_mobile("call me") is None
    assert records.find_by_email("") is None
    assert records.find_by_email("not an email") is None
    assert fake.seen == []


def test_a_search_that_ignores_the_filter_finds_nobody(records, fake) -> None:
    fake.search_returns_everyone = True
    assert records.find_by_email("nobody@mha.gov.in") is None
    assert records.find_by_mobile("9999999999") is None
    # Only the one matching user of everyone returned counts.
    found = records.find_by_email(ANITA.email)
    assert found is not None and found.id == ANITA.id


BROKEN = {  # canned answer of the user endpoints, and what the error says
    "server error": ((500, b'{"result": {"response": {"count": 0, "content": []}}}', 0.0), "HTTP 500"),
    "key refused": ((401, b'{"result": {"response": {"count": 0, "content": []}}}', 0.0), "HTTP 401"),
    "not json": ((200, b"<html>maintenance</html>", 0.0), "malformed"),
    "no result": ((200, b'{"params": {}}', 0.0), "malformed"),
    "wrong shape": (
        (200, b'{"result": {"response": {"count": 1, "content": [{"userId": "abc"}]}}}', 0.0),
        "malformed",
    ),
    "timeout": ((200, b"{}", 1.0), "Timeout"),
}


@pytest.mark.parametrize("broken", BROKEN, ids=list(BROKEN))
def test_a_broken_api_is_unavailable(records, fake, broken) -> None:
    canned, says = BROKEN[broken]
    fake.overrides = {"/api/user/v1": canned}
    calls = (
        lambda: records.find_by_email(ANITA.email),
        lambda: records.find_by_mobile(ANITA.mobile),
        lambda: records.get_employee(ANITA.id),
        lambda: records.snapshot(ANITA.id, cycle=CYCLE),
    )
    for call in calls:
        with pytest.raises(RecordsUnavailable, match=says) as caught:
            call()
        message = str(caught.value)
        assert ANITA.email.lower() not in message.lower() and ANITA.mobile not in message
        assert str(ANITA.id) not in message and caught.value.__cause__ is None


def test_a_number_shared_by_two_users_finds_nobody(records, fake) -> None:
    twins = [api_user(ANITA), {**api_user(CHITRA), "phone": ANITA.mobile}]
    body = json.dumps({"result": {"response": {"count": 2, "content": twins}}}).encode()
    fake.overrides = {"/api/user/v1/search": (200, body, 0.0)}
    assert records.find_by_mobile(ANITA.mobile) is None


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        (
            "/api/course/v2/user/enrollment/list/",
            b'{"result": {"courses": [{"courseId": "C-RTI", "status": 7}]}}',
        ),
        ("/api/course/v2/user/enrollment/list/", b'{"result": {"courses": {"C-RTI": 1}}}'),
        ("/api/cbplan/v1/user/", b'{"result": {"contentList": ["C-RTI"]}}'),  # no endDate
        ("/api/cbplan/v1/user/", b'{"result": {"endDate": "31/03/2026", "contentList": []}}'),
        ("/api/karmapoints/v1/user/", b'{"result": {"kpList": [{"points": 5}]}}'),  # no date
        ("/api/assessment/v1/comprehensive/", b'{"result": {"passed": "yes", "takenOn": 1}}'),
        ("/api/assessment/v1/comprehensive/", b"null"),
    ],
)
def test_a_malformed_part_of_the_snapshot_is_unavailable(records, fake, endpoint, body) -> None:
    fake.overrides = {endpoint: (200, body, 0.0)}
    with pytest.raises(RecordsUnavailable, match="malformed"):
        records.snapshot(ANITA.id, cycle=CYCLE)


def test_a_server_error_on_any_part_of_the_snapshot_is_unavailable(records, fake) -> None:
    fake.overrides = {"/api/karmapoints/": (503, b"", 0.0)}
    with pytest.raises(RecordsUnavailable, match="karma: HTTP 503"):
        records.snapshot(ANITA.id, cycle=CYCLE)


def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = HttpLearnerRecords(f"http://127.0.0.1:{port}", API_KEY, timeout=0.5)
    with pytest.raises(RecordsUnavailable, match="ConnectError"):
        source.get_employee(ANITA.id)
    with pytest.raises(RecordsUnavailable):
        HttpLearnerRecords("", API_KEY).find_by_email(ANITA.email)


def test_an_injected_client_is_used_and_left_open(base_url, fake) -> None:
    with httpx.Client(headers={"X-Channel": "test"}) as client:
        source = HttpLearnerRecords(base_url, API_KEY, client)
        assert source.get_employee(ANITA.id) is not None
        source.close()
        assert not client.is_closed
    assert fake.seen[-1].headers["x-channel"] == "test"
    assert fake.seen[-1].headers["authorization"] == f"Bearer {API_KEY}"


def test_dates_are_aware_utc(records) -> None:
    snapshot = records.snapshot(ANITA.id, cycle=CYCLE)
    assert snapshot is not None and snapshot.plan is not None
    assert snapshot.plan.due_date == date(2026, 1, 31)
    moments = [snapshot.courses[0].completed_at, snapshot.courses[0].certificate_issued_at]
    moments += [k.credited_at for k in snapshot.karma]
    assert all(
        m is not None and m.utcoffset() is not None and m.utcoffset().total_seconds() == 0 for m in moments
    )
