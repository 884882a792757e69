"""Parsing and validation of what users type into forms.

Each parser returns a `Parsed` with either the clean value or an error code; the
error code names the response the bot utters (`utter_invalid_<code>`), so the
explanation is given in the user's language by the domain, not here.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass

import regex

from contract.privacy import EMAIL as _EMAIL
from contract.privacy import ascii_digits, find_mobiles

MAX_FIELD_CHARS = 150

PERSONAL_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.in",
        "yahoo.in",
        "ymail.com",
        "rediffmail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "aol.com",
        "protonmail.com",
        "proton.me",
        "zoho.com",
        "gmx.com",
        "mail.com",
    }
)
GOVERNMENT_EMAIL_SUFFIXES = ("gov.in", "nic.in")

_ANY_DIGIT = re.compile(r"\d")
_TEXT_FORBIDDEN = re.compile(r"[<>{}\[\];`$\\|=*^~]|--|/\*|\*/")

STATES_AND_UTS = {
    "Andhra Pradesh": "आंध्र प्रदेश",
    "Arunachal Pradesh": "अरुणाचल प्रदेश",
    "Assam": "असम",
    "Bihar": "बिहार",
    "Chhattisgarh": "छत्तीसगढ़",
    "Goa": "गोवा",
    "Gujarat": "गुजरात",
    "Haryana": "हरियाणा",
    "Himachal Pradesh": "हिमाचल प्रदेश",
    "Jharkhand": "झारखंड",
    "Karnataka": "कर्नाटक",
    "Kerala": "केरल",
    "Madhya Pradesh": "मध्य प्रदेश",
    "Maharashtra": "महाराष्ट्र",
    "Manipur": "मणिपुर",
    "Meghalaya": "मेघालय",
    "Mizoram": "मिज़ोरम",
    "Nagaland": "नागालैंड",
    "Odisha": "ओडिशा",
    "Punjab": "पंजाब",
    "Rajasthan": "राजस्थान",
    "Sikkim": "सिक्किम",
    "Tamil Nadu": "तमिलनाडु",
    "Telangana": "तेलंगाना",
    "Tripura": "त्रिपुरा",
    "Uttar Pradesh": "उत्तर प्रदेश",
    "Uttarakhand": "उत्तराखंड",
    "West Bengal": "पश्चिम बंगाल",
    "Andaman and Nicobar Islands": "अंडमान और निकोबार द्वीपसमूह",
    "Chandigarh": "चंडीगढ़",
    "Dadra and Nagar Haveli and Daman and Diu": "दादरा और नगर हवेली और दमन और दीव",
    "Delhi": "दिल्ली",
    "Jammu and Kashmir": "जम्मू और कश्मीर",
    "Ladakh": "लद्दाख",
    "Lakshadweep": "लक्षद्वीप",
    "Puducherry": "पुडुचेरी",
}
_STATE_ALIASES = {
    "nct of delhi": "Delhi",
    "nct delhi": "Delhi",
    "gnctd": "Delhi",
    "new delhi": "Delhi",
    "up": "Uttar Pradesh",
    "mp": "Madhya Pradesh",
    "j&k": "Jammu and Kashmir",
    "jk": "Jammu and Kashmir",
    "orissa": "Odisha",
    "uttaranchal": "Uttarakhand",
    "pondicherry": "Puducherry",
    "tn": "Tamil Nadu",
    "wb": "West Bengal",
    "hp": "Himachal Pradesh",
    "ap": "Andhra Pradesh",
}
_LEVELS = {
    "centre": (
        "centre",
        "center",
        "central",
        "central government",
        "union",
        "kendra",
        "kendriya",
        "केंद्र",
        "केन्द्र",
        "केंद्रीय",
        "केन्द्रीय",
        "केंद्र सरकार",
    ),
    "state": (
        "state",
        "state government",
        "ut",
        "union territory",
        "rajya",
        "राज्य",
        "राज्य सरकार",
        "केंद्र शासित प्रदेश",
    ),
}


@dataclass(frozen=True)
class Parsed:
    value: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None


def clean_text(text: str) -> str:
    """NFC-normalised, control characters dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C" or c in " \t\n")
    return " ".join(text.split())


def is_government_domain(domain: str, approved: frozenset[str] = frozenset()) -> bool:
    return domain in approved or any(
        domain == s or domain.endswith("." + s) for s in GOVERNMENT_EMAIL_SUFFIXES
    )


