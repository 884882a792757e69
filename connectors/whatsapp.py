"""The WhatsApp Cloud API channel: Meta's webhook in, the Graph API out.

`GET /webhooks/whatsapp/webhook` answers Meta's verification; `POST` takes signed webhooks, answers at
once and handles the messages in the background (Meta retries a webhook that is slow to answer). Replies
are rendered by `connectors/render.py` and sent with `POST {graph}/{version}/{phone_number_id}/messages`.
The protocol rules themselves (signature, parsing, de-duplication, the 24-hour window, retries) are in
`connectors/whatsapp_protocol.py`. Nothing here logs a phone number, a message or a token.

Each conversation is `whatsapp:<number>`, and the number a signed webhook came from travels to the
actions as a channel proof signed with SAHAYAK_PROOF_KEY (`contract.metadata`).
"""

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import whatsapp_protocol as wa
from connectors.render import SendsWholeMessages, reply_from, whatsapp_messages
from contract import metadata as meta
from contract.conversations import conversation_id, sender_of
from contract.inbound import TEXT_ONLY_REPLY, screen

logger = logging.getLogger(__name__)
CHANNEL = "whatsapp"
REQUEST_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class Settings:
    access_token: str = ""
    phone_number_id: str = ""
    verify_token: str = ""
    app_secret: str = ""
    graph_url: str = "https://graph.facebook.com"
    api_version: str = "v21.0"
    template_name: str = ""
    template_language: str = "en"
    proof_key: str = ""

    @classmethod
    def load(cls, credentials: dict[str, Any] | None = None) -> "Settings":
        """Each setting from the credentials.yml block when given there, else from WHATSAPP_<NAME>."""
        given = credentials or {}
        defaults = cls()

        def pick(key: str) -> str:
            value = given.get(key)
            if value is None or not str(value).strip():
                value = os.environ.get(f"WHATSAPP_{key.upper()}", "")
            return str(value).strip() or str(getattr(defaults, key))

        fields = [key for key in cls.__dataclass_fields__ if key != "proof_key"]
        return cls(**{key: pick(key) for key in fields}, proof_key=meta.proof_key(os.environ))

    @property
    def is_open(self) -> bool:
        """Without the token, the app secret and the number id nothing can be checked or sent."""
        return bool(self.access_token and self.app_secret and self.phone_number_id)

    @property
    def messages_url(self) -> str:
        return f"{self.graph_url.rstrip('/')}/{self.api_version}/{self.phone_number_id}/messages"

    def template(self) -> dict[str, Any] | None:
        return wa.template_message(self.template_name, self.template_language)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status: int | None = None
    code: int | None = None


class GraphClient:
    """Posts message objects to the Graph API, retrying rate limits, server and network errors."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use, inside the server's loop: nothing calls Meta at start-up.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS),
                headers={"Authorization": f"Bearer {self.settings.access_token}"},
            )
        return self._session

    async def post(self, body: dict[str, Any], *, retry: bool = True) -> SendResult:
        attempt = 0
        while True:
            attempt += 1
            status: int | None = None
            code: int | None = None
            retry_after: str | None = None
            failure = ""
            try:
                async with self._client().post(self.settings.messages_url, json=body) as answer:
                    status = answer.status
                    if 200 <= status < 300:
                        return SendResult(True, status)
                    retry_after = answer.headers.get("Retry-After")
                    try:
                        code = wa.error_code(await answer.json(content_type=None))
                    except (ValueError, aiohttp.ClientError):
                        code = None
                    failure = f"HTTP {status}, Graph API error {code}"
            # On Python 3.10, where this runs, asyncio.TimeoutError is not yet the builtin TimeoutError.
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:  # noqa: UP041
                failure = type(error).__name__
            delay = wa.retry_delay(attempt, status=status, code=code, retry_after=retry_after)
            if not retry or delay is None:
                logger.warning("WhatsApp call failed after %d attempt(s): %s", attempt, failure)
                return SendResult(False, status, code)
            logger.info("WhatsApp call failed (%s); retrying in %.1f s", failure, delay)
            await asyncio.sleep(delay)

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class WhatsAppOutput(SendsWholeMessages, OutputChannel):
    """Sends a Rasa message as Graph API message objects, within the 24-hour window (see `deliver`)."""

    def __init__(self, channel: "WhatsAppInput") -> None:
        self.channel = channel

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """`recipient_id` is the conversation, `whatsapp:<number>`; any other channel's is refused."""
        # Text and buttons of one message are rendered together (reply buttons or a list), not apart.
        await self.deliver(sender_of(recipient_id, CHANNEL), whatsapp_messages(reply_from(message)))

    async def deliver(self, wa_id: str, messages: list[dict[str, Any]]) -> None:
        """Free-form messages only inside the user's 24-hour window; outside it the configured template
        (once until the user writes again) or nothing, as the platform requires."""
        channel = self.channel
        for index, message in enumerate(messages):
            template = channel.settings.template()
            plan = channel.window.plan(wa_id, has_template=template is not None)
            if plan != "send":
                withheld = len(messages) - index
                if plan == "template" and template is not None:
                    logger.warning(
                        "WhatsApp: %d message(s) withheld outside the 24-hour window; template sent", withheld
                    )
                    await channel.client.post(wa.outbound(wa_id, template))
                else:
                    logger.warning("WhatsApp: %d message(s) withheld outside the 24-hour window", withheld)
                return
            result = await channel.client.post(wa.outbound(wa_id, message))
            if result.code == wa.WINDOW_CLOSED_CODE:
                channel.window.close(wa_id)
                await self.deliver(wa_id, messages[index:])
                return


