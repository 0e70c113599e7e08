"""A Chroma server on this machine, for as long as a batch (or a test) needs one.

Chroma's embedded store is not process-safe ("Chroma is thread-safe; Chroma is not process-safe"), so processes
that share a store talk to one Chroma server over HTTP: ``chroma run --path DIR --host 127.0.0.1 --port N``, the
server that ships with the chromadb package, over the same folder the embedded store uses. Where a server is
configured (``chroma_url``), nothing is started.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scanner.errors import BeleidsscanError

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


def _stop_with_parent() -> None:
    """In the server's process before it starts (Linux): stop when the process that started it dies, even by
    kill -9, so a killed batch leaves no server behind. Elsewhere the server is stopped on a normal exit only."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_server(url: str, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Until the server answers its heartbeat; a clear error when it stops or does not answer in time."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise BeleidsscanError(f"De Chroma-server stopte direct (afsluitcode {proc.returncode}).")
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/api/v2/heartbeat", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise BeleidsscanError(f"De Chroma-server op {url} antwoordt niet binnen {timeout:.0f} seconden.")
        time.sleep(0.2)


@contextmanager
def local_chroma_server(path: Path, log: Path | None = None) -> Iterator[str]:
    """Start ``chroma run`` over ``path`` on a free local port; yields its URL and stops it afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = log or path.parent / "chroma-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as out:
        proc = subprocess.Popen(
            [chroma_executable(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=_stop_with_parent,
        )  # fmt: skip
    try:
        try:
            wait_for_server(url, proc=proc)
        except BeleidsscanError as exc:
            raise BeleidsscanError(f"{exc} Zie {log_path}.") from None
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
