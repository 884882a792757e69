"""The portal widget in real headless Chromium, on the demo portal page, against the real servers."""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright
from sqlalchemy import select

from bot.db import make_engine, make_sessions
from bot.helpdesk.tables import Escalation
from bot.settings import ROOT
from tests.e2e.servers import Servers, wait_until_up

pytestmark = pytest.mark.e2e
CHROMIUM = Path("/usr/bin/chromium")
# The first replies wait for the action server to load the search model; network recovery backs off.
TIMEOUT_MS = 60_000
GREETING = "I am Karmayogi Sahayak"
SEVEN_STEPS = "Registering on iGOT Karmayogi takes seven steps"
STEP_FIVE = "Step 5: choose Centre or State first"
# WCAG 2.1 AA contrast of a text colour with the first opaque background behind it (through shadow roots).
CONTRAST = """el => {
  const rgb = c => {
    const p = c.match(/[\\d.]+/g).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const channel = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const lum = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  let node = el, bg = {r: 255, g: 255, b: 255};
  while (node) {
    if (node.nodeType === 1) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.a > 0) { bg = c; break; }
    }
    node = node.parentNode || node.host;
  }
  const [hi, lo] = [lum(rgb(getComputedStyle(el).color)), lum(bg)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""

expect.set_options(timeout=TIMEOUT_MS)


class Widget:
    """The widget as a user finds it: by role, name and label."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.get_by_role("button", name=re.compile(r"^Open Karmayogi Sahayak"))
        self.panel = page.get_by_role("dialog", name="Karmayogi Sahayak")
        self.input = page.get_by_label("Your message")
        self.log = page.get_by_role("list", name="Conversation")
        self.bot = self.log.locator("li.bot")
        self.user = self.log.locator("li.user")
        self.status = page.locator("#sahayak-widget .status")
        self.announcer = page.get_by_test_id("sahayak-announcer")

    def open(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()
        expect(self.bot.first).to_contain_text(GREETING)

    def say(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def choose(self, title: str) -> None:
        self.panel.get_by_role("button", name=title, exact=True).click()

    def reply(self, text: str) -> Locator:
        """A message of the bot's reply to the latest user message that contains `text`."""
        return self.log.locator("li.bot.latest", has_text=text).first

    def session_id(self) -> str | None:
        return self.page.evaluate(
            "() => { const k = Object.keys(localStorage).find(k => k.endsWith(':session'));"
            " return k ? JSON.parse(localStorage.getItem(k)) : null; }"
        )


def focused(locator: Locator) -> bool:
    return bool(locator.evaluate("el => el.getRootNode().activeElement === el"))


@pytest.fixture(scope="module")
def portal_url(servers: Servers) -> Iterator[str]:
    """`sahayak portal` as a user starts it, signing tokens with the e2e servers' key and database. It is
    a development tool, so only it runs in development mode; its address is the widget's allowed origin."""
    port = servers.portal_port
    log = servers.workdir / "portal.log"
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/sahayak"), "portal", "--port", str(port), "--rasa-url", servers.rasa_url],
        cwd=ROOT,
        env={**servers.env(), "SAHAYAK_ENV": "development"},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process, log, timeout=60)
        assert f"http://localhost:{port}/" in log.read_text()
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport={"width": 1280, "height": 800})
    opened.set_default_timeout(TIMEOUT_MS)
    yield opened
    opened.close()


@pytest.fixture
def page(context: BrowserContext, portal_url: str) -> Page:
    opened = context.new_page()
    opened.goto(portal_url)
    return opened


def sign_in(page: Page, situation: str) -> None:
    page.get_by_label("Signed in as").select_option(situation)
    page.get_by_role("button", name="Apply").click()


