"""Word signals beside the sentence vectors: the element's own cue words, and what marks a target group or a
commitment.

Dutch policy text is full of compounds and inflections ("vrijwilligers", "vrijwilligerswerk",
"verenigingsondersteuners"): cue words are matched on Snowball stems, and a long stem also matches inside a
compound.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from scanner.frameworks import Element
from scanner.judge.units import Unit

__all__ = ["GENERAL_FEATURES", "OTHER_GROUP_TERMS", "YOUTH_TERMS", "DutchAnalyzer", "LexicalFeatures", "cue_patterns"]

# Words that mark a passage as being about children, young people, parents or families.
YOUTH_TERMS = (
    "kind", "kinder", "jeugd", "jonger", "jongere", "ouder", "gezin", "opvoed", "opgroei", "tiener",
    "leerling", "school", "peuter", "baby", "zwanger", "pedagog", "minderjarig",
)  # fmt: skip
_WORD = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]+")


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer

    return snowballstemmer.stemmer("dutch")


@lru_cache(maxsize=4096)
def cue_patterns(cue: str) -> tuple[re.Pattern[str], ...]:
    """The compiled patterns of a cue, once per process (the judge's features and the quote windows share them)."""
    pats = []
    for w in _WORD.findall(cue):
        s = _stemmer().stemWord(w.lower())
        if len(s) < 3:
            continue
        core = re.escape(s)
        pats.append(re.compile(core if len(s) >= 6 else rf"\b{core}", re.IGNORECASE))
    return tuple(pats)


class DutchAnalyzer:
    """Lowercase words, Snowball stems; cue matching that reaches into compounds."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def stem(self, word: str) -> str:
        w = word.lower()
        s = self._cache.get(w)
        if s is None:
            s = _stemmer().stemWord(w)
            self._cache[w] = s
        return s

    def tokens(self, text: str) -> list[str]:
        return [self.stem(w) for w in _WORD.findall(text)]

    def cue_patterns(self, cue: str) -> list[re.Pattern[str]]:
        """One pattern per word of the cue. A long stem may stand inside a compound, a short one starts a word."""
        return list(cue_patterns(cue))

    def cue_hits(self, text: str, cues: Sequence[tuple[str, list[re.Pattern[str]]]]) -> list[str]:
        """The cues whose every word occurs in the text."""
        low = text.lower()
        return [cue for cue, pats in cues if pats and all(p.search(low) for p in pats)]


# Words that mark a passage as being about a group other than children, young people and families.
OTHER_GROUP_TERMS = (
    "ouderen", "senior", "mantelzorg", "dementie", "ggz", "psychisch", "psychiatr", "statushouder", "nieuwkomer",
    "vluchteling", "laaggeletterd", "65-plus", "65+", "valpreventie", "beschermd wonen", "verslav", "dakloos",
    "maatschappelijke opvang", "volwassen", "asielzoeker", "inburger",
)  # fmt: skip
_VAGUE = re.compile(
    r"\b(in gesprek|onderzoek(en|t)|verkennen|waar mogelijk|willen|streven|ambitie|belangrijk|zouden|kunnen"
    r"|mogelijk|wens)\b"
)
_FIRM = re.compile(
    r"\b(we gaan|gaan we|zetten .{0,30}in|investeren|financier|subsidie|budget|€|euro|fte|vastgelegd|organiseren"
    r"|realiseren|starten|continueren|breiden)\b"
)
GENERAL_FEATURES = ("youth_terms", "other_group_terms", "vague_markers", "firm_markers", "length", "digits")


class LexicalFeatures:
    """Prepared once per framework: each element's cue patterns, compiled."""

    def __init__(self, elements: Sequence[Element]) -> None:
        self.analyzer = DutchAnalyzer()
        self.element_ids = [e.id for e in elements]
        self.cues = [[(c, self.analyzer.cue_patterns(c)) for c in e.cues] for e in elements]

    def __call__(self, units: Sequence[Unit]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(cue hits per element in the sentence, the same in its passage with headings, general signals),
        each as log(1 + count)."""
        n, k = len(units), len(self.cues)
        sentence = np.zeros((n, k), np.float32)
        passage = np.zeros((n, k), np.float32)
        low = [u.text.lower() for u in units]
        by_chunk: dict[str, np.ndarray] = {}
        for i, u in enumerate(units):
            row = by_chunk.get(u.chunk.id)
            if row is None:
                text = u.chunk.embedding_text().lower()
                row = by_chunk[u.chunk.id] = np.array([len(self.analyzer.cue_hits(text, c)) for c in self.cues])
            passage[i] = row
            if row.any():  # a cue of the sentence is a cue of its passage
                for j in np.flatnonzero(row):
                    sentence[i, j] = len(self.analyzer.cue_hits(low[i], self.cues[j]))
        general = np.array(
            [
                [
                    sum(t.count(y) for y in YOUTH_TERMS),
                    sum(t.count(y) for y in OTHER_GROUP_TERMS),
                    len(_VAGUE.findall(t)),
                    len(_FIRM.findall(t)),
                    len(t) / 200,
                    sum(c.isdigit() for c in t) / max(1, len(t)) * 10,
                ]
                for t in low
            ],
            np.float32,
        ).reshape(n, len(GENERAL_FEATURES))
        return np.log1p(sentence), np.log1p(passage), np.log1p(general)
