"""Mistyped English words read as the passage words they were meant to be ("recordd" -> "record",
"complition" -> "completion"): a typo is in no passage, so BM25 cannot match it and it counts against a
passage's coverage of the question."""

from collections.abc import Iterable

import regex
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.language import respelt

# Shorter words are too often another real word ("karna" is not "karma"); one edit is allowed below
# LONG_WORD letters, two from there.
MIN_LENGTH = 5
LONG_WORD = 8
# Candidates this many letters alike at their start are one word's inflections.
SAME_STEM = 5
_LATIN = regex.compile(r"[a-z]+")


class Speller:
    """Corrects words that no passage, example question or glossary entry knows to the one passage word
    a single edit (two for long words) away; a word with two such candidates, unless inflections of one
    word, is left as it is."""

    def __init__(self, targets: Iterable[str], known: Iterable[str]) -> None:
        self._targets = sorted({w for w in targets if _LATIN.fullmatch(w) and len(w) >= MIN_LENGTH - 1})
        self._known = frozenset(known) | frozenset(self._targets)

    def corrected(self, text: str) -> str | None:
        """The text with each typo corrected and all else as typed, or None when there was none."""
        return respelt(text, self._fix)

    def _fix(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH or word in self._known or not _LATIN.fullmatch(word):
            return None
        allowed = 1 if len(word) < LONG_WORD else 2
        near = [
            found
            for found in process.extract(
                word, self._targets, scorer=DamerauLevenshtein.distance, score_cutoff=allowed, limit=3
            )
            if len(word) >= LONG_WORD or _slip(word, str(found[0]))
        ][:2]
        if not near:
            return None
        first = str(near[0][0])
        if len(near) == 2 and near[0][1] == near[1][1]:
            second = str(near[1][0])
            # Two inflections of one word ("record", "recorded" for "recordd") are no real doubt; nor is
            # a word whose first letter was typed as meant ("cources": "courses", not "sources").
            if second[:SAME_STEM] == first[:SAME_STEM]:
                return first
            starting = [w for w in (first, second) if w[0] == word[0]]
            return starting[0] if len(starting) == 1 else None
        return first


# Letters that sound alike, put for one another in spelling by ear ("cources", "portel").
_SOUND_ALIKE = frozenset(
    {frozenset("cs"), frozenset("ck"), frozenset("ae"), frozenset("ei"), frozenset("iy")}
)


def _slip(word: str, meant: str) -> bool:
    """Whether a short word differs from the one meant as fingers slip, by a letter left out, doubled or
    swapped ("mobil", "quizes", "stpes"), or as it is spelt by ear, by a letter that sounds alike
    ("cources", "portel"); not by any other letter in its place, which often makes another real word, in
    Hinglish too ("karwa" is not "karma", "warna" not "warns")."""
    if len(word) != len(meant) or sorted(word) == sorted(meant):
        return True
    differ = [frozenset((a, b)) for a, b in zip(word, meant, strict=True) if a != b]
    return len(differ) == 1 and differ[0] in _SOUND_ALIKE
