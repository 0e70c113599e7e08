"""Passage labels: which passages of a document show an element, and how firmly (the scorer's training data).

One JSON object per line (``corpus/labels/passages/*.passages.jsonl``, synthetic ones in
``corpus/labels/synthetic/``)::

    {"document": FILE, "element": ID, "grade": "measure|vague|other_group|negative",
     "commitment": "maatregel|voornemen|vaag|budget"|null, "target": "jeugd_gezin|alle_inwoners|andere_groep"|null,
     "page": N|null, "quote": "verbatim span", "source": "candidate|reading|synthetic"}

A label names its passage by page and a verbatim quote rather than by chunk id, so it survives a change of
chunking; :func:`locate` finds the chunks that hold the quote.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import BeleidsscanError
from scanner.ingest.normalize import normalize_for_match
from scanner.types import Chunk

__all__ = [
    "COMMITMENTS",
    "GRADES",
    "TARGETS",
    "PassageLabel",
    "load_passage_labels",
    "locate",
]

GRADES = ("measure", "vague", "other_group", "negative")
COMMITMENTS = ("maatregel", "voornemen", "vaag", "budget")
TARGETS = ("jeugd_gezin", "alle_inwoners", "andere_groep")
_PROBE = 40  # characters of a quote's start or end that place it when it runs over two passages


@dataclass(frozen=True)
class PassageLabel:
    document: str
    element: str
    grade: str
    quote: str
    page: int | None = None
    commitment: str | None = None
    target: str | None = None
    source: str = "reading"

    @property
    def positive(self) -> bool:
        return self.grade != "negative"


def load_passage_labels(paths: Iterable[Path]) -> list[PassageLabel]:
    out = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                if raw["grade"] not in GRADES:
                    raise ValueError(f"grade '{raw['grade']}'")
                if raw.get("commitment") not in (None, *COMMITMENTS):
                    raise ValueError(f"commitment '{raw['commitment']}'")
                if raw.get("target") not in (None, *TARGETS):
                    raise ValueError(f"target '{raw['target']}'")
                out.append(
                    PassageLabel(
                        document=raw["document"],
                        element=raw["element"],
                        grade=raw["grade"],
                        quote=raw["quote"],
                        page=raw.get("page"),
                        commitment=raw.get("commitment"),
                        target=raw.get("target"),
                        source=raw.get("source", "reading"),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise BeleidsscanError(f"{path}:{n}: ongeldig passagelabel ({exc}).") from exc
    return out


def locate(label: PassageLabel, chunks: Sequence[Chunk], normalised: Sequence[str] | None = None) -> list[int]:
    """Indices of the chunks that hold the label's quote (on its page, where it has one).

    A quote inside one chunk gives that chunk; a quote that runs over a chunk boundary gives the chunks that hold
    its first or its last words. An empty list means the quote is not in the document as chunked.
    """
    texts = normalised if normalised is not None else [normalize_for_match(c.text) for c in chunks]
    q = normalize_for_match(label.quote)
    if not q:
        return []
    on_page = [i for i, c in enumerate(chunks) if label.page is None or c.page == label.page]
    whole = [i for i in on_page if q in texts[i]]
    if whole:
        return whole[:1]
    head, tail = q[:_PROBE], q[-_PROBE:]
    return [i for i in on_page if head in texts[i] or tail in texts[i]]
