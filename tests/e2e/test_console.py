"""The helpdesk console in real Chromium against the real servers: an account made with the CLI signs
in and sees a conversation that a user handed over a moment ago."""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bot.settings import ROOT
from tests.e2e.servers import Servers, free_port, wait_until_up

pytestmark = pytest.mark.e2e
CHROMIUM = Path("/usr/bin/chromium")
SECRET = "e2e-console-secret-" + "c" * 32
PASSWORD = "a long helpdesk passphrase, 7 words"


def sahayak(servers: Servers, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / ".venv/bin/sahayak"), *args],
        cwd=ROOT,
        env={**servers.env(), "SAHAYAK_CONSOLE_SECRET": SECRET},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def console_url(servers: Servers) -> Iterator[str]:
    added = sahayak(
        servers, "staff", "add", "meena", "--first-name", "Meena", "--password-stdin", stdin=PASSWORD
    )
    assert added.returncode == 0, added.stderr
    refused = sahayak(
        servers, "staff", "add", "ravi", "--first-name", "Ravi", "--password-stdin", stdin="short"
    )
    assert refused.returncode == 1 and "12" in refused.stderr and "short" not in refused.stderr
    port = free_port()
    log = servers.workdir / "console.log"
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/sahayak"), "console", "--port", str(port)],
        cwd=ROOT,
        env={**servers.env(), "SAHAYAK_CONSOLE_SECRET": SECRET},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert PASSWORD not in log.read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def test_an_agent_signs_in_with_the_keyboard_and_sees_who_waits(
    servers: Servers, console_url: str, page: Page
) -> None:
    replies = servers.say("e2e-console-user", "I want to talk to a person from the helpdesk")
    found = re.search(r"ESC-\w{6}", " ".join(r.get("text", "") for r in replies))
    assert found, replies
    reference = found.group(0)

    page.goto(console_url + "/")
    expect(page).to_have_url(console_url + "/sign-in?next=/")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("meena")
    page.keyboard.press("Tab")
    page.keyboard.type("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("That username and password do not match an account.")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Waiting for a person")).to_be_visible()
    row = page.get_by_role("row", name=reference)
    expect(row).to_contain_text("asked for a person")
    expect(row).to_contain_text("REST")
    expect(page).to_have_title(re.compile(r"^Queue \(\d+\) · Karmayogi Sahayak$"))
    page.screenshot(path=str(servers.workdir / "console-queue.png"))

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to the helpdesk")).to_be_visible()
    page.goto(console_url + "/")
    expect(page).to_have_url(console_url + "/sign-in?next=/")
