"""Retrieval quality of the knowledge search on our labelled questions (bench/kb_eval.yml).

Reports Recall@1, Recall@3 and MRR per language, and calibrates the confidence threshold: the score
that best separates questions answered correctly at rank 1 from questions the knowledge base cannot
answer (bench/kb_unanswerable.yml). `--tune` also searches the fusion weights.

    .venv/bin/python -m bench.kb_eval [--tune]
"""

import argparse
import itertools
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.knowledge.embeddings import Encoder, SentenceEncoder
from bot.knowledge.ingest import ingest
from bot.knowledge.search import KnowledgeBase
from bot.settings import ROOT, get_settings

EVAL_FILE = ROOT / "bench" / "kb_eval.yml"
UNANSWERABLE_FILE = ROOT / "bench" / "kb_unanswerable.yml"
DOCS = ROOT / "knowledge" / "docs"


@dataclass(frozen=True)
class Question:
    text: str
    language: str
    answers: frozenset[str]


@dataclass(frozen=True)
class Scores:
    count: int
    recall_at_1: float
    recall_at_3: float
    mrr: float


def load_questions() -> tuple[list[Question], list[str]]:
    """The labelled questions, and questions the knowledge base cannot answer (for calibration)."""
    data = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    questions = [Question(q["q"], q["language"], frozenset(q["answers"])) for q in data["questions"]]
    unanswerable = yaml.safe_load(UNANSWERABLE_FILE.read_text(encoding="utf-8"))["unanswerable"]
    return questions, [str(text) for text in unanswerable]


Embedded = tuple[list[str], np.ndarray]


def build_knowledge_base(folder: Path, encoder: Encoder) -> KnowledgeBase:
    ingest([DOCS], folder, encoder=encoder, examples_folder=get_settings().kb_examples)
    return KnowledgeBase.configured(folder, encoder, get_settings())


def embed(knowledge: KnowledgeBase, texts: list[str]) -> list[Embedded]:
    """Each text's readings and their vectors, encoded in one batch so that tuning can reuse them."""
    readings = [knowledge.readings(text) for text in texts]
    vectors = knowledge.encoder.encode([r for group in readings for r in group])
    bounds = np.cumsum([0] + [len(group) for group in readings])
    return [
        (group, vectors[start:end])
        for group, start, end in zip(readings, bounds[:-1], bounds[1:], strict=True)
    ]


def rank_of_answer(knowledge: KnowledgeBase, question: Question, embedded: Embedded) -> int | None:
    hits = knowledge.search_vectors(*embedded, k=10)
    return next((i for i, hit in enumerate(hits, start=1) if hit.chunk.id in question.answers), None)


def evaluate(
    knowledge: KnowledgeBase, questions: list[Question], embedded: list[Embedded]
) -> dict[str, Scores]:
    ranks: dict[str, list[int | None]] = defaultdict(list)
    for question, reading in zip(questions, embedded, strict=True):
        rank = rank_of_answer(knowledge, question, reading)
        ranks[question.language].append(rank)
        ranks["all"].append(rank)
    return {
        language: Scores(
            count=len(found),
            recall_at_1=sum(r == 1 for r in found) / len(found),
            recall_at_3=sum(r is not None and r <= 3 for r in found) / len(found),
            mrr=sum(1 / r for r in found if r) / len(found),
        )
        for language, found in ranks.items()
    }


def top_scores(
    knowledge: KnowledgeBase,
    questions: list[Question],
    embedded: list[Embedded],
    negatives_embedded: list[Embedded],
) -> tuple[list[float], list[float]]:
    """The best hit's score where it is the labelled passage, and where it is not or nothing should be."""
    right: list[float] = []
    wrong: list[float] = []
    for question, reading in zip(questions, embedded, strict=True):
        hits = knowledge.search_vectors(*reading, k=1)
        (right if hits and hits[0].chunk.id in question.answers else wrong).append(hits[0].score)
    wrong += [knowledge.search_vectors(*reading, k=1)[0].score for reading in negatives_embedded]
    return right, wrong


def balanced_accuracy(right: list[float], wrong: list[float], threshold: float) -> float:
    """The mean of the share of right hits kept and of wrong ones refused at `threshold`."""
    accepted = sum(s >= threshold for s in right) / max(len(right), 1)
    refused = sum(s < threshold for s in wrong) / max(len(wrong), 1)
    return (accepted + refused) / 2


def calibrate(
    knowledge: KnowledgeBase,
    questions: list[Question],
    embedded: list[Embedded],
    negatives_embedded: list[Embedded],
) -> tuple[float, float]:
    """The threshold with the best balanced accuracy, and that accuracy."""
    right, wrong = top_scores(knowledge, questions, embedded, negatives_embedded)
    best = (0.0, 0.0)
    for threshold in np.arange(0.2, 4.0, 0.01):
        balanced = balanced_accuracy(right, wrong, float(threshold))
        if balanced > best[1]:
            best = (float(threshold), balanced)
    return best


def print_scores(scores: dict[str, Scores]) -> None:
    print(f"  {'language':<9} {'n':>4} {'R@1':>6} {'R@3':>6} {'MRR':>6}")
    for language in ("en", "hi", "hinglish", "all"):
        if language in scores:
            s = scores[language]
            print(f"  {language:<9} {s.count:>4} {s.recall_at_1:>6.3f} {s.recall_at_3:>6.3f} {s.mrr:>6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true", help="grid-search the fusion weights")
    args = parser.parse_args()
    questions, unanswerable = load_questions()
    encoder = SentenceEncoder(get_settings().embedding_model)
    with tempfile.TemporaryDirectory() as folder:
        knowledge = build_knowledge_base(Path(folder) / "index", encoder)
    embedded = embed(knowledge, [q.text for q in questions])
    negatives_embedded = embed(knowledge, unanswerable)
    if args.tune:
        results = []
        for weight, saturation in itertools.product([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [5.0, 10.0, 15.0, 30.0]):
            knowledge.lexical_weight, knowledge.saturation = weight, saturation
            scores = evaluate(knowledge, questions, embedded)
            worst = min(scores[lang].recall_at_1 for lang in ("en", "hi", "hinglish") if lang in scores)
            results.append((worst, scores["all"].mrr, weight, saturation))
        for worst, mrr, weight, saturation in sorted(results, reverse=True)[:5]:
            print(f"  weight {weight:<5} saturation {saturation:<5} worst R@1 {worst:.3f}  MRR {mrr:.3f}")
        return
    print(f"Knowledge search on {len(questions)} labelled questions ({len(knowledge.chunks)} chunks)")
    print_scores(evaluate(knowledge, questions, embedded))
    threshold, balanced = calibrate(knowledge, questions, embedded, negatives_embedded)
    configured = balanced_accuracy(
        *top_scores(knowledge, questions, embedded, negatives_embedded), knowledge.min_score
    )
    print(
        f"Calibrated threshold {threshold:.2f} (balanced accuracy {balanced:.3f} against "
        f"{len(unanswerable)} unanswerable questions); configured: {knowledge.min_score:.2f} "
        f"({configured:.3f})"
    )


if __name__ == "__main__":
    main()
