"""Reading source documents (Markdown, HTML, PDF, plain text) into metadata and structural blocks.

Every format becomes the same block list, so one chunker serves them all. Markdown files carry their
metadata in YAML front matter; other files may carry it in a `<file>.meta.yml` beside them.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from pypdf import PdfReader
from pypdf.errors import PdfReadError

SUFFIXES = (".md", ".markdown", ".html", ".htm", ".pdf", ".txt")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_ANCHOR = re.compile(r"\s*\{#([a-z0-9][a-z0-9-]*)\}\s*$")
_NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s+")
_MIN_TEXT_PER_PAGE = 20


class DocumentError(ValueError):
    """A file that cannot become knowledge; the message says why and what to do."""


@dataclass(frozen=True)
class Source:
    """Where an answer comes from: what the bot cites."""

    doc_id: str
    title: str
    language: str
    authority: str = ""
    number: str = ""
    date: str = ""
    link: str = ""
    valid_from: str = ""


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class Paragraph:
    text: str
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


Block = Heading | Paragraph | Table


@dataclass
class Document:
    source: Source
    blocks: list[Block]
    path: Path
    content_hash: str
    warnings: list[str] = field(default_factory=list)


def read_document(path: Path) -> Document:
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(f"{path}: unsupported file type {suffix!r} (use one of {', '.join(SUFFIXES)})")
    metadata = _sidecar_metadata(path)
    if suffix in (".md", ".markdown"):
        text = raw.decode("utf-8")
        front, text = _split_front_matter(text, path)
        metadata = {**metadata, **front}
        blocks = markdown_blocks(text)
    elif suffix in (".html", ".htm"):
        blocks = html_blocks(raw.decode("utf-8", errors="replace"))
    elif suffix == ".pdf":
        blocks = text_blocks(pdf_text(path))
    else:
        blocks = text_blocks(raw.decode("utf-8", errors="replace"))
    if not any(isinstance(b, Paragraph | Table) for b in blocks):
        raise DocumentError(f"{path}: no text found")
    return Document(
        source=_source(metadata, path, blocks),
        blocks=blocks,
        path=path,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def find_documents(paths: list[Path]) -> list[Path]:
    """The readable files under the given files and folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise DocumentError(f"{path}: no such file or folder")
    return found


