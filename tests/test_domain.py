"""The domain's responses as Rasa will fill them in."""

import regex

from tests.domain_files import load_domain

# Rasa reads `{name}` in a response's text and buttons as a slot or a value the action passes; anything
# else between single braces (the JSON of a button payload) fails that lookup and logs an error. Doubled
# braces come out as single ones.
PLACEHOLDER = regex.compile(r"(?<!\{)\{([^\n{}]+?)\}(?!\})")


def test_every_placeholder_in_a_response_is_a_name() -> None:
    responses = load_domain()["responses"]
    bad = []
    for name, variations in responses.items():
        for variation in variations:
            texts = [variation.get("text") or ""]
            texts += [b["payload"] for b in variation.get("buttons") or []]
            bad += [(name, t) for t in texts for key in PLACEHOLDER.findall(t) if not key.isidentifier()]
    assert bad == []


def _language(variation: dict) -> str:
    conditions = variation.get("condition") or []
    return next((c["value"] for c in conditions if c.get("name") == "language"), "en")


def test_every_response_speaks_english_hindi_and_hinglish_alike() -> None:
    """Each language's variant fills the same values and offers the same buttons (same payloads)."""
    for name, variations in load_domain()["responses"].items():
        by_language = {_language(v): v for v in variations}
        assert set(by_language) == {"en", "hi", "hinglish"}, name
        english = by_language["en"]
        for variant in by_language.values():
            assert set(PLACEHOLDER.findall(variant.get("text") or "")) == set(
                PLACEHOLDER.findall(english.get("text") or "")
            ), name
            payloads = [b.get("payload") or b.get("url") for b in variant.get("buttons") or []]
            assert payloads == [b.get("payload") or b.get("url") for b in english.get("buttons") or []], name


def test_hinglish_is_romanised() -> None:
    devanagari = regex.compile(r"\p{Devanagari}")
    for name, variations in load_domain()["responses"].items():
        for variant in variations:
            if _language(variant) == "hinglish":
                assert not devanagari.search(variant["text"]), name
                assert not any(devanagari.search(b["title"]) for b in variant.get("buttons") or []), name


def test_no_two_different_conditions_of_a_response_can_hold_at_once() -> None:
    """Rasa picks at random among the conditional variants that match: a variant for "Hindi" and one
    for "Hindi and a State" would both match a Hindi State employee."""
    for name, variations in load_domain()["responses"].items():
        conditions = {
            frozenset((c["name"], c["value"]) for c in v["condition"])
            for v in variations
            if v.get("condition")
        }
        nested = [(a, b) for a in conditions for b in conditions if a < b]
        assert nested == [], name


def test_a_response_made_for_one_channel_exists_there_in_every_language() -> None:
    """A Telegram-only variant (the share-my-number button) in English and Hindi but not in Hinglish
    sends a Hinglish reader elsewhere the text about a button that is not there."""
    for name, variations in load_domain()["responses"].items():
        channels = {v.get("channel") for v in variations}
        for channel in channels:
            languages = {_language(v) for v in variations if v.get("channel") == channel}
            assert languages == {"en", "hi", "hinglish"}, (name, channel)


def test_the_first_otp_check_names_the_cause_the_guide_names() -> None:
    """The April 2026 guide names an Aadhaar-unlinked number and an office mail server that blocks the
    portal's mail as the causes: a user who stops after the first check has heard the likely one."""
    responses = load_domain()["responses"]
    causes = {
        "utter_otp_check_mobile_aadhaar": regex.compile(r"aadhaar|आधार", regex.IGNORECASE),
        "utter_otp_check_email_spam": regex.compile(r"mail server.*block|मेल सर्वर.*ब्लॉक", regex.IGNORECASE),
    }
    for name, cause in causes.items():
        for variant in responses[name]:
            assert cause.search(variant["text"]), (name, variant.get("condition"))
