"""End-to-end fixtures: the web UI as a subprocess on a free local port, and Debian's Chromium driven by Playwright.

Chromium comes from the system package (``apt-get install chromium``; ``scripts/setup`` does it where apt is
available), never from Playwright's own downloader. Without it, or without the ``playwright`` package, the
tests skip with the reason.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.local_server import free_port, local_server
from tests.conftest import REPO

CHROMIUM = Path(os.environ.get("BELEIDSSCAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts" / "e2e"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def ui_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ui-home")


@contextlib.contextmanager
def serve_ui(home: Path, log_path: Path, *args: str) -> Iterator[str]:
    """``beleidsscan ui ARGS`` in a subprocess with its own data directory, on a free port, until the block ends;
    yields the address to open (always 127.0.0.1, whatever address the UI listens on)."""
    port = free_port()
    env = {**os.environ, "BELEIDSSCAN_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("BELEIDSSCAN_CONFIG", None)
    url = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "scanner.cli", "ui", "--port", str(port), "--no-progress", *args]
    log_path.unlink(missing_ok=True)
    with local_server(command, url, name="De webinterface", log=log_path, timeout=120, env=env, cwd=REPO):
        yield url


@pytest.fixture(scope="session")
def app_url(ui_home: Path, artifacts: Path) -> Iterator[str]:
    """The UI as one person runs it on their own computer: loopback, no logins."""
    with serve_ui(ui_home, artifacts / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run e2e tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
