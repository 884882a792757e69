"""Medium: with the action server down, form answers, questions and even "talk to a person" got an
empty reply. Now the Rasa server itself tells the user, in their language, that something went wrong
on our side and to try again in a minute (connectors/rasa_patches.py)."""

import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.servers import Servers
from tests.e2e.test_rest import texts

pytestmark = pytest.mark.e2e
SORRY = "Sorry, something went wrong on our side. Please try again in a minute."
SORRY_HI = "माफ़ कीजिए, हमारी ओर से कुछ गड़बड़ हो गई।"


@pytest.fixture
def action_server_down(servers: Servers) -> Iterator[Servers]:
    servers.stop_actions()
    try:
        yield servers
    finally:
        servers.start_actions()


def test_every_kind_of_turn_gets_a_reply(action_server_down: Servers) -> None:
    servers = action_server_down
    me = f"sec-{uuid.uuid4().hex[:8]}"
    for message in (
        "talk to a person",
        "by when must I finish my mandatory courses?",
        "how many of my courses have I finished?",
    ):
        reply = texts(servers.say(me, message))
        assert SORRY in reply, message
        assert reply.count(SORRY) == 1
    form = f"sec-{uuid.uuid4().hex[:8]}"
    servers.say(form, "/organisation_not_found")  # the form asks for the name (no action needed)
    assert SORRY in texts(servers.say(form, "Anita Verma"))


def test_in_hindi_for_a_hindi_speaker(action_server_down: Servers) -> None:
    me = f"sec-{uuid.uuid4().hex[:8]}"
    assert SORRY_HI in texts(action_server_down.say(me, "मुझे किसी इंसान से बात करनी है"))
