"""The Telegram channel: Bot API webhook in, python-telegram-bot's `Bot` out.

Rasa's built-in Telegram channel calls Telegram at start-up, never checks the secret-token header and
its output channel crashes when Rasa's HTTP API pushes a message (live human handoff). This one:

- answers Telegram at once (after checking the secret in constant time) and handles the update in a
  background task, one update at a time per chat, so Telegram never retries because the bot was slow;
- screens text like the REST channel, turns buttons into callback queries (long payloads kept in a small
  in-memory map), and forwards a contact only when the user shares their own: the phone proof, signed
  with SAHAYAK_PROOF_KEY (`contract.metadata`) so the action server can tell it from a forged one;
- names each conversation `telegram:<user id>`, which no other channel can produce;
- renders every reply through `connectors.render`, retries 429s and network errors a few times, and
  logs failures without tokens or personal data;
- stays closed (503, nothing sent) without a bot token, and calls Telegram only when there is work.

`sahayak telegram poll` (bot/tools/telegram_webhook.py) forwards long-polled updates to the same webhook, so
polling and webhook mode share this one code path.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from connectors.render import TELEGRAM_CALLBACK_BYTES, Button, reply_from, telegram_messages
from contract import metadata as meta
from contract.conversations import conversation_id, sender_of
from contract.inbound import TEXT_ONLY_REPLY, screen
from contract.privacy import mask_personal_data

logger = logging.getLogger(__name__)
# httpx logs every request URL at INFO, and a Bot API URL contains the bot token.
for _noisy in ("httpx", "httpcore"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)
# PTB 22 warns on every 429 that `retry_after` will become a timedelta; `_seconds` takes either.
warnings.filterwarnings("ignore", message=r".*`retry_after`", category=PTBDeprecationWarning)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_API_URL = "https://api.telegram.org"
MAX_BODY_BYTES = 256 * 1024
# The update kinds we handle; `sahayak telegram set-webhook` and the poller ask Telegram for only these.
ALLOWED_UPDATES = ("message", "callback_query")
MAX_TRIES = 4
MAX_RETRY_WAIT = 60.0  # seconds; Telegram's retry_after is honoured up to this
NETWORK_BACKOFF = 0.5  # seconds, doubled on each try
PAYLOAD_KEY_PREFIX = "p:"
MAX_STORED_PAYLOADS = 4096
RECENT_UPDATES = 1024
START_COMMAND = re.compile(r"^/start(?:@\w+)?(?:\s.*)?$", re.DOTALL)
GREET = "/greet"
SHARE_CONTACT = "/share_contact"
CHANNEL = "telegram"

# Said by the channel itself, in both languages, since these messages never reach the assistant.
NOT_YOUR_CONTACT = (
    "Please share your own number with the button below the chat, not someone else's contact. · "
    "कृपया चैट के नीचे वाले बटन से अपना ही नंबर साझा करें, किसी और का संपर्क नहीं।"
)
BUTTON_EXPIRED = "This button has expired: please type your question. · यह बटन पुराना हो गया है, कृपया प्रश्न लिखें।"

T = TypeVar("T")


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    secret: str
    api_url: str = DEFAULT_API_URL
    proof_key: str = ""

    @property
    def open(self) -> bool:
        return bool(self.token and self.secret)


def settings_from(credentials: dict[str, Any] | None) -> TelegramSettings:
    """The environment's TELEGRAM_* settings; a value in the credentials.yml block takes precedence."""
    block = credentials or {}

    def pick(key: str, env: str, default: str = "") -> str:
        value = block.get(key)
        return str(value).strip() if value else os.environ.get(env, default).strip()

    return TelegramSettings(
        token=pick("bot_token", "TELEGRAM_BOT_TOKEN"),
        secret=pick("secret_token", "TELEGRAM_SECRET_TOKEN"),
        api_url=pick("api_url", "TELEGRAM_API_URL", DEFAULT_API_URL).rstrip("/") or DEFAULT_API_URL,
        proof_key=os.environ.get("SAHAYAK_PROOF_KEY", ""),
    )


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