def _sidecar_metadata(path: Path) -> dict[str, Any]:
    sidecar = path.with_name(path.name + ".meta.yml")
    if not sidecar.exists():
        return {}
    data = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise DocumentError(f"{sidecar}: metadata must be a mapping")
    return data


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise DocumentError(f"{path}: the front matter is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise DocumentError(f"{path}: the front matter must be a mapping")
    return data, text[match.end() :]


def _as_text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _source(metadata: dict[str, Any], path: Path, blocks: list[Block]) -> Source:
    stem = path.name.split(".")[0]
    language = _as_text(metadata.get("language")) or _guess_language(blocks)
    title = _as_text(metadata.get("title")) or next(
        (b.text for b in blocks if isinstance(b, Heading)), stem.replace("-", " ")
    )
    return Source(
        doc_id=_as_text(metadata.get("id")) or stem,
        title=title,
        language=language,
        authority=_as_text(metadata.get("authority")),
        number=_as_text(metadata.get("number")),
        date=_as_text(metadata.get("date")),
        link=_as_text(metadata.get("source")),
        valid_from=_as_text(metadata.get("valid_from")),
    )


def _guess_language(blocks: list[Block]) -> str:
    text = " ".join(b.text for b in blocks if isinstance(b, Paragraph))
    devanagari = sum("\u0900" <= ch <= "\u097f" for ch in text)
    letters = sum(ch.isalpha() for ch in text) or 1
    return "hi" if devanagari / letters > 0.3 else "en"


def _heading(level: int, text: str) -> Heading:
    match = _ANCHOR.search(text)
    if match:
        return Heading(level, text[: match.start()].strip(), match.group(1))
    return Heading(level, text.strip())


def markdown_blocks(text: str) -> list[Block]:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    blocks: list[Block] = []
    counters: list[int] = []  # the next number of each open ordered list
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            blocks.append(_heading(int(token.tag[1]), tokens[i + 1].content))
            i += 3
            continue
        if token.type == "ordered_list_open":
            counters.append(int(token.attrGet("start") or 1))
        elif token.type == "ordered_list_close":
            counters.pop()
        elif token.type == "paragraph_open":
            content = tokens[i + 1].content.replace("\n", " ").strip()
            if content and counters and tokens[i - 1].type == "list_item_open":
                blocks.append(Paragraph(f"{counters[-1]}. {content}", numbered=True))
                counters[-1] += 1
            elif content:
                blocks.append(Paragraph(content))
            i += 3
            continue
        elif token.type == "table_open":
            i, table = _markdown_table(tokens, i)
            blocks.append(table)
            continue
        i += 1
    return blocks


def _markdown_table(tokens: list[Any], start: int) -> tuple[int, Table]:
    header: list[str] = []
    rows: list[list[str]] = []
    row: list[str] = []
    in_head = False
    i = start
    while tokens[i].type != "table_close":
        kind = tokens[i].type
        if kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            row = []
        elif kind == "inline":
            row.append(tokens[i].content.strip())
        elif kind == "tr_close":
            if in_head:
                header = row
            else:
                rows.append(row)
        i += 1
    return i + 1, Table(header, rows)


def html_blocks(html: str) -> list[Block]:
    soup = BeautifulSoup(html, "html.parser")
    for noise in soup(["script", "style", "nav", "header", "footer", "aside", "form", "noscript"]):
        noise.decompose()
    blocks: list[Block] = []
    body = soup.body or soup
    for element in body.find_all(["h1", "h2", "h3", "h4", "p", "li", "table"]):
        if element.find_parent("table") is not None and element.name != "table":
            continue
        if element.name == "table":
            rows = [
                [cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])]
                for tr in element.find_all("tr")
            ]
            rows = [r for r in rows if any(r)]
            if rows:
                blocks.append(Table(rows[0], rows[1:]))
            continue
        text = element.get_text(" ", strip=True)
        if not text:
            continue
        if element.name.startswith("h"):
            anchor = element.get("id")
            blocks.append(Heading(int(element.name[1]), text, anchor if isinstance(anchor, str) else None))
        else:
            numbered = element.name == "li" and element.find_parent("ol") is not None
            blocks.append(Paragraph(text, numbered=numbered))
    return blocks


def pdf_text(path: Path) -> str:
    try:
        reader = PdfReader(path)
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as error:
        raise DocumentError(f"{path}: cannot read this PDF ({error})") from None
    if sum(len(p.strip()) for p in pages) < _MIN_TEXT_PER_PAGE * max(len(pages), 1):
        raise DocumentError(
            f"{path}: this PDF has no text layer (a scan?). Run it through OCR "
            "(e.g. `ocrmypdf in.pdf out.pdf`) and ingest the result."
        )
    return "\n\n".join(pages)


def text_blocks(text: str) -> list[Block]:
    """Plain text: blank lines separate paragraphs; short title-like lines are headings."""
    blocks: list[Block] = []
    for part in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in part.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and _looks_like_heading(lines[0]):
            blocks.append(Heading(2, lines[0].rstrip(":")))
            continue
        current: list[str] = []
        for line in lines:
            if _NUMBERED.match(line) and current:
                blocks.append(Paragraph(" ".join(current), numbered=bool(_NUMBERED.match(current[0]))))
                current = []
            current.append(line)
        blocks.append(Paragraph(" ".join(current), numbered=bool(_NUMBERED.match(current[0]))))
    return blocks


def _looks_like_heading(line: str) -> bool:
    return len(line) <= 80 and not line.endswith((".", "?", "!", ",", "।")) and not _NUMBERED.match(line)
