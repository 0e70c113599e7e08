"""What the judge reads: the sentences of a document's passages, each located in its chunk and so on its page.

A labelled quote is a sentence or two, and a commitment ("we financieren", "we gaan onderzoeken of") is a property
of a sentence, not of a 700-character passage that mixes several; so the scorer reads sentences. A sentence that
is too short or looks like a table fragment is still read (it may carry a budget line) but is never quoted as
evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scanner.evidence import sentence_spans
from scanner.types import Chunk

__all__ = ["Unit", "document_units"]

_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]{2,}")
_NUMBER = re.compile(r"\d[\d.,]*")
MIN_QUOTE_WORDS = 6


@dataclass(frozen=True)
class Unit:
    chunk: Chunk
    start: int  # offset in chunk.text
    end: int

    @property
    def text(self) -> str:
        return self.chunk.text[self.start : self.end]

    @property
    def page(self) -> int:
        return self.chunk.page

    @property
    def quotable(self) -> bool:
        """A sentence a reader can take as evidence: enough words, not a row of figures or a table fragment."""
        text = self.text
        words = _WORD.findall(text)
        if len(words) < MIN_QUOTE_WORDS:
            return False
        numbers = len(_NUMBER.findall(text))
        if numbers > len(words) / 2 or text.count("|") >= 2:
            return False
        # A table row read across its cells: many short capitalised fragments and no sentence punctuation.
        capitalised = sum(1 for w in words if w[0].isupper())
        return not (capitalised > 0.6 * len(words) and not re.search(r"[.;:!?]", text))


def document_units(chunks: Sequence[Chunk]) -> list[Unit]:
    """Every sentence of every chunk, in reading order."""
    out = []
    for c in chunks:
        for a, b in sentence_spans(c.text) or [(0, len(c.text))]:
            if c.text[a:b].strip():
                out.append(Unit(c, a, b))
    return out
