"""Readers: a file on disk becomes raw pages (text, printed label, known headings).

Each reader checks that the file is what its extension says and turns every failure into a
:class:`~scanner.errors.DocumentError` that names the file and the cause, in Dutch, for the user.
"""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from scanner.errors import DocumentError

__all__ = ["SUPPORTED_SUFFIXES", "RawDocument", "RawPage", "detect_kind", "read_document"]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {
    ".pdf": "pdf",
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
}

# Fewer visible characters than this on a page means it has no usable text layer.
MIN_TEXT_CHARS = 20


@dataclass(frozen=True)
class RawPage:
    text: str
    label: str | None = None
    # Lines known to be headings from the file's structure (docx paragraph styles), level by text.
    headings: dict[str, int] = field(default_factory=dict)
    has_images: bool = False
    ocr_confidence: float | None = None  # the text was read by OCR (mean word confidence 0-100)


@dataclass(frozen=True)
class RawDocument:
    path: Path
    kind: str
    data: bytes
    pages: list[RawPage]
    title: str | None = None


def _sniff(head: bytes) -> str:
    """What the first bytes say the file is."""
    at = head.find(b"%PDF-", 0, 1024)
    # A PDF header may follow up to 1 KB of junk; text that merely mentions '%PDF-' is still text.
    if at == 0 or (at > 0 and (b"\x00" in head[:at] or not head[:at].strip())):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # old .doc / .xls
    if b"\x00" in head[:4096]:
        return "binary"
    return "text"


_KIND_NL = {
    "pdf": "een PDF-bestand",
    "zip": "een ZIP-archief (bijvoorbeeld .docx of .xlsx)",
    "image": "een afbeelding",
    "ole": "een oud Office-bestand (.doc/.xls)",
    "binary": "een binair bestand",
    "text": "een tekstbestand",
}


def detect_kind(path: Path, data: bytes) -> str:
    """The reader to use for ``path``, after checking that content and extension agree."""
    suffix = path.suffix.lower()
    kind = SUPPORTED_SUFFIXES.get(suffix)
    if kind is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise DocumentError(
            path,
            "unsupported-type",
            f"bestandstype '{suffix or '(geen extensie)'}' wordt niet ondersteund ({supported}).",
        )
    if not data:
        raise DocumentError(path, "empty", "het bestand is leeg (0 bytes).")
    sniffed = _sniff(data[:8192])
    expected = {"pdf": "pdf", "docx": "zip", "txt": "text", "md": "text", "html": "text"}[kind]
    if sniffed != expected:
        raise DocumentError(
            path,
            "wrong-type",
            f"de extensie is '{suffix}', maar de inhoud is {_KIND_NL[sniffed]}. "
            "Controleer of dit het juiste bestand is.",
        )
    return kind


def read_document(path: Path, *, max_bytes: int, max_pages: int) -> RawDocument:
    """Read a supported file into raw pages; raise DocumentError with a clear cause otherwise."""
    try:
        if not path.exists():
            raise DocumentError(path, "missing", "het bestand bestaat niet (of is een verbroken koppeling).")
        if path.is_dir():
            raise DocumentError(path, "not-a-file", "dit is een map, geen bestand.")
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(
                path,
                "too-large",
                f"het bestand is {size / 1e6:.0f} MB; de grens is {max_bytes / 1e6:.0f} MB "
                "(instelling max_file_mb). Splits het document of verhoog de grens.",
            )
        data = path.read_bytes()
    except PermissionError:
        raise DocumentError(path, "unreadable", "geen leesrechten voor dit bestand.") from None
    except OSError as exc:
        raise DocumentError(
            path, "unreadable", f"het bestand kan niet worden gelezen ({exc.strerror or exc})."
        ) from None
    kind = detect_kind(path, data)
    if kind == "pdf":
        pages, title = _read_pdf(path, data, max_pages)
    elif kind == "docx":
        pages, title = _read_docx(path, data), None
    elif kind == "html":
        pages, title = _read_html(path, data)
    else:
        pages, title = _read_text(path, data), None
    if len(pages) > max_pages:
        raise DocumentError(
            path,
            "too-large",
            f"het document heeft {len(pages)} pagina's; de grens is {max_pages} (instelling max_pages).",
        )
    if not any(len(p.text.strip()) >= MIN_TEXT_CHARS for p in pages):
        what = "geen tekstlaag (waarschijnlijk gescand)" if kind == "pdf" else "geen tekst"
        raise DocumentError(
            path,
            "no-text",
            f"het document bevat {what}. Maak eerst een doorzoekbare versie (OCR) en probeer het opnieuw.",
        )
    return RawDocument(path=path, kind=kind, data=data, pages=pages, title=title)


# --- PDF ------------------------------------------------------------------------------------------


