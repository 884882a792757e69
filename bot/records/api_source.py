"""Learner records read from the Karmayogi (Sunbird-CB shaped) API.

Every request carries `Authorization: Bearer <api key>` and `Accept: application/json`. Endpoints,
relative to the base URL:

- `POST /api/user/v1/search` with `{"request": {"filters": {"email": "<lower-cased email>"}}}` or
  `{"request": {"filters": {"mobile": "<10 digits>"}}}`
  -> `{"result": {"response": {"count": n, "content": [USER, ...]}}}`
- `GET /api/user/v1/read/{userId}` -> `{"result": {"response": USER}}`; 404 when there is no such user.
  USER is `{"userId": "123", "firstName", "lastName", "email", "phone", "designation", "group",
  "rootOrgName"}`; `userId` is an integer in a string, our `EmployeeRef.id`.
- `GET /api/course/v2/user/enrollment/list/{userId}` -> `{"result": {"courses": [{"courseId",
  "courseName", "completionPercentage", "status" (0 not started, 1 in progress, 2 completed),
  "completedOn" (epoch ms or null), "batchId", "issuedCertificates": [{"identifier", "name",
  "lastIssuedOn" (ISO date-time)}], "pendingItems": [str, ...] (optional)}]}}`
- `GET /api/cbplan/v1/user/{userId}?cycle=2025-26` -> `{"result": {"cycle", "endDate" (YYYY-MM-DD),
  "minShare", "assessmentRequired", "contentList": [courseId, ...]}}`; 404 when no plan applies. The
  server picks the plan (designation, then group, then organisation-wide).
- `GET /api/karmapoints/v1/user/{userId}?limit=10` -> `{"result": {"total": int, "kpList": [{"points",
  "operationType", "contextName", "creditDate" (epoch ms)}]}}`
- `GET /api/assessment/v1/comprehensive/{userId}?cycle=2025-26` -> `{"result": {"passed": bool,
  "score": float | null, "takenOn": epoch ms}}`; 404 when not taken.

A snapshot is the user read followed by the other four calls. Search results are checked against what
was asked (a search that returns other people, or several, finds nobody). Timeouts, connection errors,
any status other than 200 and 404 (a rejected key is as unusable as a server error), and bodies that are
not the shapes above raise `RecordsUnavailable`, whose message names the endpoint, never the user.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import httpx

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
from bot.records.sql_source import KARMA_LIMIT
from bot.records.tables import EnrolmentStatus
from bot.validators import normalise_mobile

DEFAULT_TIMEOUT = 5.0


class Malformed(Exception):
    """A response body that is not the documented shape."""


@contextmanager
def _reading(endpoint: str) -> Iterator[None]:
    """Any surprise in a body, a missing key or a wrong type, means the API is not one we can use."""
    try:
        yield
    except (KeyError, TypeError, ValueError, OverflowError, Malformed):
        raise RecordsUnavailable(f"learner records API {endpoint}: malformed response") from None


def _obj(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed("expected an object")
    return value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed("expected a list")
    return value


def _str(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise Malformed("expected a string")
    return str(value)


def _number(value: Any, default: float = 0.0) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Malformed("expected a number")
    return float(value)


def _epoch_ms(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(_number(value) / 1000, tz=UTC)


def _iso(value: Any) -> datetime | None:
    """ISO date-times as Sunbird writes them ("2025-06-13T10:55:44.383+0000"); naive ones are UTC."""
    if not value:
        return None
    return as_utc(datetime.fromisoformat(_str(value)))


def _bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise Malformed("expected a boolean")
    return value


def _employee(user: Any) -> EmployeeRef:
    user = _obj(user)
    user_id = _str(user.get("userId"))
    if not user_id.isdigit():
        raise Malformed("userId is not an integer")
    phone = _str(user.get("phone"))
    return EmployeeRef(
        id=int(user_id),
        name=" ".join(p for p in (_str(user.get("firstName")), _str(user.get("lastName"))) if p),
        email=_str(user.get("email")),
        mobile=normalise_mobile(phone) or phone,
        designation=_str(user.get("designation")),
        group=_str(user.get("group")),
        organisation=_str(user.get("rootOrgName")),
    )


def _certificate(issued: Any) -> tuple[str | None, datetime | None]:
    """The most recently issued certificate of a course, if any."""
    latest: tuple[str | None, datetime | None] = (None, None)
    for certificate in _list(issued):
        certificate = _obj(certificate)
        issued_at = _iso(certificate.get("lastIssuedOn"))
        if latest[0] is None or (issued_at and (latest[1] is None or issued_at > latest[1])):
            latest = (_str(certificate.get("identifier")) or None, issued_at)
    return latest


def _course(item: Any, mandated: set[str]) -> CourseRecord:
    item = _obj(item)
    code = _str(item.get("courseId"))
    if not code:
        raise Malformed("course without courseId")
    certificate_id, issued_at = _certificate(item.get("issuedCertificates"))
    return CourseRecord(
        code=code,
        title=_str(item.get("courseName")) or code,
        status=EnrolmentStatus(int(_number(item.get("status")))),
        completion=min(100.0, max(0.0, _number(item.get("completionPercentage")))),
        completed_at=_epoch_ms(item.get("completedOn")),
        certificate_id=certificate_id,
        certificate_issued_at=issued_at,
        pending_items=tuple(_str(p) for p in _list(item.get("pendingItems"))),
        mandated=code in mandated,
    )


def _plan_course(item: Any) -> tuple[str, str]:
    """A plan entry: a course id, or (tolerated) an object with an id and a name. Without a name the id
    stands in as the title."""
    if isinstance(item, dict):
        code = _str(item.get("courseId") or item.get("identifier"))
        title = _str(item.get("courseName") or item.get("name"))
    else:
        code, title = _str(item), ""
    if not code:
        raise Malformed("plan entry without a course id")
    return code, title or code


def _plan(result: dict[str, Any], cycle: str) -> tuple[PlanRecord, list[tuple[str, str]]]:
    titles: dict[str, str] = {}  # one entry per course id, in plan order
    for item in _list(result.get("contentList")):
        code, title = _plan_course(item)
        titles.setdefault(code, title)
    unique = list(titles.items())
    plan = PlanRecord(
        cycle=_str(result.get("cycle")) or cycle,
        due_date=date.fromisoformat(_str(result["endDate"])),
        min_share=_number(result.get("minShare"), 0.5),
        assessment_required=_bool(result.get("assessmentRequired"), True),
        course_codes=tuple(code for code, _ in unique),
    )
    return plan, unique


def _karma(result: dict[str, Any]) -> tuple[tuple[KarmaRecord, ...], int]:
    """The latest credits, newest first whatever order the API sent, and the all-time total (the sum of
    what was sent, if the API leaves the total out)."""
    credits = []
    for item in _list(result.get("kpList")):
        item = _obj(item)
        credited_at = _epoch_ms(item.get("creditDate"))
        if credited_at is None:
            raise Malformed("karma credit without a date")
        credits.append(
            KarmaRecord(
                points=int(_number(item.get("points"))),
                reason=_str(item.get("operationType")),
                credited_at=credited_at,
                course_title=_str(item.get("contextName")) or None,
            )
        )
    credits.sort(key=lambda k: k.credited_at, reverse=True)
    total = result.get("total")
    karma_total = int(_number(total)) if total is not None else sum(k.points for k in credits)
    return tuple(credits[:KARMA_LIMIT]), karma_total


def _assessment(result: dict[str, Any], cycle: str) -> AssessmentRecord:
    taken_at = _epoch_ms(result.get("takenOn"))
    passed = result.get("passed")
    if taken_at is None or not isinstance(passed, bool):
        raise Malformed("assessment without a date or a result")
    score = result.get("score")
    return AssessmentRecord(
        cycle=cycle, passed=passed, taken_at=taken_at, score=_number(score) if score is not None else None
    )


class HttpLearnerRecords:
    """`LearnerRecords` over the Karmayogi API. Pass `client` to reuse a connection pool or, in tests,
    to point at a fake server; otherwise one is made with a `timeout`-second limit per request."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        client: httpx.Client | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)
        self._timeout = timeout

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def _call(
        self,
        endpoint: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """The `result` object of a response; None on 404. `endpoint` names the call in errors, which
        must not carry the URL: it holds the user id."""
        if not self._base:
            raise RecordsUnavailable("learner records API URL is not configured")
        try:
            response = self._client.request(
                method,
                f"{self._base}{path}",
                params=params,
                json=json,
                headers=self._headers,
                timeout=self._timeout,
            )
        except httpx.HTTPError as error:
            raise RecordsUnavailable(f"learner records API {endpoint}: {type(error).__name__}") from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise RecordsUnavailable(f"learner records API {endpoint}: HTTP {response.status_code}")
        try:
            return _obj(_obj(response.json()).get("result"))
        except (ValueError, Malformed):
            raise RecordsUnavailable(f"learner records API {endpoint}: malformed response") from None

    def _search(self, field: str, value: str, matches: Callable[[EmployeeRef], bool]) -> EmployeeRef | None:
        body = {"request": {"filters": {field: value}}}
        result = self._call("user search", "POST", "/api/user/v1/search", json=body)
        if result is None:
            return None
        with _reading("user search"):
            content = _list(_obj(result.get("response")).get("content"))
            found = [employee for employee in map(_employee, content) if matches(employee)]
        return found[0] if len(found) == 1 else None

    def find_by_email(self, email: str) -> EmployeeRef | None:
        """The user with this email (sent lower-cased, compared ignoring case); None if none or several."""
        wanted = email.strip().lower()
        if "@" not in wanted:
            return None
        return self._search("email", wanted, lambda e: e.email.strip().lower() == wanted)

    def find_by_mobile(self, mobile: str) -> EmployeeRef | None:
        """The user with this 10-digit mobile (+91, 0 and spaces tolerated); None if none or several."""
        number = normalise_mobile(mobile)
        if number is None:
            return None
        return self._search("mobile", number, lambda e: e.mobile == number)

    def get_employee(self, employee_id: int) -> EmployeeRef | None:
        result = self._call("user read", "GET", f"/api/user/v1/read/{int(employee_id)}")
        if result is None:
            return None
        with _reading("user read"):
            return _employee(result.get("response"))

    def snapshot(self, employee_id: int, *, cycle: str) -> LearnerSnapshot | None:
        employee = self.get_employee(employee_id)
        if employee is None:
            return None
        uid = employee.id

        plan: PlanRecord | None = None
        plan_courses: list[tuple[str, str]] = []
        result = self._call("plan", "GET", f"/api/cbplan/v1/user/{uid}", params={"cycle": cycle})
        if result is not None:
            with _reading("plan"):
                plan, plan_courses = _plan(result, cycle)
        mandated = {code for code, _ in plan_courses}

        result = self._call("enrolments", "GET", f"/api/course/v2/user/enrollment/list/{uid}") or {}
        with _reading("enrolments"):
            courses = [_course(item, mandated) for item in _list(result.get("courses"))]
        enrolled = {c.code for c in courses}
        courses += [
            CourseRecord(code, title, EnrolmentStatus.not_started, 0.0, mandated=True)
            for code, title in plan_courses
            if code not in enrolled
        ]

        result = self._call("karma", "GET", f"/api/karmapoints/v1/user/{uid}", params={"limit": KARMA_LIMIT})
        with _reading("karma"):
            karma, karma_total = _karma(result or {})

        assessment: AssessmentRecord | None = None
        result = self._call(
            "assessment", "GET", f"/api/assessment/v1/comprehensive/{uid}", params={"cycle": cycle}
        )
        if result is not None:
            with _reading("assessment"):
                assessment = _assessment(result, cycle)

        return LearnerSnapshot(
            employee=employee,
            plan=plan,
            courses=tuple(courses),
            karma=karma,
            karma_total=karma_total,
            assessment=assessment,
        )
