"""The web UI in a real headless Chromium: upload the sample, scan with the fast judge, read the matrix, open a
finding and its page with the highlight, review a status, download the JSON, reopen as another session.

Screenshots and timings are kept in ``test-artifacts/e2e/``.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pytest

from tests.conftest import SAMPLE_PDF

pytestmark = pytest.mark.e2e

SCAN_TIMEOUT_MS = 300_000
ELEMENT = "buurt.ho.ontmoetingsplekken"  # a handelingsoptie covered in the sample (p. 5): quotes to click


def _new_page(browser: Any, outside: list[str], locale: str = "nl-NL") -> Any:
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()

    def note(request: Any) -> None:
        host = urlparse(request.url).hostname
        if request.url.startswith(("http", "ws")) and host not in ("127.0.0.1", "localhost"):
            outside.append(request.url)

    page.on("request", note)
    page.set_default_timeout(30_000)
    return page


def _upload(page: Any, path: Path) -> None:
    page.locator("#bs-upload input[type=file]").set_input_files(str(path))
    page.locator("#bs-docs").get_by_text(path.name).wait_for()


def _open_tab(page: Any, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def _no_serious_accessibility_violations(page: Any, screen: str, artifacts: Path) -> None:
    """axe-core on the current screen: Dutch municipalities must meet WCAG 2.1 AA (Digitoegankelijk); a serious or
    critical violation fails the test, the full report is kept with the artifacts."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    violations = result.response["violations"]
    (artifacts / f"axe-{screen}.json").write_text(json.dumps(violations, indent=1), encoding="utf-8")
    serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in violations
               if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert serious == [], (screen, serious)


def _highlighted_pixels(png: bytes) -> int:
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    # the translucent yellow over white paper: high red and green, blue well below
    return int(((r > 235) & (g > 215) & (b > 110) & (b < 200)).sum())


