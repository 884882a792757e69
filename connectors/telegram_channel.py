"""The Telegram channel: Bot API webhook in, python-telegram-bot's `Bot` out.

Rasa's built-in Telegram channel calls Telegram at start-up, never checks the secret-token header and
its output channel crashes when Rasa's HTTP API pushes a message (live human handoff). This one:

- answers Telegram at once (after checking the secret in constant time) and handles the update in a
  background task, one update at a time per chat, so Telegram never retries because the bot was slow;
- reads each update with `connectors.telegram_protocol` (screened text, button callbacks with long
  payloads kept in a small in-memory map, a contact forwarded only when the user shares their own: the
  phone proof, signed with SAHAYAK_PROOF_KEY so the action server can tell it from a forged one);
- names each conversation `telegram:<user id>`, which no other channel can produce;
- renders every reply through `connectors.render`, retries 429s and network errors a few times, and
  logs failures without tokens or personal data;
- stays closed (503, nothing sent) without a bot token, and calls Telegram only when there is work.

Settings come from `contract.telegram_settings` (the same as `sahayak telegram`'s). `sahayak telegram poll`
(bot/tools/telegram_webhook.py) forwards long-polled updates to the same webhook, so polling and webhook
mode share this one code path. The Bot API's HTTP layer can be handed in (tests use a fake one).
"""

import asyncio
import hmac
import json
import logging
import os
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup
from telegram.constants import ChatAction
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from connectors import telegram_protocol as tg
from connectors.render import SendsWholeMessages, reply_from, telegram_messages
from contract import metadata as meta
from contract.conversations import conversation_id, sender_of
from contract.privacy import mask_personal_data
from contract.telegram_settings import SECRET_HEADER, TelegramSettings

logger = logging.getLogger(__name__)
CHANNEL = tg.CHANNEL

T = TypeVar("T")


def quiet_libraries() -> None:
    """httpx logs every request URL at INFO, and a Bot API URL contains the bot token; PTB 22 warns on
    every 429 that `retry_after` will become a timedelta (`_seconds` takes either). Called when the
    channel is built, not on import."""
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=r".*`retry_after`", category=PTBDeprecationWarning)


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

    def __init__(
        self,
        settings: TelegramSettings,
        payloads: tg.PayloadStore | None = None,
        *,
        request: BaseRequest | None = None,
    ) -> None:
        self.settings = settings
        self.payloads = payloads or tg.PayloadStore()
        self._request = request
        self._bot: Bot | None = None

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            api = self.settings.api_url
            request = self._request or HTTPXRequest(
                connection_pool_size=64, read_timeout=15.0, connect_timeout=10.0
            )
            self._bot = Bot(
                self.settings.token, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot", request=request
            )
        return self._bot

    async def call(
        self, what: str, make_call: Callable[[], Awaitable[T]], *, tries: int = tg.MAX_TRIES
    ) -> T | None:
        """`make_call()`'s result, retrying 429s and network errors; None (logged) when it failed."""
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                return await make_call()
            except RetryAfter as error:
                failure: tg.Failure = "rate_limited"
                retry_after = _seconds(error.retry_after)
                reason = "rate limited (429)"
            except BadRequest as error:  # a subclass of NetworkError, but retrying cannot fix it
                failure, reason = "refused", _safe(error.message, self.settings.token)
            except (TimedOut, NetworkError) as error:
                failure = "network"
                reason = f"{type(error).__name__}: {_safe(error.message, self.settings.token)}"
            except TelegramError as error:
                failure = "failed"
                reason = f"{type(error).__name__}: {_safe(error.message, self.settings.token)}"
            except Exception as error:
                failure, reason = "failed", type(error).__name__
            delay = tg.retry_delay(attempt, failure, retry_after=retry_after) if attempt < tries else None
            if delay is None:
                logger.error("telegram %s failed after %d attempt(s): %s", what, attempt, reason)
                return None
            logger.warning("telegram %s: %s; retrying in %.1f s", what, reason, delay)
            await asyncio.sleep(delay)

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


class TelegramOutput(SendsWholeMessages, OutputChannel):
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


class TelegramInput(InputChannel):
    """POST /webhooks/telegram/webhook: Telegram's webhook (or the local poller's forwarding)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "TelegramInput":
        """The environment's TELEGRAM_* settings; a value in the credentials.yml block wins."""
        return cls(TelegramSettings.from_env(os.environ, credentials), meta.proof_key(os.environ))

    def __init__(
        self, settings: TelegramSettings, proof_key: str = "", *, request: BaseRequest | None = None
    ) -> None:
        quiet_libraries()
        self.settings = settings
        self.proof_key = proof_key
        self.client = TelegramClient(settings, request=request)
        self._queues = _ChatQueues()
        self._tasks: set[asyncio.Task[None]] = set()
        self._recent = tg.RecentUpdates()
        if settings.open and not proof_key:
            logger.error("a shared contact cannot be vouched for: SAHAYAK_PROOF_KEY is not set")
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
            if len(body) > tg.MAX_BODY_BYTES:
                return response.json({"error": "the update is too large"}, status=413)
            try:
                data = json.loads(body)
            except ValueError:
                return response.json({"error": "the body is not JSON"}, status=400)
            try:
                kind = tg.update_kind(data)
                if kind is None:
                    return response.json({"status": "ignored"})
                update = {"update_id": data["update_id"], kind: data[kind]}
                inbound = tg.read_update(update, self.client.payloads, proof_key=self.proof_key)
            except tg.MalformedUpdate as error:
                logger.warning("unreadable Telegram update: %s", error)
                return response.json({"error": f"not a Telegram update we can read: {error}"}, status=400)
            if inbound is None or not self._recent.first_time(inbound.update_id):
                return response.json({"status": "ignored"})
            if inbound.callback_query_id is not None:  # at once, even while the chat's last turn still runs
                self._spawn(self.client.answer_callback(inbound.callback_query_id, inbound.callback_notice))
            if inbound.text is not None or inbound.direct_reply is not None:
                chat = str(inbound.chat_id)
                self._spawn(self._queues.run(chat, lambda: self._handle(inbound, on_new_message)))
            return response.json({"status": "accepted"})

        return webhook

    # -----------------------------------------------------------------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(
        self, inbound: tg.Inbound, on_new_message: Callable[[UserMessage], Awaitable[Any]]
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
