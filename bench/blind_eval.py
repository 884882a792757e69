"""The blind yardstick: questions and conversations written by people who saw only the public source
documents (bench/blind/), sent through the REST channel of the real assistant and scored on the text the
user reads.

A single question passes when every key fact is in the reply (one of its listed equivalents), after
forgiving case, spacing, punctuation, Devanagari digits, nukta and the usual date forms; a question the
sources cannot answer passes on a clear "not sure" or "out of scope" with no citation. A conversation
turn passes when its facts are there, its forbidden texts are not, and each expected behaviour is seen.

The sets were split once, at random, in half within each topic (`split:` on every item). Tune on the
dev half only: `--half dev --failures` lists its failures. The test half is reported as figures only.

    .venv/bin/python -m bench.blind_eval [--half dev|test|both] [--set questions|conversations|both]
        [--ids REGEX] [--failures]
"""

import argparse
import re
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.chunking import chunk_document
from bot.knowledge.documents import find_documents, read_document
from bot.settings import ROOT
from tests.e2e.servers import Servers, start_servers

BLIND = ROOT / "bench" / "blind"
QUESTIONS_FILE = BLIND / "questions.yml"
CONVERSATIONS_FILE = BLIND / "conversations.yml"

# ---------------------------------------------------------------------------------------------------------
# Matching what the user reads against a key fact

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    "जनवरी": 1, "फरवरी": 2, "फ़रवरी": 2, "मार्च": 3, "अप्रैल": 4, "अप्रेल": 4, "मई": 5, "जून": 6,
    "जुलाई": 7, "अगस्त": 8, "सितंबर": 9, "सितम्बर": 9, "अक्टूबर": 10, "अक्तूबर": 10, "नवंबर": 11,
    "नवम्बर": 11, "दिसंबर": 12, "दिसम्बर": 12,
}  # fmt: skip
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\.?,?\s+(\d{{4}})\b", re.IGNORECASE
)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)


def _date_token(day: str, month: int | str, year: str) -> str:
    month_number = month if isinstance(month, int) else MONTHS.get(month.lower().rstrip("."), 0)
    return f" date{int(year):04d}{int(month_number):02d}{int(day):02d} "


def normalise(text: str) -> str:
    """The form both a reply and a fact are compared in: dates as one token, digits ASCII, no nukta,
    no punctuation, one space between words, case folded."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(str(unicodedata.digit(c)) if unicodedata.category(c) == "Nd" else c for c in text)
    text = text.replace("\u093c", "").replace("\u0901", "\u0902")  # nukta; chandrabindu spelt as anusvara
    text = _ISO_DATE.sub(lambda m: _date_token(m.group(3), int(m.group(2)), m.group(1)), text)
    text = _NUMERIC_DATE.sub(lambda m: _date_token(m.group(1), int(m.group(2)), m.group(3)), text)
    text = _DAY_MONTH.sub(lambda m: _date_token(m.group(1), m.group(2), m.group(3)), text)
    text = _MONTH_DAY.sub(lambda m: _date_token(m.group(2), m.group(1), m.group(3)), text)
    text = text.casefold().replace("%", " percent ")
    text = re.sub(r"\be-mail", "email", text).replace("ई-मेल", "ईमेल")  # one word, spelt two ways
    text = "".join(c if c.isalnum() or unicodedata.category(c).startswith("M") else " " for c in text)
    return " " + " ".join(text.split()) + " "


def contains(reply: str, equivalents: Iterable[Any]) -> bool:
    """Whether one of a fact's equivalent forms is in the reply, as whole words."""
    seen = normalise(reply)
    return any(normalise(str(form)).strip() and normalise(str(form)) in seen for form in equivalents)


# ---------------------------------------------------------------------------------------------------------
# Behaviours, as the user would see them

