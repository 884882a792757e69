"""The card contract: what the widget may rely on, and the text every other channel shows."""

from contract.cards import Card, card_text, is_card


def test_the_text_of_a_card_has_every_part_in_order() -> None:
    card: Card = {
        "kind": "progress",
        "title": "Anita Verma: your prescribed courses",
        "meter": {"value": 2, "max": 4, "label": "2 of 4 prescribed courses completed (50%)"},
        "facts": [{"label": "Deadline", "value": "31.03.2027, 40 days left", "tone": "good"}],
        "note": "You have met the requirement. Well done!",
        "sections": [
            {"title": "Not finished yet (1)", "items": [{"text": "Noting and Drafting", "detail": "90%"}]},
            {"title": "Completed (1)", "items": [{"text": "RTI Basics", "url": "https://x.gov.in/c1"}]},
        ],
    }
    assert is_card(card)
    assert card_text(card) == (
        "Anita Verma: your prescribed courses\n"
        "2 of 4 prescribed courses completed (50%)\n"
        "Deadline: 31.03.2027, 40 days left\n"
        "You have met the requirement. Well done!\n"
        "\n"
        "Not finished yet (1)\n"
        "• Noting and Drafting (90%)\n"
        "\n"
        "Completed (1)\n"
        "• RTI Basics"
    )


def test_cards_beyond_their_bounds_are_not_cards() -> None:
    base: Card = {"kind": "request", "title": "Request ORG-7K3M9Q"}
    assert is_card(base)
    many = [{"label": f"L{n}", "value": "v"} for n in range(9)]
    assert not is_card({**base, "facts": many})
    items = [{"text": f"course {n}"} for n in range(13)]
    assert not is_card({**base, "sections": [{"title": "Pending", "items": items}]})
    assert not is_card({**base, "tone": "red"})
    assert not is_card({**base, "meter": {"value": 1, "max": 0, "label": "1 of 0"}})
    assert not is_card({**base, "sections": [{"title": "x", "items": [{"text": "y", "url": 5}]}]})
