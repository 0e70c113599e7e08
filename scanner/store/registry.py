"""The document registry: one JSON file per document (by SHA-256) with its page texts.

Page texts are kept apart from the vector store because every quote is checked against them, whatever
embedding model was used. Files are written atomically, so an interrupted run leaves no half-written record.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from scanner.types import DocumentRecord

__all__ = ["DocumentRegistry", "atomic_write_bytes", "atomic_write_text"]


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder and rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


class DocumentRegistry:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / f"{sha256}.json"

    def has(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def save(self, record: DocumentRecord) -> None:
        atomic_write_text(self._path(record.sha256), record.model_dump_json(indent=1))

    def get(self, sha256: str) -> DocumentRecord:
        path = self._path(sha256)
        if not path.is_file():
            raise KeyError(sha256)
        return DocumentRecord.model_validate_json(path.read_text(encoding="utf-8"))

    def find(self, prefix_or_name: str) -> list[DocumentRecord]:
        """Documents whose SHA-256 starts with, or whose file name equals, the given text."""
        return [r for r in self.all() if r.sha256.startswith(prefix_or_name) or r.file_name == prefix_or_name]

    def all(self) -> list[DocumentRecord]:
        if not self.root.is_dir():
            return []
        records = [DocumentRecord.model_validate_json(p.read_text(encoding="utf-8")) for p in self.root.glob("*.json")]
        return sorted(records, key=lambda r: (r.file_name, r.ingested_at))

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)
