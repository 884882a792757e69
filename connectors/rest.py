"""The REST channel: Rasa's protocol (POST /webhooks/rest/webhook), closed to strangers.

- Outside development mode it answers only requests with `Authorization: Bearer $SAHAYAK_REST_TOKEN`
  (a portal back end, a test harness); without a token configured it is closed (503).
- Bodies over `MAX_BODY_BYTES` are refused (413); a malformed body gets 400 and the reason.
- The sender becomes the conversation `rest:<sender>`, so a REST caller can never address a WhatsApp,
  Telegram or widget conversation; the claimed `input_channel` is ignored.
- Only the metadata a client may send (`contract.metadata.CLIENT_KEYS`) is kept. The connector adds a
  signed proof of the network the request came from, which throttles sign-in codes per requester.
- Unreadable messages are screened like on every channel (`contract.inbound`).
"""

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from contract import metadata as meta
from contract.conversations import conversation_id, rest_sender_problem
from contract.deployment import bearer_matches, is_development
from contract.inbound import screen

CHANNEL = "rest"
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class RestSettings:
    token: str = ""
    development: bool = False
    proof_key: str = ""

    @classmethod
    def from_env(cls) -> "RestSettings":
        return cls(
            token=os.environ.get("SAHAYAK_REST_TOKEN", "").strip(),
            development=is_development(),
            proof_key=meta.proof_key(os.environ),
        )

    @property
    def open(self) -> bool:
        return bool(self.token) or self.development


def request_problem(body: Any) -> str | None:
    """What is wrong with a webhook body, or None when it is a usable message."""
    if not isinstance(body, dict):
        return "The body must be a JSON object."
    sender_problem = rest_sender_problem(body.get("sender"))
    if sender_problem:
        return sender_problem
    if not isinstance(body.get("message"), str):
        return "'message' must be a string."
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "'metadata' must be a JSON object."
    return None


class RestInput(RasaRestInput):
    """Same URL and protocol as Rasa's REST channel."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "RestInput":
        return cls(RestSettings.from_env())

    def __init__(self, settings: RestSettings | None = None) -> None:
        self.settings = settings or RestSettings.from_env()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def refuse(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            if not self.settings.open:
                return response.json(
                    {"error": "The REST channel is closed: set SAHAYAK_REST_TOKEN (README, Security)."},
                    status=503,
                )
            if self.settings.token and not bearer_matches(
                request.headers.get("authorization"), self.settings.token
            ):
                return response.json({"error": "missing or wrong Authorization"}, status=401)
            declared = request.headers.get("content-length", "")
            too_long = declared.isdigit() and int(declared) > MAX_BODY_BYTES
            if too_long or len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": f"the body is over {MAX_BODY_BYTES // 1024} KB"}, status=413)
            try:
                body = request.json
            except Exception:  # sanic raises its own InvalidUsage for a body that is not JSON
                body = None
            problem = request_problem(body)
            if problem:
                return response.json({"error": problem}, status=400)
            return None

        return webhook

    async def _extract_sender(self, req: Request) -> str | None:
        return conversation_id(CHANNEL, req.json["sender"])

    def _extract_message(self, req: Request) -> str | None:
        return screen(req.json.get("message"))

    def _extract_input_channel(self, req: Request) -> str:
        return CHANNEL

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        kept: dict[str, Any] = meta.client_metadata(request.json.get("metadata"))
        # A token-protected REST caller is one back end speaking for many users: its address says
        # nothing about who asks, so only an open (development) channel names the network.
        network = None if self.settings.token else meta.client_network(self.settings.proof_key, request.ip)
        if network and self.settings.proof_key:
            sender = conversation_id(CHANNEL, request.json["sender"])
            kept[meta.CHANNEL_PROOF] = meta.sign_proof(
                self.settings.proof_key, conversation=sender, claims={meta.CLIENT: network}
            )
        return kept
