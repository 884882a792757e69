"""NLU 5-fold cross-validation and a held-out set: intents and entities per language, and training time.

Runs in the Rasa environment (`.venv-rasa/bin/python bench/nlu_crossval.py`; `make bench` does).
Each example carries its language in the intent block's metadata (en, hi, hinglish).
Cross-validation folds come from the same writers as the folds they are tested against;
`bench/nlu_heldout.yml` was written separately from the intent definitions and never trains anything,
so it shows how the model does on phrasings its training data's writers did not produce.
Entities are scored as exact spans in cross-validation only: the held-out set carries no annotations.
"""

import argparse
import asyncio
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.log_utils import configure_structlog
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
FOLDS = 5
HELDOUT = ROOT / "bench" / "nlu_heldout.yml"
os.environ.setdefault("LOG_LEVEL", "WARNING")


def language_of(example) -> str:  # type: ignore[no-untyped-def]
    metadata = example.get("metadata") or {}
    return (metadata.get("intent") or {}).get("language") or metadata.get("language") or "unknown"


def top_intent(parsed: dict) -> str:
    """The classifier's own best intent, ignoring the fallback threshold."""
    ranking = [r for r in parsed.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
    return ranking[0]["name"] if ranking else (parsed.get("intent") or {}).get("name", "")


Span = tuple[str, int, int]  # entity type, start, end


@dataclass(frozen=True)
class Row:
    language: str
    truth: str
    predicted: str
    fell_back: bool
    gold: frozenset[Span]
    found: frozenset[Span]


def spans(entities: list[dict] | None) -> frozenset[Span]:
    """Entities as exact spans; the CRF and the regex extractor finding the same one count once."""
    return frozenset((e["entity"], e["start"], e["end"]) for e in entities or [])


async def evaluate_fold(train: TrainingData, test: list, workdir: Path, fold: str, config: Path) -> list[Row]:
    train_file = workdir / f"train_{fold}.yml"
    train_file.write_text(train.nlu_as_yaml())
    model = await asyncio.to_thread(
        train_nlu,
        str(config),
        str(train_file),
        str(workdir / "models"),
        fixed_model_name=fold,
    )
    agent = Agent.load(model)
    rows = []
    for example in test:
        parsed = await agent.parse_message(example.get("text"))
        fell_back = (parsed.get("intent") or {}).get("name") == "nlu_fallback"
        rows.append(
            Row(
                language_of(example),
                example.get("intent"),
                top_intent(parsed),
                fell_back,
                spans(example.get("entities")),
                spans(parsed.get("entities")),
            )
        )
    return rows


def training_time_from_scratch(workdir: Path) -> float:
    """`rasa train` of the whole assistant with an empty cache, as `make run` runs it."""
    env_cache = workdir / "cache"
    start = time.perf_counter()
    subprocess.run(
        [
            str(ROOT / ".venv-rasa/bin/rasa"),
            "train",
            "--domain",
            "domain",
            "--skip-validation",
            "--out",
            str(workdir / "full"),
            "--quiet",
        ],
        cwd=ROOT,
        check=True,
        env={**os.environ, "RASA_CACHE_DIRECTORY": str(env_cache)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def entity_scores(rows: list[Row]) -> tuple[float, float, float]:
    """Micro precision, recall and F1 of exact entity spans."""
    hits = sum(len(r.gold & r.found) for r in rows)
    found = sum(len(r.found) for r in rows)
    gold = sum(len(r.gold) for r in rows)
    precision, recall = hits / max(found, 1), hits / max(gold, 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)


def report(title: str, rows: list[Row]) -> None:
    by_language: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        for key in (row.language, "all"):
            by_language[key].append(row)
    with_entities = any(r.gold for r in rows)
    print(f"{title} ({len(rows)} examples)")
    header = f"  {'language':<9} {'n':>5} {'accuracy':>9} {'macro-F1':>9} {'fallback':>9}"
    print(header + (f" {'entity P':>9} {'entity R':>9} {'entity F1':>9}" if with_entities else ""))
    for language in ("en", "hi", "hinglish", "all"):
        items = by_language.get(language, [])
        if not items:
            continue
        truths = [r.truth for r in items]
        predictions = [r.predicted for r in items]
        fallback_rate = sum(r.fell_back for r in items) / len(items)
        line = (
            f"  {language:<9} {len(items):>5} {accuracy_score(truths, predictions):>9.3f} "
            f"{f1_score(truths, predictions, average='macro'):>9.3f} {fallback_rate:>9.3f}"
        )
        if with_entities:
            line += " {:>9.3f} {:>9.3f} {:>9.3f}".format(*entity_scores(items))
        print(line)
    confusions = Counter((r.truth, r.predicted) for r in rows if r.truth != r.predicted)
    print("  most frequent confusions (true -> predicted):")
    for (truth, predicted), count in confusions.most_common(8):
        print(f"    {count:>3}  {truth} -> {predicted}")
    if with_entities:
        # An extraction in an example whose writer did not annotate it counts against precision,
        # even when it is right (an e-mail address in an ask_about_colleague question, say).
        print(f"  by entity type:  {'gold':>5} {'P':>6} {'R':>6} {'F1':>6}")
        types = sorted({span[0] for r in rows for span in r.gold})
        for kind in types:
            kind_rows = [
                replace(
                    r,
                    gold=frozenset(s for s in r.gold if s[0] == kind),
                    found=frozenset(s for s in r.found if s[0] == kind),
                )
                for r in rows
            ]
            gold = sum(len(r.gold) for r in kind_rows)
            print(f"    {kind:<14} {gold:>5} " + " ".join(f"{v:>6.3f}" for v in entity_scores(kind_rows)))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml", help="pipeline to evaluate")
    parser.add_argument("--no-train-time", action="store_true", help="skip timing a full training")
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)  # else every parsed test message is printed at debug level
    data = load_data(str(ROOT / "data" / "nlu"))
    examples = list(data.intent_examples)
    labels = [e.get("intent") for e in examples]
    cv_rows: list[Row] = []
    workdir = Path(tempfile.mkdtemp(prefix="sahayak-cv-"))
    try:
        splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=42)
        for fold, (train_idx, test_idx) in enumerate(splitter.split(examples, labels)):
            train = TrainingData(
                training_examples=[examples[i] for i in train_idx],
                entity_synonyms=data.entity_synonyms,
                regex_features=data.regex_features,
                lookup_tables=data.lookup_tables,
            )
            test = [examples[i] for i in test_idx]
            cv_rows += await evaluate_fold(train, test, workdir, f"fold{fold}", args.config)
            print(f"fold {fold + 1}/{FOLDS} done", file=sys.stderr)
        heldout = list(load_data(str(HELDOUT)).intent_examples)
        heldout_rows = await evaluate_fold(data, heldout, workdir, "all", args.config)
        seconds = None if args.no_train_time else training_time_from_scratch(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    report(f"NLU {FOLDS}-fold cross-validation", cv_rows)
    report(f"NLU trained on all of data/nlu, tested on {HELDOUT.name}", heldout_rows)
    if seconds is not None:
        print(f"Training the whole assistant from scratch (empty cache): {seconds:.0f} s")


if __name__ == "__main__":
    asyncio.run(main())
