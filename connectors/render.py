"""One rendering layer: a Rasa bot message becomes each channel's native message here, and nowhere else.

Pure standard library, so the Rasa server's connectors and the action server's tests share it. Every
channel shows the same text and the same choices; only the form differs (inline keyboard, reply buttons
or list, widget buttons), within each platform's documented limits.
"""

import html
import re
from dataclasses import dataclass, field
from typing import Any

from contract.cards import is_card

# Telegram Bot API: 4096 characters of text; callback_data 1-64 bytes.
TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CALLBACK_BYTES = 64
# WhatsApp Cloud API: text body 4096; interactive body 1024; reply buttons: at most 3, title 20, id 256;
# list: button label 20, at most 10 rows, row title 24, row description 72, row id 200.
WHATSAPP_TEXT_LIMIT = 4096
WHATSAPP_INTERACTIVE_BODY_LIMIT = 1024
WHATSAPP_MAX_REPLY_BUTTONS = 3
WHATSAPP_BUTTON_TITLE_LIMIT = 20
WHATSAPP_BUTTON_ID_LIMIT = 256
WHATSAPP_MAX_LIST_ROWS = 10
WHATSAPP_ROW_TITLE_LIMIT = 24
WHATSAPP_ROW_DESCRIPTION_LIMIT = 72
WHATSAPP_ROW_ID_LIMIT = 200
# A custom payload key asking the channel for the user's own phone number (Telegram: request_contact).
REQUEST_CONTACT = "request_contact"
_URL = re.compile(r"^https?://", re.IGNORECASE)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    @property
    def is_link(self) -> bool:
        return bool(_URL.match(self.payload))


@dataclass(frozen=True)
class Reply:
    """What the bot says in one message: text, choices, and an optional request for the user's contact."""

    text: str = ""
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    request_contact: str | None = None  # the label of the share-contact button, when asked for
    custom: dict[str, Any] = field(default_factory=dict)


