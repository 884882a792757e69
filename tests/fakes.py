"""Stand-ins for heavy services: a bag-of-words encoder instead of the neural model."""

import hashlib

import numpy as np

from bot.search import tokenize


class HashingEncoder:
    """Deterministic, fast, and similar for texts that share words: enough to test the plumbing."""

    def __init__(self, name: str = "hashing-test-encoder", dimension: int = 64) -> None:
        self.name = name
        self.dimension = dimension
        self.calls = 0
        self.encoded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.encoded += len(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text) or ["empty"]:
                digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
                vectors[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)
