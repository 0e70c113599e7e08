"""The labelling contract in the judge's decisions, on hand-set sentence scores (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from scanner.judge.aggregate import AGGREGATE_FEATURES, Aggregator, decide, element_summary
from scanner.judge.scorer import COMMITMENTS, TARGETS, UnitScores
from scanner.judge.units import Unit, document_units
from scanner.types import Chunk

SHA = "f" * 64
SENTENCES = [
    "De gemeente financiert vanaf 2025 maatjes die jonge gezinnen wekelijks thuis bezoeken.",
    "Maatjes van Samen Verder bieden eenzame ouderen een luisterend oor en praktische hulp.",
    "11",
    "Buurthuis | 2025 | 2026 | € 120.000 | € 125.000",
    "We gaan in gesprek over de vraag hoe vrijwilligers gezinnen beter kunnen steunen.",
]


def _units() -> list[Unit]:
    chunks, pos = [], 0
    for text in SENTENCES:  # one passage each, as a page number or a table row stands alone on its page
        chunks.append(Chunk(doc_sha256=SHA, page=3, start=pos, end=pos + len(text), text=text))
        pos += len(text) + 2
    units = document_units(chunks)
    assert [u.text for u in units] == SENTENCES
    return units


def _scores(shows: list[float], covered: list[float], targets: list[str], commitments: list[str]) -> UnitScores:
    n = len(shows)
    t = np.zeros((n, 3))
    c = np.zeros((n, 4))
    for i in range(n):
        t[i, TARGETS.index(targets[i])] = 1.0
        c[i, COMMITMENTS.index(commitments[i])] = 1.0
    return UnitScores(np.array(shows)[:, None], np.array(covered)[:, None], c, t)


# An aggregator that reads only the best sentence: addressed when it shows the element, covered when the best
# covered-grade sentence is at that grade.
PLAIN = Aggregator(
    mean=np.zeros(len(AGGREGATE_FEATURES)),
    scale=np.ones(len(AGGREGATE_FEATURES)),
    addressed=(np.eye(len(AGGREGATE_FEATURES))[0], 0.0),
    covered=(np.eye(len(AGGREGATE_FEATURES))[3], 0.0),
)


def test_quotable_sentences() -> None:
    units = _units()
    assert [u.quotable for u in units] == [True, True, False, False, True]  # never a page number or a table row


def test_a_measure_for_families_is_covered_and_quoted() -> None:
    units = _units()
    s = _scores([0.95, 0.3, 0.1, 0.1, 0.2], [0.9, 0.5, 0.1, 0.1, 0.1], ["jeugd_gezin"] * 5, ["maatregel"] * 5)
    d = decide(units, s, 0, "ho", PLAIN)
    assert d.status == "covered"
    assert d.evidence[0].unit.text == SENTENCES[0] and d.evidence[0].commitment == "maatregel"
    assert sum(d.probabilities.values()) == pytest.approx(1.0)


def test_another_group_alone_gives_partial_at_most() -> None:
    """The scores say covered, but the only strong sentence speaks of older people: partial, never covered."""
    units = _units()
    targets = ["jeugd_gezin", "andere_groep", "jeugd_gezin", "jeugd_gezin", "jeugd_gezin"]
    s = _scores([0.1, 0.97, 0.05, 0.05, 0.05], [0.1, 0.95, 0.1, 0.1, 0.1], targets, ["maatregel"] * 5)
    d = decide(units, s, 0, "mw", PLAIN)
    assert d.status == "partial" and d.downgraded
    assert d.evidence[0].unit.text == SENTENCES[1] and d.evidence[0].target == "andere_groep"


def test_a_table_fragment_or_page_number_is_never_evidence() -> None:
    units = _units()
    s = _scores([0.2, 0.1, 0.99, 0.98, 0.1], [0.1, 0.1, 0.99, 0.99, 0.1], ["jeugd_gezin"] * 5, ["budget"] * 5)
    d = decide(units, s, 0, "ho", PLAIN)
    assert all(c.unit.quotable for c in d.evidence)
    assert SENTENCES[2] not in [c.unit.text for c in d.evidence] and SENTENCES[3] not in [
        c.unit.text for c in d.evidence
    ]


def test_nothing_strong_enough_is_not_found_with_the_nearest_sentences() -> None:
    units = _units()
    s = _scores([0.2, 0.1, 0.05, 0.05, 0.3], [0.5] * 5, ["jeugd_gezin"] * 5, ["vaag"] * 5)
    d = decide(units, s, 0, "ho", PLAIN)
    assert d.status == "not_found" and d.evidence == ()
    assert [c.unit.text for c in d.nearest] == [SENTENCES[4], SENTENCES[0], SENTENCES[1]]


def test_the_aggregator_round_trips_and_reads_the_summary() -> None:
    units = _units()
    s = _scores([0.95, 0.3, 0.1, 0.1, 0.2], [0.9, 0.5, 0.1, 0.1, 0.1], ["jeugd_gezin"] * 5, ["maatregel"] * 5)
    again = Aggregator.from_dict(PLAIN.to_dict())
    summary = element_summary(s, 0, "ho")
    assert summary.shape == (len(AGGREGATE_FEATURES),)
    assert again.probabilities(summary) == PLAIN.probabilities(summary)
    bad = PLAIN.to_dict() | {"features": ["something", "else"]}
    with pytest.raises(ValueError):
        Aggregator.from_dict(bad)
    assert len(units) == 5
