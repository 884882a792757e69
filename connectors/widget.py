"""The portal widget's channel: Rasa's Socket.IO channel, screened and rendered like every other channel.

Differences from Rasa's `SocketIOInput`, and why:
- incoming text goes through `contract.inbound.screen`, as on REST, so an empty, emoji-only or
  over-long message gets the same explanation everywhere;
- each Rasa message becomes one `bot_uttered` event shaped by `connectors.render.widget_message`
  (Rasa's own output splits text at blank lines and renames buttons to quick replies);
- session persistence is always on: replies go to the room named after the conversation id, which is
  what lets `get_output_channel()` reach the user when a helpdesk agent's message is pushed through
  the HTTP API (`.../tracker/events?execute_side_effects=true&output_channel=latest`);
- `enter_room` is awaited when it is a coroutine (python-socketio >= 5.10), where Rasa's code would
  silently never join the room;
- a session id must be 32 hex digits (what we hand out), and the conversation is `widget:<session id>`,
  so a client can never name a WhatsApp, Telegram or REST conversation;
- a browser connects only from a configured portal origin (SAHAYAK_PORTAL_ORIGINS), a Socket.IO packet
  is capped at `MAX_PACKET_BYTES`, and of the page's `customData` only the portal token is kept; the
  connector adds a signed proof of the network the browser connected from (sign-in code throttling);
- the widget's files (widget.js, widget.css and the vendored Socket.IO client) are served from this
  channel's routes, so embedding the widget is one script tag pointing at the assistant's host.
"""

import hashlib
import inspect
import json
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeGuard

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from connectors.render import SendsWholeMessages, reply_from, widget_message
from contract import metadata as meta
from contract.conversations import conversation_id, sender_of
from contract.deployment import allowed_origins
from contract.inbound import screen

logger = logging.getLogger(__name__)
CHANNEL = "widget"
# A widget message is a line of text and a portal token; engine.io's default is 1 MB.
MAX_PACKET_BYTES = 64 * 1024

WIDGET_DIR = Path(__file__).resolve().parent.parent / "widget"
# The only files served, with their types: nothing else under widget/ is reachable.
STATIC_FILES = {
    "widget.js": ("widget.js", "application/javascript; charset=utf-8"),
    "widget.css": ("widget.css", "text/css; charset=utf-8"),
    "socket.io.min.js": ("vendor/socket.io.min.js", "application/javascript; charset=utf-8"),
}
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")


def valid_session_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(SESSION_ID.match(value))


def message_metadata(raw: Any) -> dict[str, Any]:
    """What a widget message's `customData` may carry (the portal token), parsed if it came as JSON."""
    if isinstance(raw, str) and len(raw) <= MAX_PACKET_BYTES:
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return meta.client_metadata(raw)


def origin_allowed(origin: str | None, allowed: tuple[str, ...]) -> bool:
    """A browser says where the page that opens the socket came from; other clients send no Origin."""
    return origin is None or origin.rstrip("/") in allowed


async def enter_room(sio: AsyncServer, sid: str, room: str, namespace: str | None) -> None:
    """Puts the connection in the conversation's room, and out of any earlier conversation's room
    (after "New conversation"), so it receives the replies of this conversation only."""
    for earlier in sio.rooms(sid, namespace=namespace):
        if earlier not in (sid, room):
            await _maybe_await(sio.leave_room(sid, earlier, namespace=namespace))
    await _maybe_await(sio.enter_room(sid, room, namespace=namespace))


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):  # python-socketio >= 5.10 made room changes coroutines
        await result


