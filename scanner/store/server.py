"""A Chroma server on this machine, for as long as a batch (or a test) needs one.

Chroma's embedded store is not process-safe ("Chroma is thread-safe; Chroma is not process-safe"), so processes
that share a store talk to one Chroma server over HTTP: ``chroma run --path DIR --host 127.0.0.1 --port N``, the
server that ships with the chromadb package, over the same folder the embedded store uses. Where a server is
configured (``chroma_url``), nothing is started.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scanner.errors import BeleidsscanError
from scanner.local_server import free_port, local_server

__all__ = ["chroma_executable", "local_chroma_server"]


def chroma_executable() -> str:
    """The ``chroma`` command of the installed chromadb package (beside this Python first)."""
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.is_file() else shutil.which("chroma")
    if not found:
        raise BeleidsscanError(
            "Het programma 'chroma' (de Chroma-server uit het pakket chromadb) is niet gevonden. "
            "Installeer beleidsscan opnieuw (pip install -e .)."
        )
    return found


@contextmanager
def local_chroma_server(path: Path, log: Path | None = None) -> Iterator[str]:
    """Start ``chroma run`` over ``path`` on a free local port; yields its URL and stops it afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [chroma_executable(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with local_server(
        command, f"{url}/api/v2/heartbeat", name="De Chroma-server", log=log or path.parent / "chroma-server.log"
    ):
        yield url
