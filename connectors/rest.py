"""The REST channel, with malformed requests refused and unreadable messages screened."""

import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.inbound import screen

# Phone numbers are proofs of identity only when WhatsApp or Telegram verified them. The REST channel has
# no authentication, so it passes a claimed channel and phone through only when this is set, for tests
# and local development; never set it where the REST port is reachable by others.
TRUST_ENV = "SAHAYAK_REST_TRUST_CHANNEL_PROOFS"
CHANNEL_PROOF_KEYS = ("verified_phone",)


def trusted() -> bool:
    return os.environ.get(TRUST_ENV) == "1"


def request_problem(body: Any) -> str | None:
    """What is wrong with a webhook body, or None when it is a usable message."""
    if not isinstance(body, dict):
        return "The body must be a JSON object."
    if not isinstance(body.get("sender"), str) or not body["sender"].strip():
        return "'sender' must be a non-empty string."
    if not isinstance(body.get("message"), str):
        return "'message' must be a string."
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "'metadata' must be a JSON object."
    return None


class RestInput(RasaRestInput):
    """Same URL and protocol as Rasa's REST channel: POST /webhooks/rest/webhook."""

    def _extract_message(self, req: Request) -> str | None:
        return screen(req.json.get("message"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def refuse_malformed(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            try:
                body = request.json
            except Exception:  # sanic raises its own InvalidUsage for a body that is not JSON
                body = None
            problem = request_problem(body)
            if problem:
                return response.json({"error": problem}, status=400)
            return None

        return webhook

    def _extract_input_channel(self, req: Request) -> str:
        return super()._extract_input_channel(req) if trusted() else self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = request.json.get("metadata")
        if metadata and not trusted():
            metadata = {k: v for k, v in metadata.items() if k not in CHANNEL_PROOF_KEYS}
        return metadata