def parse_email(text: str, *, approved_domains: frozenset[str] = frozenset()) -> Parsed:
    text = clean_text(text)
    if len(text) > 320:
        return Parsed(error="email_syntax")
    found = {m.lower() for m in _EMAIL.findall(text)}
    if len(found) != 1:
        return Parsed(error="email_syntax" if not found else "email_several")
    email = found.pop()
    local, _, domain = email.partition("@")
    if ".." in email or len(local) > 64 or len(email) > 254:
        return Parsed(error="email_syntax")
    if domain in PERSONAL_EMAIL_DOMAINS:
        return Parsed(error="email_personal")
    if not is_government_domain(domain, approved_domains):
        return Parsed(error="email_not_government")
    return Parsed(value=email)


def parse_mobile(text: str) -> Parsed:
    """An Indian mobile: 10 digits starting 6-9, optional +91/91/0 prefix, in any shape the masking
    recognises (`contract.privacy.MOBILE`), so a number the form accepts is never stored unmasked."""
    text = ascii_digits(clean_text(text))
    if len(text) > 40 or not _ANY_DIGIT.search(text):
        return Parsed(error="mobile")
    matches = find_mobiles(text)
    if len(matches) != 1 or len(set(matches[0])) == 1:
        return Parsed(error="mobile")
    return Parsed(value=matches[0])


# What may stand before the 10 digits of an Indian mobile number: the trunk 0 or the country code.
MOBILE_PREFIXES = frozenset({"", "0", "91", "091", "0091"})


def normalise_mobile(mobile: str) -> str | None:
    """The 10-digit number in a stored mobile ("+91 98765 43210", "098765-43210", "9876543210"); None for
    anything else, so a typo never matches somebody else's number by its last ten digits."""
    digits = "".join(ch for ch in mobile if ch.isdigit())
    if len(digits) < 10 or digits[:-10] not in MOBILE_PREFIXES:
        return None
    return digits[-10:]


def _is_mark(c: str) -> bool:
    return unicodedata.category(c).startswith("M")


# Words no personal name contains: questions, pronouns, verbs, and what junk input is made of. Single
# letters and short Hindi particles are left out: initials ("K. A. Rahman") are names.
_NAME_STOPWORDS = """
    how what why when where which who whom whose is are am was were be been do does did can could will
    would should the my your our their his her its me we you they this that these those please help
    hello hi thanks thank yes no not and or to in on for with from register registration login otp
    email mobile phone portal course courses certificate problem issue error name null none nil
    undefined nan test true false select insert update delete drop union table where script http https
    www ok kya kaise kyun kyon kab kahan kaun mera meri mere mujhe hai hain nahi nahin aap tum naam
    क्या कैसे क्यों कब कहाँ कहां कौन मेरा मेरी मेरे मुझे है हैं नहीं आप तुम नाम
"""
_NOT_IN_NAMES = frozenset(_NAME_STOPWORDS.split())
# In the name of a ministry, department or office, "of" and "the" are common; questions, pronouns,
# sentence verbs and junk are not.
_ORGANISATION_STOPWORDS = """
    how what why when where which who is are am was were do does did can could will would should my
    your me we you please help hello thanks yes not null none nil undefined nan true false select
    insert update delete drop union http https www ok kya kaise kyun kyon kab kahan kaun mera meri mere
    mujhe hai hain nahi nahin aap tum क्या कैसे क्यों कब कहाँ कहां कौन मेरा मेरी मेरे मुझे है हैं नहीं
    आप तुम
"""
_NOT_IN_ORGANISATIONS = frozenset(_ORGANISATION_STOPWORDS.split())
_MAX_NAME_WORDS = 8
_MAX_ORGANISATION_WORDS = 20
# Devanagari stacks at most two marks on a letter (a vowel sign and a nasal); more is Zalgo text.
_MAX_MARKS_IN_A_ROW = 2
_PROTOCOL = re.compile(r"[a-z]+/\d|://|\bwww\.|\.(?:com|in|org|net)\b", re.IGNORECASE)


# Zero-width (non-)joiners shape Indic letters; every other control or format character (NUL, bell, a
# right-to-left override that hides what follows) has no place in a name.
_JOINERS = frozenset("\u200c\u200d")


def _has_controls(text: str) -> bool:
    return any(
        (unicodedata.category(c) in ("Cc", "Cf") and c not in _JOINERS and c not in "\t\n\r") for c in text
    )


