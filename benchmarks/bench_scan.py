"""Scan benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_scan.py [--judges fast,llm] [FILE ...]

For each PDF (default: the 15- and 31-page Almere documents of ../shared/corpus-real), in a fresh data directory
per judge: ingestion (``Scanner.ingest``, which also makes the judge's sentence vectors), the scan of the stored
document (the scan step alone), the same scan again (warm caches), and then the whole command
``beleidsscan scan FILE`` on the stored document in a new process, start-up included, beside the time to start
Python and to import the CLI. Reports sentences read, LLM calls, the LLM cache hit rate and peak memory (RSS).
The llm judge needs the optional runtime (pip install -e '.[llm]').
"""

from __future__ import annotations

import argparse
import os
import subprocess
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

    from scanner.scan import Scanner
    from scanner.settings import load_settings

    def seconds(cmd: list[str], env: dict[str, str] | None = None) -> float:
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        return time.perf_counter() - t

    py = sys.executable
    cli = str(Path(py).with_name("beleidsscan"))
    print(f"python start {seconds([py, '-c', 'pass']):.2f} s; import of the CLI "
          f"{seconds([py, '-c', 'import scanner.cli']):.2f} s (both with start-up)\n")  # fmt: skip
    print(f"{'document':<48} {'judge':<5} {'ingest s':>8} {'scan s':>7} {'judge s':>7} {'sentences':>9} "
          f"{'LLM calls':>9} {'rerun s':>7} {'hit rate':>8} {'peak MB':>7} {'command s':>9}")  # fmt: skip
    for judge_name in args.judges.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings({"home": Path(tmp), "progress": False}, env={})
            scanner = Scanner.open(settings, judge=judge_name)
            judge = scanner.judge
            t = time.perf_counter()
            scanner.ws.embedder.embed_passages(["warm-up"])  # the model loads at its first text
            print(f"({judge_name}: embedding model loaded in {time.perf_counter() - t:.1f} s)")
            for f in files:
                t = time.perf_counter()
                out = scanner.ingest([f])
                ingest_s = time.perf_counter() - t
                records = scanner.records([out.reports[0].sha256])
                with PeakRss() as mem:
                    result = scanner.scan(records)
                calls = getattr(judge, "calls", 0)
                cache = getattr(judge, "cache", None)
                if cache is not None:  # count the rerun on its own
                    judge.calls = cache.hits = cache.misses = 0  # type: ignore[attr-defined]
                t = time.perf_counter()
                scanner.scan(records)
                rerun = time.perf_counter() - t
                hit = "-"
                if cache is not None:
                    asked = cache.hits + cache.misses
                    hit = f"{cache.hits / asked:.0%}" if asked else "-"
                sentences = len(getattr(judge, "fast", judge).read(scanner.ws.store.chunks_of(records[0].sha256))[0])
                env = {**os.environ, "BELEIDSSCAN_HOME": tmp, "BELEIDSSCAN_PROGRESS": "false"}
                command = seconds([cli, "scan", str(f), "--judge", judge_name, "--out", str(Path(tmp) / "uit")], env)
                tm = result.timings
                print(
                    f"{f.name:<48} {judge_name:<5} {ingest_s:>8.1f} {tm['total']:>7.2f} {tm['judge']:>7.2f} "
                    f"{sentences:>9} {calls:>9} {rerun:>7.2f} {hit:>8} {mem.peak / 1e6:>7.0f} {command:>9.1f}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
