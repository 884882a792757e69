"""The Telegram Bot API's rules as plain functions: reading an update, what it asks of us, the button
payloads that do not fit in callback data, redelivered updates, and when a failed call is worth another
try.

Standard library only, like `whatsapp_protocol.py`: unit-tested without Rasa or python-telegram-bot;
`connectors/telegram_channel.py` is the Sanic and Bot API side that uses it. Updates are read as Telegram
documents them (https://core.telegram.org/bots/api#update): Update, Message, CallbackQuery, Contact.
"""

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Literal

from connectors.render import TELEGRAM_CALLBACK_BYTES, Button
from contract import metadata as meta
from contract.conversations import conversation_id
from contract.inbound import TEXT_ONLY_REPLY, screen
from contract.telegram_settings import ALLOWED_UPDATES

CHANNEL = "telegram"
MAX_BODY_BYTES = 256 * 1024
MAX_TRIES = 4
MAX_RETRY_WAIT = 60.0  # seconds; Telegram's retry_after is honoured up to this
NETWORK_BACKOFF = 0.5  # seconds, doubled on each try
PAYLOAD_KEY_PREFIX = "p:"
MAX_STORED_PAYLOADS = 4096
RECENT_UPDATES = 1024
START_COMMAND = re.compile(r"^/start(?:@\w+)?(?:\s.*)?$", re.DOTALL)
GREET = "/greet"
SHARE_CONTACT = "/share_contact"

# Said by the channel itself, in both languages, since these messages never reach the assistant.
NOT_YOUR_CONTACT = (
    "Please share your own number with the button below the chat, not someone else's contact. · "
    "कृपया चैट के नीचे वाले बटन से अपना ही नंबर साझा करें, किसी और का संपर्क नहीं।"
)
BUTTON_EXPIRED = "This button has expired: please type your question. · यह बटन पुराना हो गया है, कृपया प्रश्न लिखें।"

Failure = Literal["rate_limited", "network", "refused", "failed"]


class MalformedUpdate(ValueError):
    """The body is JSON but not an update we can read; the message names the part."""


@dataclass(frozen=True)
class Inbound:
    """What one update asks of us: a message for Rasa and/or a direct reply, in one chat."""

    update_id: int
    chat_id: int
    sender_id: str
    text: str | None = None
    metadata: dict[str, Any] | None = None
    message_id: str | None = None
    direct_reply: str | None = None
    callback_query_id: str | None = None
    callback_notice: str | None = None


class PayloadStore:
    """Button payloads too long for Telegram's 64-byte callback_data, under short keys, newest kept.

    In memory only: after a restart an old button with a long payload answers "expired".
    """

    def __init__(self, size: int = MAX_STORED_PAYLOADS) -> None:
        self.size = size
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def data_for(self, button: Button) -> str:
        payload = button.payload
        if len(payload.encode()) <= TELEGRAM_CALLBACK_BYTES and not payload.startswith(PAYLOAD_KEY_PREFIX):
            return payload
        key = PAYLOAD_KEY_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:20]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.size:
            self._payloads.popitem(last=False)
        return key

    def resolve(self, data: str) -> str | None:
        """The payload a callback carries, or None when its key is no longer known."""
        if not data.startswith(PAYLOAD_KEY_PREFIX):
            return data
        return self._payloads.get(data)


class RecentUpdates:
    """Update ids already taken (Telegram's redelivery, or a restarted poller's), newest kept."""

    def __init__(self, size: int = RECENT_UPDATES) -> None:
        self.size = size
        self._ids: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedUpdate(f"{what} is not an object")
    return value


def _integer(parent: dict[str, Any], key: str, what: str) -> int:
    value = parent.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedUpdate(f"{what}.{key} is not an integer")
    return value


def update_kind(update: Any) -> str | None:
    """Which of the update kinds we handle this update is, or None for one we ignore.
    Raises `MalformedUpdate` for a body that is not an update at all."""
    if not isinstance(update, dict):
        raise MalformedUpdate("the update is not an object")
    _integer(update, "update_id", "update")
    return next((kind for kind in ALLOWED_UPDATES if isinstance(update.get(kind), dict)), None)


