"""Organisation requests: the portal's "Request for help" when an organisation is missing."""

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.helpdesk.tables import OrganisationRequest
from bot.validators import organisation_key
from contract.references import new_reference, normalise_reference

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
    for _attempt in range(5):
        with sessions.begin() as session:
            existing = _existing(session, email=details.email, key=key)
            if existing is not None:
                return existing, False
        try:
            with sessions.begin() as session:
                request = OrganisationRequest(
                    reference=new_reference(REFERENCE_PREFIX),
                    organisation_key=key,
                    channel=channel,
                    sender_id=sender_id,
                    **asdict(details),
                )
                session.add(request)
            return request, True
        except IntegrityError:
            continue  # a reference collision, or the same request filed concurrently: look again
    raise RuntimeError("could not allocate a unique request reference")


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
