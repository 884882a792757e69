"""The screening every channel applies before a message reaches the NLU model."""

import json

import pytest

from contract.inbound import MAX_MESSAGE_CHARS, PROBLEM_ENTITY, message_problem, screen


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        (" \n\t ", "empty"),
        ("😀🙏🎉", "no_text"),
        ("?!... ---", "no_text"),
        ("a" * (MAX_MESSAGE_CHARS + 1), "too_long"),
        ("  " + "a" * MAX_MESSAGE_CHARS + "  ", None),
        ("OTP nahi aaya 😟", None),
        ("ओटीपी नहीं आया", None),
        ("12345", None),
    ],
)
def test_message_problem(text: str, problem: str | None) -> None:
    assert message_problem(text) == problem


def test_readable_messages_pass_unchanged() -> None:
    assert screen("  my OTP did not come  ") == "  my OTP did not come  "
    assert screen('/inform{"otp_channel": "email"}') == '/inform{"otp_channel": "email"}'


@pytest.mark.parametrize(
    ("text", "problem"), [(None, "empty"), ("x" * 10_000, "too_long"), ("🙏", "no_text")]
)
def test_unreadable_messages_become_a_fallback_payload(text: str | None, problem: str) -> None:
    payload = screen(text)
    assert payload.startswith("/nlu_fallback{")
    assert json.loads(payload.removeprefix("/nlu_fallback")) == {PROBLEM_ENTITY: problem}
