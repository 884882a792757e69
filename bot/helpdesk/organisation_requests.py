"""Organisation requests: the portal's "Request for help" when an organisation is missing."""

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.helpdesk.references import insert_with_reference
from bot.helpdesk.tables import OrganisationRequest
from bot.validators import organisation_key
from contract.references import normalise_reference

REFERENCE_PREFIX = "ORG"


@dataclass(frozen=True)
class RequestDetails:
    requester_name: str
    email: str
    mobile: str
    level: str
    ministry_or_state: str
    department: str
    organisation_name: str


def file_request(
    sessions: sessionmaker[Session], *, details: RequestDetails, channel: str, sender_id: str
) -> tuple[OrganisationRequest, bool]:
    """Store the request, or return the one this person already filed for the same organisation.

    Returns the request and whether it was created now.
    """
    key = organisation_key(details.organisation_name)
    return insert_with_reference(
        sessions,
        REFERENCE_PREFIX,
        lambda reference: OrganisationRequest(
            reference=reference, organisation_key=key, channel=channel, sender_id=sender_id, **asdict(details)
        ),
        existing=lambda session: _existing(session, email=details.email, key=key),
    )


def find_request(sessions: sessionmaker[Session], *, reference: str) -> OrganisationRequest | None:
    with sessions.begin() as session:
        return session.scalar(
            select(OrganisationRequest).where(OrganisationRequest.reference == normalise_reference(reference))
        )


def _existing(session: Session, *, email: str, key: str) -> OrganisationRequest | None:
    return session.scalar(
        select(OrganisationRequest).where(
            OrganisationRequest.email == email, OrganisationRequest.organisation_key == key
        )
    )
