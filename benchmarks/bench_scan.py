"""Scan benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_scan.py [--judges fast,llm] [FILE ...]

For each PDF (default: the 15- and 31-page Almere documents of ../shared/corpus-real): ingestion (apart), then a
scan with each judge in a fresh data directory (cold caches: the judge embeds every sentence, and the LLM is asked
afresh), then the same scan again (warm caches). Reports seconds per stage, sentences read, LLM calls, the cache
hit rate and peak memory (RSS) of the process. The llm judge needs the optional runtime (pip install -e '.[llm]').
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bench_ingest import DEFAULT_FILES, PeakRss  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--judges", default="fast,llm")
    args = parser.parse_args()
    files = [f for f in (args.files or DEFAULT_FILES) if f.is_file()]
    if not files:
        print("no input files found")
        return 0

    from scanner.frameworks import load_framework
    from scanner.ingest.pipeline import ingest_paths
    from scanner.scan import make_judge, scan_documents
    from scanner.settings import load_settings
    from scanner.workspace import open_workspace

    fw = load_framework("informele-ondersteuners-jeugd")
    print(f"{'document':<48} {'judge':<5} {'ingest s':>8} {'scan s':>7} {'judge s':>7} {'sentences':>9} "
          f"{'LLM calls':>9} {'rerun s':>7} {'hit rate':>8} {'peak MB':>7}")  # fmt: skip
    for judge_name in args.judges.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings({"home": Path(tmp), "progress": False}, env={})
            ws = open_workspace(settings)
            judge = make_judge(ws, judge_name)
            for f in files:
                t = time.perf_counter()
                out = ingest_paths([f], settings=settings, embedder=ws.embedder, store=ws.store, registry=ws.registry)
                ingest_s = time.perf_counter() - t
                record = ws.registry.get(out.reports[0].sha256)
                with PeakRss() as mem:
                    result = scan_documents(ws, [record], fw, judge)
                calls = getattr(judge, "calls", 0)
                cache = getattr(judge, "cache", None)
                if cache is not None:  # count the rerun on its own
                    judge.calls = cache.hits = cache.misses = 0  # type: ignore[attr-defined]
                t = time.perf_counter()
                scan_documents(ws, [record], fw, judge)
                rerun = time.perf_counter() - t
                hit = "-"
                if cache is not None:
                    asked = cache.hits + cache.misses
                    hit = f"{cache.hits / asked:.0%}" if asked else "-"
                sentences = len(getattr(judge, "fast", judge).read(ws.store.chunks_of(record.sha256))[0])
                tm = result.timings
                print(
                    f"{f.name:<48} {judge_name:<5} {ingest_s:>8.1f} {tm['total']:>7.1f} {tm['judge']:>7.1f} "
                    f"{sentences:>9} {calls:>9} {rerun:>7.1f} {hit:>8} {mem.peak / 1e6:>7.0f}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
