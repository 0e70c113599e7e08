"""Judges: from a document's passages to a status per framework element, with the sentences that prove it.

- ``fast`` (:class:`~scanner.judge.fast.FastJudge`): a scorer trained on passage labels reads every sentence;
  the labelling contract turns its scores into statuses. No LLM.
- ``llm`` (:class:`~scanner.judge.llm.LlmJudge`): the fast judge, then a language model grades the best sentences
  of the elements it is unsure of, with the element's description, inclusion and exclusion notes and the grading
  of LABELING.md; its grade passes through the same contract.

A judge carries its own provenance (scorer, model, prompt hashes), recorded in every scan result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from scanner.frameworks import Element
from scanner.judge.aggregate import Candidate, ElementDecision
from scanner.types import Chunk

__all__ = ["Candidate", "ChunkVectors", "ElementDecision", "Judge", "JudgeOutcome", "Progress", "Provenance"]

# progress(step, done, total, label)
Progress = Callable[[str, int, int, str], None]
# (chunks, progress(done, total)) -> one unit vector per chunk, made while the judge reads the sentences
ChunkVectors = Callable[[Sequence[Chunk], Callable[[int, int], None] | None], np.ndarray]


@dataclass(frozen=True)
class Provenance:
    """What produced the verdicts: recorded in the scan's settings and in batch resume keys."""

    classifier: str
    llm: str | None = None
    prompt_hashes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class JudgeOutcome:
    decisions: list[ElementDecision]  # one per element, in the framework's order
    flagged: int = 0  # sentences set aside because they address a language model


class Judge(Protocol):
    name: str

    @property
    def provenance(self) -> Provenance: ...

    def judge(
        self, elements: Sequence[Element], chunks: Sequence[Chunk], progress: Progress | None = None
    ) -> JudgeOutcome: ...

    def chunk_vectors(self, embedder_id: str) -> ChunkVectors | None:
        """How this judge would embed a document's passages while it prepares to read it, for the store with that
        embedding model; None when it reads with another model (the store then embeds the passages itself)."""
        ...
