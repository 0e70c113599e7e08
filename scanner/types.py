"""Domain types shared by every stage. Immutable; change by copying (``model_copy(update=...)``).

Provenance is data: a chunk knows its document's SHA-256, its page and its character offsets in that
page's text, and its id is derived from them. The id is the citation key used in results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

__all__ = [
    "Chunk",
    "DocumentFailure",
    "DocumentRecord",
    "IngestReport",
    "Page",
    "Section",
    "chunk_id",
]

DocKind = Literal["pdf", "txt", "md", "docx", "html"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Page(_Frozen):
    """One physical page of a document, with its extracted and normalised text."""

    number: int = Field(ge=1, description="Physical page number, 1-based (the n-th page of the file).")
    label: str | None = Field(default=None, description="Printed page label (e.g. 'iii' or '12'), if known.")
    text: str = Field(description="Normalised text of the page; chunk offsets and quotes refer to this text.")
    has_text_layer: bool = Field(
        default=True, description="False for a page without extractable text (a scan, or a blank page)."
    )
    has_images: bool = Field(default=False, description="The page carries images (a page image means a scan).")
    ocr_confidence: float | None = Field(
        default=None, description="Set when the text was read by OCR from the page image: mean word confidence 0-100."
    )


class Section(_Frozen):
    """A heading recognised in the text."""

    level: int = Field(ge=1, description="1 = chapter (hoofdstuk), 2 = paragraph, ...")
    title: str


def chunk_id(doc_sha256: str, page: int, start: int, end: int) -> str:
    """Stable, readable citation key: document hash prefix, page and character span."""
    return f"{doc_sha256[:16]}:p{page}:{start}-{end}"


class Chunk(_Frozen):
    """A passage small enough to quote, located exactly in its page's text."""

    doc_sha256: str
    page: int = Field(ge=1)
    page_label: str | None = None
    start: int = Field(ge=0, description="Offset of the first character in the page text.")
    end: int = Field(ge=0, description="Offset one past the last character in the page text.")
    text: str = Field(description="Exactly page.text[start:end].")
    section_path: tuple[str, ...] = Field(
        default=(), description="Headings above the chunk, outermost first, e.g. ('3 Jeugd', '3.2 Sport')."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        return chunk_id(self.doc_sha256, self.page, self.start, self.end)

    def embedding_text(self) -> str:
        """What is embedded: the passage with its section context, so a short passage keeps its topic."""
        if not self.section_path:
            return self.text
        return " > ".join(self.section_path) + "\n" + self.text


class DocumentRecord(_Frozen):
    """A stored document: what was read and how; enough to re-check any quote against its page."""

    sha256: str
    path: str = Field(description="Path the document was first ingested from.")
    file_name: str
    kind: DocKind
    size_bytes: int
    pages: tuple[Page, ...]
    title: str | None = None
    ingested_at: datetime

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def pages_without_text(self) -> list[int]:
        return [p.number for p in self.pages if not p.has_text_layer]

    @property
    def scanned_pages(self) -> list[int]:
        """Pages with images but no text: most likely scans, whose content was not read (no OCR here)."""
        return [p.number for p in self.pages if not p.has_text_layer and p.has_images]

    @property
    def ocr_pages(self) -> list[int]:
        """Pages whose text was read by OCR from the page image."""
        return [p.number for p in self.pages if p.ocr_confidence is not None]

    def page(self, number: int) -> Page:
        if not 1 <= number <= len(self.pages):
            raise IndexError(f"{self.file_name} has no page {number} (it has {len(self.pages)}).")
        return self.pages[number - 1]


class IngestReport(_Frozen):
    """What ingestion did with one document."""

    path: str
    sha256: str
    status: Literal["ingested", "already-stored"]
    pages: int
    pages_without_text: tuple[int, ...] = Field(default=(), description="No text: scans and blank pages.")
    scanned_pages: tuple[int, ...] = Field(default=(), description="No text but images: probably scanned, not read.")
    ocr_pages: tuple[int, ...] = Field(default=(), description="Scanned pages read by OCR (Dutch Tesseract).")
    ocr_confidence: float | None = Field(default=None, description="Mean word confidence of the OCR'd pages (0-100).")
    ocr_missing: str | None = Field(default=None, description="Why scanned pages were not read by OCR here.")
    characters: int
    chunks: int
    seconds: float
    embedder: str


class DocumentFailure(_Frozen):
    """A document that could not be ingested, and why (for the failure report)."""

    path: str
    reason: str = Field(description="Short cause code, e.g. 'encrypted', 'corrupt', 'empty', 'wrong-type'.")
    message: str


@dataclass(frozen=True)
class BatchFailure:
    """A file or a municipality of a batch that could not be (fully) scanned, and why (Dutch). Here, not in
    ``scanner.batch``, so that the batch and its outputs (``scanner.matrix``) need not import each other."""

    municipality: str
    path: str
    reason: str
    message: str
    line: int | None = None
