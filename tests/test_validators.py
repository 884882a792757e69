import pytest

from bot.validators import (
    is_full_name,
    level_and_place,
    name_in,
    organisation_key,
    parse_email,
    parse_free_text,
    parse_level,
    parse_mobile,
    parse_person_name,
    parse_state,
)
from contract.privacy import ascii_digits, mask_personal_data

INJECTIONS = [
    "'; DROP TABLE organisation_requests; --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "Robert'); DELETE FROM escalations;--",
    "1 OR 1=1",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9876543210", "9876543210"),
        ("+91 98765 43210", "9876543210"),
        ("+91-98765-43210", "9876543210"),
        ("919876543210", "9876543210"),
        ("09876543210", "9876543210"),
        ("0091 9876543210", "9876543210"),
        ("98765 43210", "9876543210"),
        ("(98765) 43210", "9876543210"),
        ("९८७६५४३२१०", "9876543210"),
        ("+९१ ९८७६५ ४३२१०", "9876543210"),
        ("my number is 6123456789", "6123456789"),
    ],
)
def test_valid_mobiles(text: str, expected: str) -> None:
    assert parse_mobile(text).value == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12345",
        "5876543210",
        "98765432101",
        "987654321",
        "9999999999",
        "abcdefghij",
        "9876543210 and 9123456789",
        "+1 415 555 0100",
        "😀" * 10,
        "9" * 500,
        *INJECTIONS,
    ],
)
def test_invalid_mobiles(text: str) -> None:
    result = parse_mobile(text)
    assert result.value is None and result.error == "mobile"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("r.sharma@nic.in", "r.sharma@nic.in"),
        ("R.Sharma@NIC.IN", "r.sharma@nic.in"),
        ("us-admin@dopt.gov.in", "us-admin@dopt.gov.in"),
        ("my email is anita.k@mea.gov.in please", "anita.k@mea.gov.in"),
        ("so.admin@delhi.gov.in", "so.admin@delhi.gov.in"),
    ],
)
def test_valid_government_emails(text: str, expected: str) -> None:
    assert parse_email(text).value == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("ramesh@gmail.com", "email_personal"),
        ("ramesh@yahoo.co.in", "email_personal"),
        ("ramesh@rediffmail.com", "email_personal"),
        ("ramesh@example.com", "email_not_government"),
        ("ramesh@gov.in.evil.com", "email_not_government"),
        ("ramesh@notgov.in", "email_not_government"),
        ("ramesh", "email_syntax"),
        ("ramesh@", "email_syntax"),
        ("@nic.in", "email_syntax"),
        ("ram..esh@nic.in", "email_syntax"),
        ("a@nic.in b@nic.in", "email_several"),
        ("", "email_syntax"),
        ("x" * 400 + "@nic.in", "email_syntax"),
        ("'; DROP TABLE x; --@nic.in", "email_syntax"),
        ("<script>@nic.in", "email_syntax"),
    ],
)
def test_invalid_emails(text: str, error: str) -> None:
    result = parse_email(text)
    assert result.value is None and result.error == error


def test_approved_extra_domain() -> None:
    assert parse_email("a.b@rbi.org.in", approved_domains=frozenset({"rbi.org.in"})).value == "a.b@rbi.org.in"


@pytest.mark.parametrize(
    "text", ["Ramesh Kumar", "राम कुमार शर्मा", "O'Neil D'Souza", "S. K. Gupta", "Anne-Marie", "Nagaraj"]
)
def test_valid_names(text: str) -> None:
    assert parse_person_name(text).value == text


@pytest.mark.parametrize("text", ["", " ", "R", "R2D2", "1234", "😀😀", "a@b.in", "x" * 81, *INJECTIONS])
def test_invalid_names(text: str) -> None:
    assert parse_person_name(text).error == "name"


@pytest.mark.parametrize(
    "text",
    [
        "Regional Passport Office, Lucknow",
        "गृह मंत्रालय",
        "Dept. of Personnel & Training",
        "CPWD (Div-2)",
        "Ministry of Railways",
        "Directorate of Training: UTCS, Shahdara, Delhi",
    ],
)
def test_valid_free_text(text: str) -> None:
    assert parse_free_text(text).value == text


