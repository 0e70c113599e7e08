"""Small documents made in the test: PDFs (fpdf2), encrypted PDFs (pypdf), Word files (python-docx), PNGs."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter


def make_pdf(pages: Sequence[str], *, roman_front: int = 0, title: str | None = None) -> bytes:
    """A PDF with one page per text ('' gives a page without text).

    With ``roman_front`` = n, the first n pages are labelled i, ii, ... and the next ones 1, 2, ...
    """
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    if title:
        pdf.set_title(title)
    for i, text in enumerate(pages):
        pdf.add_page()
        if roman_front and i == 0:
            pdf.set_page_label(label_style="r")
        if roman_front and i == roman_front:
            pdf.set_page_label(label_style="D", label_start=1)
        if text:
            pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def make_drawing_pdf(n_pages: int = 2) -> bytes:
    """Pages with a drawn rectangle and an embedded image, but no text at all (like a scan)."""
    pdf = FPDF()
    for _ in range(n_pages):
        pdf.add_page()
        pdf.rect(20, 20, 100, 60, style="DF")
        pdf.image(io.BytesIO(make_png(32, 32)), x=30, y=100, w=60)
    return bytes(pdf.output())


def encrypt_pdf(data: bytes, user_password: str, owner_password: str | None = None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password=owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_png(width: int = 8, height: int = 8) -> bytes:
    """A valid grey PNG, written by hand (no imaging library needed)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes((x * 7 + y * 13) % 256 for x in range(width)) for y in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def make_docx(blocks: Sequence[tuple[str, str]]) -> bytes:
    """A Word document. Blocks: ('h1', text), ('h2', text), ('p', text), ('pagebreak', '')."""
    import docx

    document = docx.Document()
    for kind, text in blocks:
        if kind == "pagebreak":
            document.add_page_break()
        elif kind.startswith("h"):
            document.add_heading(text, level=int(kind[1:]))
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
