"""NLU 5-fold cross-validation and a held-out set: intent accuracy and macro-F1 per language, training time.

Runs in the Rasa environment (`.venv-rasa/bin/python bench/nlu_crossval.py`; `make bench` does).
Each example carries its language in the intent block's metadata (en, hi, hinglish).
Cross-validation folds come from the same writers as the folds they are tested against;
`bench/nlu_heldout.yml` was written separately from the intent definitions and never trains anything,
so it shows how the model does on phrasings its training data's writers did not produce.
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
from pathlib import Path

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData
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


Row = tuple[str, str, str, bool]  # language, true intent, predicted intent, fell back


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
        rows.append((language_of(example), example.get("intent"), top_intent(parsed), fell_back))
    return rows


def training_time_from_scratch(workdir: Path) -> float:
    """`rasa train` of the whole assistant with an empty cache."""
    env_cache = workdir / "cache"
    start = time.perf_counter()
    subprocess.run(
        [str(ROOT / ".venv-rasa/bin/rasa"), "train", "--out", str(workdir / "full"), "--quiet"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "RASA_CACHE_DIRECTORY": str(env_cache)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def report(title: str, rows: list[Row]) -> None:
    by_language: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    for language, truth, predicted, fell_back in rows:
        for key in (language, "all"):
            by_language[key].append((truth, predicted, fell_back))
    print(f"{title} ({len(rows)} examples)")
    print(f"  {'language':<9} {'n':>5} {'accuracy':>9} {'macro-F1':>9} {'fallback':>9}")
    for language in ("en", "hi", "hinglish", "all"):
        items = by_language.get(language, [])
        if not items:
            continue
        truths = [t for t, _, _ in items]
        predictions = [p for _, p, _ in items]
        fallback_rate = sum(f for _, _, f in items) / len(items)
        print(
            f"  {language:<9} {len(items):>5} {accuracy_score(truths, predictions):>9.3f} "
            f"{f1_score(truths, predictions, average='macro'):>9.3f} {fallback_rate:>9.3f}"
        )
    confusions = Counter((t, p) for _, t, p, _ in rows if t != p)
    print("  most frequent confusions (true -> predicted):")
    for (truth, predicted), count in confusions.most_common(8):
        print(f"    {count:>3}  {truth} -> {predicted}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml", help="pipeline to evaluate")
    parser.add_argument("--no-train-time", action="store_true", help="skip timing a full training")
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.WARNING)
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
