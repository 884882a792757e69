"""The demo portal page: one script tag, and a token only for a demo identity, signed with the key."""

import re
import time
from html import unescape

import httpx
import jwt
import pytest
from typer.testing import CliRunner

from bot.records.demo import DEMO_IDENTITIES
from bot.services import get_services, set_services
from bot.settings import get_settings
from bot.tools import cli, demo_portal
from tests.conftest import CLI_SECRET
from tests.e2e.servers import free_port

RASA = "http://127.0.0.1:5999"
ON_TRACK = next(i for i in DEMO_IDENTITIES if i.situation == "on_track")


def script_tags(page: str) -> list[dict[str, str]]:
    tags = re.findall(r"<script\s([^>]*)>", page)
    return [{k: unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)} for tag in tags]


def test_a_chosen_identity_gets_one_script_tag_with_a_token_signed_by_the_key(cli_demo) -> None:
    page = demo_portal.page_for(RASA, {"as": ["on_track"], "lang": ["hi"]})
    [tag] = script_tags(page)
    assert tag["src"] == f"{RASA}/webhooks/widget/widget.js"
    assert tag["data-server"] == RASA and tag["data-lang"] == "hi"
    claims = jwt.decode(tag["data-token"], CLI_SECRET, algorithms=["HS256"])
    employee = get_services().records().find_by_email(ON_TRACK.email)
    assert employee is not None and claims["employee_id"] == employee.id
    assert 59 * 60 < claims["exp"] - time.time() <= 60 * 60
    assert '<html lang="hi">' in page and f"{ON_TRACK.name} के रूप में साइन इन" in page
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tag["data-token"], "another-secret-of-at-least-32-bytes-long", algorithms=["HS256"])


def test_not_signed_in_or_not_a_demo_identity_gets_no_token(cli_demo) -> None:
    for query in ({}, {"as": [""]}, {"as": ["someone.else@istm.gov.in"]}):
        page = demo_portal.page_for(RASA, query)
        [tag] = script_tags(page)
        assert "data-token" not in tag and tag["data-lang"] == "en"
        assert "Not signed in</p>" in page


def test_without_a_key_the_page_says_why_and_signs_nothing(cli_demo, monkeypatch) -> None:
    monkeypatch.setenv("SAHAYAK_IDENTITY_JWT_KEY", "")
    get_settings.cache_clear()
    set_services(None)
    page = demo_portal.page_for(RASA, {"as": [ON_TRACK.email]})
    assert "data-token" not in page and "SAHAYAK_IDENTITY_JWT_KEY" in page and 'role="alert"' in page


def test_attribute_values_are_escaped() -> None:
    tag = demo_portal.widget_tag('http://x/"><script>alert(1)</script>', lang="en", token=None)
    assert tag.count("<script") == 1 and "&quot;&gt;&lt;script&gt;" in tag


def test_the_server_serves_the_page_and_nothing_else(cli_demo) -> None:
    port = free_port()
    server = demo_portal.start_in_thread("127.0.0.1", port, RASA)
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/?as=on_track", timeout=10)
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert "data-token" in script_tags(page.text)[0]
        assert httpx.get(f"http://127.0.0.1:{port}/widget.js", timeout=10).status_code == 404
    finally:
        server.shutdown()
        server.server_close()


def test_the_command_is_registered() -> None:
    result = CliRunner().invoke(cli.app, ["portal", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--rasa-url" in result.output
