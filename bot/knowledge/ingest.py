"""From source files to a searchable index: read, chunk, de-duplicate, embed what changed, save."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.chunking import Chunk, chunk_document, deduplicate
from bot.knowledge.documents import DocumentError, find_documents, read_document
from bot.knowledge.embeddings import Encoder
from bot.knowledge.index import IndexUnavailable, Manifest, embed_incrementally, load_index, save_index


@dataclass
class IngestReport:
    manifest: Manifest
    documents: int
    changed_documents: int
    embedded: int
    duplicates: int
    warnings: list[str] = field(default_factory=list)


def collect_chunks(paths: list[Path]) -> tuple[list[Chunk], dict[str, str], list[str]]:
    """Chunks of every readable document, their content hashes, and warnings for the unreadable ones."""
    chunks: list[Chunk] = []
    hashes: dict[str, str] = {}
    warnings: list[str] = []
    for path in find_documents(paths):
        try:
            document = read_document(path)
        except DocumentError as error:
            warnings.append(str(error))
            continue
        hashes[str(path)] = document.content_hash
        chunks += chunk_document(document)
    return chunks, hashes, warnings


def ingest(
    paths: list[Path],
    folder: Path,
    *,
    encoder: Encoder,
    index_type: str = "flat",
    progress: Callable[[int], None] = lambda n: None,
    on_total: Callable[[int], None] = lambda n: None,
) -> IngestReport:
    all_chunks, hashes, warnings = collect_chunks(paths)
    if not all_chunks:
        named = ", ".join(map(str, paths))
        raise DocumentError(f"no text found in {named}; the index was left as it was")
    chunks = deduplicate(all_chunks)
    try:
        previous = load_index(folder)
    except IndexUnavailable:
        previous = None
    on_total(len(chunks))
    vectors, embedded = embed_incrementally(chunks, encoder, previous, progress)
    old = previous.manifest.documents if previous else {}
    manifest = save_index(
        folder, chunks=chunks, vectors=vectors, model=encoder.name, index_type=index_type, documents=hashes
    )
    return IngestReport(
        manifest=manifest,
        documents=len(hashes),
        changed_documents=sum(1 for path, digest in hashes.items() if old.get(path) != digest),
        embedded=embedded,
        duplicates=len(all_chunks) - len(chunks),
        warnings=warnings,
    )
