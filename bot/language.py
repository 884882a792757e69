"""Reading English, Hindi and romanised Hindi: which language a message is written in, and its words.

Replies follow the form the user writes in: English, Hindi in Devanagari, or romanised Hindi
(Hinglish), whose fixed replies and answers from the circulars are romanised. Short messages with no
clear signal (a number, "ok", an email) keep the current language.
"""

import re
import unicodedata
from collections.abc import Callable
from typing import Literal

import regex

Language = Literal["en", "hi", "hinglish"]
LANGUAGES: tuple[Language, ...] = ("en", "hi", "hinglish")


_WORD = re.compile(r"[a-z]+")
_HINGLISH = frozenset(
    [
        "hai",
        "hain",
        "hoon",
        "hun",
        "hu",
        "tha",
        "thi",
        "nahi",
        "nahin",
        "nai",
        "nhi",
        "mat",
        "kya",
        "kyu",
        "kyun",
        "kaise",
        "kaisa",
        "kab",
        "kahan",
        "kaun",
        "kitne",
        "kitna",
        "mera",
        "meri",
        "mere",
        "mujhe",
        "mujhko",
        "hum",
        "humko",
        "apna",
        "apni",
        "aap",
        "aapka",
        "tum",
        "tera",
        "mai",
        "mein",
        "ko",
        "ka",
        "ki",
        "ke",
        "se",
        "par",
        "pe",
        "aur",
        "ya",
        "bhi",
        "toh",
        "bhai",
        "ji",
        "kripya",
        "krpya",
        "karo",
        "kare",
        "karna",
        "karein",
        "kar",
        "raha",
        "rahi",
        "rha",
        "rhi",
        "gaya",
        "gayi",
        "gya",
        "aaya",
        "aya",
        "aayi",
        "ayi",
        "aata",
        "ata",
        "milta",
        "mila",
        "mili",
        "nahi_aaya",
        "batao",
        "bataiye",
        "bataye",
        "chahiye",
        "chaiye",
        "sakta",
        "sakti",
        "sakte",
        "hoga",
        "hogi",
        "kuch",
        "koi",
        "abhi",
        "kab",
        "tak",
        "wala",
        "wali",
        "waale",
        "dikh",
        "dikha",
        "dikhta",
        "samajh",
        "madad",
        "sahayata",
        "bolo",
        "boliye",
        "baat",
        "karao",
        "karwao",
        "kijiye",
        "dijiye",
        "bhej",
        "bheja",
        "jaldi",
        "pehle",
        "baad",
        "namaste",
        "namaskar",
        "shukriya",
        "dhanyavad",
        "dhanyawad",
        "theek",
        "thik",
        "accha",
        "acha",
        "haan",
        "han",
        "haa",
        "nahi_hai",
        # Question and condition words, and the verbs of short questions ("kitni bhasha me courses hai",
        # "aur agar na aaye to?").
        "agar",
        "kitni",
        "kis",
        "kaha",
        "aaye",
        "aati",
        "milega",
        "karu",
        "wale",
        "hota",
        "hoti",
        "hote",
        "jaata",
        "jaati",
        "lagta",
        "lagte",
        "yeh",
        "woh",
        "bhasha",
    ]
)
_ENGLISH = frozenset(
    [
        "the",
        "is",
        "are",
        "was",
        "were",
        "am",
        "i",
        "my",
        "me",
        "you",
        "your",
        "it",
        "this",
        "that",
        "what",
        "which",
        "who",
        "when",
        "where",
        "why",
        "how",
        "can",
        "could",
        "please",
        "not",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "will",
        "would",
        "should",
        "with",
        "for",
        "from",
        "about",
        "and",
        "or",
        "of",
        "in",
        "on",
        "at",
        "to",
        "hello",
        "hi",
        "hey",
        "thanks",
        "thank",
        "yes",
        "no",
        "need",
        "want",
        "get",
        "got",
        "help",
        "register",
        "registration",
        "course",
        "courses",
        "certificate",
        "email",
        "mobile",
        "number",
        "organisation",
        "organization",
        "department",
        "ministry",
        "not",
        "found",
        "find",
    ]
)
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_DEVANAGARI = re.compile(r"[\u0900-\u0965\u0970-\u097F]")  # letters and signs, not digits
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> Language | None:
    """The language of `text`, or None when the message gives no clear signal."""
    text = _ADDRESS.sub(" ", text)
    devanagari = len(_DEVANAGARI.findall(text))
    latin = len(_LATIN.findall(text))
    if devanagari and devanagari >= latin / 2:
        return "hi"
    words = _WORD.findall(text.lower())
    hindi = sum(w in _HINGLISH for w in words)
    english = sum(w in _ENGLISH for w in words)
    if hindi >= 1 and hindi >= english / 2 and (hindi >= 2 or len(words) <= 3):
        return "hinglish"
    if english >= 1 and (len(words) >= 2 or english == len(words)):
        return "en"
    return None


