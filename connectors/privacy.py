"""Recognising and masking e-mail addresses and mobile numbers.

Pure standard library, so the Rasa server (masking what it stores) and the action server (masking what
it logs, stores and hands to the helpdesk) share one definition of what personal data looks like.
"""

import re
import unicodedata

EMAIL = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![\w-])"
)
# An Indian mobile: optional +91/0091/91/0 prefix, then ten digits starting 6-9, spaces or dashes allowed.
MOBILE = re.compile(r"(?<!\d)(?:(?:\+|00)?91[\s-]?|0)?([6-9](?:[\s-]?\d){9})(?!\d)")


def ascii_digits(text: str) -> str:
    """Any Unicode decimal digit (Devanagari ०-९ included) becomes its ASCII digit."""
    return "".join(str(unicodedata.digit(c)) if unicodedata.category(c) == "Nd" else c for c in text)


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_mobile(mobile: str) -> str:
    return f"******{mobile[-4:]}" if len(mobile) >= 4 else "***"


def mask_personal_data(text: str) -> str:
    """Emails and mobile numbers in free text are masked before it is logged or stored."""
    text = EMAIL.sub(lambda m: mask_email(m.group(1)), text)
    return MOBILE.sub(lambda m: mask_mobile(re.sub(r"\D", "", m.group(1))), ascii_digits(text))
