"""The console over HTTP: nothing without signing in, no post without its form token, the queue."""

import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from bot.console.app import create_app, safe_next
from bot.helpdesk import staff as accounts
from bot.helpdesk.escalations import open_escalation
from bot.helpdesk.staff import add_staff
from bot.helpdesk.tables import StaffRole
from bot.settings import Settings

PASSWORD = "correct horse battery"
SECRET = "console-test-secret-" + "x" * 32
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(sessions, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    add_staff(sessions, username="meena", first_name="Meena", password=PASSWORD, role=StaffRole.agent)
    settings = Settings(env="production", console_secret=SECRET, console_max_body=4096)
    with TestClient(create_app(settings, sessions), base_url="https://testserver") as opened:
        yield opened


def form_token(client: TestClient, path: str = "/sign-in") -> str:
    found = TOKEN.search(client.get(path).text)
    assert found, "no form token on the page"
    return found.group(1)


def sign_in(client: TestClient, password: str = PASSWORD, username: str = "meena"):
    token = form_token(client)
    return client.post(
        "/sign-in",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


def test_nothing_is_reachable_without_signing_in(client: TestClient) -> None:
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/sign-in?next=/"
    assert client.post("/sign-out", data={}).status_code == 401
    # A cookie that is not the console's signature is no session.
    client.cookies.set("sahayak_console", "eyJzdGFmZiI6IDF9.forged.signature")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_post_without_the_form_token_is_refused(client: TestClient) -> None:
    refused = client.post(
        "/sign-in", data={"username": "meena", "password": PASSWORD}, follow_redirects=False
    )
    assert refused.status_code == 403 and "expired" in refused.text
    form_token(client)  # the cookie alone is not enough either
    refused = client.post(
        "/sign-in", data={"username": "meena", "password": PASSWORD}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303  # and nobody is signed in


def test_signing_in_and_out(client: TestClient) -> None:
    signed = sign_in(client)
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    cookie = signed.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower() and "secure" in cookie.lower()
    queue = client.get("/")
    assert queue.status_code == 200 and "Meena (agent)" in queue.text
    out = client.post("/sign-out", data={"csrf_token": form_token(client, "/")}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_wrong_password_and_an_unknown_name_read_the_same_then_throttle(client: TestClient) -> None:
    wrong, unknown = sign_in(client, "not the password"), sign_in(client, PASSWORD, "nobody")
    assert wrong.status_code == unknown.status_code == 401
    problem = "That username and password do not match an account."
    assert problem in wrong.text and problem in unknown.text
    assert 'value="meena"' in wrong.text  # the name stays typed; the password never comes back
    assert PASSWORD not in unknown.text
    for _ in range(accounts.FAILURES_PER_NAME_AND_NETWORK):
        sign_in(client, "still not it")
    throttled = sign_in(client)
    assert throttled.status_code == 429 and "Too many attempts" in throttled.text


def test_the_queue_lists_the_longest_waiting_first_masked_and_escaped(client: TestClient, sessions) -> None:
    for reason, said in (
        ("otp_not_received", "user: otp nahi aaya on 9876543210"),
        ("user_request", "user: <script>alert(1)</script> mail me at anita.verma@mha.gov.in"),
    ):
        open_escalation(
            sessions,
            sender_id=f"widget:{reason}",
            channel="widget",
            reason=reason,
            language="hinglish",
            summary=said,
            context={},
        )
    sign_in(client)
    page = client.get("/").text
    assert page.index("OTP not received") < page.index("asked for a person")
    assert "9876543210" not in page and "anita.verma@mha.gov.in" not in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "Hinglish" in page and "Portal widget" in page and "<title>Queue (2)" in page


def test_oversized_bodies_are_refused_and_pages_carry_security_headers(client: TestClient) -> None:
    too_big = client.post(
        "/sign-in", content=b"x" * 5000, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert too_big.status_code == 413
    page = client.get("/sign-in")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("given", "goes"),
    [
        ("/", "/"),
        ("/queue?x=1", "/queue?x=1"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil", "/"),
    ],
)
def test_after_signing_in_only_the_consoles_own_pages(given: str, goes: str) -> None:
    assert safe_next(given) == goes
