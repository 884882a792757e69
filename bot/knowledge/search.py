"""Hybrid search over the knowledge index: sentence embeddings fused with BM25.

The embedding model reads English well and Hindi poorly; BM25 finds Hindi words, order numbers, dates
and e-mail addresses exactly. A passage's score is its cosine similarity plus a saturated BM25 term,
and the best score of a query is compared with a threshold calibrated on our evaluation set.
"""

import copy
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import regex
import yaml

from bot.knowledge.chunking import Chunk
from bot.knowledge.embeddings import Encoder
from bot.knowledge.index import REBUILD_HINT, IndexUnavailable, StoredIndex, load_index
from bot.knowledge.loanwords import Loanwords
from bot.knowledge.questions import OutsideTopics
from bot.knowledge.spelling import Speller
from bot.language import STOPWORDS, spelling_key, tokenize, words
from bot.settings import Settings

# The lexical term is bm25 / (bm25 + SATURATION), weighted by LEXICAL_WEIGHT; tuned on bench/kb_eval.yml
# with `python -m bench.kb_eval --tune`.
LEXICAL_WEIGHT = 5.0
SATURATION = 30.0
NGRAM = 3
CANDIDATES = 50
_DEVANAGARI = regex.compile(r"\p{Devanagari}")
# BM25 counts a section's heading this many times (as BM25F weights a title field): a heading names what
# its section answers, so a question sharing its words belongs there rather than in a sibling section
# that only mentions them.
HEADING_WEIGHT = 3
# A passage that holds this share of the question's words is answered from a little below the threshold.
COVERAGE_NEEDED = 0.8
COVERAGE_MARGIN = 0.8
COVERAGE_WEIGHT = 0.5
SOLE_PASSAGE_MARGIN = 1.2
COVERAGE_LEAD = 0.2
# A passage this far ahead of every other is answered from a little below the threshold: "igot free hai
# ya paid?" scores low for its few words, yet nothing else comes near the passage on fees (offline on the
# blind dev half: +4 answers, one question outside the sources now answered "no figure given"; margins
# of 0.3 to 1.0 and leads of 0.4 to 1.0 were tried).
CLEAR_LEAD = 0.4
CLEAR_LEAD_MARGIN = 0.6
RERANKED = 8
PREFIX = 5
# The document whose sections each explain one short form, headed "<short form>: <full form>".
ACRONYMS_DOC = "acronyms"
# The passages searched. The romanised Hindi versions are only shown, to a Hinglish reader: searched as
# well, they changed which passage wins in every language, and unseen questions fared no better
# (0.811 against 0.833 on the fourth blind batch, bench/blind_eval.py).
SEARCHED_LANGUAGES = frozenset({"en", "hi"})
# A second passage answers with the best one when it scores within this of it and its heading names a
# word of the question that the best one lacks, a word no more than this many headings use (chosen on
# the blind dev half, where single questions went from 0.895 to 0.904 and turns from 0.848 to 0.854).
COMPLEMENT_MARGIN = 0.5
TELLING_HEADINGS = 3
MIN_TELLING_CHARS = 3
# A passage gains EXAMPLE_WEIGHT for each point by which its closest example question (knowledge/
# examples/) is nearer to the query than EXAMPLE_FLOOR: a question phrased like one of its examples
# lifts it among its siblings. Chosen on the fifth blind batch, unseen when the examples were written:
# its questions went from 0.794 to 0.811 with the search alone, the older dev batches held (0.880);
# end to end on the whole dev half, conversation turns went from 0.856 to 0.873.
EXAMPLE_WEIGHT = 2.0
EXAMPLE_FLOOR = 0.6