def _safe(text: object, token: str) -> str:
    """An error message fit for the log: no bot token, no e-mail or mobile number."""
    message = str(text)
    if token:
        message = message.replace(token, "<token>")
    return mask_personal_data(message)[:300]


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramClient:
    """The Bot API calls we make, with bounded retries; built on first use, never at server start."""

    def __init__(self, settings: TelegramSettings, payloads: PayloadStore | None = None) -> None:
        self.settings = settings
        self.payloads = payloads or PayloadStore()
        self._bot: Bot | None = None

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            api = self.settings.api_url
            self._bot = Bot(
                self.settings.token,
                base_url=f"{api}/bot",
                base_file_url=f"{api}/file/bot",
                request=HTTPXRequest(connection_pool_size=64, read_timeout=15.0, connect_timeout=10.0),
            )
        return self._bot

    async def call(
        self, what: str, make_call: Callable[[], Awaitable[T]], *, tries: int = MAX_TRIES
    ) -> T | None:
        """`make_call()`'s result, retrying 429s and network errors; None (logged) when it failed."""
        for attempt in range(1, tries + 1):
            try:
                return await make_call()
            except RetryAfter as error:
                delay = min(_seconds(error.retry_after), MAX_RETRY_WAIT)
                reason = "rate limited (429)"
            except BadRequest as error:  # a subclass of NetworkError, but retrying cannot fix it
                logger.error("telegram %s refused: %s", what, _safe(error.message, self.settings.token))
                return None
            except (TimedOut, NetworkError) as error:
                delay = NETWORK_BACKOFF * 2 ** (attempt - 1)
                reason = f"{type(error).__name__}: {_safe(error.message, self.settings.token)}"
            except TelegramError as error:
                logger.error(
                    "telegram %s failed (%s): %s",
                    what,
                    type(error).__name__,
                    _safe(error.message, self.settings.token),
                )
                return None
            except Exception as error:
                logger.error("telegram %s failed: %s", what, type(error).__name__)
                return None
            if attempt == tries:
                logger.error("telegram %s gave up after %d tries: %s", what, tries, reason)
                return None
            logger.warning("telegram %s: %s; retrying in %.1f s", what, reason, delay)
            await asyncio.sleep(delay)
        return None

    async def send_message(self, chat_id: str | int, params: dict[str, Any]) -> Message | None:
        """One `sendMessage` from render's parameters (text, parse_mode, optional reply_markup)."""
        markup = params.get("reply_markup")
        reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            reply_markup = InlineKeyboardMarkup.de_json(markup)
        elif isinstance(markup, dict) and "keyboard" in markup:
            reply_markup = ReplyKeyboardMarkup.de_json(markup)
        return await self.call(
            "sendMessage",
            lambda: self.bot.send_message(
                chat_id=chat_id,
                text=params["text"],
                parse_mode=params.get("parse_mode"),
                reply_markup=reply_markup,
            ),
        )

    async def typing(self, chat_id: str | int) -> None:
        """Show "typing…" while the assistant thinks; one try, since it only decorates."""
        await self.call(
            "sendChatAction",
            lambda: self.bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING),
            tries=1,
        )

    async def answer_callback(self, query_id: str, text: str | None = None) -> None:
        await self.call("answerCallbackQuery", lambda: self.bot.answer_callback_query(query_id, text=text))


class TelegramOutput(OutputChannel):
    """Sends Rasa's bot messages to a Telegram chat, each rendered whole (text, buttons, custom)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, client: TelegramClient) -> None:
        self.client = client

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """`recipient_id` is the conversation, `telegram:<chat id>`; any other channel's is refused."""
        chat = sender_of(recipient_id, CHANNEL)
        reply = reply_from(message)
        for params in telegram_messages(reply, callback_data=self.client.payloads.data_for):
            await self.client.send_message(chat, params)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"custom": json_message})


