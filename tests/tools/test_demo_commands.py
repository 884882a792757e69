"""`sahayak demo load` and `sahayak demo token`, run as a user runs them."""

import time

import jwt
from typer.testing import CliRunner

from bot.services import get_services
from bot.tools import cli
from tests.conftest import CLI_SECRET, SMALL_DEMO


def test_demo_load_lists_identities_and_skips_a_second_time(cli_env) -> None:
    first = CliRunner().invoke(cli.app, ["demo", "load", *SMALL_DEMO])
    assert first.exit_code == 0, first.output
    assert "priya.raghavan@istm.gov.in" in first.output
    again = CliRunner().invoke(cli.app, ["demo", "load", "--if-empty", *SMALL_DEMO])
    assert again.exit_code == 0 and "skipped" in again.output
    refused = CliRunner().invoke(cli.app, ["demo", "load", *SMALL_DEMO])
    assert refused.exit_code == 1


def test_demo_token_names_the_employee_and_expires(cli_demo) -> None:
    result = CliRunner().invoke(cli.app, ["demo", "token", "Priya.Raghavan@istm.gov.in", "--minutes", "5"])
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), CLI_SECRET, algorithms=["HS256"])
    employee = get_services().records().find_by_email("priya.raghavan@istm.gov.in")
    assert employee is not None and claims["employee_id"] == employee.id
    assert 4 * 60 < claims["exp"] - time.time() <= 5 * 60


def test_demo_token_for_an_unknown_email_fails_clearly(cli_demo) -> None:
    result = CliRunner().invoke(cli.app, ["demo", "token", "nobody@istm.gov.in"])
    assert result.exit_code == 1 and "no employee has that e-mail" in result.output
