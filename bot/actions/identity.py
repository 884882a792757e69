"""Proving who is asking before anything personal is shown, and forgetting it on request.

A channel may bring its own proof in the message metadata: the portal widget a signed token, WhatsApp
and Telegram a phone number they verified, signed by the connector with SAHAYAK_PROOF_KEY
(`contract.metadata`). A phone number is believed only with a valid signature for this very
conversation; one outside a proof, or with a bad signature, is ignored and audited. Without a proof the
identity form sends a one-time code to the official e-mail address.
"""

import asyncio
import logging
from typing import Any, Literal

import regex
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import Unavailable, blocking, channel, is_button_payload, latest_text, session_key
from bot.actions.form_base import AnswerFormValidation
from bot.actions.knowledge import answer_instead
from bot.identity import audit, proofs
from bot.knowledge.questions import about_own_record, is_question
from bot.services import get_services
from bot.validators import parse_email
from contract import metadata as meta
from contract.conversations import VERIFIED_SENDER_CHANNELS, channel_of
from contract.privacy import mask_email

logger = logging.getLogger(__name__)
IDENTITY_SLOTS = ("identity_email", "identity_code")
PROOF_FAILURES = {"expired": "utter_identity_token_expired", "mismatch": "utter_identity_phone_mismatch"}
# Verdicts on a channel proof that mean somebody tried: each leaves an audit row.
SUSPICIOUS = ("unsigned", "forged", "other_conversation")
# Background mail deliveries, kept referenced until they finish.
_deliveries: set[asyncio.Task[Any]] = set()


def _metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = tracker.latest_message.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def channel_claims(tracker: Tracker) -> dict[str, str]:
    """What the connector of this conversation signed for the latest message; forgeries are audited.
    Blocking (the audit writes): call it off the event loop."""
    services = get_services()
    claims, verdict = meta.verify_proof(
        services.settings.proof_key, _metadata(tracker), conversation=tracker.sender_id
    )
    if verdict in SUSPICIOUS:
        logger.warning("a channel proof was refused (%s)", verdict)
        audit.record(
            services.sessions,
            channel=channel(tracker),
            sender_id=tracker.sender_id,
            employee_id=None,
            action="channel_proof",
            outcome=verdict,
        )
    return claims


def requester(claims: dict[str, str], tracker: Tracker) -> str:
    """Who asks, for the sign-in throttles: the network the connector saw, else the conversation."""
    return claims.get(meta.CLIENT) or tracker.sender_id


def proof_in_message(tracker: Tracker) -> tuple[str, str] | None:
    """The proof this message carries, as (kind, value): a portal token, or a phone its channel verified."""
    token = _metadata(tracker).get(meta.PORTAL_TOKEN)
    if isinstance(token, str) and token:
        return meta.PORTAL_TOKEN, token
    phone = channel_claims(tracker).get(meta.VERIFIED_PHONE)
    if phone and channel_of(tracker.sender_id) in VERIFIED_SENDER_CHANNELS:
        return meta.VERIFIED_PHONE, phone
    return None


def _prove(tracker: Tracker, dispatcher: CollectingDispatcher, proof: tuple[str, str]) -> int | None:
    """The employee a channel's proof names, or None after saying why the proof failed."""
    services = get_services()
    settings = services.settings
    where = {"channel": channel(tracker), "sender_id": tracker.sender_id}
    kind, value = proof
    if kind == meta.PORTAL_TOKEN:
        result = proofs.prove_with_token(
            services.sessions,
            services.records(),
            **where,
            token=value,
            key=settings.identity_jwt_key,
            algorithm=settings.identity_jwt_algorithm,
            audience=settings.identity_jwt_audience,
            issuer=settings.identity_jwt_issuer,
            session_key=session_key(tracker),
        )
    else:
        method: Literal["whatsapp", "telegram"] = "whatsapp" if channel(tracker) == "whatsapp" else "telegram"
        result = proofs.prove_with_phone(
            services.sessions, services.records(), **where, phone=value, method=method
        )
    if not result.ok:
        dispatcher.utter_message(response=PROOF_FAILURES.get(result.reason, "utter_identity_token_invalid"))
        return None
    return result.employee_id


def proven_employee(tracker: Tracker, dispatcher: CollectingDispatcher) -> int | None:
    """The employee this channel user has proven to be: by a link that still holds or the proof in this
    message. Blocking (database): call it off the event loop.

    A portal token wins over the stored link, and a failed one drops it: whoever the portal says is
    signed in is asking (another person on a shared computer, a new portal session). A phone number
    belongs to the chat account itself, so it is checked only when the account is not linked yet (an
    e-mail code may have linked an account whose number differs from the registered one).
    Raises `RecordsUnavailable` or `SQLAlchemyError` when the records or the database are down.
    """
    services = get_services()
    where = {"channel": channel(tracker), "sender_id": tracker.sender_id}
    proof = proof_in_message(tracker)
    if proof is not None and proof[0] == meta.PORTAL_TOKEN:
        employee = _prove(tracker, dispatcher, proof)
        if employee is None:
            proofs.forget(services.sessions, **where)
        return employee
    linked = proofs.linked_employee(services.sessions, **where, session_key=session_key(tracker))
    if linked is not None or proof is None:
        return linked
    return _prove(tracker, dispatcher, proof)


def _deliver_in_background(started: proofs.CodeStart, *, channel: str, sender_id: str) -> None:
    """The code mail goes out after the reply, so the reply tells nothing by how long it took."""
    if started.mail is None:
        return
    services = get_services()
    task = asyncio.get_running_loop().create_task(
        asyncio.to_thread(
            proofs.deliver_code,
            services.sessions,
            services.mailer(),
            started,
            channel=channel,
            sender_id=sender_id,
        )
    )
    _deliveries.add(task)
    task.add_done_callback(_deliveries.discard)


