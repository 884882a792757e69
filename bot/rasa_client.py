"""One client for the Rasa server, over HTTP: the REST channel (what a user says, what the bot answers)
and the HTTP API (a conversation's tracker, events injected into it, parsing a message).

Used by `sahayak chat`, the benchmarks and the end-to-end tests; the helpdesk console speaks to the
conversations through it. Conversation ids carry their channel (`rest:me`, `whatsapp:91…`).
"""

from typing import Any

import httpx

from bot.settings import Settings


class RasaError(Exception):
    """The Rasa server refused a call (or could not be reached); `reason` is its own explanation."""

    def __init__(self, what: str, status: int | None, reason: str) -> None:
        super().__init__(f"{what}: {status or 'no answer'} {reason}".strip())
        self.status = status
        self.reason = reason


class RasaClient:
    def __init__(
        self,
        url: str,
        *,
        api_token: str = "",
        rest_token: str = "",
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.api_token = api_token
        self.rest_token = rest_token
        self._http = httpx.Client(base_url=self.url, timeout=timeout, transport=transport)

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> "RasaClient":
        return cls(
            settings.rasa_url, api_token=settings.rasa_api_token, rest_token=settings.rest_token, **options
        )

    def __enter__(self) -> "RasaClient":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, what: str, method: str, path: str, **request: Any) -> Any:
        try:
            response = self._http.request(method, path, **request)
        except httpx.HTTPError as error:
            raise RasaError(what, None, f"cannot reach {self.url} ({type(error).__name__})") from None
        if response.status_code >= 400:
            try:
                body = response.json()
                reason = str(body.get("error") or body.get("message") or body.get("reason") or "")
            except (ValueError, AttributeError):
                reason = response.text[:200]
            raise RasaError(what, response.status_code, reason)
        return response.json() if response.content else None

    def is_up(self) -> bool:
        try:
            return self._http.get("/").status_code == 200
        except httpx.HTTPError:
            return False

    def say(
        self, sender: str, message: str, *, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """One turn on the REST channel as `sender` (the conversation `rest:<sender>`): the bot's replies."""
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        headers = {"Authorization": f"Bearer {self.rest_token}"} if self.rest_token else {}
        return list(self._call("say", "POST", "/webhooks/rest/webhook", json=body, headers=headers) or [])

    def tracker(self, conversation: str) -> dict[str, Any]:
        """The stored conversation (its latest session), by its id with the channel."""
        return dict(
            self._call("tracker", "GET", f"/conversations/{conversation}/tracker", params=self._token())
        )

    def add_events(
        self,
        conversation: str,
        events: dict[str, Any] | list[dict[str, Any]],
        *,
        output_channel: str | None = "latest",
    ) -> dict[str, Any]:
        """Append events to a conversation; a bot event then reaches the user on the channel they last
        wrote from (`output_channel="latest"`), as a helpdesk agent's reply does. None: stored only."""
        params = self._token()
        if output_channel:
            params.update(execute_side_effects="true", output_channel=output_channel)
        return dict(
            self._call(
                "add events",
                "POST",
                f"/conversations/{conversation}/tracker/events",
                params=params,
                json=events,
            )
        )

    def parse(self, text: str) -> dict[str, Any]:
        """What the NLU model reads in `text`: intent, ranking, entities."""
        return dict(self._call("parse", "POST", "/model/parse", params=self._token(), json={"text": text}))

    def _token(self) -> dict[str, str]:
        return {"token": self.api_token} if self.api_token else {}
