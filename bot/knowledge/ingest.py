"""From source files to a searchable index: read, chunk, de-duplicate, embed what changed, save."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.chunking import Chunk, chunk_document, deduplicate
from bot.knowledge.documents import DocumentError, find_documents, read_document
from bot.knowledge.embeddings import Encoder
from bot.knowledge.examples import load_examples
from bot.knowledge.index import (
    IndexUnavailable,
    Manifest,
    embed_examples,
    embed_incrementally,
    load_index,
    save_index,
)


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
    examples_folder: Path | None = None,
    progress: Callable[[int], None] = lambda n: None,
    on_total: Callable[[int], None] = lambda n: None,
) -> IngestReport:
    """Index the documents under `paths` into `folder`, with the example questions in `examples_folder`
    (an example for a passage that does not exist is left out, with a warning)."""
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
    passages = {chunk.id for chunk in chunks}
    written = load_examples(examples_folder)
    examples = [example for example in written if example.chunk_id in passages]
    for unknown in sorted({e.chunk_id for e in written} - passages):
        warnings.append(f"example questions for {unknown}, which is no passage, were left out")
    example_vectors = embed_examples(examples, encoder, previous)
    old = previous.manifest.documents if previous else {}
    manifest = save_index(
        folder,
        chunks=chunks,
        vectors=vectors,
        model=encoder.name,
        index_type=index_type,
        documents=hashes,
        examples=examples,
        example_vectors=example_vectors,
    )
    return IngestReport(
        manifest=manifest,
        documents=len(hashes),
        changed_documents=sum(1 for path, digest in hashes.items() if old.get(path) != digest),
        embedded=embedded,
        duplicates=len(all_chunks) - len(chunks),
        warnings=warnings,
    )
