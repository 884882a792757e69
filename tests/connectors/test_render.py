"""The one rendering layer: the same reply, in each channel's native form and within its limits."""

from connectors.render import (
    TELEGRAM_CALLBACK_BYTES,
    TELEGRAM_TEXT_LIMIT,
    WHATSAPP_INTERACTIVE_BODY_LIMIT,
    WHATSAPP_TEXT_LIMIT,
    Button,
    Reply,
    reply_from,
    split_text,
    telegram_messages,
    whatsapp_messages,
    widget_message,
)
from contract.cards import card_text

TOPICS = [
    {"title": "Registration", "payload": "/ask_registration_help"},
    {"title": "OTP not received", "payload": "/otp_not_received"},
    {"title": "Organisation not in the list", "payload": "/organisation_not_found"},
    {"title": "Talk to a person", "payload": "/request_human"},
]


def test_a_rasa_message_becomes_a_reply_with_buttons_links_and_contact_request() -> None:
    reply = reply_from(
        {
            "text": " Hello ",
            "buttons": [
                *TOPICS[:1],
                {"title": "Portal", "url": "https://portal.igotkarmayogi.gov.in", "type": "web_url"},
                {"bad": 1},
                "x",
            ],
            "custom": {"request_contact": "Share my number", "other": 1},
        }
    )
    assert reply.text == "Hello"
    assert reply.buttons == (
        Button("Registration", "/ask_registration_help"),
        Button("Portal", "https://portal.igotkarmayogi.gov.in"),
    )
    assert reply.buttons[1].is_link and not reply.buttons[0].is_link
    assert reply.request_contact == "Share my number" and reply.custom == {"other": 1}


def test_long_text_is_split_at_sentences_and_words_never_over_the_limit() -> None:
    text = " ".join(f"Sentence number {i} explains one more rule of the circular." for i in range(400))
    pieces = split_text(text, 500)
    assert all(len(p) <= 500 for p in pieces) and len(pieces) > 10
    assert all(p.endswith(".") for p in pieces[:-1])
    assert " ".join(pieces) == text
    assert split_text("x" * 1200, 500) == ["x" * 500, "x" * 500, "x" * 200]
    assert split_text("   ", 10) == []


