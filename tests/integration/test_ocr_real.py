"""Scanned pages read by Dutch OCR, tested on real pages: a page of a real PDF is rendered to an image and wrapped
as a scanned PDF (an image, no text layer); ingestion OCRs only that page, keeps the page numbers, reports the
confidence, and the text matches the original text layer at character level."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scanner.ingest.ocr import ocr_unavailable
from scanner.ingest.pipeline import prepare_document
from scanner.settings import Settings, load_settings
from tests.conftest import REPO, real_file

pytestmark = pytest.mark.integration

# (file, page): running text of real policy documents whose text layer holds what the page shows, in reading order
# (not every page does: page 2 of the Almere agenda shows twice the text its layer holds, and a footer that the
# layer puts first while OCR reads it last counts as two long errors in a reading-order comparison)
PAGES = [
    ("almere_evaluatie_schakelteams_2021.pdf", 13),
    ("almere_vmca_meerjarenvisie_2022_2025.pdf", 2),
    ("almere_plan_van_aanpak_spuk_gala_2024_2026.pdf", 16),
]
SCAN_DPI = 200  # an office scanner's usual setting
ARTIFACTS = REPO / "test-artifacts" / "ocr"


@pytest.fixture(autouse=True)
def _needs_tesseract() -> None:
    why = ocr_unavailable()
    if why:
        pytest.skip(why)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({"home": tmp_path / "home", "embedder": "hash", "progress": False}, env={})


def _scanned_pdf(source: Path, pages: list[int], out: Path) -> None:
    """The pages as images in a PDF without any text: what a scanner makes."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(source)
    images = [pdf[p - 1].render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L") for p in pages]
    images[0].save(out, "PDF", resolution=SCAN_DPI, save_all=True, append_images=images[1:])


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _character_accuracy(read: str, truth: str) -> float:
    """1 - (Levenshtein distance / length of the truth), whitespace runs counted as one space."""
    a, b = _plain(read), _plain(truth)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1.0 - previous[-1] / max(1, len(b))


@pytest.mark.parametrize(("name", "page"), PAGES, ids=[p[0] for p in PAGES])
def test_a_scanned_real_page_is_read_by_dutch_ocr(name: str, page: int, settings: Settings, tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    source = real_file(name)
    truth = pdfium.PdfDocument(source)[page - 1].get_textpage().get_text_range()  # the original text layer
    scanned = tmp_path / f"gescand_{Path(name).stem}.pdf"
    _scanned_pdf(source, [page], scanned)

    record = prepare_document(scanned, settings).record
    assert record.ocr_pages == [1] and record.scanned_pages == []  # read, nothing left unread
    first = record.page(1)
    assert first.ocr_confidence is not None and first.ocr_confidence > 80
    accuracy = _character_accuracy(first.text, truth)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{Path(name).stem}-p{page}.json").write_text(
        json.dumps({"character_accuracy": round(accuracy, 4), "confidence": first.ocr_confidence,
                    "characters": len(_plain(truth))}, indent=1) + "\n", encoding="utf-8",
    )  # fmt: skip
    assert accuracy >= 0.97, f"character accuracy {accuracy:.3f}"


def test_only_pages_without_text_are_ocrd_and_quotes_say_so(settings: Settings, tmp_path: Path) -> None:
    """A PDF of a text page and a scanned page: the text page keeps its text layer; evidence from the scan is
    marked in the citation every output uses."""
    from pypdf import PdfReader, PdfWriter

    from scanner.export._common import cite
    from scanner.results import Evidence

    source = real_file("almere_maatschappelijke_agenda_2024_2034.pdf")
    scan = tmp_path / "scan.pdf"
    _scanned_pdf(source, [3], scan)
    writer = PdfWriter()
    writer.add_page(PdfReader(source).pages[1])  # page 2 of the original, with its text layer
    writer.add_page(PdfReader(scan).pages[0])
    mixed = tmp_path / "gemengd.pdf"
    with mixed.open("wb") as f:
        writer.write(f)
    record = prepare_document(mixed, settings).record
    assert record.ocr_pages == [2] and record.page(1).ocr_confidence is None
    assert "Maar een plek om te wonen maakt nog geen stad." in record.page(1).text
    e = Evidence(page=2, quote="x", chunk_id="c", score=0.9, ocr=True)
    assert cite(e) == "p. 2, gescande pagina gelezen met OCR"
