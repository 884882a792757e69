"""Typos read as the passage words they were meant to be (bot/knowledge/spelling.py)."""

from bot.knowledge.spelling import Speller

PASSAGE_WORDS = ["registration", "completion", "record", "recorded", "quizzes", "mobile", "steps", "karma"]


def speller() -> Speller:
    return Speller(PASSAGE_WORDS, known=["karwa", "kaise", "saying"])


def test_a_typo_is_read_as_the_passage_word_one_or_two_slips_away() -> None:
    assert speller().corrected("Registartion kaise kare?") == "registration kaise kare?"
    assert speller().corrected("only the course complition status??") == "only the course completion status??"
    assert speller().corrected("mobil pe otp") == "mobile pe otp"
    assert speller().corrected("all the stpes, 50% done") == "all the steps, 50% done"
    # Two inflections of one word are no doubt.
    assert speller().corrected("what is recordd") == "what is record"
    # An address is one word, left as it is.
    assert speller().corrected("mobil rc.sharma@nic.in") == "mobile rc.sharma@nic.in"


def test_known_words_and_other_letters_in_place_are_left_alone() -> None:
    assert speller().corrected("organisation add karwa do") is None  # a known word
    assert speller().corrected("karna padega") is None  # a letter in another's place: no slip
    assert speller().corrected("what is he saying") is None  # a real word the model knows
    assert speller().corrected("kab tak") is None  # too short to judge


def test_a_word_spelt_by_ear_is_read_as_meant_and_its_first_letter_breaks_a_tie() -> None:
    spell = Speller(["courses", "sources", "portal"], known=[])
    # c for s, e for a: letters that sound alike; "cources" is one letter from "sources" too, but its
    # first letter was typed as meant.
    assert spell.corrected("how many cources on the portel") == "how many courses on the portal"
    # Another letter in its place is no slip of the ear.
    assert Speller(["karma"], known=[]).corrected("karwa do") is None
