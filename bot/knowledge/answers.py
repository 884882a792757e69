"""Turning a retrieved passage into a short answer with its citation."""

import regex

from bot.knowledge.chunking import Chunk
from bot.knowledge.documents import Source
from bot.knowledge.search import tokenize

SHORT_ANSWER_CHARS = 600
LONG_ANSWER_CHARS = 1500
_SENTENCE_END = regex.compile(r"(?<=[.?!।])\s+|\n+")
_MORE = regex.compile(
    r"\b(more|details?|detailed|full|explain|elaborate|aur\s+batao|vistaar|vistar|poora|pura)\b|विस्तार|पूरा|और\s+बताइए",
    regex.IGNORECASE,
)


def wants_more(query: str) -> bool:
    return bool(_MORE.search(query))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def excerpt(text: str, query: str, limit: int = SHORT_ANSWER_CHARS) -> str:
    """The sentences that share most words with the question, in their original order, within `limit`.

    The first sentence is preferred: our passages open with their direct answer.
    """
    if len(text) <= limit:
        return text
    parts = sentences(text)
    wanted = set(tokenize(query))
    ranked = sorted(
        range(len(parts)),
        key=lambda i: (-(len(wanted & set(tokenize(parts[i]))) + (1.5 if i == 0 else 0)), i),
    )
    chosen: list[int] = []
    size = 0
    for i in ranked:
        if size + len(parts[i]) + 1 <= limit:
            chosen.append(i)
            size += len(parts[i]) + 1
    if not chosen:
        return parts[ranked[0]][: limit - 1].rstrip() + "…"
    return " ".join(parts[i] for i in sorted(chosen))


def citation(source: Source, language: str) -> str:
    """Title, then authority, number and date as the document gives them, then the link."""
    details = [source.authority or source.title]
    if source.number:
        details.append(("संख्या " if language == "hi" else "No. ") + source.number)
    if source.date:
        details.append(("दिनांक " if language == "hi" else "dated ") + source.date)
    label = "स्रोत" if language == "hi" else "Source"
    line = f"{label}: {source.title} ({', '.join(details)})"
    return f"{line}\n{source.link}" if source.link else line


def compose(chunk: Chunk, query: str, language: str) -> str:
    limit = LONG_ANSWER_CHARS if wants_more(query) else SHORT_ANSWER_CHARS
    return f"{excerpt(chunk.text, query, limit)}\n\n{citation(chunk.source, language)}"
