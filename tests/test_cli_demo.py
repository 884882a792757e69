"""`sahayak demo load` and `sahayak demo token`, run as a user runs them."""

import time
from collections.abc import Iterator

import jwt
import pytest
from typer.testing import CliRunner

from bot import cli
from bot.db import upgrade
from bot.services import get_services, set_services
from bot.settings import get_settings

SECRET = "a-test-portal-secret-of-at-least-32-bytes"
SMALL = ["--employees", "40", "--organisations", "3", "--courses", "40"]


@pytest.fixture
def configured(tmp_path, monkeypatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SAHAYAK_DATABASE_URL", url)
    monkeypatch.setenv("SAHAYAK_IDENTITY_JWT_KEY", SECRET)
    monkeypatch.setenv("SAHAYAK_IDENTITY_JWT_ALGORITHM", "HS256")
    get_settings.cache_clear()
    set_services(None)
    upgrade(url)
    yield url
    set_services(None)
    get_settings.cache_clear()


def test_demo_load_lists_identities_and_skips_a_second_time(configured) -> None:
    first = CliRunner().invoke(cli.app, ["demo", "load", *SMALL])
    assert first.exit_code == 0, first.output
    assert "priya.raghavan@istm.gov.in" in first.output
    again = CliRunner().invoke(cli.app, ["demo", "load", "--if-empty", *SMALL])
    assert again.exit_code == 0 and "skipped" in again.output
    refused = CliRunner().invoke(cli.app, ["demo", "load", *SMALL])
    assert refused.exit_code == 1


def test_demo_token_names_the_employee_and_expires(configured) -> None:
    CliRunner().invoke(cli.app, ["demo", "load", *SMALL])
    result = CliRunner().invoke(cli.app, ["demo", "token", "Priya.Raghavan@istm.gov.in", "--minutes", "5"])
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), SECRET, algorithms=["HS256"])
    employee = get_services().records().find_by_email("priya.raghavan@istm.gov.in")
    assert employee is not None and claims["employee_id"] == employee.id
    assert 4 * 60 < claims["exp"] - time.time() <= 5 * 60


def test_demo_token_for_an_unknown_email_fails_clearly(configured) -> None:
    CliRunner().invoke(cli.app, ["demo", "load", *SMALL])
    result = CliRunner().invoke(cli.app, ["demo", "token", "nobody@istm.gov.in"])
    assert result.exit_code == 1 and "no employee has that e-mail" in result.output
