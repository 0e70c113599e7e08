"""An in-memory vector store: the fake used by unit tests, same contract as the Chroma store."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scanner.store.base import ScoredChunk
from scanner.types import Chunk

__all__ = ["InMemoryStore"]


class InMemoryStore:
    def __init__(self, embedder_id: str, dimension: int) -> None:
        self.embedder_id = embedder_id
        self.dimension = dimension
        self._chunks: dict[str, Chunk] = {}
        self._vectors: dict[str, np.ndarray] = {}

    def has_document(self, sha256: str) -> bool:
        return any(c.doc_sha256 == sha256 for c in self._chunks.values())

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        if len(chunks) != len(vectors):
            raise ValueError("chunks and vectors differ in length")
        if len(chunks) and vectors.shape[1] != self.dimension:
            raise ValueError(f"vectors have dimension {vectors.shape[1]}, store expects {self.dimension}")
        for c, v in zip(chunks, vectors, strict=True):
            self._chunks[c.id] = c
            self._vectors[c.id] = np.asarray(v, dtype=np.float32)

    def chunks_of(self, sha256: str) -> list[Chunk]:
        return sorted((c for c in self._chunks.values() if c.doc_sha256 == sha256), key=lambda c: (c.page, c.start))

    def vectors_of(self, sha256: str) -> tuple[list[Chunk], np.ndarray]:
        chunks = self.chunks_of(sha256)
        vectors = np.stack([self._vectors[c.id] for c in chunks]) if chunks else np.zeros((0, self.dimension))
        return chunks, vectors.astype(np.float32)

    def search(self, vector: np.ndarray, k: int, documents: Sequence[str] | None = None) -> list[ScoredChunk]:
        allowed = set(documents) if documents is not None else None
        ids = [i for i, c in self._chunks.items() if allowed is None or c.doc_sha256 in allowed]
        if not ids or k <= 0:
            return []
        mat = np.stack([self._vectors[i] for i in ids])
        scores = mat @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:k]
        return [ScoredChunk(self._chunks[ids[j]], float(scores[j])) for j in order]

    def delete_document(self, sha256: str) -> int:
        doomed = [i for i, c in self._chunks.items() if c.doc_sha256 == sha256]
        for i in doomed:
            del self._chunks[i], self._vectors[i]
        return len(doomed)

    def count(self) -> int:
        return len(self._chunks)