class _ChatQueues:
    """One lock per chat, so a chat's updates are handled in the order Telegram sent them."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    async def run(self, chat: str, work: Callable[[], Awaitable[None]]) -> None:
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._users[chat] = self._users.get(chat, 0) + 1
        try:
            async with lock:
                await work()
        finally:
            self._users[chat] -= 1
            if not self._users[chat]:
                del self._users[chat], self._locks[chat]


@dataclass(frozen=True)
class _Inbound:
    """What one update asks of us: a message for Rasa and/or a direct reply, in one chat."""

    chat_id: int
    sender_id: str
    text: str | None = None
    metadata: dict[str, Any] | None = None
    message_id: str | None = None
    direct_reply: str | None = None
    callback_query_id: str | None = None
    callback_notice: str | None = None


class TelegramInput(InputChannel):
    """POST /webhooks/telegram/webhook: Telegram's webhook (or the local poller's forwarding)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "TelegramInput":
        return cls(settings_from(credentials))

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.client = TelegramClient(settings)
        self._queues = _ChatQueues()
        self._tasks: set[asyncio.Task[None]] = set()
        self._recent: OrderedDict[int, None] = OrderedDict()
        if not settings.token:
            logger.warning("Telegram channel closed: TELEGRAM_BOT_TOKEN is empty (the webhook answers 503)")
        elif not settings.secret:
            logger.warning(
                "Telegram channel closed: TELEGRAM_SECRET_TOKEN is empty (the webhook answers 503)"
            )

    def get_output_channel(self) -> OutputChannel | None:
        """Used by Rasa's HTTP API (output_channel=latest) to push messages, e.g. a human agent's."""
        return TelegramOutput(self.client) if self.settings.open else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("telegram_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.open else "closed"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.open:
                return response.json({"error": "the Telegram channel is not configured"}, status=503)
            given = request.headers.get(SECRET_HEADER)
            if given is None:
                return response.json({"error": f"missing {SECRET_HEADER}"}, status=401)
            if not hmac.compare_digest(given.encode(), self.settings.secret.encode()):
                return response.json({"error": f"wrong {SECRET_HEADER}"}, status=403)
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return response.json({"error": "the update is too large"}, status=413)
            try:
                data = json.loads(body)
            except ValueError:
                return response.json({"error": "the body is not JSON"}, status=400)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return response.json({"error": "not a Telegram update (no integer update_id)"}, status=400)
            kind = next((k for k in ALLOWED_UPDATES if isinstance(data.get(k), dict)), None)
            if kind is None:
                return response.json({"status": "ignored"})
            try:
                update = Update.de_json({"update_id": data["update_id"], kind: data[kind]}, self.client.bot)
                inbound = self._inbound(update)
            except Exception as error:
                logger.warning("unreadable Telegram %s: %s", kind, type(error).__name__)
                return response.json({"error": f"malformed {kind}"}, status=400)
            if inbound is None or self._seen(update.update_id):
                return response.json({"status": "ignored"})
            if inbound.callback_query_id is not None:  # at once, even while the chat's last turn still runs
                self._spawn(self.client.answer_callback(inbound.callback_query_id, inbound.callback_notice))
            if inbound.text is not None or inbound.direct_reply is not None:
                chat = str(inbound.chat_id)
                self._spawn(self._queues.run(chat, lambda: self._handle(inbound, on_new_message)))
            return response.json({"status": "accepted"})

        return webhook

    # -----------------------------------------------------------------------------------------------------

    def _seen(self, update_id: int) -> bool:
        """True for an update already taken (Telegram's redelivery, or a restarted poller's)."""
        if update_id in self._recent:
            return True
        self._recent[update_id] = None
        while len(self._recent) > RECENT_UPDATES:
            self._recent.popitem(last=False)
        return False

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _inbound(self, update: Update) -> _Inbound | None:
        """What to do with a message or callback query; None to ignore it (groups, bots, no sender)."""
        if update.callback_query is not None:
            return self._from_callback(update.callback_query)
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return None
        if message.chat.type != ChatType.PRIVATE:  # personal records are never shown in a group
            return None
        user = message.from_user

        sender = conversation_id(CHANNEL, str(user.id))

        def inbound(**what: Any) -> _Inbound:
            return _Inbound(
                chat_id=message.chat.id, sender_id=sender, message_id=str(message.message_id), **what
            )

        if message.contact is not None:
            digits = re.sub(r"\D", "", message.contact.phone_number or "")
            if message.contact.user_id != user.id or not digits:
                return inbound(direct_reply=NOT_YOUR_CONTACT)
            if not self.settings.proof_key:
                logger.error("a shared contact cannot be vouched for: SAHAYAK_PROOF_KEY is not set")
                return inbound(text=SHARE_CONTACT)
            proof = meta.sign_proof(
                self.settings.proof_key, conversation=sender, claims={meta.VERIFIED_PHONE: f"+{digits}"}
            )
            return inbound(text=SHARE_CONTACT, metadata={meta.CHANNEL_PROOF: proof})
        if message.text is None:
            return inbound(direct_reply=TEXT_ONLY_REPLY)
        if START_COMMAND.match(message.text.strip()):
            return inbound(text=GREET)
        return inbound(text=screen(message.text))

    def _from_callback(self, query: CallbackQuery) -> _Inbound | None:
        if query.from_user.is_bot:
            return None
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != ChatType.PRIVATE:
            return None
        payload = self.client.payloads.resolve(query.data or "")
        return _Inbound(
            chat_id=chat.id if chat is not None else query.from_user.id,
            sender_id=conversation_id(CHANNEL, str(query.from_user.id)),
            callback_query_id=query.id,
            message_id=f"cb-{query.id}",
            text=None if payload is None else screen(payload),
            callback_notice=BUTTON_EXPIRED if payload is None else None,
        )

    async def _handle(
        self, inbound: _Inbound, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Runs in the background, after Telegram got its 200: nothing here may raise."""
        output = TelegramOutput(self.client)
        try:
            if inbound.direct_reply is not None:
                await output.send_response(
                    conversation_id(CHANNEL, str(inbound.chat_id)), {"text": inbound.direct_reply}
                )
            if inbound.text is None:
                return
            await self.client.typing(inbound.chat_id)
            await on_new_message(
                UserMessage(
                    text=inbound.text,
                    output_channel=output,
                    sender_id=inbound.sender_id,
                    input_channel=self.name(),
                    message_id=inbound.message_id,
                    metadata=inbound.metadata,
                )
            )
        except Exception as error:
            logger.error(
                "handling a Telegram update failed: %s: %s",
                type(error).__name__,
                _safe(error, self.settings.token),
            )
