"""The WhatsApp Cloud API's rules as plain functions: webhook signature and verification, payload parsing,
de-duplication, the 24-hour customer-service window and when to retry a Graph API call.

Pure standard library, so it is unit-tested in the 3.11 environment without Rasa; `connectors/whatsapp.py`
is the Rasa and aiohttp side that uses it.
"""

import contextlib
import hashlib
import hmac
import re
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

# The platform sends small JSON bodies; anything larger is refused before it is read whole.
MAX_BODY_BYTES = 512 * 1024
SIGNATURE_HEADER = "X-Hub-Signature-256"
# Meta retries a webhook it thinks failed for days, so ids are remembered for a day.
SEEN_IDS = 10_000
SEEN_TTL_SECONDS = 24 * 3600
# Free-form messages may be sent only within 24 hours of the user's last message. A little margin keeps
# a message that takes a while to reach Meta from landing just outside it.
WINDOW_SECONDS = 24 * 3600
WINDOW_MARGIN_SECONDS = 120
WINDOW_USERS = 100_000
# Graph API error codes worth retrying even on HTTP 400: unknown/temporary errors and the rate limits.
RETRY_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131056})
# "More than 24 hours have passed since the recipient last replied": the window is closed after all.
WINDOW_CLOSED_CODE = 131047
MAX_ATTEMPTS = 4
MAX_DELAY_SECONDS = 8.0
MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker", "location"})
_WA_ID = re.compile(r"^\d{6,20}$")

CONTACT_REPLY = (
    "Thanks, but I don't need a contact card: on WhatsApp I already use the number you are writing from "
    "to confirm who you are. Please type your question.\n"
    "धन्यवाद, पर संपर्क कार्ड की ज़रूरत नहीं है: WhatsApp पर आपकी पहचान के लिए मैं उसी नंबर का उपयोग करता हूँ "
    "जिससे आप लिख रहे हैं। कृपया अपना प्रश्न लिखें।"
)

Kind = Literal["text", "media", "contacts"]
Plan = Literal["send", "template", "withhold"]


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body with the app secret.

    Only Meta knows the secret, so this is what tells a real webhook from a forged one.
    """
    if not app_secret or not header:
        return False
    scheme, _, given = header.strip().partition("=")
    if scheme.lower() != "sha256" or not given:
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def subscription_challenge(params: Mapping[str, str | None], verify_token: str) -> str | None:
    """The challenge to echo when Meta verifies the webhook with our verify token, otherwise None."""
    token = params.get("hub.verify_token") or ""
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return params.get("hub.challenge") or ""


@dataclass(frozen=True)
class Inbound:
    """One user message from a webhook. `text` is what Rasa receives, for kind "text" only."""

    message_id: str
    wa_id: str
    timestamp: float | None
    kind: Kind
    text: str = ""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _timestamp(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _message(raw: dict[str, Any]) -> Inbound | None:
    message_id, wa_id, kind = raw.get("id"), raw.get("from"), raw.get("type")
    if not isinstance(message_id, str) or not message_id or not isinstance(wa_id, str):
        return None
    if not _WA_ID.match(wa_id):
        return None
    at = _timestamp(raw.get("timestamp"))
    if kind == "text":
        body = _as_dict(raw.get("text")).get("body")
        return Inbound(message_id, wa_id, at, "text", body if isinstance(body, str) else "")
    if kind == "interactive":
        interactive = _as_dict(raw.get("interactive"))
        if interactive.get("type") not in ("button_reply", "list_reply"):
            return None
        reply = _as_dict(interactive.get(interactive["type"]))
        choice = reply.get("id") or reply.get("title")
        return Inbound(message_id, wa_id, at, "text", choice if isinstance(choice, str) else "")
    if kind == "button":  # a quick-reply button of a template message
        button = _as_dict(raw.get("button"))
        choice = button.get("payload") or button.get("text")
        return Inbound(message_id, wa_id, at, "text", choice if isinstance(choice, str) else "")
    if kind == "contacts":
        return Inbound(message_id, wa_id, at, "contacts")
    if kind in MEDIA_TYPES:
        return Inbound(message_id, wa_id, at, "media")
    return None  # reactions, system notices, orders, "unsupported" and types added later


def parse_webhook(body: Any, phone_number_id: str = "") -> list[Inbound]:
    """The user messages of a webhook body, in order. Status callbacks, unknown types and changes for
    another business number (when `phone_number_id` is given) are left out."""
    messages: list[Inbound] = []
    for entry in _as_list(_as_dict(body).get("entry")):
        for change in _as_list(_as_dict(entry).get("changes")):
            value = _as_dict(_as_dict(change).get("value"))
            if value.get("messaging_product", "whatsapp") != "whatsapp":
                continue
            to = _as_dict(value.get("metadata")).get("phone_number_id")
            if phone_number_id and to is not None and str(to) != phone_number_id:
                continue
            for raw in _as_list(value.get("messages")):
                found = _message(_as_dict(raw))
                if found is not None:
                    messages.append(found)
    return messages


class SeenMessages:
    """Message ids already accepted, so the platform's retries are handled once. Bounded, in memory."""

    def __init__(self, size: int = SEEN_IDS, ttl: float = SEEN_TTL_SECONDS) -> None:
        self.size, self.ttl = size, ttl
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, message_id: str, now: float | None = None) -> bool:
        """True the first time an id is offered (and remembers it), False for a repeat."""
        now = time.time() if now is None else now
        while self._seen and next(iter(self._seen.values())) <= now - self.ttl:
            self._seen.popitem(last=False)
        if message_id in self._seen:
            return False
        self._seen[message_id] = now
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._seen)