NOT_SURE = re.compile(
    r"not sure|could not find|couldn't find|did not (?:quite )?understand|only help|can only|cannot help|"
    r"can't help|outside what|"
    # "the sources do not give a helpline number": a clear statement that the thing asked is not known
    r"(?:sources?|documents?|circulars?|orders?|guides?)\b[^.\n]{0,60}?\b(?:do|does|did) not "
    r"(?:give|say|mention|describe|list|state|specify)|"
    r"पक्का जवाब नहीं|नहीं समझ|सिर्फ़|सिर्फ|केवल .* मदद|मदद नहीं|जानकारी नहीं|"
    r"(?:स्रोतों|स्रोत|परिपत्र|ज्ञापन|गाइड)[^।\n]{0,80}?(?:नहीं दिया|नहीं दी|नहीं बताते|नहीं बताया|नहीं बताती|उल्लेख नहीं)|"
    # the same in romanised Hindi, as a Hinglish user is answered
    r"pakka jawab nahi|samajh nahi|\b(?:sources?|circulars?|orders?|guides?)\b[^.\n]{0,80}?"
    r"\bnahi (?:diya|di|diye|bataya|batate|batati|likha)\b",
    re.IGNORECASE,
)
CITATION = re.compile(r"\b(?:source|स्रोत)\s*:", re.IGNORECASE)
REFERENCE = re.compile(r"\b(?:ORG|ESC)-[0-9A-Z]{6}\b")
PROGRESS = re.compile(
    r"\b\d+ of (?:your |the )?\d+\b|\d+ में से \d+|निर्धारित \d+|\b\d+\b[^.\n]{0,40}?\bmein se \d+\b",
    re.IGNORECASE,
)
KARMA = re.compile(r"karma points?\s*:\s*\d+|कर्म पॉइंट्स?\s*:\s*\d+", re.IGNORECASE)
DEVANAGARI = re.compile(r"[\u0900-\u097f]")
LATIN = re.compile(r"[A-Za-z]")


@dataclass
class Reply:
    """What the user sees for one message: all the texts, and the buttons with their payloads."""

    texts: list[str]
    buttons: list[tuple[str, str]]

    @property
    def text(self) -> str:
        return "\n".join([*self.texts, *(title for title, _ in self.buttons)])

    @classmethod
    def from_rest(cls, messages: list[dict[str, Any]]) -> "Reply":
        texts = [str(m.get("text") or "") for m in messages if m.get("text")]
        buttons = [
            (str(b.get("title") or ""), str(b.get("payload") or b.get("url") or ""))
            for m in messages
            for b in m.get("buttons") or []
        ]
        return cls(texts, buttons)


def _asks(reply: Reply, *words: str) -> bool:
    lowered = reply.text.casefold()
    return any(word.casefold() in lowered for word in words)


def offers_helpdesk(reply: Reply) -> bool:
    return any(payload.startswith("/request_human") for _, payload in reply.buttons) or _asks(
        reply, "helpdesk", "help desk", "हेल्पडेस्क", "support-igot", "talk to a person", "support team"
    )