def test_registration_by_buttons_and_the_conversation_survives_a_reload(page: Page, servers: Servers) -> None:
    widget = Widget(page)
    expect(widget.panel).to_be_hidden()
    widget.open()
    expect(widget.input).to_be_focused()

    widget.choose("How to register")
    expect(widget.reply(SEVEN_STEPS)).to_be_visible()
    expect(widget.user.last).to_contain_text("How to register")
    # The greeting's topics are spent and gone; the web address in the steps is a safe link.
    expect(widget.panel.get_by_role("button", name="How to register")).to_have_count(0)
    link = widget.bot.last.get_by_role("link", name=re.compile(r"igotkarmayogi\.gov\.in"))
    expect(link).to_have_attribute("href", "https://igotkarmayogi.gov.in/")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    widget.say("my organisation is not in the list")
    expect(widget.reply("full name")).to_be_visible()
    session = widget.session_id()
    assert session and re.fullmatch(r"[0-9a-f]{32}", session)

    page.reload()
    expect(widget.panel).to_be_visible()
    expect(widget.log).to_contain_text(SEVEN_STEPS)
    expect(widget.log).to_contain_text("full name")
    expect(widget.reply("full name")).to_be_in_viewport()  # scrolled to the latest reply, not the greeting
    assert widget.session_id() == session
    # The same conversation goes on: the form takes the name and asks for the next field.
    widget.say("Anita Verma")
    expect(widget.reply("email")).to_be_visible()
    tracker = servers.tracker(f"widget:{session}")
    assert tracker["latest_input_channel"] == "widget"
    assert tracker["slots"]["requester_name"] == "Anita Verma"


def test_keyboard_alone_with_announcements_visible_focus_and_contrast(page: Page) -> None:
    widget = Widget(page)
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused(widget.launcher):
            break
    expect(widget.launcher).to_be_focused()
    assert widget.launcher.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()
    expect(widget.bot.first).to_contain_text(GREETING)

    page.keyboard.type("how do I register?")
    page.keyboard.press("Enter")
    expect(widget.log).to_contain_text(SEVEN_STEPS)
    expect(widget.announcer).to_contain_text(SEVEN_STEPS)
    expect(widget.announcer).to_have_attribute("aria-live", "polite")

    step_five = widget.panel.get_by_role("button", name="Step 5: organisation")
    for _ in range(15):
        page.keyboard.press("Shift+Tab")
        if focused(step_five):
            break
    expect(step_five).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.user.last).to_contain_text("Step 5: organisation")
    expect(widget.reply(STEP_FIVE)).to_be_visible()
    expect(widget.announcer).to_contain_text(STEP_FIVE)
    expect(widget.input).to_be_focused()
    # One offer to file the request, though two messages of the reply make it.
    expect(widget.panel.get_by_role("button", name="Request a missing organisation")).to_have_count(1)
    expect(widget.panel.get_by_role("button", name="Organisation missing")).to_have_count(0)
    expect(widget.panel.get_by_role("button", name="OTP not received")).to_have_count(1)

    for element in (
        widget.launcher,
        widget.panel.get_by_role("heading", name="Karmayogi Sahayak"),
        widget.bot.first.locator(".bubble"),
        widget.user.last.locator(".bubble"),
        widget.bot.last.get_by_role("button").first,
        widget.panel.get_by_role("button", name="Send"),
    ):
        assert element.evaluate(CONTRAST) >= 4.5, element

    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")


def test_phone_sized_screen_gets_a_full_screen_panel(browser: Browser, portal_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(portal_url)
        widget = Widget(page)
        widget.open()
        box = widget.panel.bounding_box()
        assert box is not None
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 667)
        for control in (widget.input, widget.panel.get_by_role("button", name="Send"), widget.bot.first):
            inner = control.bounding_box()
            assert inner is not None and inner["x"] >= 0 and inner["x"] + inner["width"] <= 375
            assert inner["y"] >= 0 and inner["y"] + inner["height"] <= 667
        assert widget.log.evaluate("el => el.scrollWidth <= el.clientWidth")
        expect(widget.launcher).to_be_hidden()
        # Full screen, the panel is a modal dialog: Tab goes round inside it.
        expect(widget.panel).to_have_attribute("aria-modal", "true")
        widget.input.focus()
        for _ in range(30):
            page.keyboard.press("Tab")
            inside = widget.panel.evaluate("(el) => el.contains(el.getRootNode().activeElement)")
            assert inside
        page.keyboard.press("Shift+Tab")
        assert widget.panel.evaluate("(el) => el.contains(el.getRootNode().activeElement)")
        widget.panel.get_by_role("button", name="Close chat").click()
        expect(widget.launcher).to_be_visible()
        expect(widget.launcher).to_be_focused()
    finally:
        context.close()


