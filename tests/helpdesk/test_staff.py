"""Staff accounts: hashed passwords, throttles that lock out no one else, sessions that end."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from bot.db import utcnow
from bot.helpdesk import staff as accounts
from bot.helpdesk.staff import StaffError, add_staff, find_staff, set_active, set_password, sign_in
from bot.helpdesk.tables import Staff, StaffAction, StaffRole

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def meena(sessions) -> Staff:
    return add_staff(
        sessions, username="Meena.R", first_name="Meena", password=PASSWORD, role=StaffRole.agent
    )


def test_an_account_keeps_a_hash_and_signs_in_by_its_name_in_any_case(sessions) -> None:
    meena(sessions)
    with sessions() as session:
        stored = session.scalar(select(Staff))
    assert stored is not None and stored.username == "meena.r" and PASSWORD not in stored.password_hash
    assert stored.password_hash.startswith("$argon2")
    result = sign_in(sessions, username=" MEENA.R ", password=PASSWORD, network="net:a")
    assert result.status == "ok" and result.staff is not None and result.staff.first_name == "Meena"
    with sessions() as session:
        assert session.scalars(select(StaffAction.action)).all() == ["sign_in"]


@pytest.mark.parametrize(
    ("username", "first_name", "password", "problem"),
    [
        ("m", "Meena", PASSWORD, "username"),
        ("meena r", "Meena", PASSWORD, "username"),
        ("meena", "", PASSWORD, "first name"),
        ("meena", "Meena", "short", "12"),
        ("meena", "Meena", "my name is meena, ok?", "username"),
    ],
)
def test_bad_account_details_are_refused_with_what_to_change(
    sessions, username, first_name, password, problem
) -> None:
    with pytest.raises(StaffError, match=problem) as error:
        add_staff(sessions, username=username, first_name=first_name, password=password, role=StaffRole.agent)
    assert password not in str(error.value) or not password
    with sessions() as session:
        assert session.scalar(select(Staff)) is None


def test_a_second_account_of_the_same_name_is_refused(sessions) -> None:
    meena(sessions)
    with pytest.raises(StaffError, match="already"):
        meena(sessions)


def test_wrong_and_unknown_answer_alike(sessions) -> None:
    meena(sessions)
    assert (
        sign_in(sessions, username="meena.r", password="wrong password!!", network="net:a").status == "wrong"
    )
    assert sign_in(sessions, username="nobody", password=PASSWORD, network="net:a").status == "wrong"


def test_failures_from_one_network_do_not_lock_the_agent_out_elsewhere(sessions) -> None:
    meena(sessions)
    now = utcnow()
    for _ in range(accounts.FAILURES_PER_NAME_AND_NETWORK):
        assert (
            sign_in(
                sessions, username="meena.r", password="guess guess guess", network="net:x", now=now
            ).status
            == "wrong"
        )
    throttled = sign_in(sessions, username="meena.r", password=PASSWORD, network="net:x", now=now)
    assert throttled.status == "throttled" and 0 < throttled.retry_after <= 15 * 60
    # The agent, from the office network, is not locked out by someone else's guesses.
    assert (
        sign_in(sessions, username="meena.r", password=PASSWORD, network="net:office", now=now).status == "ok"
    )
    # The window passes: the guesser may try again.
    later = now + accounts.THROTTLE_WINDOW + timedelta(seconds=1)
    assert sign_in(sessions, username="meena.r", password=PASSWORD, network="net:x", now=later).status == "ok"


def test_one_network_guessing_many_names_is_throttled_too(sessions) -> None:
    now = utcnow()
    for n in range(accounts.FAILURES_PER_NETWORK):
        sign_in(sessions, username=f"user{n}", password="guess guess guess", network="net:x", now=now)
    assert (
        sign_in(sessions, username="fresh", password="guess guess guess", network="net:x", now=now).status
        == "throttled"
    )


def test_a_new_password_or_a_disabled_account_ends_the_open_sessions(sessions) -> None:
    account = meena(sessions)
    signed = sign_in(sessions, username="meena.r", password=PASSWORD, network="net:a")
    assert signed.staff is not None
    version = signed.staff.session_version
    assert find_staff(sessions, staff_id=account.id, session_version=version) is not None
    set_password(sessions, username="meena.r", password="another long password")
    assert find_staff(sessions, staff_id=account.id, session_version=version) is None
    assert sign_in(sessions, username="meena.r", password=PASSWORD, network="net:a").status == "wrong"
    renewed = sign_in(sessions, username="meena.r", password="another long password", network="net:a")
    assert renewed.staff is not None
    set_active(sessions, username="meena.r", active=False)
    assert find_staff(sessions, staff_id=account.id, session_version=renewed.staff.session_version) is None
    assert (
        sign_in(sessions, username="meena.r", password="another long password", network="net:a").status
        == "wrong"
    )
