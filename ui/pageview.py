"""A document page as a reader sees it, with a quote highlighted: a rendered PDF page, or marked page text.

Quotes were verified against normalised extracted text (line-end hyphens repaired, ligatures expanded,
whitespace folded), which differs from the PDF's own text in exactly those ways. Both sides are therefore
reduced to their letters and digits, with a map back to the PDF's character indexes, before the quote is
looked up; a quote that is still not found exactly is located by its first and last words.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["Box", "find_span", "locate_quote", "mark_quote_html", "render_page", "skeleton"]

RENDER_SCALE = 1.6  # 72 dpi * 1.6 ≈ 115 dpi: readable on screen, small enough to send
HIGHLIGHT = (255, 214, 0, 110)  # translucent yellow
OUTLINE = (214, 120, 0, 255)
_ANCHOR = 40  # characters of the quote's skeleton used as start and end anchors


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points (origin bottom left), as pdfium reports text rectangles."""

    left: float
    bottom: float
    right: float
    top: float


def skeleton(text: str) -> tuple[str, list[int]]:
    """Lower-case letters and digits of ``text`` (ligatures expanded), with each one's index in ``text``."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            if c.isalnum():
                chars.append(c.lower())
                index.append(i)
    return "".join(chars), index


def find_span(quote: str, text: str) -> tuple[int, int] | None:
    """Where the quote stands in ``text`` as a character span (end exclusive), or None.

    Exact on the skeletons first; else from the first to the last ~40 letters of the quote, in order.
    """
    q, _ = skeleton(quote)
    t, index = skeleton(text)
    if not q or not t:
        return None
    at = t.find(q)
    if at >= 0:
        return index[at], index[at + len(q) - 1] + 1
    head, tail = q[:_ANCHOR], q[-_ANCHOR:]
    a = t.find(head)
    if a < 0:
        return None
    b = t.find(tail, a + len(head) - min(len(head), len(tail)))
    if b < 0 or b - a > 3 * len(q):
        return None
    return index[a], index[b + len(tail) - 1] + 1


def locate_quote(pdf_path: Path, page_number: int, quote: str) -> list[Box]:
    """The text rectangles (one per line) of the quote on a PDF page; empty when it cannot be found."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[page_number - 1]
        textpage = page.get_textpage()
        n = textpage.count_chars()
        text = textpage.get_text_range(0, n) if n else ""
        span = find_span(quote, text)
        if span is None:
            return []
        start, end = span
        boxes = []
        for i in range(textpage.count_rects(start, end - start)):
            left, bottom, right, top = textpage.get_rect(i)
            boxes.append(Box(left, bottom, right, top))
        return boxes
    finally:
        pdf.close()


def render_page(pdf_path: Path, page_number: int, quote: str | None = None) -> tuple[Image.Image, bool]:
    """The page as an image, with the quote highlighted; also whether the quote was found on the page."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[page_number - 1]
        height = page.get_height()
        image = page.render(scale=RENDER_SCALE).to_pil().convert("RGBA")
    finally:
        pdf.close()
    boxes = locate_quote(pdf_path, page_number, quote) if quote else []
    if boxes:
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        s = RENDER_SCALE
        for b in boxes:
            rect = (b.left * s - 2, (height - b.top) * s - 2, b.right * s + 2, (height - b.bottom) * s + 2)
            draw.rectangle(rect, fill=HIGHLIGHT)
            draw.line([(rect[0] - 3, rect[1]), (rect[0] - 3, rect[3])], fill=OUTLINE, width=3)
        image = Image.alpha_composite(image, overlay)
    return image.convert("RGB"), bool(boxes)


def mark_quote_html(page_text: str, quote: str | None) -> tuple[str, bool]:
    """The page text as HTML with the quote in ``<mark>``; also whether it was found."""
    span = find_span(quote, page_text) if quote else None
    if span is None:
        return f'<div class="bs-pagetext">{html.escape(page_text)}</div>', False
    a, b = span
    body = (
        html.escape(page_text[:a])
        + '<mark class="bs-quote">'
        + html.escape(page_text[a:b])
        + "</mark>"
        + html.escape(page_text[b:])
    )
    return f'<div class="bs-pagetext">{body}</div>', True
