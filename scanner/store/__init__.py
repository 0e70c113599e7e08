"""Storage: chunk vectors (a vector store per embedding model) and the document registry (page texts)."""

from scanner.store.base import ChunkStore, ScoredChunk
from scanner.store.memory import InMemoryStore
from scanner.store.registry import DocumentRegistry

__all__ = ["ChunkStore", "DocumentRegistry", "InMemoryStore", "ScoredChunk"]
