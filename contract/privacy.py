"""Recognising and masking e-mail addresses and mobile numbers.

One definition of what personal data looks like, for both processes: the Rasa server masks what it
stores and logs, the action server what it logs, stores and hands to the helpdesk, and the form's
validators accept a mobile number only in a shape this module recognises, so nothing a form accepts
escapes the masking.
"""

import re
import unicodedata

EMAIL = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![\w-])"
)
# Between the digits of a mobile people write spaces, dashes, dots and brackets: "98100 12345",
# "98.100.12345", "(98100) 12345", "+91 (981) 001-2345".
_SEPARATORS = r"[\s().-]{0,3}"
# An Indian mobile: optional +91/0091/91/0 prefix, then ten digits starting 6-9.
MOBILE = re.compile(
    rf"(?<!\d)(?:(?:\+|00)?91{_SEPARATORS}|0{_SEPARATORS})?\(?([6-9](?:{_SEPARATORS}\d){{9}})(?!\d)"
)


def ascii_digits(text: str) -> str:
    """Any Unicode decimal digit (Devanagari ०-९ included) becomes its ASCII digit."""
    return "".join(str(unicodedata.digit(c)) if unicodedata.category(c) == "Nd" else c for c in text)


def find_mobiles(text: str) -> list[str]:
    """The ten-digit mobile numbers written in `text`, in any shape `MOBILE` recognises."""
    return [re.sub(r"\D", "", match) for match in MOBILE.findall(ascii_digits(text))]


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_mobile(mobile: str) -> str:
    return f"******{mobile[-4:]}" if len(mobile) >= 4 else "***"


def mask_personal_data(text: str) -> str:
    """Emails and mobile numbers in free text are masked before it is logged or stored."""
    text = EMAIL.sub(lambda m: mask_email(m.group(1)), text)
    return MOBILE.sub(lambda m: mask_mobile(re.sub(r"\D", "", m.group(1))), ascii_digits(text))