def _clean(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def reply_from(message: dict[str, Any]) -> Reply:
    """A Rasa bot message (what `OutputChannel.send_response` receives) as a `Reply`."""
    raw_buttons = message.get("buttons") or message.get("quick_replies") or []
    buttons: list[Button] = []
    for raw in raw_buttons if isinstance(raw_buttons, list) else []:
        if not isinstance(raw, dict):
            continue
        title = _clean(raw.get("title"))
        payload = _clean(raw.get("url") or raw.get("payload") or title)
        if title and payload:
            buttons.append(Button(title=title, payload=payload))
    custom = message.get("custom") if isinstance(message.get("custom"), dict) else {}
    contact = custom.get(REQUEST_CONTACT) if custom else None
    return Reply(
        text=_clean(message.get("text")),
        buttons=tuple(buttons),
        image=_clean(message.get("image")) or None,
        request_contact=str(contact) if contact else None,
        custom={k: v for k, v in (custom or {}).items() if k != REQUEST_CONTACT},
    )


class SendsWholeMessages:
    """For an output channel whose `send_response` renders a whole Rasa message: Rasa's piecemeal sends
    (text alone, text with buttons, a custom payload) all become one `send_response`."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        raise NotImplementedError

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": quick_replies})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"custom": json_message})


def split_text(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at a paragraph, line, sentence or word."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for separator in ("\n\n", "\n", ". ", "। ", " "):
            at = window.rfind(separator)
            if at > limit // 2:
                cut = at + len(separator.rstrip()) if separator.strip() else at
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------------------
# Telegram (Bot API sendMessage parameters, parse_mode HTML)


def telegram_messages(reply: Reply, *, callback_data: Any = None) -> list[dict[str, Any]]:
    """`sendMessage` parameters (without chat_id) for a reply: the text in pieces, the keyboard on the last.

    `callback_data(payload)` turns a payload into at most 64 bytes of callback data; by default a payload
    that does not fit is sent as the button's title, which the NLU reads like a typed message.
    """
    to_data = callback_data or _telegram_callback_data
    text = reply.text or ("…" if reply.buttons or reply.request_contact else "")
    pieces = [html.escape(piece, quote=False) for piece in split_text(text, TELEGRAM_TEXT_LIMIT - 96)]
    messages: list[dict[str, Any]] = [{"text": piece, "parse_mode": "HTML"} for piece in pieces]
    if not messages:
        return []
    last = messages[-1]
    if reply.request_contact:
        last["reply_markup"] = {
            "keyboard": [[{"text": reply.request_contact, "request_contact": True}]],
            "one_time_keyboard": True,
            "resize_keyboard": True,
        }
    elif reply.buttons:
        rows = [
            [
                {"text": b.title, "url": b.payload}
                if b.is_link
                else {"text": b.title, "callback_data": to_data(b)}
            ]
            for b in reply.buttons
        ]
        last["reply_markup"] = {"inline_keyboard": rows}
    return messages


def _telegram_callback_data(button: Button) -> str:
    for candidate in (button.payload, button.title):
        if len(candidate.encode()) <= TELEGRAM_CALLBACK_BYTES:
            return candidate
    return button.title.encode()[:TELEGRAM_CALLBACK_BYTES].decode(errors="ignore")


# ---------------------------------------------------------------------------------------------------------
# WhatsApp (Cloud API message objects, without messaging_product and to)


def whatsapp_messages(reply: Reply, *, list_label: str = "Options · विकल्प") -> list[dict[str, Any]]:
    """Graph API message objects for a reply: text, reply buttons (up to 3) or a list (up to 10 rows).

    Link buttons become lines of the text, since WhatsApp has no link button outside templates. Choices
    beyond ten are dropped from the list, and the text says how to type them instead.
    """
    choices = [b for b in reply.buttons if not b.is_link]
    links = [f"{b.title}: {b.payload}" for b in reply.buttons if b.is_link]
    text = "\n".join(part for part in (reply.text, *links) if part)
    messages: list[dict[str, Any]] = []
    if reply.image:
        messages.append({"type": "image", "image": {"link": reply.image}})
    if not choices:
        messages.extend(
            {"type": "text", "text": {"body": piece, "preview_url": True}}
            for piece in split_text(text, WHATSAPP_TEXT_LIMIT)
        )
        return messages
    pieces = split_text(text or "…", WHATSAPP_INTERACTIVE_BODY_LIMIT)
    messages.extend({"type": "text", "text": {"body": piece, "preview_url": True}} for piece in pieces[:-1])
    body = {"text": pieces[-1]}
    if len(choices) <= WHATSAPP_MAX_REPLY_BUTTONS and all(
        len(b.title) <= WHATSAPP_BUTTON_TITLE_LIMIT for b in choices
    ):
        buttons = [
            {"type": "reply", "reply": {"id": b.payload[:WHATSAPP_BUTTON_ID_LIMIT], "title": b.title}}
            for b in choices
        ]
        messages.append(
            {
                "type": "interactive",
                "interactive": {"type": "button", "body": body, "action": {"buttons": buttons}},
            }
        )
        return messages
    rows = [
        {
            "id": b.payload[:WHATSAPP_ROW_ID_LIMIT],
            "title": shorten(b.title, WHATSAPP_ROW_TITLE_LIMIT),
            **(
                {"description": shorten(b.title, WHATSAPP_ROW_DESCRIPTION_LIMIT)}
                if len(b.title) > WHATSAPP_ROW_TITLE_LIMIT
                else {}
            ),
        }
        for b in choices[:WHATSAPP_MAX_LIST_ROWS]
    ]
    action = {
        "button": shorten(list_label, WHATSAPP_BUTTON_TITLE_LIMIT),
        "sections": [{"title": shorten(list_label, WHATSAPP_ROW_TITLE_LIMIT), "rows": rows}],
    }
    messages.append({"type": "interactive", "interactive": {"type": "list", "body": body, "action": action}})
    return messages


# ---------------------------------------------------------------------------------------------------------
# Portal widget (socket.io `bot_uttered` events)


def widget_message(reply: Reply) -> dict[str, Any]:
    """The `bot_uttered` event body the widget renders: plain text (it escapes and links URLs itself), and
    a card when the message carries one of a card's shape; the widget then draws the card in place of
    the text, which other channels show. A malformed card is dropped, and the text stands."""
    message: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        message["buttons"] = [
            {"title": b.title, "url": b.payload} if b.is_link else {"title": b.title, "payload": b.payload}
            for b in reply.buttons
        ]
    if reply.image:
        message["image"] = reply.image
    custom = {k: v for k, v in reply.custom.items() if k != "card" or is_card(v)}
    if custom:
        message["custom"] = custom
    return message
