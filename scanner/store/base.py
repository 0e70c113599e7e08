"""The vector-store protocol. The Chroma adapter and the in-memory fake pass the same contract tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from scanner.types import Chunk

__all__ = ["ChunkStore", "ScoredChunk", "chunk_from_record", "chunk_metadata"]


@dataclass(frozen=True)
class ScoredChunk:
    chunk: Chunk
    score: float  # cosine similarity, higher is closer


@runtime_checkable
class ChunkStore(Protocol):
    embedder_id: str
    dimension: int

    def has_document(self, sha256: str) -> bool: ...

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Insert or replace chunks by id (idempotent)."""
        ...

    def chunks_of(self, sha256: str) -> list[Chunk]:
        """All chunks of a document, in page and offset order."""
        ...

    def vectors_of(self, sha256: str) -> tuple[list[Chunk], np.ndarray]:
        """All chunks of a document with their stored vectors (one row each, unit length), in page and offset order."""
        ...

    def search(self, vector: np.ndarray, k: int, documents: Sequence[str] | None = None) -> list[ScoredChunk]:
        """The k nearest chunks, optionally restricted to some documents (by SHA-256)."""
        ...

    def delete_document(self, sha256: str) -> int: ...

    def count(self) -> int: ...


def chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    """Flat metadata for a vector store (no None, no lists)."""
    import json

    return {
        "doc_sha256": chunk.doc_sha256,
        "page": chunk.page,
        "page_label": chunk.page_label or "",
        "start": chunk.start,
        "end": chunk.end,
        "section_path": json.dumps(list(chunk.section_path), ensure_ascii=False),
    }


def chunk_from_record(text: str, meta: Mapping[str, Any]) -> Chunk:
    import json

    return Chunk(
        doc_sha256=str(meta["doc_sha256"]),
        page=int(meta["page"]),
        page_label=str(meta["page_label"]) or None,
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        section_path=tuple(json.loads(str(meta["section_path"]))),
    )


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)