def test_signed_in_on_the_portal_progress_needs_no_email_and_another_person_starts_afresh(page: Page) -> None:
    sign_in(page, "on_track")
    expect(page.get_by_test_id("account")).to_contain_text("Priya Raghavan")
    widget = Widget(page)
    widget.open()
    widget.say("how many of my mandatory courses have I finished?")
    expect(widget.reply("5 of 8 prescribed courses")).to_be_visible()
    expect(widget.log).not_to_contain_text("confirm who you are")
    first = widget.session_id()

    # Someone else signs in on this browser: a new conversation, nothing of Priya's on screen.
    page.keyboard.press("Escape")
    sign_in(page, "behind")
    expect(page.get_by_test_id("account")).to_contain_text("Rakesh")
    widget.open()
    expect(widget.log).not_to_contain_text("prescribed courses")
    assert widget.session_id() not in (None, first)
    widget.say("how many of my mandatory courses have I finished?")
    expect(widget.reply("1 of 8 prescribed courses")).to_be_visible()


def test_progress_is_one_card_with_a_real_progress_bar_linked_courses_and_follow_ups(page: Page) -> None:
    """The summary that came as five grey bubbles with a bar of block characters is one card: a progress
    element a screen reader names, the facts as a list, the pending courses linked, then follow-ups."""
    sign_in(page, "on_track")
    widget = Widget(page)
    widget.open()
    widget.say("how many of my mandatory courses have I finished?")
    card = widget.log.locator("li.bot.latest .card")
    expect(card).to_have_count(1)
    bar = card.get_by_role("progressbar", name=re.compile(r"^5 of 8 prescribed courses completed"))
    expect(bar).to_have_attribute("value", "5")
    expect(bar).to_have_attribute("max", "8")
    expect(card.get_by_role("heading", name=re.compile("your prescribed courses"))).to_be_visible()
    expect(card.locator("dt", has_text="Deadline")).to_be_visible()
    expect(card.locator("dd").first).to_contain_text("at least 50%")
    expect(card.get_by_role("heading", name=re.compile(r"^Not finished yet \(3\)"))).to_be_visible()
    links = card.get_by_role("link")
    expect(links).to_have_count(3)
    assert all(
        re.search(r"/app/toc/[^/]+/overview$", href or "")
        for href in links.evaluate_all("(all) => all.map(a => a.href)")
    )
    expect(widget.log).not_to_contain_text("▓")
    assert widget.bot.filter(has_text="prescribed courses").count() == 1  # one message, not five
    expect(widget.announcer).to_contain_text("5 of 8 prescribed courses")  # read out as its text
    widget.choose("My certificates")
    certificates = widget.log.locator("li.bot.latest .card")
    expect(certificates.get_by_role("heading", name="Your certificates")).to_be_visible()
    expect(certificates.get_by_role("listitem").first).to_be_visible()


def test_network_loss_shows_reconnecting_and_queued_messages_go_out_when_back(
    page: Page, context: BrowserContext
) -> None:
    widget = Widget(page)
    widget.open()
    context.set_offline(True)
    expect(widget.status).to_be_visible()
    expect(widget.status).to_have_text("Connection lost. Reconnecting…")
    widget.say("how do I register?")
    expect(widget.user.last).to_contain_text("Waiting to send")

    # Down for a while, the panel names another way to get help and keeps what was typed.
    expect(widget.status).to_contain_text("cannot be reached")
    expect(widget.status.get_by_role("link", name="support-igot@gov.in")).to_have_attribute(
        "href", "mailto:support-igot@gov.in"
    )
    expect(widget.user.last).to_contain_text("Waiting to send")

    context.set_offline(False)
    expect(widget.reply(SEVEN_STEPS)).to_be_visible()
    expect(widget.status).to_be_hidden()
    expect(widget.user.last).not_to_contain_text("Waiting to send")
    widget.say("I am stuck at step 5")
    expect(widget.reply(STEP_FIVE)).to_be_visible()


