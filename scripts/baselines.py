"""The judge before passage labels, kept as a baseline for ``scripts/train_judge.py``.

It saw twelve numbers about retrieval per element (the best dense similarity, its rank in the document, the mean
of the top three, cue words in the best passages and in the document, BM25, youth words in the best passages, the
dimension) and combined them in a multinomial logistic regression. Here it is refitted per held-out document on
the current labels, so its figures stand beside the trained scorer's on the same documents.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

RRF_K = 60
K_DENSE, K_KEEP = 8, 6


def _retrieve(element: Any, chunks: Sequence[Any], vectors: np.ndarray, embedder: Any, analyzer: Any,
              bm25: Any, lower: Sequence[str], youth: Sequence[bool]) -> dict[str, float]:  # fmt: skip
    """The hybrid retrieval of the previous release (dense queries, BM25, cue matches, fused by RRF) and the
    twelve features computed from it."""
    first = element.description.split(". ")[0].rstrip(".")
    queries = [f"{element.label}: {first}", *element.examples[:3]]
    cues = [(c, analyzer.cue_patterns(c)) for c in element.cues]
    cue_hits = [analyzer.cue_hits(t, cues) for t in lower]
    scores = np.asarray(bm25.get_scores(analyzer.tokens(" ".join([element.label, *element.cues]))))
    rankings = [[i for i in np.argsort(-scores, kind="stable")[: K_DENSE * 2] if scores[i] > 0]]
    rankings.append(sorted((i for i, h in enumerate(cue_hits) if h), key=lambda i: (-len(cue_hits[i]), -scores[i]))
                    [: K_DENSE * 2])  # fmt: skip
    dense = np.zeros(len(chunks))
    for q in queries:
        sims = vectors @ embedder.embed_query(q)
        order = list(np.argsort(-sims, kind="stable")[:K_DENSE])
        for i in order:
            dense[i] = max(dense[i], sims[i])
        rankings.append(order)
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, i in enumerate(ranking):
            fused[int(i)] = fused.get(int(i), 0.0) + 1.0 / (RRF_K + rank + 1)
    top = sorted(fused, key=lambda i: -fused[i])[:K_KEEP]
    d = sorted((dense[i] for i in top), reverse=True)
    return {
        "dense_max": d[0] if d else 0.0,
        "dense_top3": float(np.mean(d[:3])) if d else 0.0,
        "cue_top": float(max((len(cue_hits[i]) for i in top[:3]), default=0)),
        "cue_chunks": math.log1p(sum(1 for h in cue_hits if h)),
        "cue_distinct": math.log1p(len({c for h in cue_hits for c in h})),
        "bm25": max((scores[i] for i in top), default=0.0),
        "youth_top": float(np.mean([youth[i] for i in top[:3]])) if top else 0.0,
    }


def _features(ws: Any, doc: Any, fw: Any) -> list[list[float]]:
    from rank_bm25 import BM25Okapi

    from scanner.judge.lexical import YOUTH_TERMS, LexicalFeatures

    chunks = sorted({u.chunk.id: u.chunk for u in doc.units}.values(), key=lambda c: (c.page, c.start))
    analyzer = LexicalFeatures(fw.elements).analyzer
    texts = [c.embedding_text() for c in chunks]
    lower = [t.lower() for t in texts]
    bm25 = BM25Okapi([analyzer.tokens(t) for t in texts])
    youth = [any(y in t for y in YOUTH_TERMS) for t in lower]
    raw = [_retrieve(e, chunks, doc.chunk_vectors, ws.embedder, analyzer, bm25, lower, youth) for e in fw.elements]
    dmax = [r["dense_max"] for r in raw]
    median, spread = float(np.median(dmax)), float(np.std(dmax)) or 0.01
    bmax = max((r["bm25"] for r in raw), default=0.0) or 1.0
    return [
        [r["dense_max"], (r["dense_max"] - median) / spread, r["dense_top3"], r["cue_top"], r["cue_chunks"],
         r["cue_distinct"], r["bm25"] / bmax, r["youth_top"],
         *(float(e.dimension == d) for d in ("mw", "fm", "ho", "bb"))]
        for e, r in zip(fw.elements, raw, strict=True)
    ]  # fmt: skip


def previous_judge_lodo(ws: Any, docs: Sequence[Any], fw: Any) -> dict[str, list[tuple[str, str, str]]]:
    from sklearn.linear_model import LogisticRegression

    feats = {d.name: np.array(_features(ws, d, fw)) for d in docs}
    gold = {d.name: [d.statuses[e.id] for e in fw.elements] for d in docs}
    out = {}
    for d in docs:
        others = [x.name for x in docs if x.name != d.name]
        x = np.vstack([feats[n] for n in others])
        mean, scale = x.mean(0), x.std(0)
        scale[scale == 0] = 1.0
        model = LogisticRegression(C=0.5, class_weight="balanced", max_iter=2000)
        model.fit((x - mean) / scale, [s for n in others for s in gold[n]])
        pred = model.predict((feats[d.name] - mean) / scale)
        out[d.name] = list(zip([e.id for e in fw.elements], gold[d.name], [str(p) for p in pred], strict=True))
    return out
