"""Webhook-to-reply latency through each channel connector, against the REST channel, in the same run.

Every channel gets the same "hello" turn from a new user. REST: the POST until its response (the reply is
in it). Telegram and WhatsApp: the signed webhook POST until the local fake of the Bot API or Graph API
has received the reply (they answer the webhook first and reply in the background). Widget: in headless
Chromium, from pressing Enter until the first line of the reply is on screen (in view in the panel), and
from starting to load the page until the widget is ready (its Help button shown). Run with `make bench`.
"""

import random
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from bench.rest_latency import percentile
from tests.e2e import test_telegram, test_whatsapp
from tests.e2e.fake_graph import FakeGraph
from tests.e2e.fake_telegram import FakeTelegram
from tests.e2e.servers import (
    TELEGRAM_BOT_TOKEN,
    WHATSAPP_ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID,
    Servers,
    start_servers,
)

ROUNDS = 40
WARMUP = 3
POLL = 0.001
CHROMIUM = "/usr/bin/chromium"


def wait(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("no reply")
        time.sleep(POLL)


def measure(turn: Callable[[], None]) -> list[float]:
    for _ in range(WARMUP):
        turn()
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        turn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def rest_turn(servers: Servers) -> Callable[[], None]:
    def turn() -> None:
        assert servers.say(f"bench-rest-{uuid.uuid4().hex[:8]}", "hello")

    return turn


def telegram_turn(servers: Servers, fake: FakeTelegram) -> Callable[[], None]:
    def turn() -> None:
        uid = random.randrange(10**8, 10**10)
        assert test_telegram.post(servers, test_telegram.text(uid, "hello")).status_code == 200
        wait(lambda: bool(fake.sent_to(uid)))

    return turn


def whatsapp_turn(servers: Servers, fake: FakeGraph) -> Callable[[], None]:
    def turn() -> None:
        wa_id = f"9199{random.randrange(10**7, 10**8)}"
        body = test_whatsapp.webhook(wa_id, {"type": "text", "text": {"body": "hello"}})
        assert test_whatsapp.post(servers, body).status_code == 200
        wait(lambda: bool(fake.messages_to(wa_id)))

    return turn


def widget_samples(servers: Servers) -> tuple[list[float], list[float]]:
    """Enter to the reply's first line on screen, and page load to the widget ready, in the browser; each
    round is a new conversation on a blank page with the widget."""
    page_html = (
        f'<html lang="en"><body><script src="{servers.rasa_url}/webhooks/widget/widget.js" '
        f'data-server="{servers.rasa_url}" data-lang="en"></script></body></html>'
    )
    # Served from the portal's origin, the only one allowed to embed the widget.
    server = page_server(servers.portal_port, page_html)
    samples: list[float] = []
    ready: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            for i in range(WARMUP + ROUNDS):
                context = browser.new_context()
                page = context.new_page()
                loading = time.perf_counter()
                page.goto(f"http://127.0.0.1:{servers.portal_port}/", wait_until="commit")
                launcher = page.get_by_role("button", name=re.compile(r"^Open Karmayogi Sahayak"))
                launcher.wait_for(state="visible", timeout=60_000)
                loaded = time.perf_counter()
                launcher.click()
                replies = page.locator("li.bot")
                replies.first.wait_for(timeout=60_000)  # the greeting sent when a conversation opens
                before = replies.count()
                page.get_by_label("Your message").fill("hello")
                start = time.perf_counter()
                page.get_by_label("Your message").press("Enter")
                expect(replies.nth(before)).to_be_in_viewport(timeout=60_000)
                if i >= WARMUP:
                    samples.append((time.perf_counter() - start) * 1000)
                    ready.append((loaded - loading) * 1000)
                context.close()
        finally:
            browser.close()
            server.shutdown()
    return samples, ready


def page_server(port: int, body: str) -> ThreadingHTTPServer:
    """A plain page on 127.0.0.1:`port`, served from a thread until `shutdown()`."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        servers = start_servers(Path(workdir))
        telegram = FakeTelegram(servers.telegram_api_port, TELEGRAM_BOT_TOKEN).start()
        graph = FakeGraph(
            servers.whatsapp_api_port,
            access_token=WHATSAPP_ACCESS_TOKEN,
            phone_number_id=WHATSAPP_PHONE_NUMBER_ID,
        ).start()
        try:
            widget, ready = widget_samples(servers)
            results = {
                "REST": measure(rest_turn(servers)),
                "Telegram": measure(telegram_turn(servers, telegram)),
                "WhatsApp": measure(whatsapp_turn(servers, graph)),
                "widget": widget,
            }
        finally:
            telegram.stop()
            graph.stop()
            servers.stop()
    base = percentile(results["REST"], 50)
    print(f"Webhook-to-reply latency of a greet turn, {ROUNDS} turns each (ms)")
    for name, samples in results.items():
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        print(f"  {name:<9} p50 {p50:7.1f}   p95 {p95:7.1f}   p50 vs REST {p50 / base:5.2f}x")
    print("  (widget: from Enter until the first line of the reply is in view in the panel)")
    print(f"Widget ready after the page starts loading, {ROUNDS} loads (ms)")
    print(f"  p50 {percentile(ready, 50):7.1f}   p95 {percentile(ready, 95):7.1f}")


if __name__ == "__main__":
    main()
