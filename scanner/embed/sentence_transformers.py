"""Any sentence-transformers model, by folder, by a package that ships one, or by a name in the local cache.

Offline by default: the hub is never contacted unless the user allows downloads in the settings.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from scanner.embed.base import resolve_packaged_model
from scanner.errors import ModelUnavailableError

__all__ = ["SentenceTransformerEmbedder"]


class SentenceTransformerEmbedder:
    def __init__(
        self,
        name_or_path: str,
        *,
        allow_download: bool = False,
        threads: int | None = None,
        batch_size: int = 32,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
    ) -> None:
        self._name = name_or_path
        if not allow_download:
            # Must be set before huggingface_hub is imported anywhere in the process.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        location = resolve_packaged_model(name_or_path)
        if location is None and Path(name_or_path).expanduser().is_dir():
            location = Path(name_or_path).expanduser()
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelUnavailableError(
                "sentence-transformers is niet geïnstalleerd; installeer beleidsscan opnieuw (pip install -e .)."
            ) from exc
        if threads:
            torch.set_num_threads(threads)
        try:
            self._model = SentenceTransformer(
                str(location) if location else name_or_path,
                device="cpu",
                local_files_only=not allow_download,
            )
        except Exception as exc:  # OSError, ValueError, huggingface errors: all mean "not usable here"
            raise ModelUnavailableError(
                f"Het sentence-transformers-model '{name_or_path}' is niet lokaal beschikbaar ({type(exc).__name__}). "
                "Geef een map met het model op, een pakket dat het model meelevert, of sta downloaden toe "
                "met BELEIDSSCAN_ALLOW_MODEL_DOWNLOAD=1 op een machine met internet."
            ) from exc
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = getter()
        if not dim:
            raise ModelUnavailableError(f"Het model '{name_or_path}' geeft geen vaste embeddingdimensie op.")
        self._dim = int(dim)
        self.batch_size = batch_size
        # e5-style models need their prefixes; others must not get them.
        is_e5 = "e5" in name_or_path.lower()
        self._qp = query_prefix if query_prefix is not None else ("query: " if is_e5 else "")
        self._pp = passage_prefix if passage_prefix is not None else ("passage: " if is_e5 else "")

    @property
    def id(self) -> str:
        return f"sentence-transformers/{self._name}"

    @property
    def dimension(self) -> int:
        return self._dim

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        vecs = self._model.encode(
            [self._pp + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._model.encode(
            self._qp + text, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vec, dtype=np.float32)
