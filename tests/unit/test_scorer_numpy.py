"""The shipped scorer runs with numpy (a scan of a stored document imports no torch); its forward pass is the
training network's, so the numbers must agree with torch's."""

from __future__ import annotations

import numpy as np

from scanner.judge.lexical import GENERAL_FEATURES
from scanner.judge.scorer import NumpyNet, SentenceNet, load_scorer_weights, predict
from scanner.resources import corpus_dir


def test_numpy_forward_equals_the_torch_network() -> None:
    import torch

    meta, nets = load_scorer_weights(corpus_dir() / "models")
    rng = np.random.default_rng(0)
    n_inputs = nets[0].s["body.1.weight"].shape[1]
    x = rng.normal(0, 0.05, (40, n_inputs)).astype(np.float32)
    lexical = (
        rng.integers(0, 2, (40, len(meta.elements))).astype(np.float32),
        rng.integers(0, 2, (40, len(meta.elements))).astype(np.float32),
        rng.integers(0, 2, (40, len(GENERAL_FEATURES))).astype(np.float32),
    )
    torch_nets = []
    for net in nets:
        t = SentenceNet(n_inputs, len(meta.elements), meta.hidden)
        t.load_state_dict({k: torch.from_numpy(v) for k, v in net.s.items()})
        torch_nets.append(t.eval())
    ours, theirs = predict(nets, x, lexical), predict(torch_nets, x, lexical)
    for a, b in zip(
        (ours.shows, ours.covered, ours.commitment, ours.target),
        (theirs.shows, theirs.covered, theirs.commitment, theirs.target),
        strict=True,
    ):
        assert a.shape == b.shape and a.dtype == np.float32
        np.testing.assert_allclose(a, b, atol=2e-6)
    assert isinstance(nets[0], NumpyNet)
    assert float(ours.shows.min()) > 0.0 and float(ours.shows.max()) < 1.0
