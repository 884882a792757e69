"""Knowledge search speed: ingest throughput, index size and load time, and query latency against the
bare model encoding the same query, measured in one run.

    .venv/bin/python -m bench.kb_latency
"""

import statistics
import tempfile
import time
from pathlib import Path

from bench.kb_eval import DOCS, load_questions
from bot.knowledge.embeddings import SentenceEncoder
from bot.knowledge.ingest import ingest
from bot.knowledge.search import KnowledgeBase
from bot.settings import get_settings

ROUNDS = 3


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    settings = get_settings()
    started = time.perf_counter()
    encoder = SentenceEncoder(settings.embedding_model)
    model_seconds = time.perf_counter() - started
    questions = [q.text for q in load_questions()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "index"
        started = time.perf_counter()
        report = ingest([DOCS], folder, encoder=encoder, examples_folder=settings.kb_examples)
        ingest_seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in folder.iterdir())
        started = time.perf_counter()
        knowledge = KnowledgeBase.load(folder, encoder, min_score=settings.kb_min_score)
        load_seconds = time.perf_counter() - started
    encoder.encode(questions[:8])  # warm up
    knowledge.search(questions[0])
    bare: list[float] = []
    full: list[float] = []
    for _ in range(ROUNDS):
        for question in questions:
            started = time.perf_counter()
            encoder.encode([question])
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            knowledge.search(question)
            full.append(time.perf_counter() - started)
    chunks = report.manifest.chunk_count
    examples = report.manifest.example_count
    print(
        f"Knowledge search on {chunks} chunks from {report.documents} documents, {examples} example questions"
    )
    rate = chunks / ingest_seconds
    print(f"  model load {model_seconds:.1f} s; ingest {ingest_seconds:.1f} s ({rate:.0f} chunks/s)")
    print(f"  index size {size / 1024:.0f} KiB; index load {load_seconds * 1000:.0f} ms")
    print(f"  {'':<28} {'p50 ms':>8} {'p95 ms':>8}")
    for label, values in (("bare encode of the query", bare), ("search (embed+search+fuse)", full)):
        print(f"  {label:<28} {percentile(values, 0.5) * 1000:>8.1f} {percentile(values, 0.95) * 1000:>8.1f}")
    print(
        f"  search / bare encode: p50 {statistics.median(full) / statistics.median(bare):.2f}x, "
        f"p95 {percentile(full, 0.95) / percentile(bare, 0.95):.2f}x ({len(full)} queries each)"
    )


if __name__ == "__main__":
    main()
