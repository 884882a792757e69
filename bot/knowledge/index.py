"""The knowledge index on disk: chunks, their vectors, a FAISS index and a manifest.

Ingestion is incremental: a chunk or example question whose text (and the model) is unchanged keeps
its stored vector, so only changed documents are embedded again.
"""

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from bot.knowledge.chunking import Chunk
from bot.knowledge.documents import Source
from bot.knowledge.embeddings import Encoder
from bot.knowledge.examples import Example

FORMAT = 2
INDEX_TYPES = ("flat", "hnsw")
REBUILD_HINT = "sahayak kb ingest knowledge/docs"


class IndexUnavailable(RuntimeError):
    """The index is missing, corrupt or built for another model; the message says how to rebuild it."""


@dataclass(frozen=True)
class Manifest:
    model: str
    dimension: int
    chunk_count: int
    corpus_hash: str
    created_at: str
    index_type: str
    documents: dict[str, str]  # path -> content hash
    example_count: int = 0
    format: int = FORMAT


@dataclass(frozen=True)
class StoredIndex:
    manifest: Manifest
    chunks: list[Chunk]
    vectors: np.ndarray
    faiss_index: Any
    examples: list[Example]
    example_vectors: np.ndarray


def corpus_hash(chunks: Iterable[Chunk], examples: Iterable[Example] = ()) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk.id.encode())
        digest.update(chunk.content_hash.encode())
    for example in examples:
        digest.update(example.chunk_id.encode())
        digest.update(example.content_hash.encode())
    return digest.hexdigest()


def build_faiss(vectors: np.ndarray, index_type: str) -> Any:
    """Exact inner product by default; HNSW (approximate) for large corpora."""
    dimension = vectors.shape[1]
    index: Any
    if index_type == "flat":
        index = faiss.IndexFlatIP(dimension)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = 64
    else:
        raise ValueError(f"unknown index type {index_type!r}; use one of {', '.join(INDEX_TYPES)}")
    if len(vectors):
        index.add(vectors)
    return index


def embed_incrementally(
    chunks: list[Chunk],
    encoder: Encoder,
    previous: StoredIndex | None,
    progress: Callable[[int], None] = lambda n: None,
) -> tuple[np.ndarray, int]:
    """Vectors for all chunks, reusing the previous index's where the text is unchanged.

    Returns the vectors and how many chunks were embedded anew.
    """
    known: dict[str, np.ndarray] = {}
    if previous is not None and previous.manifest.model == encoder.name:
        known = {c.content_hash: previous.vectors[i] for i, c in enumerate(previous.chunks)}
    return _embed([(c.content_hash, c.search_text) for c in chunks], known, encoder, progress)


def embed_examples(examples: list[Example], encoder: Encoder, previous: StoredIndex | None) -> np.ndarray:
    """Vectors for the example questions, reusing the previous index's where the text is unchanged."""
    known: dict[str, np.ndarray] = {}
    if previous is not None and previous.manifest.model == encoder.name:
        known = {e.content_hash: previous.example_vectors[i] for i, e in enumerate(previous.examples)}
    vectors, _embedded = _embed([(e.content_hash, e.text) for e in examples], known, encoder, lambda n: None)
    return vectors


def _embed(
    texts: list[tuple[str, str]],
    known: dict[str, np.ndarray],
    encoder: Encoder,
    progress: Callable[[int], None],
) -> tuple[np.ndarray, int]:
    """Vectors for (content hash, text) pairs: the known ones reused, the rest embedded in batches."""
    vectors = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
    missing = []
    for i, (digest, _text) in enumerate(texts):
        if digest in known:
            vectors[i] = known[digest]
        else:
            missing.append(i)
    progress(len(texts) - len(missing))
    batch = 32
    for start in range(0, len(missing), batch):
        rows = missing[start : start + batch]
        vectors[rows] = encoder.encode([texts[i][1] for i in rows])
        progress(len(rows))
    return vectors, len(missing)


def save_index(
    folder: Path,
    *,
    chunks: list[Chunk],
    vectors: np.ndarray,
    model: str,
    index_type: str,
    documents: dict[str, str],
    examples: list[Example] | None = None,
    example_vectors: np.ndarray | None = None,
) -> Manifest:
    """Write into a fresh folder beside the target, then swap it in, so readers never see half an index."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    examples = examples or []
    if example_vectors is None or not examples:
        example_vectors = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    manifest = Manifest(
        model=model,
        dimension=int(vectors.shape[1]),
        chunk_count=len(chunks),
        corpus_hash=corpus_hash(chunks, examples),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        index_type=index_type,
        documents=documents,
        example_count=len(examples),
    )
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    with (staging / "chunks.jsonl").open("w", encoding="utf-8") as out:
        for chunk in chunks:
            row: dict[str, Any] = {"id": chunk.id, "heading": chunk.heading, "text": chunk.text}
            row["source"] = asdict(chunk.source)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    np.save(staging / "vectors.npy", vectors)
    with (staging / "examples.jsonl").open("w", encoding="utf-8") as out:
        for example in examples:
            out.write(json.dumps({"id": example.chunk_id, "text": example.text}, ensure_ascii=False) + "\n")
    np.save(staging / "example_vectors.npy", example_vectors)
    faiss.write_index(build_faiss(vectors, index_type), str(staging / "faiss.index"))
    (staging / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2) + "\n")
    if folder.exists():
        retired = folder.with_name(f".{folder.name}-old-{os.getpid()}")
        folder.rename(retired)
        staging.rename(folder)
        for path in retired.iterdir():
            path.unlink()
        retired.rmdir()
    else:
        staging.rename(folder)
    return manifest


def load_index(folder: Path) -> StoredIndex:
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise IndexUnavailable(f"no knowledge index at {folder}; build it with `{REBUILD_HINT}`")
    try:
        raw = json.loads(manifest_path.read_text())
        if raw.get("format") != FORMAT:
            raise IndexUnavailable(f"the index at {folder} has an old format; rebuild: `{REBUILD_HINT}`")
        manifest = Manifest(**raw)
        chunks = []
        with (folder / "chunks.jsonl").open(encoding="utf-8") as rows:
            for line in rows:
                row = json.loads(line)
                chunks.append(Chunk(row["id"], Source(**row["source"]), row["heading"], row["text"]))
        vectors = np.load(folder / "vectors.npy")
        faiss_index = faiss.read_index(str(folder / "faiss.index"))
        with (folder / "examples.jsonl").open(encoding="utf-8") as rows:
            examples = [Example(row["id"], row["text"]) for row in map(json.loads, rows)]
        example_vectors = np.load(folder / "example_vectors.npy")
    except IndexUnavailable:
        raise
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as error:
        raise IndexUnavailable(
            f"the knowledge index at {folder} is damaged ({type(error).__name__}); "
            f"rebuild it with `{REBUILD_HINT}`"
        ) from None
    consistent = (
        len(chunks) == manifest.chunk_count == vectors.shape[0] == faiss_index.ntotal
        and vectors.shape[1] == manifest.dimension
        and len(examples) == manifest.example_count == example_vectors.shape[0]
        and (not examples or example_vectors.shape[1] == manifest.dimension)
        and corpus_hash(chunks, examples) == manifest.corpus_hash
    )
    if not consistent:
        raise IndexUnavailable(
            f"the knowledge index at {folder} does not match its manifest; rebuild it with `{REBUILD_HINT}`"
        )
    return StoredIndex(manifest, chunks, vectors, faiss_index, examples, example_vectors)