class Glossary:
    """Hindi and Hinglish words with their English meaning (knowledge/glossary.yml).

    `english` rewrites a question word by word so that the English-only embedding model can read it.
    """

    MAX_PHRASE = 3

    def __init__(self, meanings: dict[str, list[str]]) -> None:
        self.loanwords: Loanwords | None = None
        self._phrases: dict[tuple[str, ...], str] = {}
        # One-word spellings as a message's words read them: "एपार" -> "APAR".
        self.written: dict[str, str] = {}
        for english, spellings in meanings.items():
            for spelling in spellings:
                key = tuple(map(spelling_key, words(str(spelling))))
                if key:
                    self._phrases[key] = english
                if len(key) == 1:
                    self.written[words(str(spelling))[0]] = english

    def spellings(self) -> list[str]:
        """Every word the glossary reads, as its key spells it: known words, never typos."""
        return [word for phrase in self._phrases for word in phrase]

    @classmethod
    def load(cls, path: Path) -> "Glossary":
        """The glossary in `path`; none (no rewriting) when the file does not exist."""
        if not path.exists():
            return cls({})
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(data.get("glossary") or {})

    def reading_loanwords(self, loanwords: Loanwords) -> "Glossary":
        """This glossary, also reading English words spelt in Devanagari (`Loanwords`)."""
        reading = copy.copy(self)
        reading.loanwords = loanwords
        return reading

    def english(self, text: str) -> str | None:
        """The text with every known word replaced by its meaning, or None when no word is known.

        Words left untranslated are dropped when they are Devanagari or Hindi particles: the English
        model reads "course complete deadline" better than "course complete करने की deadline क्या है".
        """
        found = words(text)
        keys = [spelling_key(word) for word in found]
        out: list[str] = []
        replaced = False
        i = 0
        while i < len(found):
            for size in range(min(self.MAX_PHRASE, len(found) - i), 0, -1):
                meaning = self._phrases.get(tuple(keys[i : i + size]))
                if meaning:
                    out.append(meaning)
                    replaced = True
                    i += size
                    break
            else:
                loanword = self.loanwords.english(found[i]) if self.loanwords else None
                if loanword:
                    out.append(loanword)
                    replaced = True
                elif not _DEVANAGARI.search(found[i]) and found[i] not in STOPWORDS:
                    out.append(found[i])
                i += 1
        return " ".join(out) if replaced else None


def lexical_terms(text: str) -> list[str]:
    """BM25 terms: the words plus their character trigrams, so that inflected Hindi ("पाठ्यक्रमों" for
    "पाठ्यक्रम") and misspelt Hinglish still share terms with the passage."""
    words = tokenize(text)
    grams = [
        padded[i : i + NGRAM]
        for word in words
        if len(word) > NGRAM
        for padded in (f"#{word}#",)
        for i in range(len(padded) - NGRAM + 1)
    ]
    return words + grams


def passage_terms(chunk: Chunk) -> list[str]:
    """A passage's BM25 terms, its heading weighted by `HEADING_WEIGHT`."""
    return lexical_terms(chunk.search_text) + lexical_terms(chunk.heading) * (HEADING_WEIGHT - 1)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    dense: float  # the cosine, plus the lift from the passage's example questions
    lexical: float


def is_short_form_entry(hit: Hit) -> bool:
    """Whether the hit is a short form's own entry in the list of short forms ("MDO: Ministry…")."""
    return hit.chunk.source.doc_id == ACRONYMS_DOC


