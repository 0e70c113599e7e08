"""The assembled parts a command works with: settings, embedder, vector store, document registry.

The CLI and the UI both open a workspace and call the same service functions with it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from scanner.embed.base import Embedder, make_embedder
from scanner.settings import Settings
from scanner.store.base import ChunkStore
from scanner.store.registry import DocumentRegistry

__all__ = ["Workspace", "offline_environment", "open_workspace"]


def offline_environment(allow_download: bool = False) -> None:
    """No library may reach for the network on its own: no hub downloads, no telemetry."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    if not allow_download:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@dataclass
class Workspace:
    settings: Settings
    embedder: Embedder
    store: ChunkStore
    registry: DocumentRegistry


def open_workspace(
    settings: Settings, *, embedder: Embedder | None = None, store: ChunkStore | None = None
) -> Workspace:
    """Open the persistent store in the data directory with the configured (or given) embedder."""
    offline_environment(settings.allow_model_download)
    if embedder is None:
        embedder = make_embedder(
            settings.embedder, allow_download=settings.allow_model_download, threads=settings.threads
        )
    if store is None:
        from scanner.store.chroma import ChromaStore

        store = ChromaStore(settings.store_dir, embedder.id, embedder.dimension, url=settings.chroma_url)
    return Workspace(
        settings=settings, embedder=embedder, store=store, registry=DocumentRegistry(settings.documents_dir)
    )
