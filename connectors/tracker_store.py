"""Rasa's SQL tracker store, with nothing personal stored in the clear.

The stored conversation is what the HTTP API, the helpdesk and any later export read. As it is written:
- e-mails and mobile numbers in messages are masked (`contract.privacy`, the same routine that decides
  what the form accepts), and so are the values of the personal form slots wherever a message repeats
  them (the name typed as an answer, the read-back);
- the personal form slots (`contract.metadata.PERSONAL_SLOTS`) are encrypted with a key derived from
  SAHAYAK_TRACKER_KEY, because the form reads them back on the next turn; they are decrypted only as
  Rasa loads the conversation, so the turn being processed sees the real values;
- credentials and channel proofs in the metadata (a portal token, a signed phone number) are removed.

Conversation ids carry their channel since the security release (`contract.conversations`); on start
the store renames conversations stored under the old, bare ids once.
"""

import base64
import hashlib
import itertools
import json
import logging
import os
import re
from collections.abc import Iterator
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from contract.conversations import CHANNELS
from contract.metadata import PERSONAL_SLOTS, SECRET_METADATA
from contract.privacy import mask_personal_data

logger = logging.getLogger(__name__)
KEY_ENV = "SAHAYAK_TRACKER_KEY"
ENCRYPTED = "enc:v1:"


class SlotCipher:
    """Authenticated encryption (Fernet: AES-128-CBC with HMAC-SHA256) of personal slot values."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError(f"{KEY_ENV} is not set: personal form answers cannot be stored encrypted")
        digest = hashlib.sha256(b"sahayak tracker slots\0" + secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, value: Any) -> str:
        return ENCRYPTED + self._fernet.encrypt(json.dumps(value).encode()).decode()

    def decrypt(self, value: Any) -> Any:
        """The stored value in the clear; None when it cannot be read (another key, tampering)."""
        if not isinstance(value, str) or not value.startswith(ENCRYPTED):
            return value  # stored before encryption, or never personal
        try:
            return json.loads(self._fernet.decrypt(value[len(ENCRYPTED) :].encode()))
        except (InvalidToken, ValueError):
            logger.warning("a stored personal slot could not be decrypted (was SAHAYAK_TRACKER_KEY changed?)")
            return None


def mask_name(name: str) -> str:
    return " ".join(f"{word[:1]}***" for word in name.split())


def _redactor(values: list[str]) -> Any:
    """A function masking each personal value (and the e-mails and mobiles) in a text."""
    patterns = [
        (re.compile(rf"(?<!\w){re.escape(v)}(?!\w)", re.IGNORECASE), mask_name(v))
        for v in sorted({v.strip() for v in values if len(v.strip()) >= 2}, key=len, reverse=True)
    ]

    def redact(text: str) -> str:
        text = mask_personal_data(text)  # e-mails and mobiles keep their own, more telling masks
        for pattern, replacement in patterns:
            text = pattern.sub(replacement, text)
        return text

    return redact


def _masked(value: Any, redact: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_masked(item, redact) for item in value]
    if isinstance(value, dict):
        return {
            key: "***" if key in SECRET_METADATA else _masked(item, redact) for key, item in value.items()
        }
    return value


def stored_form(event: Event, cipher: SlotCipher, personal_values: list[str] | None = None) -> Event:
    """A copy of `event` as it may be stored: personal data masked or encrypted, proofs removed.

    Besides messages, Rasa copies the first message's metadata into the `session_started` event and the
    `session_started_metadata` slot, so those are masked too.
    """
    redact = _redactor(personal_values or [])
    data = event.as_dict()
    if isinstance(event, SlotSet) and event.key in PERSONAL_SLOTS and event.value is not None:
        data["value"] = cipher.encrypt(event.value)
        return Event.from_parameters(data) or event
    keys = ["metadata"]
    if isinstance(event, (UserUttered, BotUttered)):
        keys += ["text", "parse_data", "data"]
    elif isinstance(event, SlotSet) and event.key == SESSION_START_METADATA_SLOT:
        keys.append("value")
    if not any(data.get(key) for key in keys):
        return event
    for key in keys:
        if key in data:
            data[key] = _masked(data[key], redact)
    return Event.from_parameters(data) or event


def loaded_form(event: dict[str, Any], cipher: SlotCipher) -> dict[str, Any]:
    """A stored event as Rasa may replay it: personal slots decrypted."""
    if event.get("event") == "slot" and event.get("name") in PERSONAL_SLOTS:
        return {**event, "value": cipher.decrypt(event.get("value"))}
    return event


class MaskingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cipher = SlotCipher(os.environ.get(KEY_ENV, ""))
        self._migrate_conversation_ids()

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        personal = [str(v) for slot in PERSONAL_SLOTS if (v := tracker.get_slot(slot))]
        return (
            stored_form(event, self.cipher, personal)
            for event in itertools.islice(tracker.events, stored, None)
        )

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        # Rasa's own `_retrieve`, with each event decrypted before the tracker is rebuilt from it.
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            events = [loaded_form(json.loads(row.data), self.cipher) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    def _migrate_conversation_ids(self) -> None:
        """Conversations stored under a bare sender id move to `<channel>:<sender>` (once)."""
        table = self.SQLEvent
        with self.session_scope() as session:
            bare = [
                sender
                for (sender,) in session.query(table.sender_id).distinct()
                if sender.partition(":")[0] not in CHANNELS
            ]
            for sender in bare:
                channel = "rest"
                for (data,) in session.query(table.data).filter(
                    table.sender_id == sender, table.type_name == "user"
                ):
                    found = json.loads(data).get("input_channel")
                    if found in CHANNELS:
                        channel = found
                session.query(table).filter(table.sender_id == sender).update(
                    {table.sender_id: f"{channel}:{sender}"}, synchronize_session=False
                )
            session.commit()
        if bare:
            logger.info("conversation store: %d conversation ids now carry their channel", len(bare))
