"""Where the web UI keeps files, all under the data directory (``settings.home / "ui"``).

- ``tmp/``: Gradio's upload and cache folder; an upload is moved out of it as soon as it is identified.
- ``docs/<sha256>/<file name>``: the original of each uploaded document, content-addressed, kept while a saved
  scan refers to it (to show its pages), deleted with the last such scan or at the end of the session otherwise.
- ``scans/<key>/``: a saved scan (``result.scan.json``, reviews included) under a key derived from the documents'
  SHA-256s, the framework and the judge, so only someone who uploads the same documents can reopen it.
- ``tmp/sessions/<id>/``: a session's downloads, deleted when the session ends.

With logins (``beleidsscan ui --users FILE``) ``docs/`` and ``scans/`` live under ``users/<name>/``: a user sees and
reopens only their own (``UiStore.for_user``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from scanner.hashing import sha256_file
from scanner.results import ScanResult
from scanner.review import scan_key
from scanner.store.registry import atomic_write_text

__all__ = ["SavedScan", "UiStore"]

RESULT_FILE = "result.scan.json"


@dataclass(frozen=True)
class SavedScan:
    key: str
    framework_id: str
    judge: str
    created_at: str
    reviewed: int


class UiStore:
    def __init__(self, root: Path, user: str | None = None) -> None:
        self.root = root
        self.user = user
        own = root / "users" / _safe(user) if user else root  # with logins, each user's documents and scans apart
        self.tmp = root / "tmp"
        self.docs = own / "docs"
        self.scans = own / "scans"
        self.sessions = self.tmp / "sessions"  # inside Gradio's folder: it serves downloads from there
        for d in (self.tmp, self.docs, self.scans, self.sessions):
            d.mkdir(parents=True, exist_ok=True)

    def for_user(self, user: str | None) -> UiStore:
        """The same UI folder seen by one logged-in user (``None``: no logins, the single-user layout)."""
        return self if user == self.user else UiStore(self.root, user)

    # -- documents -------------------------------------------------------------------------------

    def keep_upload(self, upload: Path, name: str | None = None) -> tuple[str, Path]:
        """Move an upload out of Gradio's folder into ``docs/<sha256>/``; returns its hash and new path."""
        sha = sha256_file(upload)
        target = self.docs / sha / (name or upload.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            upload.unlink(missing_ok=True)
        else:
            shutil.move(str(upload), target)
        _remove_empty_parents(upload.parent, self.tmp)
        return sha, target

    def document(self, sha256: str) -> Path | None:
        folder = self.docs / sha256
        files = sorted(folder.iterdir()) if folder.is_dir() else []
        return files[0] if files else None

    def release_documents(self, sha256s: list[str]) -> None:
        """Delete originals no saved scan refers to."""
        used = self._referenced()
        for sha in sha256s:
            if sha not in used:
                shutil.rmtree(self.docs / sha, ignore_errors=True)

    def _referenced(self) -> set[str]:
        used: set[str] = set()
        for path in self.scans.glob(f"*/{RESULT_FILE}"):
            try:
                result = ScanResult.model_validate_json(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            used.update(d.sha256 for d in result.documents)
        return used

    # -- scans -----------------------------------------------------------------------------------

    def save(self, result: ScanResult) -> str:
        key = scan_key((d.sha256 for d in result.documents), result.framework.id, result.settings.judge)
        atomic_write_text(self.scans / key / RESULT_FILE, result.model_dump_json(indent=1) + "\n")
        return key

    def load(self, key: str) -> ScanResult | None:
        path = self.scans / key / RESULT_FILE
        if not (len(key) == 32 and key.isalnum() and path.is_file()):
            return None
        return ScanResult.model_validate_json(path.read_text(encoding="utf-8"))

    def earlier(self, sha256s: list[str], framework_ids: list[str], judges: list[str]) -> list[SavedScan]:
        """Saved scans of exactly these documents, for any of the frameworks and judges."""
        out = []
        for fw in framework_ids:
            for judge in judges:
                key = scan_key(sha256s, fw, judge)
                result = self.load(key)
                if result is not None:
                    reviewed = sum(1 for f in result.findings if f.override)
                    out.append(SavedScan(key, fw, judge, result.created_at, reviewed))
        return sorted(out, key=lambda s: s.created_at, reverse=True)

    def delete(self, key: str) -> None:
        result = self.load(key)
        if result is None:
            return
        shutil.rmtree(self.scans / key, ignore_errors=True)
        self.release_documents([d.sha256 for d in result.documents])

    # -- sessions --------------------------------------------------------------------------------

    def session_dir(self, session_id: str) -> Path:
        path = self.sessions / _safe(session_id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def end_session(self, session_id: str, unsaved_documents: list[str]) -> None:
        shutil.rmtree(self.sessions / _safe(session_id), ignore_errors=True)
        self.release_documents(unsaved_documents)


def _safe(name: str | None) -> str:
    """A folder name from a session id or user name: letters and digits only (a user name keeps a hash of itself,
    so "a.b" and "ab" stay apart)."""
    import hashlib

    text = name or ""
    safe = "".join(c for c in text if c.isalnum())[:48] or "anon"
    if safe != text:
        safe += "-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return safe


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    try:
        folder.resolve().relative_to(stop.resolve())
    except ValueError:
        return
    while folder.resolve() != stop.resolve():
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