def _script(c: str) -> str:
    """The script of a letter, from its Unicode name: LATIN, DEVANAGARI, CYRILLIC, ..."""
    return unicodedata.name(c, "UNKNOWN").split(" ")[0]


def _stacked_marks(text: str) -> bool:
    """Zalgo and its kin: more marks on a letter than any script needs, or a combining mark left on a
    Latin letter after NFC (a real accent composes into one character: é)."""
    run, base = 0, ""
    for c in text:
        if not _is_mark(c):
            run, base = 0, c
            continue
        run += 1
        if run > _MAX_MARKS_IN_A_ROW or _script(base) == "LATIN" or not base.isalpha():
            return True
    return False


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s.,&()'/-]+", text.casefold()) if w]


def looks_like_a_name(text: str, *, stopwords: frozenset[str], max_words: int) -> bool:
    """Text a person would type as a name: one script, no stacked marks, not a sentence or junk."""
    scripts = {_script(c) for c in text if c.isalpha()}
    words = _words(text)
    return (
        len(scripts) == 1
        and not _stacked_marks(text)
        and sum(_is_mark(c) for c in text) <= 2 * sum(c.isalpha() for c in text)
        and 0 < len(words) <= max_words
        and not any(w in stopwords for w in words)
        and not _PROTOCOL.search(text)
    )


def parse_person_name(text: str) -> Parsed:
    """A person's name in one script (English or Hindi, or another Indian script): letters, marks,
    spaces and . ' -, 2-80 characters, at most eight words; not a question, a sentence or junk."""
    if _has_controls(text):
        return Parsed(error="name")
    text = clean_text(text).strip(" .")
    letters = sum(c.isalpha() for c in text)
    allowed = all(c.isalpha() or _is_mark(c) or c in " .'-" for c in text)
    if not (2 <= len(text) <= 80) or letters < 2 or not allowed or not text[0].isalpha():
        return Parsed(error="name")
    if not looks_like_a_name(text, stopwords=_NOT_IN_NAMES, max_words=_MAX_NAME_WORDS):
        return Parsed(error="name")
    return Parsed(value=text)


def parse_free_text(text: str) -> Parsed:
    """Ministry, department and organisation names: letters (one script), digits, marks, spaces and
    common punctuation; no markup, code, addresses, questions or sentences."""
    if _has_controls(text):
        return Parsed(error="text")
    text = clean_text(text).strip(" .")
    if not (2 <= len(text) <= MAX_FIELD_CHARS) or not any(c.isalpha() for c in text):
        return Parsed(error="text")
    if _TEXT_FORBIDDEN.search(text) or not all(c.isalnum() or _is_mark(c) or c in " .,:&()'/-" for c in text):
        return Parsed(error="text")
    letters = sum(c.isalpha() or _is_mark(c) for c in text)
    if letters * 2 < len(text.replace(" ", "")):
        return Parsed(error="text")
    if not looks_like_a_name(text, stopwords=_NOT_IN_ORGANISATIONS, max_words=_MAX_ORGANISATION_WORDS):
        return Parsed(error="text")
    return Parsed(value=text)


def parse_level(text: str) -> Parsed:
    key = clean_text(text).casefold().strip(" .")
    for level, words in _LEVELS.items():
        if key in words or any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", key) for w in words if len(w) > 2):
            return Parsed(value=level)
    return Parsed(error="level")


def parse_state(text: str) -> Parsed:
    """A State or Union Territory, in English or Hindi, tolerating typos."""
    key = clean_text(text).casefold().strip(" .")
    for prefix in ("government of ", "govt of ", "govt. of ", "state of "):
        key = key.removeprefix(prefix)
    if key in _STATE_ALIASES:
        return Parsed(value=_STATE_ALIASES[key])
    by_name = {name.casefold(): name for name in STATES_AND_UTS}
    by_name.update({hindi: name for name, hindi in STATES_AND_UTS.items()})
    match = difflib.get_close_matches(key, list(by_name), n=1, cutoff=0.8)
    if match:
        return Parsed(value=by_name[match[0]])
    # "राज्य सरकार - दिल्ली (GNCTD)": one State named among other words.
    named = {by_name[n] for n in by_name if regex.search(rf"(?<!\w){regex.escape(n)}(?!\w)", key)}
    named |= {
        _STATE_ALIASES[a]
        for a in _STATE_ALIASES
        if len(a) > 2 and regex.search(rf"(?<!\w){regex.escape(a)}(?!\w)", key)
    }
    return Parsed(value=named.pop()) if len(named) == 1 else Parsed(error="state")


