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