def _read_pdf(path: Path, data: bytes, max_pages: int) -> tuple[list[RawPage], str | None]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError, PdfStreamError

    # pypdf logs recoverable problems of damaged files as warnings; we report them ourselves.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # missing crypto backend or unknown algorithm
                raise DocumentError(
                    path, "encrypted", f"de PDF is versleuteld en kan niet worden geopend ({exc})."
                ) from None
            if not ok:
                raise DocumentError(
                    path,
                    "encrypted",
                    "de PDF is beveiligd met een wachtwoord. Sla een onbeveiligde versie op en probeer het opnieuw.",
                )
        n = len(reader.pages)
        if n == 0:
            raise DocumentError(path, "corrupt", "de PDF bevat geen pagina's (beschadigd of onvolledig bestand).")
        if n > max_pages:
            raise DocumentError(
                path, "too-large", f"de PDF heeft {n} pagina's; de grens is {max_pages} (instelling max_pages)."
            )
        try:
            labels = list(reader.page_labels)
        except Exception:
            labels = [str(i + 1) for i in range(n)]
        pages = []
        for i, page in enumerate(reader.pages):
            try:
                text = page.extract_text() or ""
            except Exception as exc:  # one broken content stream must not lose the rest
                log.warning("%s: page %d could not be read: %s", path, i + 1, exc)
                text = ""
            has_images = _page_has_images(page)
            label = labels[i] if i < len(labels) else None
            pages.append(_with_ocr(path, data, i, RawPage(text=text, label=label or None, has_images=has_images)))
        title = None
        try:
            meta = reader.metadata
            title = (meta.title or None) if meta else None
        except Exception:
            title = None
        return pages, title
    except FileNotDecryptedError:
        raise DocumentError(path, "encrypted", "de PDF is beveiligd met een wachtwoord.") from None
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise DocumentError(
            path,
            "corrupt",
            f"de PDF is beschadigd of onvolledig en kan niet worden gelezen ({type(exc).__name__}: {exc}).",
        ) from None


def _with_ocr(path: Path, data: bytes, index: int, page: RawPage) -> RawPage:
    """A page with an image and no text layer, read by Dutch OCR where Tesseract is installed (only such pages)."""
    if not page.has_images or sum(1 for c in page.text if not c.isspace()) >= MIN_TEXT_CHARS:
        return page
    from scanner.ingest import ocr

    if ocr.ocr_unavailable():
        return page
    try:
        read = ocr.ocr_pdf_page(data, index)
    except Exception as exc:  # one page OCR cannot read must not lose the document
        log.warning("%s: OCR of page %d failed: %s", path, index + 1, exc)
        return page
    if sum(1 for c in read.text if not c.isspace()) < MIN_TEXT_CHARS:
        return page  # an image without text (a photo, a figure): still reported as a page without text
    return RawPage(text=read.text, label=page.label, has_images=True, ocr_confidence=read.confidence)


def _page_has_images(page: object) -> bool:
    try:
        resources = page["/Resources"]  # type: ignore[index]
        xobjects = resources.get("/XObject") if resources else None
        if not xobjects:
            return False
        return any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())
    except Exception:
        return False


# --- Plain text and Markdown ----------------------------------------------------------------------


def _decode_text(path: Path, data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(path, "wrong-type", "de tekst is niet in UTF-8 of Windows-1252 gecodeerd.")


def _read_text(path: Path, data: bytes) -> list[RawPage]:
    # A form feed marks a page break, as in text exported from a PDF (pdftotext) or written by hand.
    text = _decode_text(path, data)
    parts = text.split("\f")
    if parts and not parts[-1].strip() and len(parts) > 1:
        parts = parts[:-1]  # a trailing form feed does not start a page
    return [RawPage(text=p) for p in parts]


# --- a saved web page (.html) ---------------------------------------------------------------------


def _read_html(path: Path, data: bytes) -> tuple[list[RawPage], str | None]:
    """The main text of a saved web page, without navigation, menus and footers, as one page.

    trafilatura finds the main content and writes it as Markdown, so headings become '#' lines that the
    chunker recognises; tables keep their rows.
    """
    import trafilatura

    html = _decode_text(path, data)
    if not re.search(r"<\s*(html|body|div|p|h[1-6]|table)\b", html[:200_000], re.IGNORECASE):
        raise DocumentError(path, "wrong-type", "de extensie is '.html', maar de inhoud is geen webpagina.")
    text = trafilatura.extract(
        html, output_format="markdown", include_tables=True, include_links=False, include_images=False,
        include_comments=False, favor_recall=True, deduplicate=False,
    )  # fmt: skip
    meta = trafilatura.extract_metadata(html)
    title = meta.title if meta is not None and meta.title else None
    return [RawPage(text=text or "")], title


# --- Word (.docx) ---------------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*(\d)$", re.IGNORECASE)


def _read_docx(path: Path, data: bytes) -> list[RawPage]:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "word/document.xml" not in z.namelist():
                raise DocumentError(
                    path, "wrong-type", "de extensie is '.docx', maar het archief is geen Word-document."
                )
    except zipfile.BadZipFile:
        raise DocumentError(path, "corrupt", "het Word-bestand is beschadigd of onvolledig.") from None
    try:
        import docx
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise DocumentError(path, "corrupt", f"het Word-bestand kan niet worden gelezen ({exc}).") from None

    # Word has no fixed pages; explicit page breaks (and section breaks) are the page boundaries we can trust.
    pages: list[RawPage] = []
    lines: list[str] = []
    headings: dict[str, int] = {}

    def flush() -> None:
        pages.append(RawPage(text="\n\n".join(lines), headings=dict(headings)))
        lines.clear()
        headings.clear()

    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            para = Paragraph(block, document)
            text = para.text.strip()
            breaks = block.findall(".//" + qn("w:br"))
            page_break = any(b.get(qn("w:type")) == "page" for b in breaks)
            if para.paragraph_format.page_break_before and lines:
                flush()
            if text:
                style = para.style.name if para.style is not None else ""
                m = _HEADING_STYLE.match(style or "")
                if m or (style or "").lower() == "title":
                    headings[text] = int(m.group(1)) if m else 1
                lines.append(text)
            if page_break and lines:
                flush()
        elif block.tag == qn("w:tbl"):
            table = Table(block, document)
            for row in table.rows:
                cells = [c.text.strip() for c in row.cells]
                row_text = " | ".join(dict.fromkeys(c for c in cells if c))
                if row_text:
                    lines.append(row_text)
    if lines or not pages:
        flush()
    return pages