def read_update(update: dict[str, Any], payloads: PayloadStore, *, proof_key: str) -> Inbound | None:
    """What a message or callback query asks of us; None to ignore it (groups, bots, no sender).

    A contact the user shares as their own becomes `/share_contact` with the number signed as a channel
    proof for this conversation; someone else's contact, or a photo or sticker, gets a direct reply.
    Raises `MalformedUpdate` when a field Telegram always sends is missing or of the wrong type.
    """
    update_id = _integer(update, "update_id", "update")
    if "callback_query" in update:
        return _from_callback(update_id, _object(update["callback_query"], "callback_query"), payloads)
    message = _object(update.get("message"), "message")
    chat = _object(message.get("chat"), "message.chat")
    chat_id = _integer(chat, "id", "message.chat")
    message_id = _integer(message, "message_id", "message")
    user = message.get("from")
    if not isinstance(user, dict) or user.get("is_bot") is not False:
        return None  # a channel post, or a bot: nobody to answer
    if chat.get("type") != "private":
        return None  # personal records are never shown in a group
    user_id = _integer(user, "id", "message.from")
    sender = conversation_id(CHANNEL, str(user_id))

    def inbound(**what: Any) -> Inbound:
        return Inbound(update_id, chat_id, sender, message_id=str(message_id), **what)

    contact = message.get("contact")
    if isinstance(contact, dict):
        digits = re.sub(r"\D", "", str(contact.get("phone_number") or ""))
        if contact.get("user_id") != user_id or not digits:
            return inbound(direct_reply=NOT_YOUR_CONTACT)
        if not proof_key:
            return inbound(text=SHARE_CONTACT)  # the actions then ask for an e-mail code instead
        proof = meta.sign_proof(proof_key, conversation=sender, claims={meta.VERIFIED_PHONE: f"+{digits}"})
        return inbound(text=SHARE_CONTACT, metadata={meta.CHANNEL_PROOF: proof})
    text = message.get("text")
    if not isinstance(text, str):
        return inbound(direct_reply=TEXT_ONLY_REPLY)
    if START_COMMAND.match(text.strip()):
        return inbound(text=GREET)
    return inbound(text=screen(text))


def _from_callback(update_id: int, query: dict[str, Any], payloads: PayloadStore) -> Inbound | None:
    user = _object(query.get("from"), "callback_query.from")
    if user.get("is_bot") is not False:
        return None
    user_id = _integer(user, "id", "callback_query.from")
    query_id = query.get("id")
    if not isinstance(query_id, str) or not query_id:
        raise MalformedUpdate("callback_query.id is not a string")
    message = query.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    if isinstance(chat, dict) and chat.get("type") != "private":
        return None
    data = query.get("data")
    payload = payloads.resolve(data if isinstance(data, str) else "")
    return Inbound(
        update_id,
        chat_id=_integer(chat, "id", "callback_query.message.chat") if isinstance(chat, dict) else user_id,
        sender_id=conversation_id(CHANNEL, str(user_id)),
        callback_query_id=query_id,
        message_id=f"cb-{query_id}",
        text=None if payload is None else screen(payload),
        callback_notice=BUTTON_EXPIRED if payload is None else None,
    )


def retry_delay(attempt: int, failure: Failure, *, retry_after: float | None = None) -> float | None:
    """Seconds to wait before trying a failed Bot API call again (`attempt` counts from 1), or None to
    give up: a rate limit waits what Telegram asks (bounded), a network error backs off, and a request
    Telegram refused, or any other failure, would fail again the same way."""
    if attempt >= MAX_TRIES or failure in ("refused", "failed"):
        return None
    if failure == "rate_limited":
        return min(retry_after if retry_after is not None else NETWORK_BACKOFF, MAX_RETRY_WAIT)
    return NETWORK_BACKOFF * 2 ** (attempt - 1)