def push(servers: Servers, session: str | None, text: str) -> None:
    """A helpdesk agent's message, delivered the way live handoff delivers it: through the HTTP API."""
    servers.push(f"widget:{session}", {"event": "bot", "text": text})


def test_a_helpdesk_message_pushed_through_the_http_api_reaches_the_widget(
    page: Page, servers: Servers
) -> None:
    widget = Widget(page)
    widget.open()
    session = widget.session_id()
    widget.panel.get_by_role("button", name="Close chat").click()
    push(
        servers, session, 'Meena: <img src=x onerror="window.pwned=1"> see https://igotkarmayogi.gov.in/help.'
    )
    # Arrived while the panel was closed: the launcher says so.
    expect(widget.launcher).to_have_accessible_name(re.compile(r"1 new message"))
    widget.launcher.click()
    expect(widget.bot.last).to_contain_text('<img src=x onerror="window.pwned=1">')
    expect(widget.log.locator("img")).to_have_count(0)
    link = widget.bot.last.get_by_role("link")
    expect(link).to_have_attribute("href", "https://igotkarmayogi.gov.in/help")
    expect(link).to_have_attribute("target", "_blank")
    assert page.evaluate("window.pwned") is None

    # A new conversation hears nothing more of the old one.
    widget.panel.get_by_role("button", name="New conversation").click()
    widget.panel.get_by_role("button", name="Start new").click()
    expect(widget.bot.first).to_contain_text(GREETING)
    expect(widget.log).not_to_contain_text("Meena")
    fresh = widget.session_id()
    assert fresh not in (None, session)
    push(servers, session, "Meena again, in the old conversation.")
    push(servers, fresh, "Arjun from the helpdesk, in the new conversation.")
    expect(widget.bot.last).to_contain_text("Arjun from the helpdesk")
    expect(widget.log).not_to_contain_text("Meena again")


def test_unreadable_messages_are_screened_like_on_rest(page: Page) -> None:
    widget = Widget(page)
    widget.open()
    widget.say("🙂🙂🙂")
    expect(widget.reply("I can only understand written words")).to_be_visible()
    widget.say("why " * 600)
    expect(widget.reply("Your message is very long")).to_be_visible()


def test_a_session_id_the_server_did_not_issue_is_replaced(
    context: BrowserContext, portal_url: str, servers: Servers
) -> None:
    """A client cannot pick a conversation id, such as a WhatsApp user's phone number."""
    page = context.new_page()
    page.goto(portal_url)
    page.evaluate(
        "key => localStorage.setItem(key, JSON.stringify('919810012345'))",
        f"sahayak:{servers.rasa_url}:session",
    )
    page.reload()
    widget = Widget(page)
    widget.open()
    session = widget.session_id()
    assert session and re.fullmatch(r"[0-9a-f]{32}", session)


def test_hindi_interface_from_the_page_language(page: Page) -> None:
    page.get_by_label("Page language").select_option("hi")
    page.get_by_role("button", name="Apply").click()
    launcher = page.get_by_role("button", name="कर्मयोगी सहायक खोलें")
    expect(launcher).to_contain_text("सहायता")
    launcher.click()
    panel = page.get_by_role("dialog", name="कर्मयोगी सहायक")
    expect(panel.get_by_label("आपका संदेश")).to_have_attribute("placeholder", "अपना सवाल लिखें…")
    expect(panel.get_by_role("list", name="बातचीत")).to_contain_text("नमस्ते! मैं कर्मयोगी सहायक हूँ")


