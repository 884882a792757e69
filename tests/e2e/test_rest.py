"""The real Rasa server and action server, talked to over the REST channel as a user would."""

import re
import uuid

import pytest
from sqlalchemy import select

from bot.db import make_engine, make_sessions
from bot.helpdesk.tables import OrganisationRequest
from tests.e2e.servers import Servers

pytestmark = pytest.mark.e2e


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def payloads(replies: list[dict]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def stored(servers: Servers, reference: str) -> OrganisationRequest | None:
    engine = make_engine(servers.database_url)
    try:
        with make_sessions(engine)() as session:
            return session.scalar(
                select(OrganisationRequest).where(OrganisationRequest.reference == reference)
            )
    finally:
        engine.dispose()


def reference_in(replies: list[dict]) -> str:
    match = re.search(r"ORG-[0-9A-Z]{6}", texts(replies))
    assert match, texts(replies)
    return match.group(0)


def test_organisation_form_with_refusal_digression_and_correction(servers: Servers) -> None:
    me = f"e2e-{uuid.uuid4().hex[:8]}"
    replies = servers.say(me, "My organisation is not showing in the dropdown list")
    assert "full name" in texts(replies)
    assert "email" in texts(servers.say(me, "Anita Verma"))

    refused = texts(servers.say(me, "anita.verma@gmail.com"))
    assert "Gmail" in refused and "official email" in refused

    assert "mobile" in texts(servers.say(me, "anita.verma@mha.gov.in"))
    replies = servers.say(me, "+91 98765 43210")
    assert '/inform{"level": "centre"}' in payloads(replies)
    assert "ministry" in texts(servers.say(me, '/inform{"level": "centre"}')).lower()

    # A side question mid-form is answered, then the same question is asked again.
    digression = texts(servers.say(me, "why is my course certificate not generated yet?"))
    assert "24 hours" in digression and "ministry" in digression.lower()

    assert "department" in texts(servers.say(me, "Ministry of Home Affairs")).lower()
    assert "organisation" in texts(servers.say(me, "Department of Official Language")).lower()
    readback = servers.say(me, "Regional Implementation Office, Bhopal")
    assert "anita.verma@mha.gov.in" in texts(readback) and "/affirm" in payloads(readback)

    # Correct one field, then confirm.
    assert "email" in texts(servers.say(me, '/correct_field{"field": "email"}')).lower()
    readback = servers.say(me, "a.verma@mha.gov.in")
    assert "a.verma@mha.gov.in" in texts(readback) and "Anita Verma" in texts(readback)
    reference = reference_in(servers.say(me, "/affirm"))

    request = stored(servers, reference)
    assert request is not None and request.email == "a.verma@mha.gov.in" and request.mobile == "9876543210"
    assert request.organisation_name == "Regional Implementation Office, Bhopal"

    status = texts(servers.say(me, f"what is the status of my request {reference}"))
    assert reference in status and "Status: received" in status


def test_form_survives_a_rasa_restart(servers: Servers) -> None:
    me = f"e2e-{uuid.uuid4().hex[:8]}"
    servers.say(me, "/organisation_not_found")
    servers.say(me, "Ravi Shankar")
    assert "mobile" in texts(servers.say(me, "ravi.shankar@up.gov.in"))

    servers.stop_rasa()
    servers.start_rasa()

    assert "Centre or a State" in texts(servers.say(me, "9123456780"))
    assert "State or Union Territory" in texts(servers.say(me, '/inform{"level": "state"}'))
    servers.say(me, "uttar pradesh")
    servers.say(me, "Revenue Department")
    readback = texts(servers.say(me, "Tehsil Office Sadar, Lucknow"))
    assert "Uttar Pradesh" in readback and "9123456780" in readback
    reference = reference_in(servers.say(me, "/affirm"))
    request = stored(servers, reference)
    assert request is not None and request.level == "state" and request.ministry_or_state == "Uttar Pradesh"

    # The same person asking again for the same organisation gets the same reference.
    for message in (
        "/organisation_not_found",
        "Ravi Shankar",
        "ravi.shankar@up.gov.in",
        "9123456780",
        '/inform{"level": "state"}',
        "Uttar Pradesh",
        "Revenue Department",
        "tehsil office sadar lucknow",
    ):
        servers.say(me, message)
    again = servers.say(me, "/affirm")
    assert reference_in(again) == reference and "already" in texts(again)