def in_hindi(reply: Reply) -> bool:
    text = "\n".join(reply.texts)
    return len(DEVANAGARI.findall(text)) >= max(5, len(LATIN.findall(text)) // 3)


# Words that mark romanised Hindi; English has none of them.
_ROMAN_HINDI = re.compile(
    r"\b(?:aap|aapka|aapke|aapki|hai|hain|hoga|hogi|kya|kaise|kripya|kijiye|karein|kar|nahi|nahin|mein|"
    r"ke|ka|ki|ko|se|par|aur|yeh|ye|woh|jo|to|bhi|sakte|sakta|chahiye|liye|diya|gaya|raha|rahe|wala)\b",
    re.IGNORECASE,
)


def in_romanised_hindi(reply: Reply) -> bool:
    """Hindi written in Latin letters: the way the assistant answers a user who writes so."""
    words = re.findall(r"[A-Za-z]+", "\n".join(reply.texts))
    marked = sum(1 for word in words if _ROMAN_HINDI.fullmatch(word))
    return marked >= 2 and marked >= len(words) // 8


def in_english(reply: Reply) -> bool:
    text = "\n".join(reply.texts)
    return len(LATIN.findall(text)) > 0 and len(DEVANAGARI.findall(text)) < len(LATIN.findall(text)) // 4 + 3


PERSONAS = {
    "priya": ("Priya Raghavan", "priya.raghavan@istm.gov.in"),
    "rakesh": ("Rakesh Kumar Yadav", "rakesh.yadav@istm.gov.in"),
    "fatima": ("Fatima Sheikh", "fatima.sheikh@istm.gov.in"),
    "harpreet": ("Harpreet Kaur", "harpreet.kaur@istm.gov.in"),
    "sandeep": ("Sandeep Das", "sandeep.das@istm.gov.in"),
}


def shows_personal_data(reply: Reply) -> bool:
    text = reply.text
    return bool(PROGRESS.search(text) or KARMA.search(text)) or any(
        name in text for name, _ in PERSONAS.values()
    )


Check = Callable[[Reply, Reply | None], bool]
# Each behaviour is recognised in English, Hindi and romanised Hindi (Hinglish replies are romanised).
BEHAVIOURS: dict[str, Check] = {
    "asks_which_otp": lambda r, _: (
        _asks(r, "which otp", "कौन-सा otp", "कौन सा otp", "kaun sa otp", "kaunsa otp")
        or (_asks(r, "mobile", "मोबाइल") and _asks(r, "email", "e-mail", "ईमेल"))
    ),
    "asks_for_name": lambda r, _: _asks(r, "name", "नाम", "naam"),
    "asks_for_email": lambda r, _: _asks(r, "email", "e-mail", "ईमेल", "ई-मेल"),
    "asks_for_code": lambda r, _: _asks(r, "code", "कोड"),
    "asks_for_mobile": lambda r, _: _asks(r, "mobile", "मोबाइल", "phone number"),
    "asks_centre_or_state": lambda r, _: (
        _asks(r, "centre", "center", "केंद्र", "केन्द्र", "kendra") and _asks(r, "state", "राज्य", "rajya")
    ),
    "asks_for_ministry_or_state": lambda r, _: _asks(
        r,
        "ministry",
        "मंत्रालय",
        "which state",
        "कौन-सा राज्य",
        "किस राज्य",
        "mantralaya",
        "kaun sa state",
        "kis state",
    ),
    "asks_for_department": lambda r, _: _asks(r, "department", "विभाग", "vibhag"),
    "asks_for_organisation": lambda r, _: _asks(
        r, "organisation", "organization", "संगठन", "कार्यालय", "sangathan", "karyalay"
    ),
    "asks_to_confirm": lambda r, _: _asks(
        r, "please check", "confirm", "is this right", "correct?", "सही है", "जाँच", "जांच", "पुष्टि", "sahi hai"
    ),
    "gives_reference": lambda r, _: bool(REFERENCE.search(r.text)),
    "offers_helpdesk": lambda r, _: offers_helpdesk(r),
    "confirms_cancel": lambda r, _: _asks(
        r, "cancel", "stopped", "nothing was", "रद्द", "रोक दिया", "कुछ भी सेव नहीं", "सेव नहीं", "radd", "rok diya"
    ),
    "acknowledges": lambda r, _: (
        not _asks(r, "does not look like", "नहीं लगता", "not valid", "सही नहीं")
        and _asks(
            r,
            "welcome",
            "glad",
            "bye",
            "thank",
            "take care",
            "धन्यवाद",
            "स्वागत",
            "खुशी",
            "शुक्रिया",
            "अलविदा",
            "नमस्ते",
            "koi baat nahi",
            "dhanyavaad",
            "dhanyawad",
            "shukriya",
            "swagat",
            "khushi",
            "alvida",
        )
    ),
    "shows_own_progress": lambda r, _: bool(PROGRESS.search(r.text)),
    "no_personal_data": lambda r, _: not shows_personal_data(r),
    "refuses_other_person": lambda r, _: _asks(
        r,
        "another person",
        "someone else",
        "other person",
        "colleague",
        "cannot show",
        "can't show",
        "किसी और",
        "दूसरे",
        "सहकर्मी",
        "kisi aur",
        "doosre",
        "dusre",
        "nahi dikha sakta",
    ),
    "replies_in_english": lambda r, _: in_english(r),
    "replies_in_hindi": lambda r, _: in_hindi(r),
    "not_repeated": lambda r, previous: previous is None or "\n".join(r.texts) != "\n".join(previous.texts),
}


def not_sure_or_out_of_scope(reply: Reply) -> bool:
    """Says plainly that it does not know (a citation may show where it looked), or cites nothing and
    offers the helpdesk; a cited answer that claims to know fails."""
    return bool(NOT_SURE.search(reply.text)) or (not CITATION.search(reply.text) and offers_helpdesk(reply))


# ---------------------------------------------------------------------------------------------------------
# The sets


@dataclass(frozen=True)
class Question:
    id: str
    language: str
    topic: str
    style: str
    text: str
    facts: list[list[str]]
    out_of_scope: bool
    split: str


@dataclass(frozen=True)
class Turn:
    user: str
    facts: list[list[str]]
    behaviours: list[str]
    forbidden: list[str]


@dataclass(frozen=True)
class Conversation:
    id: str
    language: str
    topic: str
    persona: str | None
    turns: list[Turn]
    split: str


def load_questions(path: Path = QUESTIONS_FILE) -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Question(
            id=str(q["id"]),
            language=q["language"],
            topic=q["topic"],
            style=q.get("style", "plain"),
            text=str(q["text"]),
            facts=[[str(form) for form in fact] for fact in q.get("facts") or []],
            out_of_scope=q.get("expect") == "not_sure_or_out_of_scope",
            split=q["split"],
        )
        for q in data["questions"]
    ]


