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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scanner.errors import BeleidsscanError
from scanner.ingest.normalize import normalize_for_match
from scanner.judge.units import Unit
from scanner.types import Chunk

__all__ = [
    "COMMITMENTS",
    "GRADES",
    "TARGETS",
    "PassageLabel",
    "load_passage_labels",
    "locate",
    "unit_labels",
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


RANK = {"negative": 0, "vague": 1, "other_group": 1, "measure": 2}


def unit_labels(
    units: Sequence[Unit],
    statuses: Mapping[str, str],
    labels: Sequence[PassageLabel],
    element_ids: Sequence[str],
) -> tuple[np.ndarray, list[str | None], list[str | None]]:
    """Training targets per sentence: (grade [n, E] with -1 unknown, 0 no, 1 partial grade, 2 covered grade;
    commitment and target per sentence where a positive label gives them).

    An element the document does not address (not_found, its reader read it whole) is 0 for every sentence. A
    candidate passage graded negative makes all its sentences 0; a positive label marks the sentences its quote
    covers. The other sentences of a positive passage stay unknown.
    """
    col = {e: j for j, e in enumerate(element_ids)}
    y = -np.ones((len(units), len(element_ids)), dtype=np.int8)
    for e, status in statuses.items():
        if status == "not_found" and e in col:
            y[:, col[e]] = 0
    commitment: list[str | None] = [None] * len(units)
    target: list[str | None] = [None] * len(units)
    norm = [normalize_for_match(u.text) for u in units]
    chunk_norm: dict[str, str] = {}
    by_chunk: dict[str, list[int]] = {}
    for i, u in enumerate(units):
        by_chunk.setdefault(u.chunk.id, []).append(i)
        if u.chunk.id not in chunk_norm:
            chunk_norm[u.chunk.id] = normalize_for_match(u.chunk.text)
    chunks = {u.chunk.id: u.chunk for u in units}
    for lb in labels:
        if lb.element not in col:
            continue
        j = col[lb.element]
        q = normalize_for_match(lb.quote)
        on_page = [cid for cid, c in chunks.items() if lb.page is None or c.page == lb.page]
        if lb.grade == "negative" and lb.source == "candidate":
            # the quote is the passage's opening words: the whole passage does not show the element
            hit = next((cid for cid in on_page if chunk_norm[cid].startswith(q[:60])), None) or next(
                (cid for cid in on_page if q[:60] in chunk_norm[cid]), None
            )
            for i in by_chunk.get(hit, []) if hit else []:
                y[i, j] = max(y[i, j], 0)
            continue
        grade = RANK[lb.grade]
        for cid in on_page:
            for i in by_chunk[cid]:
                s = norm[i]
                if s and (s in q or q in s or (len(q) > 40 and (q[:40] in s or q[-40:] in s))):
                    y[i, j] = max(y[i, j], grade)
                    if lb.positive:
                        commitment[i], target[i] = lb.commitment, lb.target
    return y, commitment, target
