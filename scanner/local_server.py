"""A server process on this machine for as long as a block needs it: started on a free loopback port, waited for
until it answers, stopped (terminate, then kill) afterwards, and stopped too when the process that started it dies.

Used for the Chroma server of a batch with several workers; the tests and benchmarks start the web UI and the
llama.cpp server the same way.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from scanner.errors import BeleidsscanError

__all__ = ["free_port", "local_server", "wait_until_answering"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop_with_parent() -> None:
    """In the server's process before it starts (Linux): stop when the process that started it dies, even by
    kill -9, so a killed batch leaves no server behind. Elsewhere the server is stopped on a normal exit only."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def wait_until_answering(
    url: str, *, name: str, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Until ``url`` answers 200; a clear error when the process stops or the server does not answer in time."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise BeleidsscanError(f"{name} stopte direct (afsluitcode {proc.returncode}).")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise BeleidsscanError(f"{name} op {url} antwoordt niet binnen {timeout:.0f} seconden.")
        time.sleep(0.2)


@contextmanager
def local_server(
    command: Sequence[str],
    ready_url: str,
    *,
    name: str,
    log: Path,
    timeout: float = 60.0,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` (a server) until the block ends, once ``ready_url`` answers; its output goes to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            list(command), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=cwd,
            preexec_fn=_stop_with_parent,
        )  # fmt: skip
    try:
        try:
            wait_until_answering(ready_url, name=name, timeout=timeout, proc=proc)
        except BeleidsscanError as exc:
            raise BeleidsscanError(f"{exc} Zie {log}.") from None
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
