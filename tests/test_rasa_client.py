"""The one client of the Rasa server, against a transport that answers as Rasa documents it."""

import json

import httpx
import pytest

from bot.rasa_client import RasaClient, RasaError


def rasa(handler) -> RasaClient:
    return RasaClient(
        "http://rasa.test",
        api_token="api-token",
        rest_token="rest-token",
        transport=httpx.MockTransport(handler),
    )


def test_each_call_goes_where_rasa_expects_it_with_its_token() -> None:
    seen: list[tuple[str, str, dict, object, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        seen.append(
            (
                request.method,
                request.url.path,
                dict(request.url.params),
                body,
                request.headers.get("authorization"),
            )
        )
        answers = {
            "/webhooks/rest/webhook": [{"recipient_id": "rest:me", "text": "Hello!"}],
            "/model/parse": {"intent": {"name": "greet"}},
        }
        return httpx.Response(200, json=answers.get(request.url.path, {"sender_id": "rest:me", "events": []}))

    with rasa(handler) as client:
        assert client.say("me", "hello", metadata={"portal_token": "t"}) == [
            {"recipient_id": "rest:me", "text": "Hello!"}
        ]
        assert client.tracker("whatsapp:919810012345")["sender_id"] == "rest:me"
        client.add_events("widget:abc", {"event": "bot", "text": "Hi, Meera here."})
        client.add_events("widget:abc", {"event": "bot", "text": "stored only"}, output_channel=None)
        assert client.parse("hi")["intent"]["name"] == "greet"
    say, tracker, pushed, stored, parse = seen
    assert say == (
        "POST",
        "/webhooks/rest/webhook",
        {},
        {"sender": "me", "message": "hello", "metadata": {"portal_token": "t"}},
        "Bearer rest-token",
    )
    assert tracker[:3] == ("GET", "/conversations/whatsapp:919810012345/tracker", {"token": "api-token"})
    assert pushed[2] == {"token": "api-token", "execute_side_effects": "true", "output_channel": "latest"}
    assert stored[2] == {"token": "api-token"}
    assert parse[:4] == ("POST", "/model/parse", {"token": "api-token"}, {"text": "hi"})


def test_a_refusal_carries_rasas_reason_and_an_outage_says_so() -> None:
    refused = rasa(lambda request: httpx.Response(401, json={"error": "missing or wrong Authorization"}))
    with pytest.raises(RasaError) as error:
        refused.say("me", "hello")
    assert (error.value.status, error.value.reason) == (401, "missing or wrong Authorization")

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    unreachable = rasa(down)
    with pytest.raises(RasaError) as error:
        unreachable.tracker("rest:me")
    assert error.value.status is None and "cannot reach" in error.value.reason
    assert unreachable.is_up() is False