def test_telegram_escapes_html_splits_and_puts_the_keyboard_on_the_last_piece() -> None:
    long = "<b>R&D</b> " + "word " * 2000
    messages = telegram_messages(reply_from({"text": long, "buttons": TOPICS}))
    assert len(messages) == 3 and all(len(m["text"]) <= TELEGRAM_TEXT_LIMIT for m in messages)
    assert (
        messages[0]["text"].startswith("&lt;b&gt;R&amp;D&lt;/b&gt;") and messages[0]["parse_mode"] == "HTML"
    )
    assert "reply_markup" not in messages[0]
    keyboard = messages[-1]["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == [t["payload"] for t in TOPICS]


def test_telegram_callback_data_stays_within_64_bytes_and_links_are_url_buttons() -> None:
    long_payload = '/ask_certificate{"course": "' + "x" * 80 + '"}'
    reply = Reply("Which?", (Button("Noting and Drafting", long_payload), Button("Site", "https://x.gov.in")))
    row1, row2 = telegram_messages(reply)[0]["reply_markup"]["inline_keyboard"]
    assert row1[0]["callback_data"] == "Noting and Drafting"
    assert len(row1[0]["callback_data"].encode()) <= TELEGRAM_CALLBACK_BYTES
    assert row2[0] == {"text": "Site", "url": "https://x.gov.in"}
    chosen = telegram_messages(reply, callback_data=lambda b: "k1")[0]["reply_markup"]["inline_keyboard"]
    assert chosen[0][0]["callback_data"] == "k1"


def test_telegram_request_contact_is_a_one_time_reply_keyboard() -> None:
    [message] = telegram_messages(
        reply_from({"text": "Who are you?", "custom": {"request_contact": "Share"}})
    )
    assert message["reply_markup"]["keyboard"] == [[{"text": "Share", "request_contact": True}]]
    assert message["reply_markup"]["one_time_keyboard"] is True


def test_whatsapp_uses_reply_buttons_for_three_short_choices() -> None:
    [message] = whatsapp_messages(reply_from({"text": "Which OTP?", "buttons": TOPICS[:2]}))
    assert message["type"] == "interactive" and message["interactive"]["type"] == "button"
    ids = [b["reply"]["id"] for b in message["interactive"]["action"]["buttons"]]
    assert ids == ["/ask_registration_help", "/otp_not_received"]


def test_whatsapp_uses_a_list_for_more_choices_or_long_titles_within_limits() -> None:
    many = [{"title": f"A rather long course title number {i}", "payload": f"/c{i}"} for i in range(14)]
    [message] = whatsapp_messages(reply_from({"text": "Pick one", "buttons": many}))
    interactive = message["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert len(rows) == 10 and all(
        len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows
    )
    assert rows[0]["id"] == "/c0" and len(interactive["action"]["button"]) <= 20
    [four] = whatsapp_messages(reply_from({"text": "Topics", "buttons": TOPICS}))
    assert four["interactive"]["type"] == "list"


def test_whatsapp_long_text_with_buttons_keeps_the_interactive_body_within_limits() -> None:
    messages = whatsapp_messages(reply_from({"text": "word " * 1500, "buttons": TOPICS[:2]}))
    assert [m["type"] for m in messages][-1] == "interactive"
    assert len(messages[-1]["interactive"]["body"]["text"]) <= WHATSAPP_INTERACTIVE_BODY_LIMIT
    assert all(len(m["text"]["body"]) <= WHATSAPP_TEXT_LIMIT for m in messages[:-1])
    plain = whatsapp_messages(reply_from({"text": "x " * 5000}))
    assert all(m["type"] == "text" and len(m["text"]["body"]) <= WHATSAPP_TEXT_LIMIT for m in plain)


def test_whatsapp_link_buttons_become_lines_of_text() -> None:
    [message] = whatsapp_messages(
        reply_from({"text": "Read it", "buttons": [{"title": "OM", "url": "https://dopt.gov.in/om"}]})
    )
    assert message == {
        "type": "text",
        "text": {"body": "Read it\nOM: https://dopt.gov.in/om", "preview_url": True},
    }


def test_the_widget_gets_text_buttons_and_links() -> None:
    body = widget_message(
        reply_from({"text": "Hi", "buttons": [TOPICS[0], {"title": "OM", "url": "https://x.gov.in"}]})
    )
    assert body == {
        "text": "Hi",
        "buttons": [
            {"title": "Registration", "payload": "/ask_registration_help"},
            {"title": "OM", "url": "https://x.gov.in"},
        ],
    }


def test_the_same_reply_offers_the_same_choices_on_every_channel() -> None:
    reply = reply_from({"text": "Topics", "buttons": TOPICS})
    telegram = [
        r[0]["callback_data"] for r in telegram_messages(reply)[-1]["reply_markup"]["inline_keyboard"]
    ]
    whatsapp = [r["id"] for r in whatsapp_messages(reply)[-1]["interactive"]["action"]["sections"][0]["rows"]]
    widget = [b["payload"] for b in widget_message(reply)["buttons"]]
    assert telegram == whatsapp == widget == [t["payload"] for t in TOPICS]


CARD = {
    "kind": "request",
    "title": "Your request has been filed",
    "facts": [{"label": "Reference", "value": "ORG-7K3M9Q", "unbroken": True}],
    "note": 'Ask "status of my request ORG-7K3M9Q" at any time.',
}


def test_a_card_goes_to_the_widget_and_its_text_to_telegram_and_whatsapp() -> None:
    """The one message a card action sends: the widget draws the card, the other channels show its text,
    and nobody sees the payload's JSON."""
    text = card_text(CARD)  # type: ignore[arg-type]
    reply = reply_from({"text": text, "custom": {"card": CARD}})
    assert widget_message(reply) == {"text": text, "custom": {"card": CARD}}
    assert [m["text"] for m in telegram_messages(reply)] == [text]  # nothing in it to escape
    assert [m["text"]["body"] for m in whatsapp_messages(reply)] == [text]
    assert "ORG-7K3M9Q" in text and "{" not in text


def test_a_malformed_card_is_dropped_and_the_text_stands() -> None:
    for broken in (
        {**CARD, "kind": "script"},
        {**CARD, "title": ""},
        {**CARD, "facts": [{"label": "Reference"}]},
        {**CARD, "meter": {"value": 9, "max": 8, "label": "9 of 8"}},
        {**CARD, "meter": {"value": True, "max": 8, "label": "x"}},
        {**CARD, "sections": [{"title": "Pending", "items": []}]},
        {**CARD, "note": "x" * 5000},
        "card",
    ):
        body = widget_message(reply_from({"text": "Your request has been filed", "custom": {"card": broken}}))
        assert body == {"text": "Your request has been filed"}
    kept = widget_message(reply_from({"text": "t", "custom": {"card": "x", "input": "tel"}}))
    assert kept["custom"] == {"input": "tel"}  # the rest of the payload is kept
