"""The cards' words: one thing or several in Hindi, a missed deadline, long lists, every language whole."""

from datetime import date

import pytest

from bot.actions import cards
from bot.records.progress import Summary
from bot.records.source import CourseRecord
from bot.records.tables import EnrolmentStatus
from contract.cards import card_text, is_card

COURSE_URL = "https://portal.example/app/toc/{code}/overview"


def summary(completed: int, prescribed: int, *, days_left: int = 40, **kw) -> Summary:
    pending = tuple(
        CourseRecord(f"P{n}", f"Pending course {n}", EnrolmentStatus.in_progress, 10.0, mandated=True)
        for n in range(prescribed - completed)
    )
    values = {
        "prescribed": prescribed,
        "completed": completed,
        "required": (prescribed + 1) // 2,
        "share": completed / prescribed,
        "target_share": 0.5,
        "due_date": date(2027, 3, 31),
        "days_left": days_left,
        "assessment_required": False,
        "assessment_passed": None,
        "pending": pending,
        **kw,
    }
    return Summary(**values)  # type: ignore[arg-type]


def test_every_language_has_every_word() -> None:
    assert set(cards.WORDS["hi"]) == set(cards.WORDS["en"]) == set(cards.WORDS["hinglish"])


@pytest.mark.parametrize(
    ("completed", "meter", "note"),
    [
        (1, "निर्धारित 8 में से 1 पाठ्यक्रम पूरा हुआ (12%)", "लक्ष्य के लिए 3 और पाठ्यक्रम पूरे करने हैं"),
        (3, "निर्धारित 8 में से 3 पाठ्यक्रम पूरे हुए (38%)", "लक्ष्य के लिए 1 और पाठ्यक्रम पूरा करना है"),
    ],
)
def test_hindi_says_one_thing_and_several_things_differently(completed: int, meter: str, note: str) -> None:
    card, _buttons = cards.progress_card(
        summary(completed, 8), name="अनीता", language="hi", course_url=COURSE_URL
    )
    assert card["meter"]["label"] == meter and card["note"].startswith(note)


def test_a_missed_deadline_and_the_assessment_left_are_said_plainly() -> None:
    missed = summary(4, 8, days_left=-1, assessment_required=True, assessment_passed=False)
    card, _buttons = cards.progress_card(missed, name="Anita", language="en", course_url=COURSE_URL)
    deadline = next(f for f in card["facts"] if f["label"] == "Deadline")
    assert deadline == {"label": "Deadline", "value": "31.03.2027, passed 1 day ago", "tone": "bad"}
    assert card["note"] == "To meet the requirement, pass the Comprehensive Assessment."
    assert card["tone"] == "warn"


def test_a_long_list_stays_within_the_card_bounds_and_says_how_many_more() -> None:
    card, _buttons = cards.progress_card(summary(0, 30), name="Anita", language="en", course_url=COURSE_URL)
    items = card["sections"][0]["items"]
    assert len(items) == cards.MAX_LISTED and items[-1] == {"text": "… and 21 more"}
    assert card["sections"][0]["title"] == "Not finished yet (30)"
    assert items[0]["url"] == "https://portal.example/app/toc/P0/overview"
    assert is_card(card) and "Pending course 8 (10%)" in card_text(card)
