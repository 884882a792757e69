"""The metadata a message carries from a channel to the actions, and how a channel signs what it verified.

A client (a REST caller, a portal page) may send only the keys in `CLIENT_KEYS`, each within its size
limit; everything else is dropped by the connector before Rasa stores it. What a connector verified
itself (the number a WhatsApp message came from, the contact a Telegram user shared as their own, the
network a widget connected from) travels as a `channel_proof`: the claims, the conversation they belong
to and when they were made, signed with HMAC-SHA256 under SAHAYAK_PROOF_KEY. The action server believes
a claim only with a valid signature for the same conversation, made in the last few minutes; so a
tracker forged or replayed by anyone without the key proves nothing.
"""

import hashlib
import hmac
import ipaddress
import json
import time
from collections.abc import Mapping
from typing import Any, Literal

# The key both processes hold: the connectors sign with it, the action server checks.
PROOF_KEY = "SAHAYAK_PROOF_KEY"
PORTAL_TOKEN = "portal_token"
CHANNEL_PROOF = "channel_proof"
# Claims inside a channel proof.
VERIFIED_PHONE = "verified_phone"
CLIENT = "client"
# What a client may put in the metadata, with the most characters each may have.
CLIENT_KEYS = {PORTAL_TOKEN: 8192}
PROOF_MAX_AGE_SECONDS = 600
PROOF_VERSION = 1
Verdict = Literal["ok", "absent", "unsigned", "forged", "expired", "other_conversation"]


def proof_key(env: Mapping[str, str]) -> str:
    return env.get(PROOF_KEY, "")


def client_metadata(raw: Any) -> dict[str, str]:
    """The part of a client's metadata we accept: known keys, string values within their limit."""
    if not isinstance(raw, dict):
        return {}
    return {
        key: value
        for key, limit in CLIENT_KEYS.items()
        if isinstance(value := raw.get(key), str) and 0 < len(value) <= limit
    }


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _signature(key: str, body: dict[str, Any]) -> str:
    return hmac.new(key.encode(), _canonical(body), hashlib.sha256).hexdigest()


def sign_proof(
    key: str, *, conversation: str, claims: dict[str, str], now: float | None = None
) -> dict[str, Any]:
    """A channel proof of `claims` about `conversation`, to put under `CHANNEL_PROOF` in the metadata."""
    if not key:
        raise ValueError("SAHAYAK_PROOF_KEY is empty: nothing can be signed")
    body = {
        "v": PROOF_VERSION,
        "conversation": conversation,
        "claims": dict(claims),
        "iat": int(time.time() if now is None else now),
    }
    return {**body, "sig": _signature(key, body)}


def verify_proof(
    key: str, metadata: Any, *, conversation: str, now: float | None = None
) -> tuple[dict[str, str], Verdict]:
    """The signed claims in a message's metadata for this conversation, and the verdict.

    "unsigned": a claim (a verified phone) sits in the metadata outside a proof, which no connector of
    ours writes: somebody is trying. "forged": a proof whose signature does not match.
    """
    metadata = metadata if isinstance(metadata, dict) else {}
    proof = metadata.get(CHANNEL_PROOF)
    if proof is None:
        return {}, "unsigned" if VERIFIED_PHONE in metadata else "absent"
    if not key or not isinstance(proof, dict) or not isinstance(proof.get("sig"), str):
        return {}, "forged"
    body = {k: v for k, v in proof.items() if k != "sig"}
    if not hmac.compare_digest(_signature(key, body).encode(), proof["sig"].encode()):
        return {}, "forged"
    claims = body.get("claims")
    issued = body.get("iat")
    if body.get("v") != PROOF_VERSION or not isinstance(claims, dict) or not isinstance(issued, int):
        return {}, "forged"
    if body.get("conversation") != conversation:
        return {}, "other_conversation"
    if abs((time.time() if now is None else now) - issued) > PROOF_MAX_AGE_SECONDS:
        return {}, "expired"
    return {k: v for k, v in claims.items() if isinstance(k, str) and isinstance(v, str)}, "ok"


def client_network(key: str, address: str | None) -> str | None:
    """A keyed hash naming the network a client connected from (IPv4 /24, IPv6 /64), for throttling
    sign-in codes per requester without storing anyone's address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 64
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    return "net:" + hmac.new(key.encode(), str(network).encode(), hashlib.sha256).hexdigest()[:20]


# Slots holding what a person typed about themself in a form: encrypted wherever a conversation is
# stored, and their values masked in the stored text of messages.
PERSONAL_SLOTS = ("requester_name", "requester_email", "requester_mobile")
# Metadata that is a credential or a proof: never stored.
SECRET_METADATA = (PORTAL_TOKEN, CHANNEL_PROOF, VERIFIED_PHONE)
