"""A small calibrated classifier over the element signals: multinomial logistic regression, stored as data.

Trained by ``scripts/train_judge.py`` on the labelled documents (``corpus/labels``, ``corpus/samples``) and
reported with cross-validation over documents; the coefficients ship as JSON in ``corpus/models``, so
inference needs only numpy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from scanner.results import STATUSES

__all__ = ["STATUSES", "Classifier", "fit_classifier", "load_classifier"]


class Classifier(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    version: str
    features: list[str]
    classes: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[list[float]]
    intercept: list[float]
    trained_on: list[str] = Field(default_factory=list, description="Documents the model was fitted on.")
    cross_validation: dict[str, float] = Field(default_factory=dict, description="Leave-one-document-out figures.")

    def predict_proba(self, feats: Mapping[str, float]) -> dict[str, float]:
        x = (np.array([feats.get(f, 0.0) for f in self.features]) - np.array(self.mean)) / np.array(self.scale)
        z = np.array(self.coef) @ x + np.array(self.intercept)
        p = np.exp(z - z.max())
        p /= p.sum()
        return {c: float(v) for c, v in zip(self.classes, p, strict=True)}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=1) + "\n", encoding="utf-8")


def load_classifier(path: Path) -> Classifier:
    return Classifier.model_validate(json.loads(path.read_text(encoding="utf-8")))


def fit_classifier(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[str],
    features: Sequence[str],
    *,
    id: str,
    version: str,
    c: float = 0.5,
) -> Classifier:
    """Standardise, then an L2-regularised multinomial logistic regression with balanced class weights."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[r.get(f, 0.0) for f in features] for r in rows], dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit((x - mean) / scale, list(labels))
    classes = [str(k) for k in model.classes_]
    coef, intercept = model.coef_, model.intercept_
    if len(classes) == 2:  # binary: sklearn returns one row; expand to one row per class
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return Classifier(
        id=id,
        version=version,
        features=list(features),
        classes=classes,
        mean=mean.tolist(),
        scale=scale.tolist(),
        coef=coef.tolist(),
        intercept=intercept.tolist(),
    )