def test_the_widget_files_are_served_by_the_rasa_server(servers: Servers) -> None:
    base = f"{servers.rasa_url}/webhooks/widget"
    script = httpx.get(f"{base}/widget.js", timeout=10)
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    again = httpx.get(f"{base}/widget.js", headers={"If-None-Match": script.headers["etag"]}, timeout=10)
    assert again.status_code == 304
    client = httpx.get(f"{base}/socket.io.min.js", timeout=10)
    assert client.text.startswith("/*!\n * Socket.IO v4.") and "MIT License" in client.text[:200]
    assert "text/css" in httpx.get(f"{base}/widget.css", timeout=10).headers["content-type"]
    for path in ("credentials.yml", "demo.html", "..%2Fcredentials.yml", "vendor/socket.io.min.js"):
        assert httpx.get(f"{base}/{path}", timeout=10).status_code == 404, path


# Where the first message of the newest reply sits in the log, and how tall the reply and the log are.
REPLY_GEOMETRY = """log => {
  const reply = [...log.querySelectorAll('li.bot.latest')];
  const box = log.getBoundingClientRect();
  const first = reply[0].getBoundingClientRect();
  const last = reply[reply.length - 1].getBoundingClientRect();
  return {top: first.top - box.top, height: last.bottom - first.top, view: box.height};
}"""