class ServiceWindow:
    """When each user last wrote, to respect WhatsApp's 24-hour customer-service window.

    Kept in memory: after a restart every window counts as closed until the user writes again, which
    errs on the side the platform requires (a free-form message outside the window is refused anyway).
    """

    def __init__(
        self,
        seconds: float = WINDOW_SECONDS - WINDOW_MARGIN_SECONDS,
        users: int = WINDOW_USERS,
    ) -> None:
        self.seconds, self.users = seconds, users
        self._last: OrderedDict[str, float] = OrderedDict()
        self._template_sent: set[str] = set()

    def user_wrote(self, wa_id: str, at: float | None = None, now: float | None = None) -> None:
        """Record an inbound message; `at` is its platform timestamp (a late retry opens no new window)."""
        now = time.time() if now is None else now
        at = now if at is None else min(at, now)
        if at <= self._last.get(wa_id, float("-inf")):
            return
        self._last[wa_id] = at
        self._last.move_to_end(wa_id)
        self._template_sent.discard(wa_id)
        while len(self._last) > self.users:
            old, _ = self._last.popitem(last=False)
            self._template_sent.discard(old)

    def is_open(self, wa_id: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        last = self._last.get(wa_id)
        return last is not None and now - last < self.seconds

    def close(self, wa_id: str) -> None:
        """The platform said the window is closed (e.g. the user wrote before a restart we missed)."""
        if wa_id in self._last:
            self._last[wa_id] = float("-inf")

    def plan(self, wa_id: str, *, has_template: bool, now: float | None = None) -> Plan:
        """How to deliver a bot message: free-form inside the window; outside it the template, once until
        the user writes again; otherwise nothing."""
        if self.is_open(wa_id, now):
            return "send"
        if not has_template or wa_id in self._template_sent:
            return "withhold"
        if len(self._template_sent) >= self.users:  # bounded; forgetting only allows one more template
            self._template_sent.clear()
        self._template_sent.add(wa_id)
        return "template"


def template_message(name: str, language: str) -> dict[str, Any] | None:
    """The message object of the configured template (no parameters), or None when none is set."""
    if not name.strip():
        return None
    return {"type": "template", "template": {"name": name.strip(), "language": {"code": language or "en"}}}


def outbound(wa_id: str, message: dict[str, Any]) -> dict[str, Any]:
    """The body of POST /{phone_number_id}/messages for one message object."""
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id, **message}


def read_receipt(message_id: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}


def error_code(body: Any) -> int | None:
    """The Graph API error code of a response body, if any."""
    code = _as_dict(_as_dict(body).get("error")).get("code")
    try:
        return int(code) if code is not None else None
    except (TypeError, ValueError):
        return None


def retry_delay(
    attempt: int, *, status: int | None, code: int | None = None, retry_after: str | None = None
) -> float | None:
    """Seconds to wait before retrying a failed call (`status` None: a network error), or None to give up.

    `attempt` counts from 1. Rate limits, server errors and network errors are retried with a doubling
    delay, bounded; other client errors would fail again the same way.
    """
    if attempt >= MAX_ATTEMPTS:
        return None
    retryable = status is None or status == 429 or status >= 500 or code in RETRY_CODES
    if not retryable:
        return None
    delay = 0.5 * 2 ** (attempt - 1)
    if retry_after is not None:
        with contextlib.suppress(ValueError):
            delay = max(delay, float(retry_after))
    return min(delay, MAX_DELAY_SECONDS)