@pytest.mark.parametrize("text", ["", "x", "12345", "😀 😀", "a" * 151, "a;b", "a--b", *INJECTIONS])
def test_invalid_free_text(text: str) -> None:
    assert parse_free_text(text).error == "text"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Centre", "centre"),
        ("central govt", "centre"),
        ("केंद्र", "centre"),
        ("State", "state"),
        ("राज्य", "state"),
        ("UT", "state"),
    ],
)
def test_levels(text: str, expected: str) -> None:
    assert parse_level(text).value == expected


@pytest.mark.parametrize("text", ["", "district", "xyz", *INJECTIONS])
def test_invalid_levels(text: str) -> None:
    assert parse_level(text).error == "level"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("uttar pradesh", "Uttar Pradesh"),
        ("UP", "Uttar Pradesh"),
        ("उत्तर प्रदेश", "Uttar Pradesh"),
        ("Maharastra", "Maharashtra"),
        ("Govt of NCT of Delhi", "Delhi"),
        ("orissa", "Odisha"),
    ],
)
def test_states(text: str, expected: str) -> None:
    assert parse_state(text).value == expected


@pytest.mark.parametrize("text", ["Narnia", "", *INJECTIONS])
def test_invalid_states(text: str) -> None:
    assert parse_state(text).error == "state"


def test_unicode_digits_become_ascii() -> None:
    assert ascii_digits("०१२३४५६७८९ ٠١٢ ০১২") == "0123456789 012 012"


def test_same_organisation_spelled_differently_has_one_key() -> None:
    assert organisation_key("Regional Passport Office,  LUCKNOW.") == organisation_key(
        "regional passport office lucknow"
    )


def test_personal_data_is_masked() -> None:
    masked = mask_personal_data("I am r.sharma@nic.in, call +91 98765 43210 or ९८७६५४३२१०")
    assert "r.sharma" not in masked and "98765" not in masked and "43210" not in masked
    assert "@nic.in" in masked and "3210" in masked


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Anil Kumar Meena, anil.meena@mea.gov.in", "Anil Kumar Meena"),
        ("मेरा नाम गीता कुमारी है और ईमेल geeta.kumari@rajasthan.gov.in है", "गीता कुमारी"),
        ("My name is Ravi Shankar", "Ravi Shankar"),
        ("i am Priya Sharma 98100 12345", "Priya Sharma"),
        ("Mohd. Imran Qureshi", "Mohd. Imran Qureshi"),
        ("naam Kavita Sharma, email kavita.sharma@rajasthan.gov.in", "Kavita Sharma"),
        ("Name: Kavita Sharma", "Kavita Sharma"),
        ("naam hai Ravi Kumar", "Ravi Kumar"),
        ("Naamdev Singh", "Naamdev Singh"),  # a name that begins like the word, kept whole
    ],
)
def test_the_name_in_an_introduction(text: str, name: str) -> None:
    assert name_in(text) == name


def test_a_full_name_has_a_surname() -> None:
    assert is_full_name("Geeta Kumari") and not is_full_name("Geeta")


@pytest.mark.parametrize(
    ("text", "level", "place"),
    [
        ("Centre. Ministry of External Affairs", "centre", "Ministry of External Affairs"),
        ("Central - Ministry of Home Affairs", "centre", "Ministry of Home Affairs"),
        ("Ministry of Railways", "centre", "Ministry of Railways"),
        ("राजस्थान", "state", "Rajasthan"),
        ("राजस्थान सरकार", "state", "Rajasthan"),
        ("UP govt", "state", "Uttar Pradesh"),
        ("Tamil Nadu state", "state", "Tamil Nadu"),
        ("Govt of NCT of Delhi", "state", "Delhi"),
        ("kendra sarkar", "centre", None),
        ("State", "state", None),
        ("no idea", None, None),
        ("state... nahi nahi sorry, Centre. main central ministry me hoon", "centre", None),
        ("Centre, no sorry, State", "state", None),
    ],
)
def test_what_an_answer_to_centre_or_state_implies(text: str, level: str | None, place: str | None) -> None:
    assert level_and_place(text) == (level, place)