def test_a_long_reply_opens_at_its_first_line_and_a_reader_scrolled_back_stays_put(
    browser: Browser, portal_url: str, servers: Servers
) -> None:
    # A small phone: the seven steps are taller than its panel.
    context = browser.new_context(viewport={"width": 360, "height": 560}, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(portal_url)
        widget = Widget(page)
        widget.open()
        # A tap on a choice does not raise the phone's keyboard over the panel.
        widget.panel.get_by_role("button", name="How to register", exact=True).tap()
        expect(widget.reply(SEVEN_STEPS)).to_be_attached()
        page.wait_for_timeout(300)  # the reply's messages arrive one by one
        assert not focused(widget.input)

        where = widget.log.evaluate(REPLY_GEOMETRY)
        assert where["height"] > where["view"], where  # taller than the panel: its start must be chosen
        assert 0 <= where["top"] <= 24, where  # step 1 is on screen, not scrolled away above

        # Someone reading an earlier message is not pulled away by a new one.
        widget.log.evaluate("el => { el.scrollTop = 0; }")
        page.wait_for_timeout(200)
        push(servers, widget.session_id(), "Meena from the helpdesk: I am looking at your case.")
        expect(widget.log).to_contain_text("Meena from the helpdesk")
        assert widget.log.evaluate("el => el.scrollTop") == 0
        # Writing again follows the conversation again.
        widget.say("thanks")
        expect(widget.user.last).to_be_in_viewport()
    finally:
        context.close()


def test_used_choices_collapse_and_addresses_in_replies_are_links(page: Page) -> None:
    widget = Widget(page)
    widget.open()
    widget.choose("How to register")
    expect(widget.reply(SEVEN_STEPS)).to_be_visible()
    expect(widget.log.locator("li.bot:not(.latest) button")).to_have_count(0)
    expect(widget.input).to_be_focused()  # a mouse click keeps the keyboard in the conversation

    widget.say("what is the support email id? igot.in se kuch nahi mila")
    mail = widget.reply("support-igot@gov.in").get_by_role("link", name="support-igot@gov.in").first
    expect(mail).to_have_attribute("href", "mailto:support-igot@gov.in")
    # What the user typed is shown as typed, with no link made of it.
    expect(widget.user.last).to_contain_text("igot.in se kuch nahi mila")
    expect(widget.user.last.locator("a")).to_have_count(0)

    widget.say("how many courses are mandatory?")
    number = widget.reply("T-28/27/2025-iGOT").locator(".nowrap", has_text="T-28/27/2025-iGOT")
    expect(number.first).to_be_visible()
    # Retried: a message arriving after the first one re-renders the log and replaces the node.
    expect(number.first).to_have_css("white-space", "nowrap")


def test_unread_messages_are_counted_with_the_right_plural(page: Page, servers: Servers) -> None:
    widget = Widget(page)
    widget.open()
    session = widget.session_id()
    widget.panel.get_by_role("button", name="Close chat").click()
    push(servers, session, "Meena from the helpdesk: one moment please.")
    expect(widget.launcher).to_have_accessible_name(re.compile(r"\(1 new message\)$"))
    push(servers, session, "Meena: I have found your record.")
    expect(widget.launcher).to_have_accessible_name(re.compile(r"\(2 new messages\)$"))
    expect(widget.launcher.locator(".unread")).to_have_text("2")
    widget.launcher.click()
    expect(widget.launcher.locator(".unread")).to_be_hidden()


def test_the_widget_speaks_the_conversations_language(page: Page) -> None:
    """On an English page, a conversation held in Hindi gets the widget's own words in Hindi too."""
    widget = Widget(page)
    widget.open()
    widget.say("मेरा OTP नहीं आ रहा")
    expect(page.get_by_role("list", name="बातचीत")).to_contain_text("कौन-सा OTP")
    expect(page.get_by_role("button", name="भेजें")).to_be_visible()
    expect(page.get_by_label("आपका संदेश")).to_have_attribute("placeholder", "अपना सवाल लिखें…")
    expect(page.get_by_role("dialog", name="कर्मयोगी सहायक")).to_be_visible()
    page.reload()  # the tab remembers it
    expect(page.get_by_role("button", name="भेजें")).to_be_visible()


def test_two_tabs_show_one_conversation_in_step_without_a_second_greeting(
    context: BrowserContext, portal_url: str
) -> None:
    first = context.new_page()
    first.goto(portal_url)
    one = Widget(first)
    one.open()
    one.say("how do I register?")
    expect(one.reply(SEVEN_STEPS)).to_be_visible()

    second = context.new_page()
    second.goto(portal_url)
    two = Widget(second)
    two.launcher.click()
    # The whole transcript, not the last line, and no second greeting in either tab.
    expect(two.log).to_contain_text(SEVEN_STEPS)
    expect(two.user.first).to_contain_text("how do I register?")
    second.wait_for_timeout(1500)
    expect(two.log.locator("li.bot", has_text=GREETING)).to_have_count(1)
    expect(one.log.locator("li.bot", has_text=GREETING)).to_have_count(1)

    # What is written in one tab shows in the other with its answer.
    two.say("I am stuck at step 5")
    expect(one.user.last).to_contain_text("I am stuck at step 5")
    expect(one.reply(STEP_FIVE)).to_be_visible()
    expect(two.reply(STEP_FIVE)).to_be_visible()

    # A new conversation in one tab is the new conversation in both.
    two.panel.get_by_role("button", name="New conversation").click()
    two.panel.get_by_role("button", name="Start new").click()
    expect(two.log.locator("li.bot", has_text=GREETING)).to_have_count(1)
    expect(one.log).not_to_contain_text(SEVEN_STEPS)
    one.say("how do I register?")
    expect(two.reply(SEVEN_STEPS)).to_be_visible()
    assert one.session_id() == two.session_id()


def test_a_new_conversation_is_confirmed_and_keeps_the_references_given(page: Page, servers: Servers) -> None:
    widget = Widget(page)
    widget.open()
    widget.say("how do I register?")
    expect(widget.reply(SEVEN_STEPS)).to_be_visible()
    push(servers, widget.session_id(), "Your request is filed. Reference: ORG-7K3M9Q. We will e-mail you.")
    expect(widget.reply("ORG-7K3M9Q")).to_be_visible()

    restart = widget.panel.get_by_role("button", name="New conversation")
    close = widget.panel.get_by_role("button", name="Close chat")
    restart_box, close_box = restart.bounding_box(), close.bounding_box()
    assert restart_box and close_box and close_box["x"] - (restart_box["x"] + restart_box["width"]) > 40

    restart.click()
    expect(widget.panel.get_by_role("button", name="Cancel")).to_be_focused()
    widget.panel.get_by_role("button", name="Cancel").click()
    expect(widget.log).to_contain_text(SEVEN_STEPS)  # nothing lost by a slip
    restart.click()
    widget.panel.get_by_role("button", name="Start new").click()
    expect(widget.log).not_to_contain_text(SEVEN_STEPS)
    expect(widget.bot.first).to_contain_text(GREETING)
    expect(widget.panel.locator(".references")).to_have_text("Your references: ORG-7K3M9Q")
    page.reload()
    expect(widget.panel.locator(".references")).to_have_text("Your references: ORG-7K3M9Q")


def test_the_keyboard_fits_the_question_asked(page: Page) -> None:
    """A phone brings up a number pad for the mobile number and the e-mailed code, an e-mail keyboard for
    the address; free text again afterwards."""
    widget = Widget(page)
    widget.open()
    widget.say("my organisation is not in the list")
    expect(widget.reply("full name")).to_be_visible()
    expect(widget.input).not_to_have_attribute("inputmode", re.compile(".+"))
    widget.say("Anita Verma")
    expect(widget.reply("email")).to_be_visible()
    expect(widget.input).to_have_attribute("inputmode", "email")
    widget.say("anita.verma@nic.in")
    expect(widget.reply("mobile number")).to_be_visible()
    expect(widget.input).to_have_attribute("inputmode", "tel")
    expect(widget.input).to_have_attribute("autocomplete", "tel-national")
    widget.say("9810012345")
    expect(widget.input).not_to_have_attribute("inputmode", re.compile(".+"))


def escalations_of(servers: Servers, conversation: str) -> list[str]:
    engine = make_engine(servers.database_url)
    try:
        with make_sessions(engine)() as session:
            return list(
                session.scalars(select(Escalation.reference).where(Escalation.sender_id == conversation))
            )
    finally:
        engine.dispose()


def test_waiting_for_a_person_stays_in_view_and_asking_again_files_no_second_case(
    page: Page, servers: Servers
) -> None:
    """After asking for a person the panel says it is waiting, with the reference, over a reload; asking
    again gives the same reference and no second case; the console's hand-back ends the wait."""
    widget = Widget(page)
    widget.open()
    waiting = widget.panel.locator(".handoff")
    expect(waiting).to_be_hidden()
    widget.say("I want to talk to a person from the helpdesk")
    expect(waiting).to_be_visible()
    expect(waiting).to_contain_text(
        re.compile(r"Waiting for a person from the helpdesk \(reference ESC-\w{6}\)")
    )
    reference = re.search(r"ESC-\w{6}", waiting.inner_text())
    assert reference
    page.reload()
    expect(waiting).to_contain_text(reference.group(0))  # the panel was open: it opens again

    widget.say("please connect me to a person at the helpdesk")
    expect(widget.reply("already in the queue")).to_contain_text(reference.group(0))
    conversation = f"widget:{widget.session_id()}"
    assert escalations_of(servers, conversation) == [reference.group(0)]
    expect(
        widget.reply("already in the queue").get_by_role("link", name="support-igot@gov.in")
    ).to_have_attribute("href", "mailto:support-igot@gov.in")

    joined = {
        "event": "bot",
        "text": "Meena from the helpdesk has joined.",
        "data": {"custom": {"handoff": "joined"}},
    }
    servers.push(conversation, joined)
    expect(widget.bot.last).to_contain_text("Meena from the helpdesk has joined.")
    expect(waiting).to_be_hidden()  # a person is here: nothing left to wait for
    servers.push(
        conversation,
        {
            "event": "bot",
            "text": "You are back with the assistant.",
            "data": {"custom": {"handoff": "ended"}},
        },
    )
    expect(widget.bot.last).to_contain_text("You are back with the assistant.")
    expect(waiting).to_be_hidden()