async def drain_deliveries() -> None:
    """Wait for the code mails still being handed over (at shutdown, and in tests)."""
    if _deliveries:
        await asyncio.gather(*list(_deliveries), return_exceptions=True)


class ValidateIdentityForm(AnswerFormValidation):
    def name(self) -> str:
        return "validate_identity_form"

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """When the form starts, an address the user gave as their own with the question ("can you
        check mine? my mail is …") is taken, so that it is not asked again. Someone else's is not: a
        code is never sent to an address the user did not call theirs."""
        text = latest_text(tracker)
        given = parse_email(text).value
        # The address alone, typed right after asking for one's record, is the writer's own too.
        alone = given is not None and given == text.strip().casefold()
        starting = tracker.get_slot("requested_slot") is None and tracker.get_slot("identity_email") is None
        if starting and given is not None and (about_own_record(text) or alone):
            return [SlotSet("identity_email", given)]
        return await super().get_extraction_events(dispatcher, tracker, domain)

    def clearly_answers(self, slot: str, text: str) -> bool:
        if slot == "identity_email":
            return parse_email(text).value is not None
        return slot == "identity_code" and text.strip().isdigit()

    async def validate_identity_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        typed = str(value or "")
        parsed = parse_email(typed)
        if parsed.value is None and "@" not in typed and is_question(typed):
            return await answer_instead("identity_email", dispatcher, tracker)
        if parsed.value is None:
            dispatcher.utter_message(response=f"utter_invalid_{parsed.error or 'email_syntax'}")
            return {"identity_email": None}
        services = get_services()
        if not services.mail_configured():
            logger.error("no sign-in code can be sent: no SMTP host is configured outside development mode")
            dispatcher.utter_message(response="utter_identity_mail_unavailable")
            return {"identity_email": None, "identity_code": "failed"}

        def start() -> proofs.CodeStart:
            claims = channel_claims(tracker)
            return proofs.start_email_code(
                services.sessions,
                services.records(),
                channel=channel(tracker),
                sender_id=tracker.sender_id,
                email=parsed.value or "",
                requester=requester(claims, tracker),
            )

        try:
            started = await blocking(dispatcher, tracker, start, said="utter_identity_mail_unavailable")
        except Unavailable:
            return {"identity_email": None, "identity_code": "failed"}
        _deliver_in_background(started, channel=channel(tracker), sender_id=tracker.sender_id)
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
        typed = str(value or "")
        code = "".join(ch for ch in typed if ch.isdigit())
        if not code and is_question(typed):
            return await answer_instead("identity_code", dispatcher, tracker)
        if len(code) != proofs.CODE_DIGITS:
            dispatcher.utter_message(response="utter_invalid_identity_code")
            return {"identity_code": None}
        services = get_services()
        try:
            result = await blocking(
                dispatcher,
                tracker,
                proofs.verify_email_code,
                services.sessions,
                channel=channel(tracker),
                sender_id=tracker.sender_id,
                code=code,
                session_key=session_key(tracker),
            )
        except Unavailable:
            return {"identity_code": "failed"}
        if result.ok:
            return {"identity_code": "ok"}
        if result.reason == "wrong_code" and result.attempts_left:
            dispatcher.utter_message(response="utter_identity_wrong_code", attempts_left=result.attempts_left)
            return {"identity_code": None}
        dispatcher.utter_message(response="utter_identity_code_locked")
        return {"identity_code": "failed"}


# "क्या आप मेरा रिकॉर्ड देख सकते हैं?" is sometimes read as "forget me": it asks to see, and says
# nothing of forgetting, unlinking or signing out.
_FORGET = regex.compile(
    r"\b(?:forget|delete|remov|erase|wipe|clear|purge|log|sign|unlink|de-?link|disconnect|unverif|"
    r"de-?verif|revoke|reset|detach|drop|rememb|recognis|recogniz|identif|unregister|store|keep|hold|"
    r"associat|bhool|bhul|hata|mita|yaad|alag|tod|pehchan|uda|band|khatam|link)\w*|"
    r"भूल|भुला|हटा|मिटा|अलग|अनलिंक|डीलिंक|डिलिंक|याद|साफ|लॉग|साइन|रद्द|तोड|रीसेट|डिस्कनेक्ट|मुक्त|"
    r"उड़ा|उडा|विलोपित|पहचान|सत्यापन|सत्यापित|वेरिफ़ाई|वेरिफाई|लिंक|नाता|संबंध|जुड़|जोड़|बाहर|खतम|ख़त्म|खत्म",
    regex.IGNORECASE,
)
_SEE = regex.compile(
    r"\b(?:show|see|view|check|tell|look|dekh|dikha|dikhao|batao|bataiye|kitna|kitne)\w*|देख|दिखा|बता|कितन",
    regex.IGNORECASE,
)


class ActionForgetMe(Action):
    def name(self) -> str:
        return "action_forget_me"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        if not is_button_payload(text) and _SEE.search(text) and not _FORGET.search(text):
            # "क्या आप मेरा रिकॉर्ड देख सकते हैं?" read as "forget me": nothing says to forget.
            return [FollowupAction("action_fallback")]  # which shows the record when it asks for it
        services = get_services()
        try:
            await blocking(
                dispatcher,
                tracker,
                proofs.forget,
                services.sessions,
                channel=channel(tracker),
                sender_id=tracker.sender_id,
            )
        except Unavailable:
            return []
        dispatcher.utter_message(response="utter_forgotten")
        return [SlotSet(slot, None) for slot in (*IDENTITY_SLOTS, "pending_request")]