def test_upload_scan_review_download(browser: Any, app_url: str, ui_home: Path, artifacts: Path) -> None:
    outside: list[str] = []
    page = _new_page(browser, outside)
    page.goto(app_url)
    page.get_by_role("heading", name="Beleidsscan").wait_for()
    page.screenshot(path=str(artifacts / "00-start.png"), full_page=True)
    _no_serious_accessibility_violations(page, "start", artifacts)

    # upload and scan with the fast judge
    t0 = time.perf_counter()
    _upload(page, SAMPLE_PDF)
    assert not list((ui_home / "ui" / "tmp").rglob("*.pdf")), "the upload must leave Gradio's folder at once"
    assert list((ui_home / "ui" / "docs").rglob(SAMPLE_PDF.name))
    page.locator("#bs-judge").get_by_text("Aanbevolen", exact=False).click()
    page.locator("#bs-scan").click()
    matrix = page.locator("#bs-summary .bs-matrix")
    matrix.wait_for(timeout=SCAN_TIMEOUT_MS)
    upload_to_matrix = time.perf_counter() - t0
    (artifacts / "timings.json").write_text(
        json.dumps({"sample_pdf_fast_upload_to_matrix_s": round(upload_to_matrix, 1)}, indent=1) + "\n"
    )
    assert page.locator("#bs-status").get_by_text("Scan klaar").is_visible()
    cells = page.locator("#bs-summary td.bs-cell[data-env]")
    assert cells.count() == 12  # three environments x four dimensions
    assert page.locator("#bs-summary .bs-verdict").count() == 3
    page.screenshot(path=str(artifacts / "01-matrix.png"), full_page=True)
    _no_serious_accessibility_violations(page, "result", artifacts)

    # drill down from the matrix: its dot opens the finding of a covered element; its quote, the page highlighted
    page.locator(f'#bs-summary button.bs-dot[data-element="{ELEMENT}"]').click()
    page.locator(f'#bs-finding [data-element="{ELEMENT}"]').wait_for()
    assert page.get_by_role("tab", name="Bevindingen per element").get_attribute("aria-selected") == "true"
    finding_status = page.locator("#bs-finding .bs-finding").get_attribute("data-status")
    assert finding_status in ("covered", "partial")
    page.locator("#bs-quotes label").first.click()
    image = page.locator("#bs-page img")
    image.wait_for()
    page.wait_for_timeout(300)  # the page column is beside the chosen quote, in view
    box, view = page.locator("#bs-page").bounding_box(), page.viewport_size
    assert box is not None and view is not None and box["y"] < view["height"] and box["y"] + box["height"] > 0
    page.locator("#bs-page-msg").get_by_text("pagina").wait_for()
    assert "niet precies" not in page.locator("#bs-page-msg").inner_text()
    png = page.request.get(image.get_attribute("src")).body()
    assert _highlighted_pixels(png) > 2000, "the quote is highlighted on the rendered page"
    page.screenshot(path=str(artifacts / "02-finding-page.png"), full_page=True)
    _no_serious_accessibility_violations(page, "finding", artifacts)

    # review: change the status with a note; the matrix and the gaps follow
    assert not page.locator(f'#bs-gaps .bs-gap[data-element="{ELEMENT}"]').count()
    cell = page.locator('#bs-summary td.bs-cell[data-env="buurt"][data-dim="ho"]')
    before = int(cell.get_attribute("data-not-found"))
    page.locator("#bs-review-status").get_by_text("niet gevonden").click()
    page.locator("#bs-note textarea").fill("Alleen een voornemen, nog geen maatregel.")
    page.locator("#bs-change").click()
    page.locator("#bs-review-msg").get_by_text("Status gewijzigd").wait_for()
    page.wait_for_function(
        'n => document.querySelector(\'#bs-summary td.bs-cell[data-env="buurt"][data-dim="ho"]\')'
        ".getAttribute('data-not-found') == n",
        arg=str(before + 1),
    )
    assert page.locator("#bs-finding .bs-override").is_visible()
    page.screenshot(path=str(artifacts / "03-reviewed.png"), full_page=True)
    _open_tab(page, "Overzicht")
    page.locator("#bs-summary .bs-reviewed").first.wait_for()
    page.screenshot(path=str(artifacts / "04-matrix-after-review.png"), full_page=True)
    _open_tab(page, "Kansen en advies")
    page.locator(f'#bs-gaps .bs-gap[data-element="{ELEMENT}"]').wait_for()
    page.screenshot(path=str(artifacts / "05-gaps.png"), full_page=True)
    _no_serious_accessibility_violations(page, "gaps", artifacts)

    # download the JSON: it carries the review
    _open_tab(page, "Downloaden")
    with page.expect_download() as info:
        page.locator("#bs-dl-scan-json").click()
    saved = artifacts / "downloaded.scan.json"
    info.value.save_as(str(saved))
    data = json.loads(saved.read_text(encoding="utf-8"))
    found = next(f for f in data["findings"] if f["element_id"] == ELEMENT)
    assert found["override"]["status"] == "not_found"
    assert found["override"]["note"] == "Alleen een voornemen, nog geen maatregel."
    with page.expect_download() as info:
        page.locator("#bs-dl-labels-jsonl").click()
    labels = info.value.path().read_text(encoding="utf-8").splitlines()
    assert len(labels) == 36
    assert json.loads(next(x for x in labels if ELEMENT in x))["status"] == "not_found"
    page.screenshot(path=str(artifacts / "06-downloads.png"), full_page=True)
    _no_serious_accessibility_violations(page, "downloads", artifacts)

    # another session sees nothing of this one, and can reopen the scan only by uploading the same document
    other = _new_page(browser, outside)
    other.goto(app_url)
    other.get_by_role("heading", name="Beleidsscan").wait_for()
    assert not other.locator("#bs-summary .bs-matrix").count()
    assert not other.locator("#bs-earlier-row").is_visible()
    _upload(other, SAMPLE_PDF)
    other.locator("#bs-earlier-row").wait_for()
    t1 = time.perf_counter()
    other.locator("#bs-reopen").click()
    other.locator("#bs-summary .bs-matrix").wait_for()
    reopened = time.perf_counter() - t1
    assert other.locator("#bs-summary .bs-reviewed").count() >= 1  # the review was saved with the scan
    other.screenshot(path=str(artifacts / "07-reopened.png"), full_page=True)
    timings = json.loads((artifacts / "timings.json").read_text())
    timings["reopen_s"] = round(reopened, 1)
    (artifacts / "timings.json").write_text(json.dumps(timings, indent=1) + "\n")

    assert outside == [], f"the page reached outside this machine: {outside[:5]}"
    page.context.close()
    other.context.close()