def load_conversations(path: Path = CONVERSATIONS_FILE) -> list[Conversation]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    conversations = []
    for c in data["conversations"]:
        turns = []
        for t in c["turns"]:
            expect = t.get("expect") or {}
            turns.append(
                Turn(
                    user=str(t["user"]),
                    facts=[[str(form) for form in fact] for fact in expect.get("facts") or []],
                    behaviours=list(expect.get("behaviours") or []),
                    forbidden=[str(text) for text in expect.get("not") or []],
                )
            )
        conversations.append(
            Conversation(str(c["id"]), c["language"], c["topic"], c.get("persona"), turns, c["split"])
        )
    return conversations


# ---------------------------------------------------------------------------------------------------------
# Scoring against the running assistant


@dataclass
class Tally:
    passed: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.passed += ok
        self.total += 1

    def __str__(self) -> str:
        share = self.passed / self.total if self.total else 0.0
        return f"{share:5.3f} ({self.passed}/{self.total})"


@dataclass
class Report:
    by_language: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_topic: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    overall: Tally = field(default_factory=Tally)
    failures: list[str] = field(default_factory=list)
    # Why items failed, as counts only: safe to print for the test half, which is never read item by item.
    causes: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def question_passes(question: Question, reply: Reply) -> tuple[bool, list[str]]:
    if question.out_of_scope:
        return not_sure_or_out_of_scope(reply), ["not sure / out of scope"]
    missing = [" | ".join(fact) for fact in question.facts if not contains(reply.text, fact)]
    return not missing, missing


def _passages() -> list[str]:
    """Every passage of the knowledge base, normalised: where a missing fact is looked for."""
    return [
        normalise(chunk.text)
        for path in find_documents([ROOT / "knowledge" / "docs"])
        for chunk in chunk_document(read_document(path))
    ]


def failure_cause(question: Question, reply: Reply, passages: list[str]) -> str:
    """Which part failed, judged from the reply alone: the search (not sure, wrong passage), the excerpt
    (the fact is in the cited passage but was cut), the knowledge base (no passage has it), or routing
    (a flow's or a fixed reply instead of an answer)."""
    if question.out_of_scope:
        return "out of scope, answered as if known"
    cited = bool(CITATION.search(reply.text))
    if not cited:
        if NOT_SURE.search(reply.text) or len(reply.buttons) >= 2:
            return "not sure (closest topics)"
        return "a flow or fixed reply, no citation"
    missing = [fact for fact in question.facts if not contains(reply.text, fact)]
    opening = normalise(reply.texts[0].split("\n")[0])[:80] if reply.texts else ""
    source = next((p for p in passages if opening.strip() and opening.strip() in p), None)
    if source is not None and all(any(normalise(str(f)) in source for f in fact) for fact in missing):
        return "right passage, fact cut from the excerpt"
    if all(any(any(normalise(str(f)) in p for f in fact) for p in passages) for fact in missing):
        return "another passage holds the fact"
    return "no passage holds the fact as written"


def score_questions(servers: Servers, questions: list[Question]) -> Report:
    report = Report()
    passages = _passages()
    for n, question in enumerate(questions):
        reply = Reply.from_rest(servers.say(f"blind-q-{question.id}-{n}-{int(time.time())}", question.text))
        ok, missing = question_passes(question, reply)
        for tally in (report.overall, report.by_language[question.language], report.by_topic[question.topic]):
            tally.add(ok)
        if not ok:
            report.causes[failure_cause(question, reply, passages)] += 1
            report.failures.append(
                f"{question.id} [{question.language}/{question.topic}/{question.style}] {question.text!r}\n"
                f"    missing: {missing}\n    reply: {reply.text[:400]!r}"
            )
    return report


def code_mailed(servers: Servers, address: str, after: int) -> str:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for recipients, raw in reversed(servers.inbox.messages[after:]):
            if address in recipients:
                message = message_from_string(raw, policy=policy.default)
                assert isinstance(message, EmailMessage)
                body = message.get_body(("plain",))
                found = re.search(r"\b(\d{6})\b", body.get_content() if body else "")
                if found:
                    return found.group(1)
        time.sleep(0.1)
    return "000000"  # no mail came: the turn is scored as typed


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def turn_passes(
    turn: Turn, reply: Reply, previous: Reply | None, language: str = "en"
) -> tuple[bool, list[str]]:
    """A Hinglish user is answered "in Hindi" in Devanagari or, as the issue asks, in romanised Hindi."""
    problems = [f"missing {' | '.join(fact)}" for fact in turn.facts if not contains(reply.text, fact)]
    problems += [f"shows {text!r}" for text in turn.forbidden if contains(reply.text, [text])]
    for behaviour in turn.behaviours:
        check = BEHAVIOURS.get(behaviour)
        if check is None:
            problems.append(f"unknown behaviour {behaviour}")
        elif behaviour == "replies_in_hindi" and language == "hinglish" and in_romanised_hindi(reply):
            continue
        elif not check(reply, previous):
            problems.append(f"not {behaviour}")
    return not problems, problems


