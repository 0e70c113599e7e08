"""Judges: from an element's retrieved passages to a status with probabilities. Two modes, one interface.

- ``fast``: retrieval and cue signals through a calibrated classifier; no LLM.
- ``llm``: a cascade. Where the fast classifier is unsure and a cue stands in the best passages, a local (or
  configured) LLM's probability of 'JA' for the best passage under two questions joins the signals, through a
  classifier trained with those features; elsewhere the fast classifier's verdict stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from scanner.evidence import looks_like_instruction
from scanner.frameworks import Element
from scanner.judge.classifier import Classifier, load_classifier
from scanner.judge.features import DocumentStats, element_features
from scanner.resources import corpus_dir
from scanner.retrieval import ElementRetrieval

__all__ = ["FastJudge", "Judge", "Judgement", "default_classifier_path", "flagged_passages"]


@dataclass(frozen=True)
class Judgement:
    probabilities: dict[str, float]
    features: dict[str, float]
    passage_scores: dict[str, float] = field(default_factory=dict)  # chunk id -> relevance under the judge
    flagged: tuple[str, ...] = ()  # chunk ids skipped as untrusted instructions

    @property
    def status(self) -> str:
        return max(self.probabilities, key=lambda k: self.probabilities[k])

    @property
    def confidence(self) -> float:
        return self.probabilities[self.status]


class Judge(Protocol):
    name: str
    classifier: Classifier

    def judge_all(
        self, elements: Sequence[Element], retrievals: Sequence[ElementRetrieval], progress: object = None
    ) -> list[Judgement]: ...


def flagged_passages(r: ElementRetrieval) -> tuple[str, ...]:
    """Chunk ids of the passages that address a language model: never judged by one, never quoted."""
    return tuple(p.chunk.id for p in r.passages if looks_like_instruction(p.chunk.text))


def default_classifier_path(judge: str) -> Path:
    return corpus_dir() / "models" / f"judge-{judge}.json"


class FastJudge:
    """No LLM: retrieval scores and cue matches, combined by the classifier trained on labelled documents."""

    name = "fast"

    def __init__(self, classifier: Classifier | None = None) -> None:
        self.classifier = classifier or load_classifier(default_classifier_path("fast"))

    def judge_all(
        self, elements: Sequence[Element], retrievals: Sequence[ElementRetrieval], progress: object = None
    ) -> list[Judgement]:
        stats = DocumentStats(retrievals)
        out = []
        for el, r in zip(elements, retrievals, strict=True):
            feats = element_features(el, r, stats)
            scores = {p.chunk.id: p.dense for p in r.passages}
            flagged = flagged_passages(r)
            out.append(Judgement(self.classifier.predict_proba(feats), feats, scores, flagged))
        return out
