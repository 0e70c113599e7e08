"""The Chroma store: one collection per embedding model, checked on open. Embedded and persistent on disk by
default; with ``chroma_url`` Chroma's HTTP client against a running Chroma server (``chroma run``), which several
processes (batch workers) can share. The same collection metadata checks hold on both.

Chroma is given no embedding function at all (``embedding_function=None``): vectors always come from our
embedder, so Chroma can never fall back to its own default model (which would try to download weights).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import numpy as np

from scanner.errors import ConfigError, EmbedderMismatchError, StoreUnavailableError
from scanner.store.base import ScoredChunk, chunk_from_record, chunk_metadata
from scanner.types import Chunk

__all__ = ["ChromaStore", "collection_name"]

SCHEMA_VERSION = 1


def collection_name(embedder_id: str) -> str:
    """Chroma allows [a-zA-Z0-9._-], 3-512 characters, alphanumeric at both ends."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embedder_id).strip("-._")
    return f"chunks-{slug}"[:500].rstrip("-._")


_HTTP_CLIENTS: dict[str, Any] = {}  # one HTTP client per server address in this process
_HTTP_LOCK = threading.Lock()


def open_client(path: Path | None = None, url: str | None = None) -> Any:
    """The embedded persistent client over ``path``, or the HTTP client of the Chroma server at ``url``.

    HTTP clients are kept per address: each of Chroma's HTTP clients holds its own connection pools, so a process
    that opens several stores on one server (the tests do; a long-lived service might) would otherwise gather open
    connections."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        u = urlparse(url if "://" in url else f"http://{url}")
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ConfigError(f"chroma_url={url!r}: verwacht een adres als http://127.0.0.1:8000.")
        port = u.port or (443 if u.scheme == "https" else 8000)
        address = f"{u.scheme}://{u.hostname}:{port}"
        with _HTTP_LOCK:
            if address not in _HTTP_CLIENTS:
                try:
                    _HTTP_CLIENTS[address] = chromadb.HttpClient(
                        host=u.hostname, port=port, ssl=u.scheme == "https", settings=settings
                    )
                except Exception as exc:  # chromadb raises ValueError for a server that is not there
                    raise _unavailable(url, exc) from None
            return _HTTP_CLIENTS[address]
    if path is None:
        raise ValueError("open_client needs a path or a url")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def _unavailable(url: str, exc: BaseException) -> StoreUnavailableError:
    return StoreUnavailableError(
        f"De Chroma-server op {url} is niet bereikbaar ({type(exc).__name__}: {exc}). Start hem met "
        "'chroma run --path MAP --host 127.0.0.1 --port 8000', of laat chroma_url leeg voor de opslag op schijf."
    )


_T = TypeVar("_T")


def _served(method: Callable[..., _T]) -> Callable[..., _T]:
    """A server that goes away mid-way is a clear error naming it, not a traceback from the HTTP library."""

    @functools.wraps(method)
    def call(self: ChromaStore, *args: Any, **kwargs: Any) -> _T:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            if self.url is None or not _lost_connection(exc):
                raise
            raise _unavailable(self.url, exc) from None

    return call


def _lost_connection(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError) or type(exc).__module__.split(".")[0] in ("httpx", "httpcore"):
        return True
    return isinstance(exc, ValueError) and "connect" in str(exc).lower()


class ChromaStore:
    def __init__(
        self, path: Path | None, embedder_id: str, dimension: int, client: Any | None = None, url: str | None = None
    ) -> None:
        self.path = path
        self.url = url
        self.embedder_id = embedder_id
        self.dimension = dimension
        self.client = client if client is not None else open_client(path, url)
        self.name = collection_name(embedder_id)
        self._open_collection()

    @_served
    def _open_collection(self) -> None:
        where, embedder_id, dimension = self.url or self.path, self.embedder_id, self.dimension
        self.collection = self.client.get_or_create_collection(
            name=self.name,
            embedding_function=None,
            metadata={
                "embedder": embedder_id,
                "dimension": dimension,
                "schema_version": SCHEMA_VERSION,
                "hnsw:space": "cosine",
            },
        )
        meta = self.collection.metadata or {}
        if meta.get("embedder") != embedder_id or int(meta.get("dimension", -1)) != dimension:
            raise EmbedderMismatchError(
                f"De collectie '{self.name}' in {where} is gebouwd met embedder '{meta.get('embedder')}' "
                f"(dimensie {meta.get('dimension')}), niet met '{embedder_id}' (dimensie {dimension}). "
                "Vectoren van verschillende modellen worden nooit gemengd: kies het oorspronkelijke model "
                "of een andere datamap (BELEIDSSCAN_HOME)."
            )

    @_served
    def has_document(self, sha256: str) -> bool:
        got = self.collection.get(where={"doc_sha256": sha256}, limit=1, include=[])
        return bool(got["ids"])

    @_served
    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        if len(chunks) != len(vectors):
            raise ValueError("chunks and vectors differ in length")
        if not chunks:
            return
        if vectors.shape[1] != self.dimension:
            raise EmbedderMismatchError(
                f"Vectoren met dimensie {vectors.shape[1]} passen niet in collectie '{self.name}' ({self.dimension})."
            )
        step = max(1, min(1000, int(self.client.get_max_batch_size())))
        for i in range(0, len(chunks), step):
            part = chunks[i : i + step]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[i : i + step], dtype=np.float32),
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c) for c in part],
            )

    @_served
    def chunks_of(self, sha256: str) -> list[Chunk]:
        got = self.collection.get(where={"doc_sha256": sha256}, include=["documents", "metadatas"])
        chunks = [chunk_from_record(t, m) for t, m in zip(got["documents"], got["metadatas"], strict=True)]
        return sorted(chunks, key=lambda c: (c.page, c.start))

    @_served
    def vectors_of(self, sha256: str) -> tuple[list[Chunk], np.ndarray]:
        got = self.collection.get(where={"doc_sha256": sha256}, include=["documents", "metadatas", "embeddings"])
        chunks = [chunk_from_record(t, m) for t, m in zip(got["documents"], got["metadatas"], strict=True)]
        vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(chunks), self.dimension)
        order = sorted(range(len(chunks)), key=lambda i: (chunks[i].page, chunks[i].start))
        return [chunks[i] for i in order], vectors[order]

    @_served
    def search(self, vector: np.ndarray, k: int, documents: Sequence[str] | None = None) -> list[ScoredChunk]:
        if k <= 0:
            return []
        where: dict[str, Any] | None = None
        if documents is not None:
            docs = list(documents)
            if not docs:
                return []
            where = {"doc_sha256": docs[0]} if len(docs) == 1 else {"doc_sha256": {"$in": docs}}
        res = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        out = []
        for text, meta, dist in zip(res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True):
            out.append(ScoredChunk(chunk_from_record(text, meta), 1.0 - float(dist)))
        return out

    @_served
    def delete_document(self, sha256: str) -> int:
        got = self.collection.get(where={"doc_sha256": sha256}, include=[])
        if got["ids"]:
            self.collection.delete(ids=got["ids"])
        return len(got["ids"])

    @_served
    def count(self) -> int:
        return int(self.collection.count())