def organisation_key(name: str) -> str:
    """The form of an organisation name used to spot the same request twice."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


# "My name is Geeta Kumari", "मेरा नाम गीता कुमारी है और ईमेल …", "Anil Kumar Meena, anil@mea.gov.in".
_INTRODUCTION = re.compile(
    r"^(?:(?:hi|hello|namaste|sir|ji|नमस्ते)[\s,!.]+)*(?:my (?:full )?name is|name is|i am|i'm|"
    r"this is|myself|mera (?:pura |poora )?naam|मेरा (?:पूरा )?नाम|मैं|"
    r"(?:full name|name|naam|नाम)\b\s*(?:hai\b|है)?\s*[:\-]?)\s*",
    re.IGNORECASE,
)
_NAME_END = re.compile(r"\s*(?:hai|hoon|hun|here|है|हूँ|हूं)\s*$", re.IGNORECASE)
_PART_BREAK = re.compile(r"\s*(?:[,;\n]|\band\b|\baur\b|और)\s*", re.IGNORECASE)


def without_contact(text: str) -> str:
    """The text with e-mail addresses and mobile numbers taken out."""
    text = _EMAIL.sub(" ", ascii_digits(clean_text(text)))
    for mobile in re.findall(r"[+\d][\d\s().-]{8,}\d", text):
        if find_mobiles(mobile):
            text = text.replace(mobile, " ")
    return " ".join(text.split()).strip(" .,;")


def name_in(text: str) -> str:
    """The name in a message that introduces the writer, with any e-mail or mobile taken out; the text
    itself when it is no introduction."""
    text = without_contact(text)
    first = next((part for part in _PART_BREAK.split(text) if part.strip(" .")), text)
    return _NAME_END.sub("", _INTRODUCTION.sub("", first.strip())).strip(" .")


def is_full_name(name: str) -> bool:
    """A first name and a surname: the request is checked against official records."""
    return len(name.split()) >= 2


_GOVERNMENT_WORDS = re.compile(
    r"\b(?:government|govt\.?|gov|sarkar|state|rajya|of)\b|सरकार|राज्य", re.IGNORECASE
)
_MINISTRY_WORDS = re.compile(r"\bministry\b|\bmantralaya\b|मंत्रालय", re.IGNORECASE)


def level_and_place(text: str) -> tuple[str | None, str | None]:
    """What an answer to "Centre or State?" implies: "Rajasthan", "राजस्थान सरकार" or "UP govt" give
    the State as well; "Centre. Ministry of External Affairs" gives the ministry; a ministry alone
    gives the Centre."""
    cleaned = clean_text(text).strip(" .")
    corrected = _last_level_named(cleaned)
    if corrected is not None:
        return corrected, None
    bare = " ".join(_GOVERNMENT_WORDS.sub(" ", cleaned).split())
    if bare:
        state = parse_state(bare)
        if state.ok:
            return "state", state.value
    head, rest = _split_first(cleaned)
    level = parse_level(head)
    if level.ok and rest:
        return level.value, rest
    if level.ok:
        return level.value, None
    if _MINISTRY_WORDS.search(cleaned):
        return "centre", cleaned
    return None, None


_CORRECTION = regex.compile(
    r"\b(?:no|not|nahi|nahin|nhi|sorry|i mean|actually|matlab|galti|oops)\b|नहीं|माफ़|माफ|सॉरी|गलती|ग़लती"
)


def _last_level_named(text: str) -> str | None:
    """ "state... nahi nahi sorry, Centre": both levels named with a correction, the last is the answer."""
    lowered = text.casefold()
    if not _CORRECTION.search(lowered):
        return None
    last: dict[str, int] = {}
    for level, words in _LEVELS.items():
        for word in words:
            for found in regex.finditer(rf"(?<!\w){regex.escape(word)}(?!\w)", lowered):
                last[level] = max(last.get(level, -1), found.start())
    return max(last, key=lambda level: last[level]) if len(last) > 1 else None


def _split_first(text: str) -> tuple[str, str]:
    """ "Centre. Ministry of X" -> ("Centre", "Ministry of X"); text with no break -> (text, "")."""
    parts = re.split(r"\s*[.,;:]\s*|\s+[–-]\s+", text, maxsplit=1)
    return (parts[0], parts[1].strip(" .")) if len(parts) == 2 else (text, "")
