"""Low: form fields took junk (SQL, a whole question as a name, control characters, Zalgo text, "null",
"HTTP/1.1 200 OK" as an organisation); the fallback offered "Talk to the helpdesk" twice; "/restart"
got no reply. The oversized sender id is in test_sender_ids."""

import uuid

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.fallback import ActionFallback
from bot.validators import parse_free_text, parse_person_name
from tests.actions.conftest import make_tracker
from tests.e2e.servers import Servers
from tests.e2e.test_rest import texts

JUNK = [
    "'; DROP TABLE organisation_requests; --",
    "SELECT * FROM employees",
    "null",
    "undefined",
    "None",
    "HTTP/1.1 200 OK",
    "what is the last date for mandatory courses",
    "mera office list me nahi hai",
    "how do I register",
    "Z̷̢̛a̸̡l̶̨g̵̢o̴̧ ̷t̸e̶x̵t",
    "Anita\x00Verma\x07",
    "Ani\u202eta",  # a right-to-left override hiding what follows
    "https://evil.example/x",
    "Prіya Sharma",  # a Cyrillic і among Latin letters
]


@pytest.mark.parametrize("text", JUNK)
def test_junk_is_neither_a_name_nor_an_organisation(text: str) -> None:
    name, organisation = parse_person_name(text), parse_free_text(text)
    assert name.value is None and name.error == "name"
    assert organisation.value is None and organisation.error == "text"


@pytest.mark.parametrize(
    "text",
    [
        "Anita Verma",
        "राजेश कुमार",
        "K. A. Rahman",
        "Zoë D'Souza",
        "ज़ाकिर हुसैन",
        "Venkata Satya Naga Sai Krishna Murthy",
    ],
)
def test_real_names_still_pass(text: str) -> None:
    assert parse_person_name(text).value == text


@pytest.mark.parametrize(
    "text",
    [
        "Office of the Chief Engineer, Zone 2",
        "Zonal Training Centre Udaipur",
        "Ministry of Electronics & IT",
        "CPWD (Div-2)",
        "गृह मंत्रालय",
        "Indian Institute of Science",
    ],
)
def test_real_organisations_still_pass(text: str) -> None:
    assert parse_free_text(text).value == text


async def test_the_fallback_offers_the_helpdesk_once(domain) -> None:
    ranking = [
        {"name": "nlu_fallback"},
        {"name": "request_human"},
        {"name": "otp_not_received"},
        {"name": "faq"},
    ]
    tracker = make_tracker(domain, text="zzzz qqqq", intent="nlu_fallback", ranking=ranking)
    dispatcher = CollectingDispatcher()
    await ActionFallback().run(dispatcher, tracker, domain)
    payloads = [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]
    assert payloads.count("/request_human") == 1 and payloads[-1] == "/request_human"


@pytest.mark.e2e
@pytest.mark.parametrize("junk", ["null", "HTTP/1.1 200 OK", "Z̷̢̛a̸̡l̶̨g̵̢o̴̧ ̷t̸e̶x̵t", "'; DROP TABLE x; --"])
def test_junk_in_the_form_is_never_kept(servers: Servers, junk: str) -> None:
    me = f"sec-{uuid.uuid4().hex[:8]}"
    assert "full name" in texts(servers.say(me, "my organisation is not in the list"))
    reply = texts(servers.say(me, junk))
    # Explained as no name, or read as something else entirely (SQL reads like "cancel"): never stored.
    assert "does not look like a name" in reply or "cancelled" in reply, reply
    assert servers.tracker(f"rest:{me}")["slots"]["requester_name"] is None


@pytest.mark.e2e
def test_restart_is_answered(servers: Servers) -> None:
    me = f"sec-{uuid.uuid4().hex[:8]}"
    servers.say(me, "hello")
    assert "starting afresh" in texts(servers.say(me, "/restart"))
