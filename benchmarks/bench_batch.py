"""Batch benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_batch.py [--corpus DIR] [--workers 1,2] [--judge fast] [--engine local|ray]

Groups the 22 documents of ../shared/corpus-real by the municipality or region their file name starts with (almere_,
flevoland-regio_, baarn_ ...) into a temporary manifest, then per worker count, as ``beleidsscan batch --workers
N`` runs it (one worker: the store on disk; more: a Chroma server over the store folder, shared by the workers), in
a fresh data directory: once on an empty store (ingestion included), once on the filled store (a new output folder,
so every municipality is scanned again). Reports seconds per stage, documents per minute and the peak memory (RSS)
of the batch process and of each worker process.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

CORPUS = ROOT.parent / "shared" / "corpus-real"
SUFFIXES = (".pdf", ".txt", ".md", ".docx", ".html")


class PeakMemory:
    """Polls the RSS of this process and of its worker processes (multiprocessing spawn children)."""

    def __init__(self, interval: float = 0.1) -> None:
        import psutil

        self.me = psutil.Process()
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self.workers: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            procs = [self.me]
            for child in self.me.children(recursive=True):
                try:
                    if "spawn_main" in " ".join(child.cmdline()):
                        procs.append(child)
                        self.workers.add(child.pid)
                except psutil.Error:
                    continue
            for p in procs:
                try:
                    self.peaks[p.pid] = max(self.peaks.get(p.pid, 0), p.memory_info().rss)
                except psutil.Error:
                    continue
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def main_mb(self) -> float:
        return self.peaks.get(self.me.pid, 0) / 1e6

    @property
    def worker_mb(self) -> list[float]:
        return sorted(self.peaks[p] / 1e6 for p in self.workers if p in self.peaks)


def write_manifest(corpus: Path, folder: Path) -> tuple[Path, int]:
    rows = ["gemeente,pad,type,jaar"]
    for f in sorted(corpus.iterdir()):
        if f.suffix.lower() not in SUFFIXES or f.name == "PROVENANCE.md":
            continue
        rows.append(f"{f.name.split('_', 1)[0].title()},{f},,")
    path = folder / "manifest.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path, len(rows) - 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--engine", choices=["local", "ray"], default="local")
    parser.add_argument("--judge", default="fast", choices=["fast", "llm"])
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"{args.corpus} not found")
        return 0

    from scanner.batch import read_manifest, run_batch, shared_store
    from scanner.scan import Scanner
    from scanner.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        manifest, n_docs = write_manifest(args.corpus, tmp_path)
        plan = read_manifest(manifest)
        cores = os.cpu_count()
        print(f"{n_docs} documents, {len(plan.municipalities)} municipalities, judge {args.judge}, {cores} cores")
        header = (
            f"{'run':<22} {'workers':>7} {'ingest s':>8} {'scan s':>7} {'total s':>7} {'docs/min':>8} "
            f"{'scan docs/min':>13} {'main MB':>7} {'worker MB':>15}"
        )
        print(header)
        if args.engine == "ray":  # each actor reads, embeds and scans in its own folder: ingestion always included
            from scanner.batch_ray import run_batch_ray

            for workers in (int(w) for w in args.workers.split(",")):
                scanner = Scanner.open(
                    load_settings({"home": tmp_path / f"ray{workers}", "progress": False}, env={}), judge=args.judge
                )
                with PeakMemory() as mem:
                    outcome = run_batch_ray(scanner, plan, tmp_path / f"ray-out{workers}", actors=workers)
                s = outcome.seconds
                per_min = outcome.documents / (s["total"] / 60)
                print(
                    f"{'ray, empty stores':<22} {workers:>7} {'-':>8} {s['scan']:>7.1f} {s['total']:>7.1f} "
                    f"{per_min:>8.1f} {'-':>13} {mem.main_mb:>7.0f} {'(Ray workers)':>15}",
                    flush=True,
                )
                for f in outcome.failures:
                    print(f"  failure: {f.municipality} {f.path}: {f.message}")
            return 0
        # As the CLI runs it: one worker on the store on disk; several on a Chroma server over their own store.
        for workers in (int(w) for w in args.workers.split(",")):
            home = tmp_path / f"home{workers}"
            with shared_store(load_settings({"home": home, "progress": False}, env={}), workers) as settings:
                scanner = Scanner.open(settings, judge=args.judge)
                for i, label in enumerate(("empty store", "filled store")):
                    with PeakMemory() as mem:
                        outcome = run_batch(scanner, plan, tmp_path / f"out{workers}-{i}", workers=workers)
                    s = outcome.seconds
                    docs = outcome.documents
                    per_min = docs / (s["total"] / 60)
                    scan_per_min = docs / (s["scan"] / 60) if s["scan"] else 0.0
                    workers_mb = ", ".join(f"{m:.0f}" for m in mem.worker_mb) or "(in main)"
                    print(
                        f"{label:<22} {workers:>7} {s['ingest']:>8.1f} {s['scan']:>7.1f} {s['total']:>7.1f} "
                        f"{per_min:>8.1f} {scan_per_min:>13.1f} {mem.main_mb:>7.0f} {workers_mb:>15}",
                        flush=True,
                    )
                    for f in outcome.failures:
                        print(f"  failure: {f.municipality} {f.path}: {f.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