class WidgetOutput(SendsWholeMessages, SocketIOOutput):
    """Sends each Rasa message as one `bot_uttered` event to everyone in the conversation's room."""

    @classmethod
    def name(cls) -> str:
        return WidgetInput.name()

    def __init__(self, sio: AsyncServer, bot_message_evt: str, namespace: str | None = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace

    async def _send_message(self, socket_id: str, response: Any) -> None:
        # Rasa names the conversation `widget:<session id>`; its socket room is the session id.
        room = sender_of(socket_id, CHANNEL)
        await self.sio.emit(self.bot_message_evt, response, room=room, namespace=self.namespace)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        body = widget_message(reply_from(message))
        if body.get("text") or len(body) > 1:
            await self._send_message(recipient_id, body)


class WidgetInput(SocketIOInput):
    """Socket.IO at `socketio_path`; the widget's files at /webhooks/widget/<file>."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        if credentials.get("session_persistence") is False:
            logger.warning("the widget channel always keeps sessions; session_persistence: false is ignored")
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            session_persistence=True,
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            jwt_key=credentials.get("jwt_key"),
            jwt_method=credentials.get("jwt_method", "HS256"),
            metadata_key=credentials.get("metadata_key", "customData"),
        )

    def get_output_channel(self) -> OutputChannel | None:
        """The channel for messages pushed through the HTTP API (a helpdesk agent's reply, say)."""
        if self.sio is None:  # only this process's Socket.IO server knows its connected clients
            logger.warning("the widget channel cannot send outside a request before the server started")
            return None
        return WidgetOutput(self.sio, self.bot_message_evt, self.namespace)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # No CORS handling of Socket.IO's own: the Rasa server's --cors adds the headers for the polling
        # transport, and two sets would break it. The page's origin is checked in `connect` below,
        # against the same list (SAHAYAK_PORTAL_ORIGINS).
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=MAX_PACKET_BYTES)
        webhook = SocketBlueprint(sio, self.socketio_path, "widget_webhook", __name__)
        self.sio = sio
        namespace = self.namespace
        origins = allowed_origins()
        proof_key = meta.proof_key(os.environ)
        networks: dict[str, str] = {}  # socket id -> keyed hash of the network it connected from

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route(r"/<filename:[\w.-]+>", methods=["GET"])
        async def static(request: Request, filename: str) -> HTTPResponse:
            return serve_file(request, filename)

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any] | None) -> bool:
            if not origin_allowed(environ.get("HTTP_ORIGIN"), origins):
                logger.warning("widget connection refused: its page is not on a configured portal origin")
                return False
            request = environ.get("sanic.request")
            network = meta.client_network(proof_key, (request.remote_addr or request.ip) if request else None)
            if network:
                networks[sid] = network
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str) -> None:
            networks.pop(sid, None)

        # A client may send an event with no data, or with more than one argument: only the first counts.
        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if valid_session_id(requested) else uuid.uuid4().hex
            await enter_room(sio, sid, session_id, namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None, *_: Any) -> None:
            if not isinstance(data, dict) or not valid_session_id(data.get("session_id")):
                logger.warning("widget message without a valid session_id ignored (send session_request)")
                return
            session_id = data["session_id"]
            # A client that reconnected and skipped session_request still gets the replies.
            await enter_room(sio, sid, session_id, namespace)
            text = data.get("message")
            conversation = conversation_id(CHANNEL, session_id)
            metadata: dict[str, Any] = message_metadata(data.get(self.metadata_key))
            if proof_key and sid in networks:
                metadata[meta.CHANNEL_PROOF] = meta.sign_proof(
                    proof_key, conversation=conversation, claims={meta.CLIENT: networks[sid]}
                )
            message = UserMessage(
                screen(text if isinstance(text, str) else None),
                WidgetOutput(sio, self.bot_message_evt, namespace),
                conversation,
                input_channel=self.name(),
                metadata=metadata,
            )
            await on_new_message(message)

        return webhook


def serve_file(request: Request, filename: str) -> HTTPResponse:
    """One of the widget's files, revalidated by ETag so a new version reaches browsers at once."""
    if filename not in STATIC_FILES:
        return response.json({"error": "not found"}, status=404)
    relative, content_type = STATIC_FILES[filename]
    try:
        body = (WIDGET_DIR / relative).read_bytes()
    except OSError:
        logger.error("the widget file %s is missing from %s", relative, WIDGET_DIR)
        return response.json({"error": "not found"}, status=404)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return HTTPResponse(status=304, headers=headers)
    return response.raw(body, content_type=content_type, headers=headers)
