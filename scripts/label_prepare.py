"""Prepare the reading material for labelling a document: its text page by page, and the retrieval candidates.

    .venv/bin/python scripts/label_prepare.py OUT_DIR DOCUMENT [DOCUMENT ...] [--home DIR] [--k 7]

For each document this writes, outside the repository (the documents themselves are never copied into it):

- ``OUT_DIR/docs/<file>.txt``: the text exactly as the scanner extracts it, with a line ``=== pagina N ===``
  before each page, so a reader quotes what the scanner can verify;
- ``OUT_DIR/candidates/<file>.md``: per element of the framework, the passages the shipped judge ranks highest
  (the passages of its best sentences, ``[c12] p. 5``), for the reader to grade; graded candidates that do not
  show the element become the hard negatives of the passage labels;
- ``OUT_DIR/candidates/<file>.chunks.json``: what each candidate key stands for (page, offsets, text).

The candidates come from the judge of the release being labelled (the first labels, of November 2026, had the
hybrid retrieval of release 7657242); they only decide what a reader is asked about. The reader also reads the
whole document and adds the passages the judge missed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("documents", type=Path, nargs="+")
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--k", type=int, default=7, help="candidates per element")
    parser.add_argument("--framework", default="informele-ondersteuners-jeugd")
    args = parser.parse_args()

    import numpy as np

    from scanner.frameworks import load_framework
    from scanner.ingest.pipeline import ingest_paths
    from scanner.scan import make_judge
    from scanner.settings import load_settings
    from scanner.workspace import open_workspace

    settings = load_settings({"home": args.home, "progress": False})
    ws = open_workspace(settings)
    fw = load_framework(args.framework)
    judge = make_judge(ws, "fast")
    (args.out / "docs").mkdir(parents=True, exist_ok=True)
    (args.out / "candidates").mkdir(parents=True, exist_ok=True)
    for path in args.documents:
        outcome = ingest_paths([path], settings=settings, embedder=ws.embedder, store=ws.store, registry=ws.registry)
        if not outcome.ok:
            print(f"{path.name}: {outcome.failures[0].message}")
            continue
        record = ws.registry.get(outcome.reports[0].sha256)
        lines = []
        for page in record.pages:
            lines.append(f"=== pagina {page.number} ===")
            lines.append(page.text)
        (args.out / "docs" / f"{path.name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

        units, _ = judge.read(ws.store.chunks_of(record.sha256))
        scores = judge.score(fw.elements, units)
        keys: dict[str, str] = {}
        chunks: dict[str, dict[str, object]] = {}
        md = [f"# Kandidaatpassages: {path.name}", ""]
        for j, el in enumerate(fw.elements):
            md += [f"## {el.id}: {el.label}", ""]
            ranked = list(dict.fromkeys(units[int(i)].chunk for i in np.argsort(-scores.shows[:, j], kind="stable")))
            for c in ranked[: args.k]:
                key = keys.get(c.id)
                if key is None:
                    key = keys[c.id] = f"c{len(keys) + 1}"
                    chunks[key] = {"chunk_id": c.id, "page": c.page, "start": c.start, "end": c.end, "text": c.text}
                text = " ".join(c.text.split())
                md.append(f"- [{key}] p. {c.page}: {text}")
            md.append("")
        (args.out / "candidates" / f"{path.name}.md").write_text("\n".join(md), encoding="utf-8")
        (args.out / "candidates" / f"{path.name}.chunks.json").write_text(
            json.dumps(
                {"document": path.name, "sha256": record.sha256, "chunks": chunks}, ensure_ascii=False, indent=1
            ),
            encoding="utf-8",
        )
        print(f"{path.name}: {record.page_count} pages, {len(chunks)} distinct candidates")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
