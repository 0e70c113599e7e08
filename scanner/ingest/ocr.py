"""OCR for scanned pages: Dutch Tesseract (Debian's ``tesseract-ocr`` and ``tesseract-ocr-nld``) through the
maintained ``pytesseract`` binding, only for pages of a PDF that carry an image but no text layer.

The page is rendered by pdfium at 300 dpi (the resolution Tesseract is tuned for); the text is rebuilt from
Tesseract's words line by line, and the mean word confidence (0-100) goes with it, so the ingestion report can say
how well each page was read. Physical page numbers do not change. Without Tesseract the page stays unread and the
message says how to install it.
"""

from __future__ import annotations

import functools
import logging
import shutil
from dataclasses import dataclass

__all__ = ["INSTALL_HINT", "NOTHING_READ", "OcrPage", "ocr_pdf_page", "ocr_unavailable"]

log = logging.getLogger(__name__)
LANG = "nld"
DPI = 300
INSTALL_HINT = (
    "installeer Tesseract met de Nederlandse taaldata (Debian/Ubuntu: sudo apt-get install tesseract-ocr "
    "tesseract-ocr-nld) om gescande pagina's te laten lezen"
)

NOTHING_READ = "OCR vond er geen leesbare tekst op (een foto of figuur, of een te onscherpe scan)"


@dataclass(frozen=True)
class OcrPage:
    text: str
    confidence: float  # mean word confidence, 0-100
    words: int


@functools.cache
def ocr_unavailable() -> str | None:
    """None when Dutch OCR works here; otherwise why not, in Dutch, with how to install it."""
    try:
        import pytesseract
    except ImportError:
        return f"de OCR-koppeling (pytesseract) ontbreekt; pip install -e . en {INSTALL_HINT}"
    if not shutil.which("tesseract"):
        return f"Tesseract is niet geïnstalleerd; {INSTALL_HINT}"
    try:
        langs = set(pytesseract.get_languages(config=""))
    except Exception as exc:  # a broken installation
        return f"Tesseract werkt niet ({exc}); {INSTALL_HINT}"
    if LANG not in langs:
        return f"de Nederlandse taaldata van Tesseract ontbreken; {INSTALL_HINT}"
    return None


def ocr_pdf_page(data: bytes, index: int) -> OcrPage:
    """Render page ``index`` (0-based) of the PDF and read it with Dutch Tesseract."""
    import pypdfium2 as pdfium
    import pytesseract

    pdf = pdfium.PdfDocument(data)
    try:
        image = pdf[index].render(scale=DPI / 72).to_pil()
    finally:
        pdf.close()
    found = pytesseract.image_to_data(image, lang=LANG, output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for i, word in enumerate(found["text"]):
        conf = float(found["conf"][i])
        if not word.strip() or conf < 0:
            continue
        key = (found["block_num"][i], found["par_num"][i], found["line_num"][i])
        lines.setdefault(key, []).append(word)
        confidences.append(conf)
    # a blank line between Tesseract's paragraphs, so chunking sees them as paragraphs
    out: list[str] = []
    previous: tuple[int, int] | None = None
    for (block, par, _), words in sorted(lines.items()):
        if previous is not None and previous != (block, par):
            out.append("")
        out.append(" ".join(words))
        previous = (block, par)
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrPage("\n".join(out), round(mean, 1), len(confidences))