class WhatsAppInput(InputChannel):
    """POST/GET /webhooks/whatsapp/webhook. Settings: WHATSAPP_* or this channel's credentials.yml block."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.load()
        self.client = GraphClient(self.settings)
        self.window = wa.ServiceWindow()
        self.seen = wa.SeenMessages()
        self._queues: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        if not self.settings.is_open:
            logger.warning(
                "WhatsApp channel closed: WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET or "
                "WHATSAPP_PHONE_NUMBER_ID is not set (webhooks are answered 503)"
            )

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "WhatsAppInput":
        return cls(Settings.load(credentials))

    def get_output_channel(self) -> OutputChannel | None:
        # Used by the HTTP API to push messages (the live handoff), so it needs no inbound request.
        return WhatsAppOutput(self) if self.settings.is_open else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("whatsapp_webhook", __name__)

        @hook.get("/")
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.get("/webhook")
        async def verify(request: Request) -> HTTPResponse:
            challenge = wa.subscription_challenge(
                {key: request.args.get(key) for key in ("hub.mode", "hub.verify_token", "hub.challenge")},
                self.settings.verify_token,
            )
            if challenge is None:
                return response.text("Forbidden", status=403)
            return response.text(challenge)

        @hook.post("/webhook", stream=True)
        async def receive(request: Request) -> HTTPResponse:
            body = await _read_body(request)
            if body is None:
                return response.text("Payload Too Large", status=413)
            if not self.settings.is_open:
                return response.text("Service Unavailable", status=503)
            signature = request.headers.get(wa.SIGNATURE_HEADER)
            if not wa.signature_valid(self.settings.app_secret, body, signature):
                logger.warning("WhatsApp webhook refused: missing or wrong signature")
                return response.text("Forbidden", status=403)
            try:
                payload = json.loads(body)
            except ValueError:
                return response.text("Bad Request: the body is not JSON", status=400)
            if not isinstance(payload, dict):
                return response.text("Bad Request: the body must be a JSON object", status=400)
            for message in wa.parse_webhook(payload, self.settings.phone_number_id):
                if self.seen.first_time(message.message_id):
                    self.window.user_wrote(message.wa_id, message.timestamp)
                    self._enqueue(message, on_new_message)
            return response.text("OK")

        @hook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.client.close()

        return hook

    def _proof(self, conversation: str, wa_id: str) -> dict[str, Any]:
        """The sender's number, which Meta's signature on the webhook vouches for, signed for the actions."""
        if not self.settings.proof_key:
            logger.error("the sender's number cannot be vouched for: SAHAYAK_PROOF_KEY is not set")
            return {}
        claims = {meta.VERIFIED_PHONE: "+" + wa_id}
        return {
            meta.CHANNEL_PROOF: meta.sign_proof(
                self.settings.proof_key, conversation=conversation, claims=claims
            )
        }

    def _enqueue(self, message: wa.Inbound, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Handle a message in the background, after the same user's earlier ones."""
        previous = self._queues.get(message.wa_id)

        async def run() -> None:
            if previous is not None and not previous.done():
                await asyncio.wait([previous])
            await self._handle(message, on_new_message)

        task = asyncio.get_running_loop().create_task(run())
        self._queues[message.wa_id] = task
        self._tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            if self._queues.get(message.wa_id) is finished:
                del self._queues[message.wa_id]

        task.add_done_callback(done)

    async def _handle(
        self, message: wa.Inbound, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        output = WhatsAppOutput(self)
        conversation = conversation_id(CHANNEL, message.wa_id)
        try:
            receipt = asyncio.get_running_loop().create_task(
                self.client.post(wa.read_receipt(message.message_id), retry=False)
            )
            if message.kind == "media":
                await output.send_response(conversation, {"text": TEXT_ONLY_REPLY})
            elif message.kind == "contacts":
                # A shared contact proves nothing about the sender; their own number already does.
                await output.send_response(conversation, {"text": wa.CONTACT_REPLY})
            else:
                await on_new_message(
                    UserMessage(
                        screen(message.text),
                        output,
                        conversation,
                        input_channel=CHANNEL,
                        message_id=message.message_id,
                        metadata=self._proof(conversation, message.wa_id),
                    )
                )
            await receipt
        except Exception as error:  # a background task: log it (without the message or number) and go on
            logger.error("WhatsApp message could not be handled: %s", type(error).__name__)
            logger.debug("WhatsApp handling error", exc_info=True)


async def _read_body(request: Request) -> bytes | None:
    """The raw body (the signature covers these exact bytes), or None when it is over the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > wa.MAX_BODY_BYTES:
        return None
    if request.stream is None:
        return request.body if len(request.body) <= wa.MAX_BODY_BYTES else None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream:
        size += len(chunk)
        if size > wa.MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
