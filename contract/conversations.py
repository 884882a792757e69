"""Conversation ids carry their channel: `whatsapp:919876543210`, `telegram:123456`, `widget:<32 hex>`,
`rest:<sender>`. Each connector makes its own ids from what it has verified, so no channel can name
another channel's conversation: a REST caller posting as "919876543210" speaks in `rest:919876543210`,
never in the WhatsApp user's conversation.
"""

import re

CHANNELS = ("rest", "widget", "telegram", "whatsapp")
# Channels whose sender ids the platform itself vouches for (a signed webhook from an account). On the
# others anyone can claim any sender id, so what a sender proves there lasts one conversation session.
VERIFIED_SENDER_CHANNELS = frozenset({"telegram", "whatsapp"})
# What a REST caller may choose as a sender id; with the channel prefix it fits the 128-character
# sender columns everywhere.
MAX_SENDER_CHARS = 100
REST_SENDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def conversation_id(channel: str, sender: str) -> str:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return f"{channel}:{sender}"


def sender_of(conversation: str, channel: str) -> str:
    """The platform's own id (a WhatsApp number, a Telegram chat, a widget session) in a conversation
    id of `channel`; an id of another channel is refused rather than sent to."""
    prefix = f"{channel}:"
    if not conversation.startswith(prefix):
        raise ValueError(f"{conversation[:40]!r} is not a {channel} conversation")
    return conversation[len(prefix) :]


def channel_of(conversation: str) -> str | None:
    channel, sep, _ = conversation.partition(":")
    return channel if sep and channel in CHANNELS else None


def rest_sender_problem(sender: object) -> str | None:
    """Why a REST `sender` is refused, or None."""
    if not isinstance(sender, str) or not sender.strip():
        return "'sender' must be a non-empty string."
    if len(sender) > MAX_SENDER_CHARS:
        return f"'sender' must be at most {MAX_SENDER_CHARS} characters."
    if not REST_SENDER.fullmatch(sender):
        return "'sender' may contain only letters, digits and . _ -, starting with a letter or digit."
    return None
