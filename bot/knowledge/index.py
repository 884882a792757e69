"""The knowledge index on disk: chunks, their vectors, a FAISS index and a manifest.

Ingestion is incremental: a chunk whose text (and the model) is unchanged keeps its stored vector,
so only changed documents are embedded again.
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

FORMAT = 1
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
    format: int = FORMAT


@dataclass(frozen=True)
class StoredIndex:
    manifest: Manifest
    chunks: list[Chunk]
    vectors: np.ndarray
    faiss_index: Any


def corpus_hash(chunks: Iterable[Chunk]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk.id.encode())
        digest.update(chunk.content_hash.encode())
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
    vectors = np.zeros((len(chunks), encoder.dimension), dtype=np.float32)
    missing = []
    for i, chunk in enumerate(chunks):
        if chunk.content_hash in known:
            vectors[i] = known[chunk.content_hash]
        else:
            missing.append(i)
    progress(len(chunks) - len(missing))
    batch = 32
    for start in range(0, len(missing), batch):
        rows = missing[start : start + batch]
        vectors[rows] = encoder.encode([chunks[i].search_text for i in rows])
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
) -> Manifest:
    """Write into a fresh folder beside the target, then swap it in, so readers never see half an index."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(
        model=model,
        dimension=int(vectors.shape[1]),
        chunk_count=len(chunks),
        corpus_hash=corpus_hash(chunks),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        index_type=index_type,
        documents=documents,
    )
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    with (staging / "chunks.jsonl").open("w", encoding="utf-8") as out:
        for chunk in chunks:
            row: dict[str, Any] = {"id": chunk.id, "heading": chunk.heading, "text": chunk.text}
            row["source"] = asdict(chunk.source)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    np.save(staging / "vectors.npy", vectors)
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
        and corpus_hash(chunks) == manifest.corpus_hash
    )
    if not consistent:
        raise IndexUnavailable(
            f"the knowledge index at {folder} does not match its manifest; rebuild it with `{REBUILD_HINT}`"
        )
    return StoredIndex(manifest, chunks, vectors, faiss_index)
