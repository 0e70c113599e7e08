"""From sentence scores to one status per element, by the labelling contract (LABELING.md).

A document addresses an element when its best sentences for it are strong enough; how strong is learnt from
the labelled documents by two small logistic regressions over per-element summaries of the sentence scores
(addressed or not; covered or partial when addressed), fitted on held-out predictions (``scripts/train_judge.py``).
The contract then holds by construction: a covered finding needs a quotable sentence at the covered grade whose
target group is not another group; a theme for another group alone gives partial at most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scanner.judge.scorer import COMMITMENTS, TARGETS, UnitScores
from scanner.judge.units import Unit

__all__ = [
    "AGGREGATE_FEATURES",
    "Aggregator",
    "Candidate",
    "ElementDecision",
    "candidate",
    "decide",
    "element_summary",
]

AGGREGATE_FEATURES = (
    "max_shows", "second_shows", "top3_shows", "max_covered", "n_above_half", "n_above_090", "log_sentences",
    "other_group_at_covered", "vague_at_covered", "other_group_at_best", "dim_mw", "dim_fm", "dim_ho", "dim_bb",
)  # fmt: skip
DIMS = ("mw", "fm", "ho", "bb")
OTHER = TARGETS.index("andere_groep")
VAGUE = COMMITMENTS.index("vaag")
MAX_EVIDENCE = 3


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def element_summary(scores: UnitScores, j: int, dimension: str) -> np.ndarray:
    """The per-element features the aggregator reads (AGGREGATE_FEATURES), from column j of the scores."""
    p = scores.shows[:, j]
    if len(p) == 0:
        return np.array([_logit(0.0)] * 4 + [0.0, 0.0, 0.0, 0.0, 0.0, 0.0] + [dimension == d for d in DIMS], float)
    pm = p * scores.covered[:, j]
    order = np.argsort(-p, kind="stable")
    k = int(np.argmax(pm))
    second = float(p[order[1]]) if len(p) > 1 else 0.0
    return np.array(
        [
            _logit(float(p[order[0]])),
            _logit(second),
            _logit(float(p[order[:3]].mean())),
            _logit(float(pm[k])),
            np.log1p(float((p > 0.5).sum())),
            np.log1p(float((p > 0.9).sum())),
            float(np.log(len(p))),
            float(scores.target[k, OTHER]),
            float(scores.commitment[k, VAGUE]),
            float(scores.target[order[0], OTHER]),
            *(float(dimension == d) for d in DIMS),
        ],
        float,
    )


@dataclass(frozen=True)
class Aggregator:
    """Two logistic regressions over the standardised element summary."""

    mean: np.ndarray
    scale: np.ndarray
    addressed: tuple[np.ndarray, float]
    covered: tuple[np.ndarray, float]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Aggregator:
        if list(d["features"]) != list(AGGREGATE_FEATURES):
            raise ValueError("the aggregator was fitted on other features")
        return cls(
            np.array(d["mean"]), np.array(d["scale"]),
            (np.array(d["addressed"]["coef"]), float(d["addressed"]["intercept"])),
            (np.array(d["covered"]["coef"]), float(d["covered"]["intercept"])),
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(AGGREGATE_FEATURES),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "addressed": {"coef": self.addressed[0].tolist(), "intercept": self.addressed[1]},
            "covered": {"coef": self.covered[0].tolist(), "intercept": self.covered[1]},
        }

    def probabilities(self, summary: np.ndarray) -> tuple[float, float]:
        """(P(addressed), P(covered | addressed))."""
        x = (summary - self.mean) / self.scale
        za = float(x @ self.addressed[0] + self.addressed[1])
        zc = float(x @ self.covered[0] + self.covered[1])
        return 1 / (1 + np.exp(-za)), 1 / (1 + np.exp(-zc))

    @classmethod
    def fit(cls, rows: np.ndarray, statuses: Sequence[str], c: float = 0.5) -> Aggregator:
        from sklearn.linear_model import LogisticRegression

        y = np.asarray(statuses)
        mean, scale = rows.mean(0), rows.std(0)
        scale[scale == 0] = 1.0
        x = (rows - mean) / scale
        a = LogisticRegression(C=c, max_iter=5000).fit(x, y != "not_found")
        k = y != "not_found"
        b = LogisticRegression(C=c, max_iter=5000).fit(x[k], y[k] == "covered")
        return cls(mean, scale, (a.coef_[0], float(a.intercept_[0])), (b.coef_[0], float(b.intercept_[0])))


@dataclass(frozen=True)
class Candidate:
    """A sentence as evidence (or as a checked near miss) for one element."""

    unit: Unit
    shows: float
    covered: float
    commitment: str
    target: str


@dataclass(frozen=True)
class ElementDecision:
    status: str
    probabilities: dict[str, float]
    evidence: tuple[Candidate, ...]  # empty for not found
    nearest: tuple[Candidate, ...]  # the closest sentences, for a reader to check an absence
    downgraded: bool = False  # covered by the scores, but no in-scope quotable sentence at the covered grade
    note: str = ""  # a Dutch sentence for the rationale from a later stage (the language model's grade)


def candidate(units: Sequence[Unit], scores: UnitScores, i: int, j: int) -> Candidate:
    return Candidate(
        unit=units[i],
        shows=float(scores.shows[i, j]),
        covered=float(scores.covered[i, j]),
        commitment=COMMITMENTS[int(np.argmax(scores.commitment[i]))],
        target=TARGETS[int(np.argmax(scores.target[i]))],
    )


def decide(
    units: Sequence[Unit], scores: UnitScores, j: int, dimension: str, aggregator: Aggregator
) -> ElementDecision:
    """The status of element column j, with its evidence sentences, by the contract."""
    pa, pc = aggregator.probabilities(element_summary(scores, j, dimension))
    probabilities = {"covered": pa * pc, "partial": pa * (1 - pc), "not_found": 1 - pa}
    p = scores.shows[:, j]
    by_shows = [int(i) for i in np.argsort(-p, kind="stable")]
    nearest = tuple(candidate(units, scores, i, j) for i in by_shows[:3])
    if pa < 0.5:
        return ElementDecision("not_found", probabilities, (), nearest)
    quotable = [i for i in by_shows if units[i].quotable]
    status, downgraded = ("covered" if pc >= 0.5 else "partial"), False
    if status == "covered":
        # the claim rests on a sentence at the covered grade that speaks for families or all residents
        pm = p * scores.covered[:, j]
        in_scope = sorted(
            (
                i
                for i in quotable
                if int(np.argmax(scores.target[i])) != OTHER and p[i] >= 0.5 and scores.covered[i, j] >= 0.5
            ),
            key=lambda i: (-pm[i], i),
        )
        chosen = [i for i in in_scope if pm[i] >= 0.5 * pm[in_scope[0]]][:MAX_EVIDENCE]
        if not chosen:
            status, downgraded = "partial", True
    if status == "partial":
        chosen = [i for i in quotable if p[i] >= 0.5 * p[quotable[0]]][:MAX_EVIDENCE] if quotable else []
    evidence = tuple(candidate(units, scores, i, j) for i in chosen)
    if not evidence:
        return ElementDecision("not_found", probabilities, (), nearest, downgraded=True)
    return ElementDecision(status, probabilities, evidence, nearest, downgraded)
