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
    from scanner.judge.llm import LlmScorer, make_llm
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
    for judge in judges:
        feature_names = BASE_FEATURES + (LLM_FEATURES if judge == "llm" else [])
        pairs = []
        for held_out in docs:
            train = [(f, g) for d in docs if d != held_out for _, f, g in rows[d]]
            model = fit_classifier(
                [f for f, _ in train], [g for _, g in train], feature_names, id=f"judge-{judge}", version="cv", c=args.c
            )
            doc_pairs = []
            for e, f, g in rows[held_out]:
                p = model.predict_proba(f)
                doc_pairs.append((e, g, max(p, key=lambda k: p[k])))
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
        final = fit_classifier(
            [f for d in docs for _, f, _ in rows[d]],
            [g for d in docs for _, _, g in rows[d]],
            feature_names,
            id=f"judge-{judge}",
            version=time.strftime("%Y%m%d"),
            c=args.c,
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
