"""Example questions: stored with the index, kept incremental, and lifting the passage they ask about."""

import json
from pathlib import Path

import pytest

from bot.knowledge.documents import DocumentError
from bot.knowledge.examples import load_examples
from bot.knowledge.index import IndexUnavailable, load_index
from bot.knowledge.ingest import collect_chunks, ingest
from bot.knowledge.search import KnowledgeBase
from bot.settings import get_settings
from tests.conftest import KB_DOCS
from tests.fakes import HashingEncoder

EXAMPLES = """\
who-is-covered:
  en:
    - is this compulsory for state staff
  hi:
    - क्या यह सबके लिए ज़रूरी है
registration:
  hinglish:
    - naya account kaise banaye
no-such-section:
  en:
    - a question for a passage that does not exist
"""


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "test-order.yml").write_text(EXAMPLES, encoding="utf-8")
    return folder


def test_examples_are_read_by_passage_id(examples: Path) -> None:
    found = load_examples(examples)
    assert [(e.chunk_id, e.text) for e in found[:3]] == [
        ("test-order#who-is-covered", "is this compulsory for state staff"),
        ("test-order#who-is-covered", "क्या यह सबके लिए ज़रूरी है"),
        ("test-order#registration", "naya account kaise banaye"),
    ]
    assert load_examples(examples / "absent") == [] and load_examples(None) == []


def test_a_malformed_examples_file_is_named(examples: Path) -> None:
    (examples / "broken.yml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"broken\.yml"):
        load_examples(examples)


def test_examples_are_stored_with_the_index_and_embedded_only_when_changed(
    tmp_path: Path, examples: Path
) -> None:
    encoder = HashingEncoder()
    folder = tmp_path / "index"
    first = ingest([KB_DOCS], folder, encoder=encoder, examples_folder=examples)
    # The example for a section that does not exist is left out, with a warning that names it.
    assert first.manifest.example_count == 3
    assert any("test-order#no-such-section" in warning for warning in first.warnings)
    stored = load_index(folder)
    assert {e.chunk_id for e in stored.examples} == {"test-order#who-is-covered", "test-order#registration"}
    assert stored.example_vectors.shape == (3, encoder.dimension)
    before = encoder.encoded
    ingest([KB_DOCS], folder, encoder=encoder, examples_folder=examples)
    assert encoder.encoded == before  # nothing changed, nothing embedded
    (examples / "test-order.yml").write_text(EXAMPLES.replace("state staff", "state employees"))
    changed = ingest([KB_DOCS], folder, encoder=encoder, examples_folder=examples)
    assert encoder.encoded == before + 1
    assert changed.manifest.corpus_hash != first.manifest.corpus_hash


def test_damaged_examples_name_the_rebuild_command(tmp_path: Path, examples: Path) -> None:
    folder = tmp_path / "index"
    ingest([KB_DOCS], folder, encoder=HashingEncoder(), examples_folder=examples)
    lines = (folder / "examples.jsonl").read_text().splitlines()
    (folder / "examples.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(IndexUnavailable, match="sahayak kb ingest"):
        load_index(folder)


def test_an_index_of_the_old_format_asks_for_a_rebuild(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    ingest([KB_DOCS], folder, encoder=HashingEncoder())
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "format": 1}))
    with pytest.raises(IndexUnavailable, match="old format"):
        load_index(folder)


def test_a_question_like_an_example_lifts_its_passage(tmp_path: Path, examples: Path) -> None:
    encoder = HashingEncoder()
    ingest([KB_DOCS], tmp_path / "plain", encoder=encoder)
    ingest([KB_DOCS], tmp_path / "lifted", encoder=encoder, examples_folder=examples)
    asked = "naya account kaise banaye"  # shares no word with the passage it asks about
    plain = KnowledgeBase(load_index(tmp_path / "plain"), encoder, min_score=1.2)
    lifted = KnowledgeBase(load_index(tmp_path / "lifted"), encoder, min_score=1.2)
    before = {hit.chunk.id: hit.dense for hit in plain.search(asked, 5)}
    after = lifted.search(asked, 5)
    assert after[0].chunk.id == "test-order#registration"
    # Its exact example gives the full lift; the passages without a close example keep their score.
    assert after[0].dense == pytest.approx(before["test-order#registration"] + 2 * (1 - 0.6), abs=1e-4)
    others = {h.chunk.id: h.dense for h in after[1:]}
    assert others == pytest.approx({h: before[h] for h in others})
    assert others["test-order#who-is-covered"] == pytest.approx(
        before["test-order#who-is-covered"]
    )  # its examples are far


def test_every_shipped_example_names_a_passage_and_every_passage_has_some() -> None:
    chunks, _hashes, _warnings = collect_chunks([get_settings().kb_examples.parent / "docs"])
    passages = {chunk.id for chunk in chunks}
    shipped = load_examples(get_settings().kb_examples)
    assert shipped and {e.chunk_id for e in shipped} <= passages
    # Every passage has examples, so that none is left behind its lifted siblings.
    assert {e.chunk_id for e in shipped} == passages