class KnowledgeBase:
    """One loaded index with its encoder and BM25 ranker; safe to share between threads for reading."""

    def __init__(
        self,
        stored: StoredIndex,
        encoder: Encoder,
        *,
        min_score: float,
        lexical_weight: float = LEXICAL_WEIGHT,
        saturation: float = SATURATION,
        glossary: Glossary | None = None,
        outside: OutsideTopics | None = None,
    ) -> None:
        if stored.manifest.model != encoder.name:
            raise IndexUnavailable(
                f"the knowledge index was built with the model {stored.manifest.model!r}, but the assistant "
                f"is configured with {encoder.name!r}; rebuild the index with `{REBUILD_HINT}`"
            )
        self.stored = stored
        self.encoder = encoder
        self.min_score = min_score
        self.lexical_weight = lexical_weight
        self.saturation = saturation
        self.glossary = (glossary or Glossary({})).reading_loanwords(
            Loanwords(
                (word for c in stored.chunks if c.language == "en" for word in words(c.text)),
                (word for c in stored.chunks if c.language == "hi" for word in words(c.text)),
            )
        )
        self.outside = outside or OutsideTopics([])
        self.chunks = stored.chunks
        self._by_id: dict[tuple[str, str], Chunk] = {(c.id, c.language): c for c in self.chunks}
        self._searched = np.array([c.language in SEARCHED_LANGUAGES for c in self.chunks], dtype=bool)
        self._vocabulary: dict[str, frozenset[str]] = {}
        self._headings: dict[str, frozenset[str]] = {}
        for chunk in (c for c in self.chunks if c.language in SEARCHED_LANGUAGES):
            known = self._vocabulary.get(chunk.id, frozenset())
            self._vocabulary[chunk.id] = known | frozenset(tokenize(chunk.search_text))
            self._headings[chunk.id] = self._headings.get(chunk.id, frozenset()) | frozenset(
                tokenize(chunk.heading)
            )
        self.speller = Speller(
            (word for chunk_id in self._vocabulary for word in self._vocabulary[chunk_id]),
            [
                *(word for c in self.chunks for word in words(f"{c.heading} {c.text}")),
                *(word for e in stored.examples for word in words(e.text)),
                *self.glossary.spellings(),
                *STOPWORDS,
                *encoder.vocabulary(),
            ],
        )
        # "mdo" -> "acronyms#mdo": a two-word "MDO meaning" is answered from its own section; a heading may
        # give other spellings in brackets ("Parichay (परिचय): …").
        self.acronyms: dict[str, str] = {
            spelling: c.id
            for c in self.chunks
            if c.source.doc_id == ACRONYMS_DOC and ":" in c.heading
            for spelling in short_form_spellings(c.heading.split(":")[0])
        }
        # And by the glossary's Devanagari spellings of a short form ("एपार", "ओटीपी").
        self.acronyms |= {
            spelling: self.acronyms[english.casefold()]
            for spelling, english in self.glossary.written.items()
            if english.casefold() in self.acronyms and _DEVANAGARI.search(spelling)
        }
        # "mdo" -> "Ministry, Department and Organisation": what a short form used in passing is searched as.
        headings = {
            c.id: c.heading for c in self.chunks if c.source.doc_id == ACRONYMS_DOC and c.language == "en"
        }
        self.full_forms: dict[str, str] = {
            spelling: headings[chunk_id].split(":", 1)[1].strip()
            for spelling, chunk_id in self.acronyms.items()
            if ":" in headings.get(chunk_id, "")
        }
        # Each example question's column: the passage id it stands for; each passage row's column, or -1.
        example_ids = sorted({e.chunk_id for e in stored.examples})
        column = {chunk_id: n for n, chunk_id in enumerate(example_ids)}
        self._example_columns = np.array([column[e.chunk_id] for e in stored.examples], dtype=np.int64)
        self._row_columns = np.array([column.get(c.id, -1) for c in self.chunks], dtype=np.int64)
        self._bm25 = bm25s.BM25()
        self._bm25.index(
            [passage_terms(self.chunks[row]) or [""] for row in np.flatnonzero(self._searched)],
            show_progress=False,
        )

    @classmethod
    def load(
        cls,
        folder: Path,
        encoder: Encoder,
        *,
        min_score: float,
        glossary: Glossary | None = None,
        outside: OutsideTopics | None = None,
    ) -> "KnowledgeBase":
        return cls(load_index(folder), encoder, min_score=min_score, glossary=glossary, outside=outside)

    @classmethod
    def configured(cls, folder: Path, encoder: Encoder, settings: Settings) -> "KnowledgeBase":
        """The index in `folder` with the threshold, glossary and outside topics the settings name."""
        return cls.load(
            folder,
            encoder,
            min_score=settings.kb_min_score,
            glossary=Glossary.load(settings.kb_glossary),
            outside=OutsideTopics.load(settings.kb_outside),
        )

    def readings(self, query: str) -> list[str]:
        """The texts to embed for a query: itself (its typos corrected), and its English reading when the
        glossary has one."""
        query = self.speller.corrected(query) or query
        english = self.glossary.english(query)
        return [query, english] if english else [query]

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The best passages, one per chunk id (the best of its language versions), best first."""
        readings = self.readings(query)
        hits = self.search_vectors(readings, self.encoder.encode(readings), max(k, RERANKED))
        # Among close scores, the passage holding more of the question's words comes first: "कुल कितने
        # कोर्स और कितनी भाषाओं में" is about the catalogue, not the 50% rule, though both name courses.
        terms = self._reading_terms(query)
        ranked = sorted(hits, key=lambda h: -(h.score + COVERAGE_WEIGHT * self._covered(terms, h.chunk.id)))
        return ranked[:k]

    def search_vectors(self, readings: list[str], vectors: np.ndarray, k: int = 5) -> list[Hit]:
        """Search with precomputed embeddings of `readings` (see `readings`); a passage's cosine is the
        best over the readings and its BM25 terms come from all of them.

        Candidates come from both rankers, and every candidate is scored by both: a Hindi passage can
        win on BM25 while the English-only model ranks it nowhere near the dense top-k; scoring it with
        its exact cosine (from the stored vectors) rather than a default keeps the two comparable.
        """
        count = len(self.chunks)
        if count == 0:
            return []
        wanted = min(CANDIDATES, count)
        # Each reading's dense top-k among the searched passages (the shown-only ones are skipped over).
        _scores, rows = self.stored.faiss_index.search(vectors, count)
        found = (ranked[ranked >= 0] for ranked in rows)
        dense_rows = np.concatenate([ranked[self._searched[ranked]][:wanted] for ranked in found])
        tokens = [t for text in readings for t in lexical_terms(text)]
        bm25 = np.full(count, -1.0, dtype=np.float32)  # below any score: a shown-only passage is no candidate
        bm25[self._searched] = self._bm25.get_scores(tokens) if tokens else 0.0
        lexical_rows = np.argpartition(-bm25, wanted - 1)[:wanted]
        lift = self._example_lift(vectors)
        example_rows = np.flatnonzero((lift > 0) & self._searched)
        candidates = np.union1d(
            np.union1d(dense_rows, lexical_rows[self._searched[lexical_rows]]), example_rows
        ).astype(np.int64)
        dense = (self.stored.vectors[candidates] @ vectors.T).max(axis=1) + lift[candidates]
        lexical = bm25[candidates] / (bm25[candidates] + self.saturation)
        fused = dense + self.lexical_weight * lexical
        best: dict[str, Hit] = {}
        for i in np.argsort(-fused):
            chunk = self.chunks[candidates[i]]
            if chunk.id not in best:
                best[chunk.id] = Hit(chunk, float(fused[i]), float(dense[i]), float(lexical[i]))
                if len(best) == k:
                    break
        return list(best.values())

    def _example_lift(self, vectors: np.ndarray) -> np.ndarray:
        """Per passage row, what its closest example question adds to its dense score (0 for none)."""
        lift = np.zeros(len(self.chunks), dtype=np.float32)
        if not len(self._example_columns):
            return lift
        nearest = (self.stored.example_vectors @ vectors.T).max(axis=1)
        best = np.full(int(self._example_columns.max()) + 1, -1.0, dtype=np.float32)
        np.maximum.at(best, self._example_columns, nearest)
        has = self._row_columns >= 0
        lift[has] = EXAMPLE_WEIGHT * np.maximum(best[self._row_columns[has]] - EXAMPLE_FLOOR, 0.0)
        return lift

    def confident(self, hits: list[Hit], query: str | None = None) -> bool:
        """Sure enough to answer from the best hit: its score clears the threshold, or, a little below
        it, the passage is far ahead of every other, or holds nearly every word the question asks about
        ("50% rule?" scores low only because it is short)."""
        if not hits:
            return False
        if hits[0].score >= self.min_score:
            return True
        if (
            len(hits) > 1
            and hits[0].score >= self.min_score - CLEAR_LEAD_MARGIN
            and all(hits[0].score - hit.score >= CLEAR_LEAD for hit in hits[1:])
        ):
            return True
        if query is None:
            return False
        terms = self._reading_terms(query)
        covered = self._covered(terms, hits[0].chunk.id)
        # A close runner-up that holds the words as well leaves the choice open ("how do I register?":
        # the Register button, or the steps?).
        contested = any(
            hits[0].score - hit.score < COVERAGE_LEAD and self._covered(terms, hit.chunk.id) >= covered
            for hit in hits[1:]
        )
        if hits[0].score >= self.min_score - COVERAGE_MARGIN and covered >= COVERAGE_NEEDED and not contested:
            return True
        # "languages?": every word of a short question is in this passage and in no other close one.
        return (
            hits[0].score >= self.min_score - SOLE_PASSAGE_MARGIN
            and covered >= 1.0
            and all(self._covered(terms, hit.chunk.id) < 1.0 for hit in hits[1:])
        )

    def coverage(self, query: str, chunk_id: str) -> float:
        """The share of the question's content words (in the best of its readings) that the passage, in
        any of its languages, contains: exactly, or as an inflection sharing its first letters."""
        return self._covered(self._reading_terms(query), chunk_id)

    def _reading_terms(self, query: str) -> list[set[str]]:
        """The content words of each reading of `query`, computed once for all the passages compared."""
        return [terms for terms in (set(tokenize(r)) for r in self.readings(query)) if terms]

    def _covered(self, readings: list[set[str]], chunk_id: str) -> float:
        vocabulary = self._vocabulary.get(chunk_id, frozenset())
        shares = (sum(in_vocabulary(t, vocabulary) for t in terms) / len(terms) for terms in readings)
        return max(shares, default=0.0)

    def complement(self, hits: list[Hit], query: str) -> tuple[Hit, set[str]] | None:
        """A close runner-up that answers a part of the question the best passage leaves out: its
        heading names a telling word of the question that the best passage lacks ("…of what date, and
        who has signed it?": the circular's summary, then who signed it). Telling: a heading word few
        sections use, so that "kis" or "होगी" never brings a second passage. With it, the words it
        answers."""
        best = hits[0]
        lacking = {
            word
            for word in tokenize(query)
            if len(word) >= MIN_TELLING_CHARS
            and not in_vocabulary(word, self._vocabulary.get(best.chunk.id, frozenset()))
            and sum(in_vocabulary(word, heading) for heading in self._headings.values()) <= TELLING_HEADINGS
        }
        for hit in hits[1:]:
            if best.score - hit.score > COMPLEMENT_MARGIN:
                break
            named = {w for w in lacking if in_vocabulary(w, self._headings.get(hit.chunk.id, frozenset()))}
            if named:
                return hit, named
        return None

    def mentions(self, chunk_id: str, word: str) -> bool:
        """Whether the passage (English or Hindi) has the word, or one that begins like it."""
        return in_vocabulary(word, self._vocabulary.get(chunk_id, frozenset()))

    def spread(self, word: str) -> int:
        """In how many passages the word (or one beginning like it) is: "iGOT" in nearly all, "OTP" in few."""
        return sum(in_vocabulary(word, vocabulary) for vocabulary in self._vocabulary.values())

    def knows(self, word: str) -> bool:
        """Whether any passage has the word: a word none has (a typo, a subject we lack) cannot be judged."""
        return any(in_vocabulary(word, vocabulary) for vocabulary in self._vocabulary.values())

    def searched_text(self, chunk_id: str) -> str:
        """All the searched text of the passage, in every language it is searched in."""
        return "\n".join(
            c.search_text for c in self.chunks if c.id == chunk_id and c.language in SEARCHED_LANGUAGES
        )

    def passage(self, chunk_id: str, language: str) -> Chunk | None:
        """The passage with this id, in the given language if there is such a version; else in English,
        which a reader of romanised Hindi also reads; else any."""
        return (
            self._by_id.get((chunk_id, language))
            or self._by_id.get((chunk_id, "en"))
            or next((c for c in self.chunks if c.id == chunk_id), None)
        )


def short_form_spellings(name: str) -> list[str]:
    """ "Parichay (परिचय)" -> ["parichay", "परिचय"], each as a message's words are read."""
    short, _, written = name.partition("(")
    return [
        " ".join(words(spelling)) if _DEVANAGARI.search(spelling) else spelling.strip().casefold()
        for spelling in [short, *written.rstrip(") ").split(",")]
        if spelling.strip()
    ]


def in_vocabulary(term: str, vocabulary: frozenset[str]) -> bool:
    if term in vocabulary:
        return True
    return len(term) >= PREFIX and any(word.startswith(term[:PREFIX]) for word in vocabulary)
