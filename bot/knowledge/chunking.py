"""Cutting documents into passages along their structure: sections, numbered paragraphs, table rows.

A chunk id is `<doc id>#<section anchor>` (plus `-2`, `-3` when a long section is split, or `/row-N` for
a table row). Anchors are shared by a document's language versions, so an id names the same passage
in English and in Hindi.
"""

import hashlib
import re
from dataclasses import dataclass

from bot.knowledge.documents import Document, Heading, Paragraph, Source, Table

MAX_CHUNK_CHARS = 900
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Chunk:
    id: str
    source: Source
    heading: str
    text: str

    @property
    def language(self) -> str:
        return self.source.language

    @property
    def search_text(self) -> str:
        """What is embedded and indexed: the passage with its title and heading for context."""
        return f"{self.source.title}. {self.heading}.\n{self.text}"

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.search_text.encode("utf-8")).hexdigest()


def slugify(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def chunk_document(document: Document) -> list[Chunk]:
    source = document.source
    chunks: list[Chunk] = []
    heading, anchor = source.title, "intro"
    parts: list[str] = []
    sections_seen: dict[str, int] = {}
    pieces: dict[str, int] = {}  # chunks so far per section, for long sections split in several

    def flush() -> None:
        if not parts:
            return
        base = f"{source.doc_id}#{anchor}"
        pieces[base] = pieces.get(base, 0) + 1
        chunk_id = base if pieces[base] == 1 else f"{base}-{pieces[base]}"
        chunks.append(Chunk(chunk_id, source, heading, "\n".join(parts)))
        parts.clear()

    for block in document.blocks:
        if isinstance(block, Heading):
            flush()
            if block.level == 1 and not chunks and block.text == source.title:
                continue
            heading = block.text
            anchor = block.anchor or slugify(block.text) or "section"
            sections_seen[anchor] = sections_seen.get(anchor, 0) + 1
            if sections_seen[anchor] > 1:
                anchor = f"{anchor}-{sections_seen[anchor]}"
        elif isinstance(block, Paragraph):
            size = sum(len(p) + 1 for p in parts)
            if parts and size + len(block.text) > MAX_CHUNK_CHARS:
                flush()
            parts.append(block.text)
        elif isinstance(block, Table):
            flush()
            for number, row in enumerate(block.rows, start=1):
                cells = [f"{name}: {value}" for name, value in zip(block.header, row, strict=False) if value]
                row_id = f"{source.doc_id}#{anchor}/row-{number}"
                chunks.append(Chunk(row_id, source, heading, "; ".join(cells)))
    flush()
    return chunks


def deduplicate(chunks: list[Chunk]) -> list[Chunk]:
    """Drop passages whose text and language repeat an earlier one (the same notice filed twice)."""
    seen: set[tuple[str, str]] = set()
    unique: list[Chunk] = []
    for chunk in chunks:
        key = (chunk.language, " ".join(chunk.text.split()).lower())
        if key not in seen:
            seen.add(key)
            unique.append(chunk)
    return unique
