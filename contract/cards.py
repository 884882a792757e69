"""Cards: a structured reply (progress, a certificate check, a filed request) sent as one message.

The action server puts a card in a message's custom payload (`{"card": {...}}`) and sets the message's
text to `card_text(card)`. The rendering layer then decides per channel: the widget draws the card (a
real progress element, a list of facts, linked courses), while Telegram, WhatsApp, REST and the
helpdesk transcript read the text. Both come from the same card, so no channel says less than another.

A card holds words already in the reply's language; this module only arranges them. Standard library
only: the Rasa server's connectors import it too.
"""

from typing import Any, Literal, TypedDict

Tone = Literal["good", "warn", "bad"]
KINDS = ("progress", "certificate", "request")
# Bounds a widget can rely on; a card beyond them is not a card (the text still goes out).
MAX_FACTS = 8
MAX_SECTIONS = 3
MAX_ITEMS = 12
MAX_FIELD_CHARS = 600


class Meter(TypedDict):
    """A measured share: `value` of `max`, with the label a screen reader announces."""

    value: int
    max: int
    label: str


class _Fact(TypedDict):
    label: str
    value: str


class Fact(_Fact, total=False):  # `total=False`, not NotRequired: the Rasa server runs Python 3.10
    tone: Tone
    unbroken: bool  # a reference number: kept on one line


class _Item(TypedDict):
    text: str


class Item(_Item, total=False):
    detail: str
    url: str


class Section(TypedDict):
    title: str
    items: list[Item]


class _Card(TypedDict):
    kind: str
    title: str


class Card(_Card, total=False):
    meter: Meter
    facts: list[Fact]
    note: str
    tone: Tone  # of the note: met, behind, overdue
    sections: list[Section]


def card_text(card: Card) -> str:
    """The card as plain text, for channels that show text: title, the meter's label, "Label: value"
    lines, the note, then each section as a bulleted list."""
    lines = [card["title"]]
    if "meter" in card:
        lines.append(card["meter"]["label"])
    lines.extend(f"{fact['label']}: {fact['value']}" for fact in card.get("facts", []))
    if card.get("note"):
        lines.append(card["note"])
    for section in card.get("sections", []):
        lines.append("")
        lines.append(section["title"])
        for item in section["items"]:
            detail = f" ({item['detail']})" if item.get("detail") else ""
            lines.append(f"• {item['text']}{detail}")
    return "\n".join(lines).strip()


def _text(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_FIELD_CHARS


def _optional_text(raw: dict[str, Any], key: str) -> bool:
    return key not in raw or _text(raw[key])


def is_card(raw: Any) -> bool:
    """Whether `raw` has a card's shape within its bounds: what the connectors check before passing a
    custom payload to the widget as a card."""
    if not isinstance(raw, dict) or raw.get("kind") not in KINDS or not _text(raw.get("title")):
        return False
    meter = raw.get("meter")
    if meter is not None and not (
        isinstance(meter, dict)
        and all(
            isinstance(meter.get(k), int) and not isinstance(meter.get(k), bool) for k in ("value", "max")
        )
        and 0 <= meter["value"] <= meter["max"]
        and meter["max"] > 0
        and _text(meter.get("label"))
    ):
        return False
    facts = raw.get("facts", [])
    if not isinstance(facts, list) or len(facts) > MAX_FACTS:
        return False
    for fact in facts:
        if not (isinstance(fact, dict) and _text(fact.get("label")) and _text(fact.get("value"))):
            return False
    if not (_optional_text(raw, "note") and raw.get("tone", "good") in ("good", "warn", "bad")):
        return False
    sections = raw.get("sections", [])
    if not isinstance(sections, list) or len(sections) > MAX_SECTIONS:
        return False
    for section in sections:
        if not (isinstance(section, dict) and _text(section.get("title"))):
            return False
        items = section.get("items")
        if not isinstance(items, list) or not 0 < len(items) <= MAX_ITEMS:
            return False
        for item in items:
            if not (isinstance(item, dict) and _text(item.get("text"))):
                return False
            if not (_optional_text(item, "detail") and _optional_text(item, "url")):
                return False
    return True
