"""Example questions: for each passage, a few ways a user asks what it states (knowledge/examples/).

A question is matched better against questions than against the passage's prose: "karma pts kaise
milte?" is close to "how do I earn Karma Points" though the passage never says "earn". Each file is
named for a document id and maps a section anchor (the part of a passage id after `#`) to questions in
English, Hindi and romanised Hindi. They were written from the knowledge base alone, never from the
blind evaluation sets.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge.documents import DocumentError


@dataclass(frozen=True)
class Example:
    chunk_id: str
    text: str

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"example\n{self.text}".encode()).hexdigest()


def load_examples(folder: Path | None) -> list[Example]:
    """Every example question under `folder`, in a stable order; none when there is no such folder."""
    if folder is None or not folder.is_dir():
        return []
    examples: list[Example] = []
    for path in sorted(folder.glob("*.yml")):
        try:
            sections = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise DocumentError(f"{path}: not readable example questions ({type(error).__name__})") from None
        if not isinstance(sections, dict):
            raise DocumentError(f"{path}: expected section anchors mapped to questions by language")
        for anchor, by_language in sections.items():
            if not isinstance(by_language, dict):
                raise DocumentError(f"{path}: {anchor}: expected questions by language (en, hi, hinglish)")
            for questions in by_language.values():
                for question in questions or []:
                    text = " ".join(str(question).split())
                    if text:
                        examples.append(Example(f"{path.stem}#{anchor}", text))
    return examples
