"""The web UI as a team serves it on an internal server: bound to 0.0.0.0 with a users file, everyone logs in and
sees only their own documents and scans. Two users in two browsers, with the real models and the sample PDF."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, SAMPLE_PDF
from tests.e2e.conftest import serve_ui

pytestmark = pytest.mark.e2e

PASSWORDS = {"anna": "anna-haar-wachtwoord", "bert": "bert-zijn-wachtwoord"}
SCAN_TIMEOUT_MS = 300_000


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[tuple[str, Path]]:
    """Users made with the CLI, the UI on 0.0.0.0 with them; yields (address, data directory)."""
    home = tmp_path_factory.mktemp("ui-team")
    users = home / "gebruikers.txt"
    for name, password in PASSWORDS.items():
        subprocess.run(
            [sys.executable, "-m", "scanner.cli", "ui-user", "add", name, "--users", str(users), "--password-stdin"],
            input=password + "\n", text=True, check=True, cwd=REPO, capture_output=True,
        )  # fmt: skip
    assert users.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert not any(p in users.read_text() for p in PASSWORDS.values())  # hashes, never the passwords
    with serve_ui(home, artifacts / "server-team.log", "--host", "0.0.0.0", "--users", str(users)) as url:
        yield url, home


def _login(browser: Any, url: str, name: str, password: str) -> Any:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    return page


def _upload(page: Any) -> None:
    page.locator("#bs-upload input[type=file]").set_input_files(str(SAMPLE_PDF))
    page.locator("#bs-docs").get_by_text(SAMPLE_PDF.name).wait_for()


def test_refuses_to_listen_beyond_this_computer_without_users(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "scanner.cli", "ui", "--host", "0.0.0.0", "--port", "1", "--home", str(tmp_path)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1
    assert "alleen met inloggen" in run.stderr and "ui-user add" in run.stderr


def test_two_users_each_see_only_their_own_scans(browser: Any, team: tuple[str, Path], artifacts: Path) -> None:
    url, home = team
    # a wrong password is refused, in Dutch
    page = _login(browser, url, "anna", "niet-haar-wachtwoord")
    page.get_by_text("Onjuiste inloggegevens").wait_for()
    assert not page.get_by_role("heading", name="Beleidsscan").count()
    page.context.close()

    # anna scans the sample
    anna = _login(browser, url, "anna", PASSWORDS["anna"])
    anna.locator("#bs-user").get_by_text("Ingelogd als anna").wait_for()
    _upload(anna)
    anna.locator("#bs-scan").click()
    anna.locator("#bs-summary .bs-matrix").wait_for(timeout=SCAN_TIMEOUT_MS)
    anna.screenshot(path=str(artifacts / "10-anna-scanned.png"), full_page=True)

    # bert uploads the same document: anna's scan is not his to reopen; on disk their files are apart
    bert = _login(browser, url, "bert", PASSWORDS["bert"])
    bert.locator("#bs-user").get_by_text("Ingelogd als bert").wait_for()
    _upload(bert)
    bert.wait_for_timeout(1000)
    assert not bert.locator("#bs-earlier-row").is_visible()
    assert not bert.locator("#bs-summary .bs-matrix").count()
    users = home / "ui" / "users"
    assert len(list((users / "anna" / "scans").glob("*/result.scan.json"))) == 1
    assert not list((users / "bert" / "scans").glob("*/result.scan.json"))
    assert list((users / "bert" / "docs").rglob(SAMPLE_PDF.name))  # his own copy, under his name
    bert.screenshot(path=str(artifacts / "11-bert-sees-nothing-of-anna.png"), full_page=True)
    bert.context.close()

    # anna, in a new browser, finds her scan again
    again = _login(browser, url, "anna", PASSWORDS["anna"])
    _upload(again)
    again.locator("#bs-earlier-row").wait_for()
    again.locator("#bs-reopen").click()
    again.locator("#bs-summary .bs-matrix").wait_for()
    again.context.close()
    anna.context.close()