def test_refuses_unsupported_file(browser: Any, app_url: str, ui_home: Path, tmp_path: Path, artifacts: Path) -> None:
    bad = tmp_path / "begroting.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    page = _new_page(browser, [], locale="en-US")  # an English browser: Gradio's own texts are Dutch all the same
    page.goto(app_url)
    page.get_by_role("heading", name="Beleidsscan").wait_for()
    upload_text = page.locator("#bs-upload").inner_text()
    assert "Sleep een bestand hier" in upload_text and "Klik om te uploaden" in upload_text, upload_text
    assert "Drop File Here" not in upload_text and "Click to Upload" not in upload_text
    assert page.evaluate("document.documentElement.lang") == "nl"
    page.locator("#bs-upload input[type=file]").set_input_files(str(bad))
    page.locator("#bs-docs").get_by_text("begroting.xlsx: dit bestandstype (.xlsx) wordt niet ondersteund").wait_for()
    assert page.locator("#bs-scan").is_disabled()
    assert not list((ui_home / "ui").rglob("begroting.xlsx")), "a refused file is not kept"
    page.screenshot(path=str(artifacts / "08-refused-file.png"), full_page=True)
    page.context.close()


def _focused(page: Any) -> dict[str, str]:
    return page.evaluate(
        """() => { const a = document.activeElement, host = a && a.closest('[id^=bs-]');
        return { tag: a ? a.tagName : '', role: (a && a.getAttribute('role')) || '', host: host ? host.id : '',
                 text: a ? (a.innerText || '').slice(0, 60) : '',
                 element: (a && a.dataset && a.dataset.element) || '' }; }"""
    )


def _key_to(page: Any, wanted: Any, key: str = "Tab", limit: int = 300) -> int:
    """Press Tab (or Shift+Tab) until the focused element is the wanted one; how many presses it took."""
    for n in range(1, limit + 1):
        page.keyboard.press(key)
        if wanted(_focused(page)):
            return n
    raise AssertionError(f"not reachable with {key}: last focus {_focused(page)}")


def _choose_file_with_keyboard(page: Any, path: Path, tries: int = 3) -> int:
    """Tab to the upload area and press Space until the system file dialog opens; the Tab presses it took.

    On a loaded machine the first Space can land while Gradio is still wiring the upload button (the dialog then
    never opens, as seen once in CI); a person would press again, and so does this, at most `tries` times."""
    from playwright.sync_api import TimeoutError as DialogDidNotOpen

    for attempt in range(1, tries + 1):
        presses = _key_to(page, lambda a: a["host"] == "bs-upload" and a["tag"] == "BUTTON")
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
        except DialogDidNotOpen:
            if attempt == tries:
                raise
            page.keyboard.press("Shift+Tab")  # step back so the next round tabs onto the button again
            continue
        chooser.value.set_files(str(path))
        return presses
    raise AssertionError("unreachable")


def test_keyboard_alone_completes_upload_scan_review_download(browser: Any, app_url: str, artifacts: Path) -> None:
    """WCAG 2.1.1: upload, scan, open a finding from the matrix, see its page, confirm it and download the Word
    report with the keyboard only (Tab, Shift+Tab, Space, Enter; the file itself is chosen in the system dialog)."""
    page = _new_page(browser, [])
    page.goto(app_url)
    page.get_by_role("heading", name="Beleidsscan").wait_for()
    presses = {"upload": _choose_file_with_keyboard(page, SAMPLE_PDF)}
    page.locator("#bs-docs").get_by_text(SAMPLE_PDF.name).wait_for()
    presses["scan"] = _key_to(page, lambda a: a["host"] == "bs-scan")
    page.keyboard.press("Enter")
    page.locator("#bs-summary .bs-matrix").wait_for(timeout=SCAN_TIMEOUT_MS)
    page.wait_for_function("document.activeElement.closest('#bs-summary') !== null")  # focus moves to the result
    presses["matrix dot"] = _key_to(page, lambda a: a["element"] == ELEMENT)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.activeElement.closest('#bs-finding [data-element=\"{ELEMENT}\"]') !== null")
    presses["quote"] = _key_to(page, lambda a: a["host"] == "bs-quotes")
    page.keyboard.press("Space")
    page.locator("#bs-page img").wait_for()
    presses["confirm"] = _key_to(page, lambda a: a["host"] == "bs-accept")
    page.keyboard.press("Enter")
    page.locator("#bs-review-msg").get_by_text("Bevinding bevestigd").wait_for()
    presses["downloads tab"] = _key_to(page, lambda a: a["role"] == "tab" and "Downloaden" in a["text"], "Shift+Tab")
    page.keyboard.press("Enter")
    presses["Word"] = _key_to(page, lambda a: a["host"] == "bs-dl-rapport-docx")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".rapport.docx")
    (artifacts / "keyboard-presses.json").write_text(json.dumps(presses, indent=1) + "\n", encoding="utf-8")
    page.screenshot(path=str(artifacts / "09-keyboard-done.png"), full_page=True)
    page.context.close()
