"""Evidence: sentences and quotable spans, and checking every quote against its page.

A quote is shown or saved only if it occurs in the extracted text of the page it cites (after whitespace
normalisation). A finding left without a verified quote is downgraded by the scan.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from scanner.ingest.chunking import heading_level
from scanner.ingest.normalize import normalize_for_match

__all__ = ["looks_like_instruction", "quote_window", "sentence_spans", "verify_quote"]

MAX_QUOTE = 320
_SENT = re.compile(r"(?<=[.!?;])\s+(?=[\"'(]?[A-ZÀ-Ý0-9•\-–])|\n\s*\n|\n(?=\s*[-•*–▪]\s)")
# Text that addresses a language model rather than a reader: policy documents are untrusted input.
_INSTRUCTION = re.compile(
    r"(negeer|vergeet)\s+(alle\s+)?(eerdere|vorige|voorgaande|bovenstaande)\s+(instructies|opdrachten|regels)"
    r"|ignore\s+(all\s+)?(previous|prior|above)\s+instructions"
    r"|system\s*prompt|systeemprompt|je\s+bent\s+nu\s+een|you\s+are\s+now\s+a"
    r"|antwoord\s+(altijd|steeds)\s+(met\s+)?[\"']?ja\b|answer\s+(always\s+)?[\"']?yes\b",
    re.IGNORECASE,
)


def looks_like_instruction(text: str) -> bool:
    return bool(_INSTRUCTION.search(text))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence-sized spans of ``text`` (offsets), whitespace trimmed."""
    spans = []
    start = 0
    for m in _SENT.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        # Heading lines at the start of a span belong to no sentence: "Hoofdstuk 2 Visie\n2.1 Onze visie\nWij ..."
        while (nl := text.find("\n", a, b)) != -1 and heading_level(text[a:nl]) is not None:
            a = nl + 1
        # a list bullet is layout, not part of the sentence
        while a < b and (text[a].isspace() or text[a] in "•▪◦●·*–-"):
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a >= 12:
            out.append((a, b))
    return out


def quote_window(text: str, patterns: Sequence[re.Pattern[str]]) -> tuple[int, int]:
    """The whole sentence when it is short enough to quote; a longer one (a run-on list, a table row without full
    stops) is cut to MAX_QUOTE characters around its first cue word, at word boundaries."""
    a, b = 0, len(text)
    if b - a <= MAX_QUOTE:
        return a, b
    low = text.lower()
    centre = a
    for p in patterns:
        m = p.search(low, a, b)
        if m:
            centre = m.start()
            break
    lo = max(a, centre - MAX_QUOTE // 3)
    hi = min(b, lo + MAX_QUOTE)
    if lo > a:
        sp = text.find(" ", lo, hi)
        lo = sp + 1 if sp != -1 else lo
    if hi < b:
        sp = text.rfind(" ", lo, hi)
        hi = sp if sp > lo else hi
    return lo, hi


def verify_quote(quote: str, page_text: str) -> bool:
    """True if the quote occurs on the page, whitespace, ligatures and line-end hyphens aside."""
    q = normalize_for_match(quote)
    return bool(q) and q in _normalized_page(page_text)


@lru_cache(maxsize=64)
def _normalized_page(page_text: str) -> str:
    """A page is normalised once for all the quotes checked against it."""
    return normalize_for_match(page_text)
