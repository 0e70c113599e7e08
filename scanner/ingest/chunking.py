"""Heading recognition and section-aware chunking of page text.

Chunks never cross a page, never overlap, and together cover every non-blank character of the page:
the text between two chunks is whitespace only. A chunk starts at a heading where one starts, so each
chunk carries its section path (the headings above it, possibly from earlier pages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from scanner.types import Chunk, Page

__all__ = ["HEADING_ALLOWANCE", "HeadingTracker", "chunk_document", "chunk_page", "heading_level"]

# A chunk may exceed max_chars by at most this much: the heading lines that open it.
HEADING_ALLOWANCE = 200

_MD_HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")
_CHAPTER = re.compile(r"^(?:hoofdstuk|deel)\s+(\d+|[IVXLC]+)\b", re.IGNORECASE)
_PARAGRAPH = re.compile(r"^(?:paragraaf|§)\s*(\d+(?:\.\d+)*)\b", re.IGNORECASE)
# "3", "3.2", "3.2.1" followed by a capitalised title: numbered sections as policy documents write them.
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?=[A-ZÀ-Ý‘'\"(])(.+)$")
_BULLET = re.compile(r"^\s*(?:[-•*–▪►o]|\d+[.)]|[a-z][.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])[\"')\]]*\s+(?=[\"'(\[]?[A-ZÀ-Ý0-9•\-–])|\n(?=\s*(?:[-•*–▪►]|\d+[.)])\s)|\n\n")


def heading_level(line: str, known: Mapping[str, int] | None = None) -> int | None:
    """The section level of ``line`` if it is a heading (1 = chapter), else None."""
    s = line.strip()
    if not s or len(s) > 120:
        return None
    if known and s in known:
        return known[s]
    if m := _MD_HEADING.match(s):
        return len(m.group(1))
    if _CHAPTER.match(s) and len(s) <= 90:
        return 1
    if m := _PARAGRAPH.match(s):
        return 1 + m.group(1).count(".") if "." in m.group(1) else 2
    if (m := _NUMBERED.match(s)) and len(s) <= 90 and not s.endswith((".", ",", ";")):
        number, title = m.group(1), m.group(2)
        top = int(number.split(".")[0])
        words = title.split()
        # A numbered list item is a sentence; a heading is short and rarely has a verb-heavy tail.
        # ... and a footnote ("1 Zie: https://...") carries a link.
        if top <= 30 and len(words) <= 12 and not re.search(r"\d{3,}|https?:|www\.", title):
            return number.count(".") + 1
    letters = [c for c in s if c.isalpha()]
    if len(letters) >= 6 and all(c.isupper() for c in letters) and len(s.split()) <= 8:
        return 1
    return None


def _clean_heading(line: str) -> str:
    s = line.strip()
    if m := _MD_HEADING.match(s):
        s = m.group(2)
    return s.strip().rstrip(":")


class HeadingTracker:
    """Keeps the current section path while the pages of a document go by."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str]] = []

    def push(self, level: int, title: str) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, title))

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self.stack)


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    heading: tuple[int, str] | None = None  # set for a heading line
    para_start: bool = False  # first unit after a blank line or a heading


def _units(text: str, known: Mapping[str, int] | None) -> Iterator[_Unit]:
    """Split page text into heading lines and sentence-sized units, with offsets into ``text``."""
    pos = 0
    body_start: int | None = None
    after_break = True

    def body_units(start: int, end: int, first: bool) -> Iterator[_Unit]:
        seg = text[start:end]
        cut = 0
        is_first = first
        for m in _SENTENCE_END.finditer(seg):
            # Closing quotes and brackets after the full stop belong to the sentence, not to the gap.
            stop = m.start() + len(m.group(0)) - len(m.group(0).lstrip("\"')]"))
            piece = seg[cut:stop]
            if piece.strip():
                yield from _trimmed(start + cut, start + stop, is_first)
                is_first = "\n\n" in m.group(0)
            cut = m.end()
        if seg[cut:].strip():
            yield from _trimmed(start + cut, end, is_first)

    def _trimmed(a: int, b: int, first: bool) -> Iterator[_Unit]:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            yield _Unit(a, b, para_start=first)

    for line in text.splitlines(keepends=True):
        line_start, pos = pos, pos + len(line)
        level = heading_level(line, known)
        if level is None:
            if body_start is None:
                body_start = line_start
            if not line.strip():
                after_break = True
            continue
        if body_start is not None:
            yield from body_units(body_start, line_start, after_break)
            body_start = None
        stripped_start = line_start + (len(line) - len(line.lstrip()))
        stripped_end = line_start + len(line.rstrip())
        yield _Unit(stripped_start, stripped_end, heading=(level, _clean_heading(line)))
        after_break = True
    if body_start is not None:
        yield from body_units(body_start, len(text), after_break)


def _split_long(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Cut an over-long unit at spaces so no chunk exceeds ``max_chars`` (a table row without full stops)."""
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
        if cut == -1:
            cut = start + max_chars
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end


def chunk_page(
    page: Page,
    doc_sha256: str,
    tracker: HeadingTracker,
    *,
    max_chars: int = 700,
    known_headings: Mapping[str, int] | None = None,
) -> list[Chunk]:
    """Chunks of one page. ``tracker`` carries the section path across pages and is updated."""
    text = page.text
    chunks: list[Chunk] = []
    cur_start: int | None = None
    cur_end = 0
    cur_path = tracker.path

    def emit() -> None:
        nonlocal cur_start
        if cur_start is not None:
            chunks.append(
                Chunk(
                    doc_sha256=doc_sha256,
                    page=page.number,
                    page_label=page.label,
                    start=cur_start,
                    end=cur_end,
                    text=text[cur_start:cur_end],
                    section_path=cur_path,
                )
            )
        cur_start = None

    pending_heading = False  # the current chunk holds only heading lines so far
    for unit in _units(text, known_headings):
        if unit.heading is not None:
            # A run of headings (a contents page) still yields quotable chunks.
            if not pending_heading or (cur_start is not None and unit.end - cur_start > max_chars):
                emit()
            tracker.push(*unit.heading)
            if cur_start is None:
                cur_start = unit.start
            cur_end = unit.end
            cur_path = tracker.path
            pending_heading = True
            continue
        for a, b in _split_long(text, unit.start, unit.end, max_chars):
            size = b - (cur_start if cur_start is not None else a)
            if cur_start is None:
                full = False
            elif pending_heading:
                # A heading stays with the text it introduces, unless the headings alone are long.
                full = size > max_chars and cur_end - cur_start > HEADING_ALLOWANCE
            else:
                # Break before a new paragraph once the chunk is reasonably full, always before overflowing.
                full = size > max_chars or (unit.para_start and cur_end - cur_start > max_chars * 0.6)
            if full:
                emit()
            if cur_start is None:
                cur_start = a
                cur_path = tracker.path
            cur_end = b
            pending_heading = False
    emit()
    return chunks


def chunk_document(
    pages: Iterable[Page],
    doc_sha256: str,
    *,
    max_chars: int = 700,
    known_headings: Iterable[Mapping[str, int]] | None = None,
) -> list[Chunk]:
    tracker = HeadingTracker()
    known = list(known_headings) if known_headings is not None else None
    out: list[Chunk] = []
    for i, page in enumerate(pages):
        out.extend(
            chunk_page(page, doc_sha256, tracker, max_chars=max_chars, known_headings=known[i] if known else None)
        )
    return out
