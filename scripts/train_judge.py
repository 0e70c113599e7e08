"""Train the judges' classifiers on the labelled documents and report leave-one-document-out figures.

    .venv/bin/python scripts/train_judge.py [--judge fast|llm|both] [--home DIR]

Labels: corpus/samples/*.labels.jsonl and corpus/labels/*.labels.jsonl. Documents are found in corpus/samples
or ../shared/corpus-real (absent ones are skipped). Writes corpus/models/judge-<judge>.json with the
cross-validated figures inside, and prints them next to a keyword-only baseline. A model is never scored on
its own training documents: every figure printed here is from the document held out.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

SEARCH = [ROOT / "corpus" / "samples", ROOT.parent / "shared" / "corpus-real"]


def keyword_baseline(feats: dict[str, float]) -> str:
    """Keyword matching alone: a cue in the best passages means addressed; two distinct cues mean covered."""
    if feats["cue_top"] >= 2:
        return "covered"
    if feats["cue_top"] >= 1:
        return "partial"
    return "not_found"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--judge", choices=["fast", "llm", "both"], default="fast")
    parser.add_argument("--home", type=Path, default=None, help="data directory for the store (default: settings)")
    parser.add_argument("--c", type=float, default=0.5, help="inverse regularisation strength")
    args = parser.parse_args()

    from scanner.evaluate import format_metrics, group_by_document, load_labels, metrics_for
    from scanner.frameworks import load_framework
    from scanner.ingest.pipeline import ingest_paths
    from scanner.judge.classifier import fit_classifier
    from scanner.judge.features import BASE_FEATURES, LLM_FEATURES, DocumentStats, element_features
    from scanner.judge.llm import GATE_CONFIDENCE, LlmScorer, make_llm, screened_out
    from scanner.retrieval import HybridRetriever
    from scanner.settings import load_settings
    from scanner.workspace import open_workspace

    settings = load_settings({"home": args.home, "progress": False})
    ws = open_workspace(settings)
    fw = load_framework("informele-ondersteuners-jeugd")
    label_files = sorted((ROOT / "corpus" / "samples").glob("*.labels.jsonl")) + sorted(
        (ROOT / "corpus" / "labels").glob("*.labels.jsonl")
    )
    labels = load_labels(label_files)
    judges = ["fast", "llm"] if args.judge == "both" else [args.judge]
    scorer = LlmScorer(make_llm(settings), cache_dir=settings.home / "cache") if "llm" in judges else None

    rows: dict[str, list[tuple[str, dict[str, float], str]]] = {}  # doc -> (element, features, gold)
    askable: dict[tuple[str, str], bool] = {}  # (doc, element) -> a cue among the best passages
    for doc, doc_labels in group_by_document(labels).items():
        path = next((d / doc for d in SEARCH if (d / doc).is_file()), None)
        if path is None:
            print(f"skipped {doc}: file not found")
            continue
        outcome = ingest_paths([path], settings=settings, embedder=ws.embedder, store=ws.store, registry=ws.registry)
        if not outcome.ok:
            print(f"skipped {doc}: {outcome.failures[0].message}")
            continue
        sha = outcome.reports[0].sha256
        t = time.perf_counter()
        retriever = HybridRetriever(ws.store, ws.embedder, [sha])
        retrievals = [retriever.retrieve(el) for el in fw.elements]
        stats = DocumentStats(retrievals)
        gold = {lb.element: lb.status for lb in doc_labels}
        llm_feats = scorer.score_all(fw.elements, retrievals) if scorer else [None] * len(retrievals)
        askable.update({(doc, el.id): not screened_out(r) for el, r in zip(fw.elements, retrievals, strict=True)})
        rows[doc] = [
            (el.id, element_features(el, r, stats, lf), gold[el.id])
            for el, r, lf in zip(fw.elements, retrievals, llm_feats, strict=True)
            if el.id in gold
        ]
        print(f"{doc}: {len(rows[doc])} labels, features in {time.perf_counter() - t:.1f} s")
    docs = sorted(rows)
    if len(docs) < 2:
        print("need at least two labelled documents")
        return 1

    base_pairs = [(e, g, keyword_baseline(f)) for d in docs for e, f, g in rows[d]]
    print(
        format_metrics(metrics_for(base_pairs), "\n== keyword-only baseline (no training) ==").split("per element")[0]
    )

    def fit(train: list[tuple[dict[str, float], str]], names: list[str], judge: str, version: str = "cv") -> Any:
        return fit_classifier([f for f, _ in train], [g for _, g in train], names, id=f"judge-{judge}",
                              version=version, c=args.c)  # fmt: skip

    def held_out_pairs(held_out: str, judge: str, gate: float) -> tuple[list[tuple[str, str, str]], int]:
        """Predictions for one held-out document from models fitted on the others; and the questions asked.

        The llm judge is the cascade of scanner/judge/llm.py: the fold's fast model where it is at least
        ``gate`` sure or no cue stands in the best passages, else the fold's llm model (fitted on the askable
        elements, whose LLM features are real)."""
        train = [(d, e, f, g) for d in docs if d != held_out for e, f, g in rows[d]]
        fast = fit([(f, g) for _, _, f, g in train], BASE_FEATURES, "fast")
        llm = (
            fit([(f, g) for d, e, f, g in train if askable[(d, e)]], BASE_FEATURES + LLM_FEATURES, "llm")
            if judge == "llm"
            else None
        )
        out, asked = [], 0
        for e, f, g in rows[held_out]:
            p = fast.predict_proba(f)
            if llm is not None and askable[(held_out, e)] and max(p.values()) < gate:
                p = llm.predict_proba(f)
                asked += 1
            out.append((e, g, max(p, key=lambda k: p[k])))
        return out, asked

    if "llm" in judges:
        print("\n== llm cascade: gate sweep (leave-one-document-out) ==")
        print(f"{'gate':>5} {'elements asked':>15} {'accuracy':>9} {'macro-F1':>9} {'F1(addr)':>9}")
        for gate in (0.0, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 1.01):
            sweep, asked_total = [], 0
            for held_out in docs:
                ps, n_asked = held_out_pairs(held_out, "llm", gate)
                sweep.extend(ps)
                asked_total += n_asked
            m = metrics_for(sweep)
            print(f"{gate:>5.2f} {asked_total:>15} {m.accuracy:>9.3f} {m.macro_f1:>9.3f} {m.addressed_f1:>9.3f}")

    for judge in judges:
        feature_names = BASE_FEATURES + (LLM_FEATURES if judge == "llm" else [])
        pairs = []
        for held_out in docs:
            doc_pairs, _ = held_out_pairs(held_out, judge, GATE_CONFIDENCE)
            m = metrics_for(doc_pairs)
            print(
                f"  held out {held_out:<52} acc {m.accuracy:.2f}  "
                f"macro-F1 {m.macro_f1:.2f}  F1(addr) {m.addressed_f1:.2f}"
            )
            pairs.extend(doc_pairs)
        cv = metrics_for(pairs)
        print(
            format_metrics(cv, f"\n== {judge} judge, leave-one-document-out over {len(docs)} documents ==").split(
                "per element"
            )[0]
        )
        final = fit(
            [(f, g) for d in docs for e, f, g in rows[d] if judge == "fast" or askable[(d, e)]],
            feature_names,
            judge,
            version=time.strftime("%Y%m%d"),
        )
        final = final.model_copy(
            update={
                "trained_on": docs,
                "cross_validation": {
                    "documents": float(len(docs)),
                    "labels": float(cv.n),
                    "accuracy": round(cv.accuracy, 4),
                    "macro_f1": round(cv.macro_f1, 4),
                    "addressed_precision": round(cv.addressed_precision, 4),
                    "addressed_recall": round(cv.addressed_recall, 4),
                    "addressed_f1": round(cv.addressed_f1, 4),
                },
            }
        )
        out = ROOT / "corpus" / "models" / f"judge-{judge}.json"
        final.save(out)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
