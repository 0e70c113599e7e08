"""Signals per element, combined by a small calibrated classifier (``scanner.judge.classifier``).

Every feature is computed from the retrieval of one element in one document (set), relative where useful to
the same document's other elements, because e5 similarities sit in a narrow band that shifts per document.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from scanner.frameworks import Element
from scanner.retrieval import ElementRetrieval

__all__ = ["BASE_FEATURES", "LLM_FEATURES", "DocumentStats", "element_features"]

BASE_FEATURES = [
    "dense_max",
    "dense_rel",
    "dense_top3",
    "cue_top",
    "cue_chunks",
    "cue_distinct",
    "bm25_rel",
    "youth_top",
    "dim_mw",
    "dim_fm",
    "dim_ho",
    "dim_bb",
]
LLM_FEATURES = ["llm_max", "llm_mean", "llm_concrete"]


class DocumentStats:
    """Distribution of the raw signals over all elements of one scan, for relative features."""

    def __init__(self, retrievals: Sequence[ElementRetrieval]) -> None:
        dmax = [max((p.dense for p in r.passages), default=0.0) for r in retrievals]
        bmax = [max((p.bm25 for p in r.passages), default=0.0) for r in retrievals]
        self.dense_median = float(np.median(dmax)) if dmax else 0.0
        self.dense_spread = float(np.std(dmax)) or 0.01 if dmax else 0.01
        self.bm25_max = max(bmax, default=0.0) or 1.0


def element_features(
    element: Element,
    retrieval: ElementRetrieval,
    stats: DocumentStats,
    llm: Mapping[str, float] | None = None,
) -> dict[str, float]:
    ps = retrieval.passages
    dense = sorted((p.dense for p in ps), reverse=True)
    top = ps[:3]
    feats = {
        "dense_max": dense[0] if dense else 0.0,
        "dense_rel": ((dense[0] if dense else 0.0) - stats.dense_median) / stats.dense_spread,
        "dense_top3": float(np.mean(dense[:3])) if dense else 0.0,
        "cue_top": float(max((len(p.cue_hits) for p in top), default=0)),
        "cue_chunks": math.log1p(retrieval.doc_cue_chunks),
        "cue_distinct": math.log1p(retrieval.doc_cues_distinct),
        "bm25_rel": max((p.bm25 for p in ps), default=0.0) / stats.bm25_max,
        "youth_top": float(np.mean([p.youth for p in top])) if top else 0.0,
        "dim_mw": float(element.dimension == "mw"),
        "dim_fm": float(element.dimension == "fm"),
        "dim_ho": float(element.dimension == "ho"),
        "dim_bb": float(element.dimension == "bb"),
    }
    if llm is not None:
        feats.update({k: float(llm.get(k, 0.0)) for k in LLM_FEATURES})
    return feats
