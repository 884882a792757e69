"""Human-friendly reference numbers: a prefix and six characters that cannot be misread."""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L or U


def new_reference(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(6))


def normalise_reference(text: str) -> str:
    """What a user types ("org 7k3m9q", "ORG-7K3M-9Q") in the stored form."""
    compact = "".join(c for c in text.upper() if c.isalnum())
    return f"{compact[:3]}-{compact[3:]}" if len(compact) == 9 else text.strip().upper()
