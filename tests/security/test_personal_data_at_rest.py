"""Medium: the conversation store masked message text but not slot events (the form's e-mail and mobile,
hundreds of times over), and mobiles written as 98.100.12345, (98100) 12345 or +91 (981) 001-2345 were
accepted by the form but not masked. Now one routine recognises every shape the form accepts, and the
store encrypts the personal form answers and masks them wherever a message repeats them."""

import sqlite3
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.validators import parse_email, parse_mobile
from contract.privacy import ascii_digits, mask_personal_data
from tests.e2e.servers import Servers
from tests.e2e.test_rest import texts

SEPARATORS = st.sampled_from(["", " ", "-", ".", "  ", " - ", ") ", "(", ")"])
PREFIXES = st.sampled_from(["", "+91", "+91 ", "91", "0091 ", "0", "+91 (", "+९१ "])


@st.composite
def written_mobiles(draw: st.DrawFn) -> tuple[str, str]:
    """A ten-digit mobile, and how somebody might write it."""
    number = draw(st.sampled_from("6789")) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9))
    )
    groups = draw(st.sampled_from([(10,), (5, 5), (3, 3, 4), (2, 3, 5), (4, 3, 3)]))
    pieces, at = [], 0
    for size in groups:
        pieces.append(number[at : at + size])
        at += size
    written = draw(PREFIXES) + "".join(piece + draw(SEPARATORS) for piece in pieces[:-1]) + pieces[-1]
    if draw(st.booleans()):
        written = written.translate(str.maketrans("0123456789", "०१२३४५६७८९"))
    return number, draw(st.sampled_from(["{}", "my mobile is {}", "{} please", "call {} now"])).format(
        written
    )


@given(written_mobiles())
@settings(max_examples=400, deadline=None)
def test_every_mobile_the_form_accepts_is_masked(case: tuple[str, str]) -> None:
    number, text = case
    parsed = parse_mobile(text)
    if parsed.value is None or len(set(number)) == 1:
        return
    assert parsed.value == number
    masked_digits = "".join(c for c in ascii_digits(mask_personal_data(text)) if c.isdigit())
    assert number[:6] not in masked_digits, (text, mask_personal_data(text))


@pytest.mark.parametrize("text", ["98.100.12345", "(98100) 12345", "+91 (981) 001-2345", "98100-123-45"])
def test_the_shapes_found_in_the_review(text: str) -> None:
    assert parse_mobile(text).value == "9810012345"
    assert "98100" not in mask_personal_data(text).replace(" ", "").replace(".", "").replace("(", "").replace(
        ")", ""
    )


@given(st.from_regex(r"[a-z][a-z0-9._]{0,20}[a-z0-9]@[a-z]{2,10}\.(gov|nic)\.in", fullmatch=True))
@settings(max_examples=200, deadline=None)
def test_every_email_the_form_accepts_is_masked(email: str) -> None:
    if parse_email(email).value is None:
        return
    local, _, domain = email.partition("@")
    assert mask_personal_data(f"my mail is {email}") == f"my mail is {local[0]}***@{domain}"


@pytest.mark.e2e
def test_nothing_personal_is_stored_in_the_clear(servers: Servers) -> None:
    me = f"sec-{uuid.uuid4().hex[:8]}"
    name, email = "Kavitha Ramanathan", f"kavitha.r{uuid.uuid4().hex[:4]}@mha.gov.in"
    servers.say(me, "my organisation is not in the list")
    servers.say(me, name)
    servers.say(me, email)
    servers.say(me, "+91 (981) 001-2345")
    servers.say(me, "centre")
    servers.say(me, "Ministry of Home Affairs")
    servers.say(me, "Department of Official Language")
    read_back = texts(servers.say(me, "Regional Implementation Office Chennai"))
    assert name in read_back and email in read_back  # the user sees what they typed, to check it
    with sqlite3.connect(servers.workdir / "tracker.db") as connection:
        stored = "\n".join(
            row[0]
            for row in connection.execute("SELECT data FROM events WHERE sender_id = ?", (f"rest:{me}",))
        )
    assert stored, "the conversation was not stored"
    for secret in (name, "Ramanathan", email, email.partition("@")[0], "9810012345", "001-2345", "981) 001"):
        assert secret not in stored, secret
    # The form still has the real answers: it reads them back after a restart of the turn.
    assert servers.tracker(f"rest:{me}")["slots"]["requester_email"] == email