def in_unsupported_script(text: str) -> bool:
    """Mostly letters of scripts other than Latin and Devanagari (Tamil, Bengali, Urdu, Chinese...),
    which neither the NLU nor the knowledge base can read."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    readable = sum(1 for c in letters if _LATIN.match(c) or _DEVANAGARI.match(c))
    return readable / len(letters) < 0.5


# ---------------------------------------------------------------------------------------------------------
# Words: how search and course names read a message, the same way in English, Hindi and Hinglish.

_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:[.@/-][\p{L}\p{M}\p{N}]+)*")
_E_MAIL = regex.compile(r"\be-mail")  # "e-mail" and "email" are one word
_STOPWORD_TEXT = """
    a an the is are was were be been am do does did of to in on at for by with from and or as it its this that
    these those i me my we our you your he she they them his her what which who whom how can could should
    would will shall may might must there here about into than then so if not no yes please pls plz
    का की के को में से पर है हैं था थी थे हो और या भी तो ही यह वह ये वो मैं मुझे मेरा मेरी मेरे हम आप
    क्या कैसे कब कौन कहाँ कहां कितने कितना कितनी जी कृपया बताइए बताएं बताओ
    ka ki ke ko me mein se par pe hai hain tha thi the ho aur ya bhi to hi ye yeh wo woh main mai mujhe
    mera meri mere hum aap ji kya kaise kese kab kaun kahan kitne kitna kitni batao bataiye bhai h hota hoti
    liye lie karne kuch wala wale wali ne apna apne apni yaar sir madam mam ok dijiye dijie de do hota hote
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def words(text: str) -> list[str]:
    """All words, with Devanagari kept whole and nukta/chandrabindu spelling variants folded."""
    text = unicodedata.normalize("NFC", text.lower()).replace("\u093c", "").replace("\u0901", "\u0902")
    return _TOKEN.findall(_E_MAIL.sub("email", text).replace("ई-मेल", "ईमेल"))


def respelt(text: str, spell: Callable[[str], str | None]) -> str | None:
    """The text with each word that `spell` (given it in lower case) spells otherwise replaced, all else
    as typed; None when no word was."""
    changed = False

    def replace(found: regex.Match[str]) -> str:
        nonlocal changed
        meant = spell(found.group(0).lower())
        changed = changed or meant is not None
        return meant if meant is not None else found.group(0)

    text = _TOKEN.sub(replace, text)
    return text if changed else None


def tokenize(text: str) -> list[str]:
    """Content words: `words` without stopwords."""
    return [t for t in words(text) if t not in STOPWORDS]


# Hindi typed in a hurry drops the virama and the nasal sign and mixes long and short vowels ("करमा
# पोइंट" for "कर्मा पॉइंट"); Hinglish doubles letters ("karmaa"). A glossary word is looked up by a key
# that forgets these differences.
_SPELLING_FOLDS = str.maketrans(
    {
        "\u094d": None,
        "\u0902": None,
        "\u0903": None,
        "\u0949": "\u094b",
        "\u0945": "\u0947",
        "\u0948": "\u0947",
        "\u0940": "\u093f",
        "\u0942": "\u0941",
        "\u0908": "\u0907",
        "\u090a": "\u0909",
    }
)
_DOUBLED = regex.compile(r"(\p{Latin})\1+")


def spelling_key(word: str) -> str:
    """The glossary's key for a word: its spelling with the usual typing variants folded."""
    return _DOUBLED.sub(r"\1", word.translate(_SPELLING_FOLDS))
