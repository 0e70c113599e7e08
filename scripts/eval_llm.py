"""Does a language model improve on the fast judge? Leave-one-document-out, on the labelled documents.

    .venv/bin/python scripts/eval_llm.py OOF.pkl [--home DIR] [--band 0.2 0.8] [--limit N]

OOF.pkl is written by ``scripts/train_judge.py --save-oof``: each document's sentence scores from a scorer that
never saw it. For every document the aggregator is fitted on the other documents; the elements whose
P(addressed) falls in the band are put to the configured LLM (``llm_provider``, default the packaged local
model) exactly as ``LlmJudge`` does, and the statuses of fast and fast-then-LLM are scored against the labels.
Prints the figures beside each other, the number of questions and the seconds they took.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("oof", type=Path)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--band", type=float, nargs=2, default=(0.2, 0.8))
    parser.add_argument("--limit", type=int, default=0, help="ask about at most N elements per document (0: all)")
    args = parser.parse_args()

    import numpy as np

    from scanner.evaluate import metrics_for
    from scanner.frameworks import load_framework
    from scanner.judge.aggregate import Aggregator, decide
    from scanner.judge.llm import LlmJudge, make_llm
    from scanner.settings import load_settings

    saved = pickle.loads(args.oof.read_bytes())
    fw = load_framework(saved["framework"])
    docs, oof = saved["docs"], saved["oof"]
    settings = load_settings({"home": args.home, "progress": False})
    llm = make_llm(settings)
    # only the judge's questions are used: the held-out scores stand in for its fast judge
    judge = LlmJudge(None, llm, cache_dir=settings.home / "cache", band=tuple(args.band))  # type: ignore[arg-type]
    rows = {d.name: saved["rows"][d.name] for d in docs}
    gold = {d.name: [d.statuses[e.id] for e in fw.elements] for d in docs}
    fast_pairs, llm_pairs, asked_total, seconds = [], [], 0, 0.0
    print("| document | asked | fast acc | fast+LLM acc | fast macro-F1 | fast+LLM macro-F1 |")
    print("|---|---|---|---|---|---|")
    for d in docs:
        others = [x.name for x in docs if x.name != d.name]
        agg = Aggregator.fit(np.vstack([rows[n] for n in others]), [s for n in others for s in gold[n]])
        scores = oof[d.name]
        fast, cascade, asked = [], [], 0
        for j, e in enumerate(fw.elements):
            dec = decide(d.units, scores, j, e.dimension, agg)
            fast.append(dec.status)
            pa = 1 - dec.probabilities["not_found"]
            if args.band[0] <= pa <= args.band[1] and (not args.limit or asked < args.limit):
                t = time.perf_counter()
                dec = judge.regrade(e, d.units, scores, j, dec)
                seconds += time.perf_counter() - t
                asked += 1
            cascade.append(dec.status)
        ids = [e.id for e in fw.elements]
        fp, lp = list(zip(ids, gold[d.name], fast, strict=True)), list(zip(ids, gold[d.name], cascade, strict=True))
        fast_pairs += fp
        llm_pairs += lp
        asked_total += asked
        mf, ml = metrics_for(fp), metrics_for(lp)
        print(f"| {d.name} | {asked} | {mf.accuracy:.2f} | {ml.accuracy:.2f} | {mf.macro_f1:.2f} | {ml.macro_f1:.2f} |")
    for name, pairs in (("fast", fast_pairs), ("fast, then LLM", llm_pairs)):
        m = metrics_for(pairs)
        print(f"{name:>16}: addressed P {m.addressed_precision:.3f} R {m.addressed_recall:.3f} F1 {m.addressed_f1:.3f}"
              f"  accuracy {m.accuracy:.3f}  macro-F1 {m.macro_f1:.3f}")  # fmt: skip
    print(f"{asked_total} elements asked ({judge.calls} model calls, {seconds:.0f} s, "
          f"{seconds / max(judge.calls, 1):.1f} s per call) with {llm.id}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
