"""The NLU training data and the held-out set the bench scores it on (bench/nlu_crossval.py)."""

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tests.domain_files import load_domain

ROOT = Path(__file__).resolve().parent.parent
TRAINING = sorted((ROOT / "data" / "nlu").glob("*.yml"))
HELDOUT = ROOT / "bench" / "nlu_heldout.yml"
LANGUAGES = {"en", "hi", "hinglish"}
# `[text](entity)` or `[text]{"entity": ..., "value": ...}`
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\(([^)]*)\)|(\{[^}]*\}))")


def examples(path: Path) -> list[tuple[str, str, str]]:
    """(intent, language, text) of every example in an NLU file."""
    found = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        if "intent" not in block:
            continue
        language = (block.get("metadata") or {}).get("language", "")
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                found.append((block["intent"], language, line.strip()[2:]))
    return found


def plain(text: str) -> str:
    return " ".join(ANNOTATION.sub(r"\1", text).casefold().split())


@pytest.fixture(scope="module")
def training() -> list[tuple[str, str, str]]:
    return [example for path in TRAINING for example in examples(path)]


@pytest.fixture(scope="module")
def intents() -> list[str]:
    return load_domain()["intents"]


def test_every_intent_has_examples_in_every_language(training, intents) -> None:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for intent, language, _ in training:
        counts[intent, language] += 1
    assert {language for _, language, _ in training} == LANGUAGES
    assert [(i, lang) for i in intents for lang in LANGUAGES if counts[i, lang] < 30] == []


def test_no_text_is_labelled_twice(training) -> None:
    labels: dict[str, set[str]] = defaultdict(set)
    for intent, _, text in training:
        labels[plain(text)].add(intent)
    assert {text: found for text, found in labels.items() if len(found) > 1} == {}


def test_one_annotated_text_maps_to_one_value(training) -> None:
    """Rasa's synonym mapper keys on the text alone: "state" meaning a field and a level would clash."""
    values: dict[str, set[str]] = defaultdict(set)
    for _, _, text in training:
        for words, _, spec in ANNOTATION.findall(text):
            if spec and "value" in (entity := json.loads(spec)) and entity["value"] != words:
                values[words.casefold()].add(entity["value"])
    assert {words: found for words, found in values.items() if len(found) > 1} == {}


def test_heldout_set_covers_every_intent_and_never_trains(training, intents) -> None:
    heldout = examples(HELDOUT)
    assert {(i, lang) for i, lang, _ in heldout} == {(i, lang) for i in intents for lang in LANGUAGES}
    assert all(ANNOTATION.search(text) is None for _, _, text in heldout)
    seen = {plain(text) for _, _, text in training}
    assert [text for _, _, text in heldout if plain(text) in seen] == []