def score_conversations(servers: Servers, conversations: list[Conversation]) -> tuple[Report, Report]:
    """Per turn and per whole conversation."""
    turns, whole = Report(), Report()
    for conversation in conversations:
        sender = f"blind-c-{conversation.id}-{int(time.time() * 1000)}"
        previous: Reply | None = None
        last_email: str | None = (
            PERSONAS[conversation.persona][1] if conversation.persona in PERSONAS else None
        )
        mails_before = len(servers.inbox.messages)
        all_ok = True
        for number, turn in enumerate(conversation.turns, start=1):
            text = turn.user
            if "{code}" in text and last_email:
                text = text.replace("{code}", code_mailed(servers, last_email, mails_before))
            found = EMAIL.search(text)
            if found:
                last_email, mails_before = found.group(0).lower(), len(servers.inbox.messages)
            reply = Reply.from_rest(servers.say(sender, text))
            ok, problems = turn_passes(turn, reply, previous, conversation.language)
            all_ok &= ok
            for tally in (
                turns.overall,
                turns.by_language[conversation.language],
                turns.by_topic[conversation.topic],
            ):
                tally.add(ok)
            if not ok:
                for problem in problems:
                    turns.causes[
                        problem.split(" ")[0] + " fact"
                        if problem.startswith(("missing", "shows"))
                        else problem
                    ] += 1
                turns.failures.append(
                    f"{conversation.id} turn {number} [{conversation.language}/{conversation.topic}] "
                    f"{turn.user!r}\n    {problems}\n    reply: {reply.text[:400]!r}"
                )
            previous = reply
        for tally in (
            whole.overall,
            whole.by_language[conversation.language],
            whole.by_topic[conversation.topic],
        ):
            tally.add(all_ok)
    return turns, whole


def print_report(title: str, report: Report, *, topics: bool = True) -> None:
    print(f"  {title}: {report.overall}")
    for language in ("en", "hi", "hinglish"):
        if language in report.by_language:
            print(f"    {language:9s} {report.by_language[language]}")
    if topics:
        for topic in sorted(report.by_topic):
            print(f"      {topic:22s} {report.by_topic[topic]}")
    if report.causes:
        print("    why items failed (counts):")
        for cause, count in sorted(report.causes.items(), key=lambda item: -item[1]):
            print(f"      {count:4d}  {cause}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["dev", "test", "both"], default="test")
    parser.add_argument("--set", choices=["questions", "conversations", "both"], default="both")
    parser.add_argument("--failures", action="store_true", help="list the dev half's failures one by one")
    parser.add_argument(
        "--ids", help="only the items whose id matches this regular expression (e.g. a batch)"
    )
    args = parser.parse_args(argv)
    if args.failures and args.half != "dev":
        sys.exit("failures are listed for the dev half only: the test half is never read item by item")
    halves = ["dev", "test"] if args.half == "both" else [args.half]
    questions = load_questions() if args.set != "conversations" else []
    conversations = load_conversations() if args.set != "questions" else []
    if args.ids:
        chosen = re.compile(args.ids)
        questions = [q for q in questions if chosen.match(q.id)]
        conversations = [c for c in conversations if chosen.match(c.id)]
    with tempfile.TemporaryDirectory() as workdir:
        servers = start_servers(Path(workdir))
        try:
            for half in halves:
                asked = [q for q in questions if q.split == half]
                talked = [c for c in conversations if c.split == half]
                print(
                    f"Blind set, {half} half: {len(asked)} questions, {len(talked)} conversations "
                    f"({sum(len(c.turns) for c in talked)} turns)"
                )
                single = score_questions(servers, asked)
                turns, whole = score_conversations(servers, talked)
                if asked:
                    print_report("single questions, key fact in the reply", single)
                if talked:
                    leaks = sum(
                        1
                        for failure in turns.failures
                        if "not no_personal_data" in failure or "not refuses_other_person" in failure
                    )
                    print_report("conversation turns passed", turns, topics=False)
                    print_report("whole conversations passed", whole, topics=False)
                    print(
                        "  turns showing personal data where they must not, or not refusing a third person: "
                        f"{leaks}"
                    )
                if args.failures:
                    print("\nFailures (dev half):")
                    for failure in single.failures + turns.failures:
                        print("  " + failure)
        finally:
            servers.stop()


if __name__ == "__main__":
    main()
