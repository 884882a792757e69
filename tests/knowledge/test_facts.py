"""The fact inventory (knowledge/facts.yml): every fact in the sources has a passage that states it."""

import os
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bench.blind_eval import contains, load_questions
from bot.knowledge.chunking import Chunk, chunk_document
from bot.knowledge.documents import find_documents, read_document
from bot.settings import ROOT

FACTS = yaml.safe_load((ROOT / "knowledge" / "facts.yml").read_text(encoding="utf-8"))["facts"]
SOURCES = Path(os.environ.get("SAHAYAK_SOURCES", ROOT.parent / "shared" / "sources"))


def _chunks() -> dict[tuple[str, str], Chunk]:
    chunks = {}
    for path in find_documents([ROOT / "knowledge" / "docs"]):
        document = read_document(path)
        for chunk in chunk_document(document):
            chunks[(chunk.id, document.source.language)] = chunk
    return chunks


CHUNKS = _chunks()


def test_fact_ids_are_unique() -> None:
    assert [i for i, n in Counter(f["id"] for f in FACTS).items() if n > 1] == []


@pytest.mark.parametrize("fact", FACTS, ids=[f["id"] for f in FACTS])
def test_every_fact_has_a_passage_that_states_it_in_both_languages(fact: dict) -> None:
    english = CHUNKS.get((fact["passage"], "en"))
    assert english is not None, f"{fact['id']}: no passage {fact['passage']}"
    assert contains(english.text, fact["forms"]), f"{fact['id']}: {fact['passage']} does not state it"
    assert (fact["passage"], "hi") in CHUNKS, f"{fact['id']}: no Hindi version of {fact['passage']}"


@pytest.mark.skipif(not SOURCES.is_dir(), reason=f"the source documents are not at {SOURCES}")
@pytest.mark.parametrize("fact", FACTS, ids=[f["id"] for f in FACTS])
def test_every_fact_points_at_the_source_line_that_states_it(fact: dict) -> None:
    name, line = fact["source"].rsplit(":", 1)
    path = SOURCES.parent / name if name == "DESIGN.md" else SOURCES / name
    text = path.read_text(encoding="utf-8").splitlines()[int(line) - 1]
    assert all(contains(text, [word]) for word in fact["mentions"]), f"{fact['id']}: line {line} moved"


def test_every_fact_is_asked_by_a_blind_question() -> None:
    """`asked_by` names blind questions whose key facts include the fact, and every fact has one."""
    questions = {q.id: q for q in load_questions()}
    for fact in FACTS:
        if fact.get("unasked"):  # only a term the sources use without spelling it out
            assert fact["id"].startswith("acronym-") and not fact.get("asked_by"), fact["id"]
            continue
        assert fact.get("asked_by"), f"{fact['id']}: no blind question asks it"
        for question_id in fact["asked_by"]:
            question = questions[question_id]
            assert any(contains(" ".join(fact["forms"]), forms) for forms in question.facts) or any(
                contains(" ".join(forms), fact["forms"]) for forms in question.facts
            ), f"{fact['id']}: {question_id} does not ask it"
