"""Rasa's SQL tracker store, with e-mails, mobile numbers and channel proofs masked in what it stores.

The stored conversation is what the HTTP API, the helpdesk and any later export read, so personal data
typed by the user or echoed by the bot is masked before it is written. Only the stored copy changes:
the turn being processed keeps the real values, which is all the actions need. Slot values are kept,
because a form still being filled reads them back on the next turn.
"""

import itertools
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors.privacy import mask_personal_data

# Proofs a channel puts in the message metadata (see bot/actions/identity.py): credentials, never stored.
SECRET_METADATA = ("portal_token", "verified_phone")


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, dict):
        return {key: "***" if key in SECRET_METADATA else _masked(item) for key, item in value.items()}
    return value


def masked_event(event: Event) -> Event:
    """A copy of `event` as it may be stored: personal data masked, channel proofs removed.

    Besides messages, Rasa copies the first message's metadata into the `session_started` event and the
    `session_started_metadata` slot, so those are masked too.
    """
    data = event.as_dict()
    keys = ["metadata"]
    if isinstance(event, (UserUttered, BotUttered)):
        keys += ["text", "parse_data", "data"]
    elif isinstance(event, SlotSet) and event.key == SESSION_START_METADATA_SLOT:
        keys.append("value")
    if not any(data.get(key) for key in keys):
        return event
    for key in keys:
        if key in data:
            data[key] = _masked(data[key])
    return Event.from_parameters(data) or event


class MaskingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        return (masked_event(event) for event in itertools.islice(tracker.events, stored, None))
