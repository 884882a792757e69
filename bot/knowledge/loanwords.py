"""English words written in Devanagari ("सेक्शन", "रजिस्ट्रेशन", "कॉम्पिटेंसी"), recognised by their sound.

Hindi questions are full of English terms spelt in Devanagari, far more than a glossary can list. The
English-only embedding model reads none of them. A word is matched to an English word of our passages
when both sound alike: the same consonants once spelling is folded ("section" and "सेक्शन" are both
s-k-s-n) and about as many syllables. Short words are left to the glossary: two consonants ("live",
"leave") say too little.
"""

import re
from collections import Counter
from collections.abc import Iterable

import regex

MIN_CONSONANTS = 4
# How many more or fewer syllables the Devanagari word may have ("प्रशासन" has three, "person" two).
SYLLABLE_SLACK = 1
_DEVANAGARI = regex.compile(r"\p{Devanagari}")
# Each consonant by its sound, as English would spell it; "_" for the ones English words do not sound.
_CONSONANTS = dict(
    zip("कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहळ", "kkggnccjjnttddnttddnpfbbm_rlvsss_l", strict=True)
)
_WITH_NUKTA = {"ज": "j", "फ": "f", "ड": "r", "ढ": "r", "क": "k", "ख": "k", "ग": "g"}
_NASAL = "ंँ"
_VIRAMA = "्"
_VOWEL_SIGNS = "ािीुूृेैोौॉॅ"
_VOWELS = "अआइईउऊऋएऐओऔऑ"
_NUKTA = "़"


def devanagari_sound(word: str) -> tuple[str, int]:
    """The consonants of a Devanagari word and its syllable count (a final bare consonant has none)."""
    consonants: list[str] = []
    syllables = 0
    letters = word.replace(_NUKTA, "")
    for n, char in enumerate(word):
        if char in _CONSONANTS:
            nukta = n + 1 < len(word) and word[n + 1] == _NUKTA
            sound = _WITH_NUKTA[char] if nukta and char in _WITH_NUKTA else _CONSONANTS[char]
            consonants.append(sound)
        elif char in _NASAL:
            consonants.append("n")
        if char in _VOWELS or char in _VOWEL_SIGNS:
            syllables += 1
    # A consonant that no sign follows carries the inherent vowel, except at the end of the word.
    for n, char in enumerate(letters[:-1]):
        following = letters[n + 1]
        if char in _CONSONANTS and following not in _VOWEL_SIGNS + _VIRAMA:
            syllables += 1
    return _folded("".join(consonants)), syllables


def english_sound(word: str) -> tuple[str, int]:
    """The consonants of an English word as Hindi would write them, and its syllable count."""
    spelt = word.casefold()
    syllables = max(1, len(re.findall(r"[aeiouy]+", re.sub(r"e$", "", spelt))))
    spelt = re.sub(r"[ts]ion", "sn", spelt)
    for written, said in (("ph", "f"), ("ck", "k"), ("x", "ks"), ("q", "k"), ("z", "j"), ("w", "v")):
        spelt = spelt.replace(written, said)
    spelt = re.sub(r"c(?=[eiy])", "s", spelt)
    spelt = re.sub(r"g(?=[eiy])", "j", spelt)
    spelt = spelt.replace("ch", "C").replace("c", "k").replace("C", "c")
    return _folded(re.sub(r"[aeiouyh]", "", spelt)), syllables


def _folded(consonants: str) -> str:
    return re.sub(r"(.)\1+", r"\1", consonants.replace("_", ""))


class Loanwords:
    """The English words of our passages by their sound, for reading Devanagari spellings of them."""

    def __init__(self, english: Iterable[str], hindi: Iterable[str]) -> None:
        by_sound: dict[str, Counter[str]] = {}
        for word in english:
            if word.isascii() and word.isalpha():
                consonants = english_sound(word)[0]
                if len(consonants) >= MIN_CONSONANTS:
                    by_sound.setdefault(consonants, Counter())[word.casefold()] += 1
        self._by_sound = {
            consonants: [(w, english_sound(w)[1]) for w, _ in counts.most_common()]
            for consonants, counts in by_sound.items()
        }
        # A word our Hindi passages use is Hindi ("प्रश्न"), whatever English word it sounds like.
        self._hindi = frozenset(hindi)

    def english(self, word: str) -> str | None:
        """The English word that this Devanagari word spells, or None."""
        if word in self._hindi or not _DEVANAGARI.search(word):
            return None
        consonants, syllables = devanagari_sound(word)
        for candidate, candidate_syllables in self._by_sound.get(consonants, []):
            if abs(candidate_syllables - syllables) <= SYLLABLE_SLACK:
                return candidate
        return None
