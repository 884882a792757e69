"""Proving who is asking before anything personal is shown, and forgetting it on request.

A channel may bring its own proof in the message metadata: the portal widget a signed token, WhatsApp
and Telegram a phone number they verified. Without one, the identity form sends a one-time code to the
official e-mail address.
"""

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot import identity
from bot.actions.common import channel, response_kwargs
from bot.actions.form_base import AnswerFormValidation
from bot.mailer import MailUnavailable
from bot.records import RecordsUnavailable
from bot.services import get_services
from bot.validators import parse_email
from connectors.privacy import mask_email

logger = logging.getLogger(__name__)
# Metadata keys a channel sets. Phone proofs are trusted only from the channels that verify them.
TOKEN_KEY = "portal_token"
PHONE_KEY = "verified_phone"
PHONE_CHANNELS = {"whatsapp": "whatsapp", "telegram": "telegram"}
IDENTITY_SLOTS = ("identity_email", "identity_code")
PROOF_FAILURES = {"expired": "utter_identity_token_expired", "mismatch": "utter_identity_phone_mismatch"}


def _metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = tracker.latest_message.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def _proof(tracker: Tracker) -> tuple[str, str] | None:
    """The proof this message carries, as (kind, value): a portal token, or a phone its channel verified."""
    metadata = _metadata(tracker)
    token, phone = metadata.get(TOKEN_KEY), metadata.get(PHONE_KEY)
    if isinstance(token, str) and token:
        return TOKEN_KEY, token
    if isinstance(phone, str) and phone and channel(tracker) in PHONE_CHANNELS:
        return PHONE_KEY, phone
    return None


def _prove(tracker: Tracker, dispatcher: CollectingDispatcher, proof: tuple[str, str]) -> int | None:
    """The employee a channel's proof names, or None after saying why the proof failed."""
    services = get_services()
    settings = services.settings
    where = {"channel": channel(tracker), "sender_id": tracker.sender_id}
    kind, value = proof
    if kind == TOKEN_KEY:
        result = identity.prove_with_token(
            services.sessions,
            services.records(),
            **where,
            token=value,
            key=settings.identity_jwt_key,
            algorithm=settings.identity_jwt_algorithm,
            audience=settings.identity_jwt_audience,
            issuer=settings.identity_jwt_issuer,
        )
    else:
        result = identity.prove_with_phone(
            services.sessions,
            services.records(),
            **where,
            phone=value,
            method=PHONE_CHANNELS[where["channel"]],  # type: ignore[arg-type]
        )
    if not result.ok:
        dispatcher.utter_message(response=PROOF_FAILURES.get(result.reason, "utter_identity_token_invalid"))
        return None
    return result.employee_id


def proven_employee(tracker: Tracker, dispatcher: CollectingDispatcher) -> int | None:
    """The employee this channel user has proven to be: by a stored link or the proof in this message.

    A portal token wins over the stored link, and a failed one drops it: whoever the portal says is
    signed in is asking (another person on a shared computer, a new portal session). A phone number
    belongs to the chat account itself, so it is checked only when the account is not linked yet (an
    e-mail code may have linked an account whose number differs from the registered one).
    Raises `RecordsUnavailable` or `SQLAlchemyError` when the records or the database are down.
    """
    services = get_services()
    where = {"channel": channel(tracker), "sender_id": tracker.sender_id}
    proof = _proof(tracker)
    if proof is not None and proof[0] == TOKEN_KEY:
        employee = _prove(tracker, dispatcher, proof)
        if employee is None:
            identity.forget(services.sessions, **where)
        return employee
    linked = identity.linked_employee(services.sessions, **where)
    if linked is not None or proof is None:
        return linked
    return _prove(tracker, dispatcher, proof)


class ValidateIdentityForm(AnswerFormValidation):
    def name(self) -> str:
        return "validate_identity_form"

    def clearly_answers(self, slot: str, text: str) -> bool:
        if slot == "identity_email":
            return parse_email(text).value is not None
        return slot == "identity_code" and text.strip().isdigit()

    async def validate_identity_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        parsed = parse_email(str(value or ""))
        if parsed.value is None:
            dispatcher.utter_message(response=f"utter_invalid_{parsed.error or 'email_syntax'}")
            return {"identity_email": None}
        services = get_services()
        try:
            started = await asyncio.to_thread(
                identity.start_email_code,
                services.sessions,
                services.records(),
                services.mailer(),
                channel=channel(tracker),
                sender_id=tracker.sender_id,
                email=parsed.value,
            )
        except (MailUnavailable, RecordsUnavailable, SQLAlchemyError) as error:
            logger.error("could not send a sign-in code: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_identity_mail_unavailable")
            return {"identity_email": None, "identity_code": "failed"}
        if started.status == "throttled":
            dispatcher.utter_message(response="utter_identity_throttled")
        else:
            dispatcher.utter_message(response="utter_identity_code_sent")
        # The code is tied to this chat, not to the address, so the slot needs only a masked trace.
        return {"identity_email": mask_email(parsed.value)}

    async def validate_identity_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value == "failed":
            return {"identity_code": "failed"}
        code = "".join(ch for ch in str(value or "") if ch.isdigit())
        if len(code) != identity.CODE_DIGITS:
            dispatcher.utter_message(response="utter_invalid_identity_code")
            return {"identity_code": None}
        services = get_services()
        try:
            result = await asyncio.to_thread(
                identity.verify_email_code,
                services.sessions,
                channel=channel(tracker),
                sender_id=tracker.sender_id,
                code=code,
            )
        except SQLAlchemyError as error:
            logger.error("could not check a sign-in code: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_service_unavailable", **response_kwargs(tracker))
            return {"identity_code": "failed"}
        if result.ok:
            return {"identity_code": "ok"}
        if result.reason == "wrong_code" and result.attempts_left:
            dispatcher.utter_message(response="utter_identity_wrong_code", attempts_left=result.attempts_left)
            return {"identity_code": None}
        dispatcher.utter_message(response="utter_identity_code_locked")
        return {"identity_code": "failed"}


class ActionForgetMe(Action):
    def name(self) -> str:
        return "action_forget_me"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        services = get_services()
        try:
            await asyncio.to_thread(
                identity.forget, services.sessions, channel=channel(tracker), sender_id=tracker.sender_id
            )
        except SQLAlchemyError as error:
            logger.error("could not forget a link: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_service_unavailable", **response_kwargs(tracker))
            return []
        dispatcher.utter_message(response="utter_forgotten")
        return [SlotSet(slot, None) for slot in (*IDENTITY_SLOTS, "pending_request")]
