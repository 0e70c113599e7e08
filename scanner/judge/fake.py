"""A deterministic judge for unit tests: cue words decide, no model is loaded.

Two distinct cues of an element in one sentence make it covered, one makes it partial; a sentence with the
words of a vague intention is never covered evidence, and one about another group never covers. It implements the
same protocol as the real judges, so the scan, the reports and the UI are tested without models.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scanner.evidence import looks_like_instruction
from scanner.frameworks import Element
from scanner.judge import ChunkVectors, JudgeOutcome, Progress, Provenance
from scanner.judge.aggregate import Candidate, ElementDecision
from scanner.judge.lexical import LexicalFeatures
from scanner.judge.units import Unit, document_units
from scanner.types import Chunk

__all__ = ["KeywordJudge"]


class KeywordJudge:
    name = "fast"

    def __init__(self, classifier: str = "keyword-test@1") -> None:
        self._provenance = Provenance(classifier=classifier)

    @property
    def provenance(self) -> Provenance:
        return self._provenance

    def chunk_vectors(self, embedder_id: str) -> ChunkVectors | None:
        return None  # it reads no vectors: the store embeds the passages itself

    def judge(
        self, elements: Sequence[Element], chunks: Sequence[Chunk], progress: Progress | None = None
    ) -> JudgeOutcome:
        units = document_units(chunks)
        kept = [u for u in units if not looks_like_instruction(u.text)]
        cues, _, general = LexicalFeatures(elements)(kept)
        counts = np.rint(np.expm1(cues)).astype(int)
        vague = np.expm1(general[:, 2]) > 0
        other = np.expm1(general[:, 1]) > np.expm1(general[:, 0])
        decisions = []
        for j in range(len(elements)):
            decisions.append(self._decide(kept, counts[:, j], vague, other))
            if progress:
                progress("judge", j + 1, len(elements), elements[j].id)
        return JudgeOutcome(decisions, len(units) - len(kept))

    @staticmethod
    def _decide(units: Sequence[Unit], hits: np.ndarray, vague: np.ndarray, other: np.ndarray) -> ElementDecision:
        order = [int(i) for i in np.argsort(-hits, kind="stable")]

        def cand(i: int) -> Candidate:
            return Candidate(
                units[i], shows=min(1.0, hits[i] / 2), covered=float(hits[i] >= 2),
                commitment="vaag" if vague[i] else "maatregel",
                target="andere_groep" if other[i] else "jeugd_gezin",
            )  # fmt: skip

        nearest = tuple(cand(i) for i in order[:3])
        quotable = [i for i in order if hits[i] > 0 and units[i].quotable]
        firm = [i for i in quotable if hits[i] >= 2 and not vague[i] and not other[i]]
        if firm:
            return ElementDecision("covered", {"covered": 0.9, "partial": 0.05, "not_found": 0.05},
                                   tuple(cand(i) for i in firm[:3]), nearest)  # fmt: skip
        if quotable:
            return ElementDecision("partial", {"covered": 0.1, "partial": 0.8, "not_found": 0.1},
                                   tuple(cand(i) for i in quotable[:3]), nearest)  # fmt: skip
        return ElementDecision("not_found", {"covered": 0.05, "partial": 0.05, "not_found": 0.9}, (), nearest)
