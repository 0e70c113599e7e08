"""The batch on Ray (``beleidsscan batch MANIFEST --engine ray [--address auto|HOST:PORT]``): each municipality is
a task on a pool of actors that load the embedder and the judge once; without an address a local Ray instance is
started, with one an existing cluster is used.

Documents travel as bytes with their SHA-256 (checked on arrival), so workers need no shared disk: an actor reads,
embeds and scans a municipality's documents in its own data folder (or against the Chroma server of
``chroma_url``) and sends back the result and its report; this process writes every file, atomically, and the
done-record last, so the guarantees of the local batch hold: a rerun skips what is done, failures go to
``fouten.csv``, and a result is written once. An actor that dies is restarted and its task is retried by Ray
(``max_restarts``, ``max_task_retries``); a task that fails in our code is reported, not retried.

Threads: each actor gets ``cores / actors`` CPU threads (torch and llama.cpp), so N actors on N cores do not
oversubscribe; Ray schedules actors by the same number of CPUs.

Ray is an optional extra (``pip install -e '.[ray]'``).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.batch import (
    BatchError,
    BatchOutcome,
    BatchPlan,
    BatchProgress,
    _failure_dict,
    _failure_from,
    _output_lock,
    judge_signature,
    not_scanned,
    pending_municipalities,
    write_batch_outputs,
    write_done,
)
from scanner.errors import BeleidsscanError, ConfigError, DocumentError
from scanner.frameworks import Framework
from scanner.settings import Settings
from scanner.store.registry import atomic_write_text
from scanner.types import BatchFailure

if TYPE_CHECKING:
    from scanner.scan import Scanner

__all__ = ["RayTask", "ScanActor", "run_batch_ray"]

RESTARTS = 3  # an actor process that dies is started again this often; its task is retried as often


@dataclass(frozen=True)
class RayTask:
    """One municipality as it travels to an actor: its documents as bytes with their SHA-256."""

    municipality: str
    slug: str
    key: str
    files: tuple[tuple[str, str, bytes, int | None], ...]  # (original path, sha256, bytes, manifest line)
    failures: tuple[BatchFailure, ...]


class ScanActor:
    """Loads the embedder and the judge once; scans one municipality per call, in its own data folder."""

    def __init__(self, settings_json: str, framework: Framework, judge_name: str, threads: int) -> None:
        from scanner.scan import Scanner

        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        self.home = Path(tempfile.mkdtemp(prefix="beleidsscan-ray-"))
        atexit.register(shutil.rmtree, self.home, True)  # the copies and the actor's store go with the actor
        settings = Settings.model_validate_json(settings_json).model_copy(
            update={"home": self.home, "threads": threads, "progress": False}
        )
        try:
            import torch

            torch.set_num_threads(threads)
        except ImportError:
            pass
        self.scanner = Scanner.open(settings, framework, judge_name)

    def pid(self) -> int:
        return os.getpid()

    def scan(self, task: RayTask) -> dict[str, Any]:
        """``{"status": "done", "json", "md", "failures", "pid"}``, or ``"no-documents"``/``"failed"`` with why."""
        try:
            answer = self._scan(task)
        except BeleidsscanError as exc:
            answer = {"status": "failed", "message": str(exc), "failures": [], "pid": os.getpid()}
        except Exception as exc:  # a bug on one municipality must not end the batch
            answer = {"status": "failed", "message": f"{type(exc).__name__}: {exc}", "failures": [], "pid": os.getpid()}
        return {**answer, "municipality": task.municipality}

    def _scan(self, task: RayTask) -> dict[str, Any]:
        from scanner.report_md import render_markdown

        folder = Path(tempfile.mkdtemp(prefix=f"{task.slug}-", dir=self.home))
        failures: list[BatchFailure] = []
        local: dict[Path, tuple[str, int | None]] = {}  # local copy -> (original path, manifest line)
        for i, (original, sha, data, line) in enumerate(task.files):
            if hashlib.sha256(data).hexdigest() != sha:
                failures.append(BatchFailure(task.municipality, original, "changed", "onderweg veranderd.", line))
                continue
            path = folder / str(i) / Path(original).name
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            local[path] = (original, line)
        shas: dict[Path, str] = {}
        for path, (original, line) in local.items():  # file by file: one bad file fails alone
            try:
                out = self.scanner.ingest([path])
            except DocumentError as exc:
                failures.append(BatchFailure(task.municipality, original, exc.reason, exc.detail, line))
                continue
            if out.reports:
                shas[path] = out.reports[0].sha256
            failures += [BatchFailure(task.municipality, original, f.reason, f.message, line) for f in out.failures]
        found = [shas[p] for p in local if p in shas]
        if not found:
            return {"status": "no-documents", "failures": [_failure_dict(f) for f in failures], "pid": os.getpid()}
        records = self.scanner.records(found)
        result = self.scanner.scan(records, set_name=task.municipality)
        original_of = {shas[p]: local[p][0] for p in local if p in shas}
        moved = [d.model_copy(update={"path": original_of[d.sha256]}) for d in result.documents]  # not our copy
        result = result.model_copy(update={"document": moved if isinstance(result.document, list) else moved[0]})
        md = render_markdown(result, self.scanner.framework, {r.sha256: r for r in records})
        return {
            "status": "done",
            "json": result.model_dump_json(indent=1) + "\n",
            "md": md,
            "documents": [{"sha256": r.sha256, "file_name": r.file_name} for r in records],
            "failures": [_failure_dict(f) for f in failures],
            "pid": os.getpid(),
        }


def _tasks(
    plan: BatchPlan, framework: Framework, embedder_id: str, signature: dict[str, Any], out_dir: Path,
    outcome: BatchOutcome,
) -> list[RayTask]:  # fmt: skip
    """What is not done yet, with each file's bytes; what is done is counted as skipped."""
    shas: dict[Path, str] = {}
    tasks = []
    for item in pending_municipalities(plan, framework, embedder_id, signature, out_dir, outcome, shas):
        m, failures = item.municipality, list(item.failures)
        blobs = []
        for p, entry in item.files:
            try:
                blobs.append((str(p), shas[p], p.read_bytes(), entry.line))
            except OSError as exc:
                failures.append(
                    BatchFailure(m.name, str(p), "unreadable", f"kan niet worden gelezen ({exc}).", entry.line)
                )
        tasks.append(RayTask(m.name, m.slug, item.key, tuple(blobs), tuple(failures)))
    return tasks


def _write(out_dir: Path, task: RayTask, answer: dict[str, Any]) -> None:
    """The result, its report and last the done-record, each atomically (as the local batch writes them)."""
    atomic_write_text(out_dir / f"{task.slug}.scan.json", answer["json"])
    atomic_write_text(out_dir / f"{task.slug}.scan.md", answer["md"])
    failures = [_failure_dict(f) for f in task.failures] + answer["failures"]
    write_done(out_dir, task.slug, task.key, task.municipality, answer["documents"], failures)


def run_batch_ray(
    scanner: Scanner,
    plan: BatchPlan,
    out_dir: Path,
    *,
    actors: int = 2,
    address: str | None = None,
    progress: BatchProgress | None = None,
) -> BatchOutcome:
    """The batch with each municipality a Ray task on ``actors`` actors (local Ray, or the cluster at ``address``)."""
    try:
        import ray
        from ray.util import ActorPool
    except ImportError as exc:
        raise ConfigError("Ray ontbreekt voor --engine ray: pip install -e '.[ray]'") from exc
    if actors < 1:
        raise BatchError("--workers moet minstens 1 zijn.")
    t0 = time.perf_counter()
    ws, framework = scanner.ws, scanner.framework
    outcome = BatchOutcome(out_dir=out_dir, failures=list(plan.notes))
    with _output_lock(out_dir):
        tasks = _tasks(plan, framework, ws.embedder.id, judge_signature(scanner.judge), out_dir, outcome)
        for t in tasks:
            outcome.failures += list(t.failures)
        t_plan = time.perf_counter() - t0
        t1 = time.perf_counter()
        if tasks:
            _run_on_ray(ray, ActorPool, scanner, tasks, out_dir, outcome, actors, address, progress)
        t2 = time.perf_counter()
        outcome.outputs = write_batch_outputs(plan, framework, out_dir, outcome)
        outcome.seconds = {
            "ingest": round(t_plan, 2),  # reading the files here; ingestion itself runs on the actors
            "scan": round(t2 - t1, 2),
            "outputs": round(time.perf_counter() - t2, 2),
            "total": round(time.perf_counter() - t0, 2),
        }
    return outcome


def _run_on_ray(
    ray: Any, actor_pool: Any, scanner: Scanner, tasks: Sequence[RayTask], out_dir: Path, outcome: BatchOutcome,
    actors: int, address: str | None, progress: BatchProgress | None,
) -> None:  # fmt: skip
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # Ray never reports usage from here
    started = not ray.is_initialized()
    if started:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=max(actors, os.cpu_count() or 1), include_dashboard=False, log_to_driver=False)
    try:
        n = min(actors, len(tasks))
        cores = scanner.ws.settings.threads or (os.cpu_count() or 1)
        threads = max(1, cores // n) if not address else max(1, scanner.ws.settings.threads or 1)
        remote = ray.remote(num_cpus=threads, max_restarts=RESTARTS, max_task_retries=RESTARTS)(ScanActor)
        settings_json = scanner.ws.settings.model_dump_json()
        pool = actor_pool(
            [remote.remote(settings_json, scanner.framework, scanner.judge.name, threads) for _ in range(n)]
        )
        by_name = {t.municipality: t for t in tasks}
        for t in tasks:
            pool.submit(lambda a, task: a.scan.remote(task), t)
        if progress:
            progress("scan", 0, len(tasks), "")
        done = 0
        while pool.has_next():
            try:
                answer = pool.get_next_unordered()
            except Exception as exc:  # an actor that died more often than it may be restarted
                outcome.failures.append(BatchFailure("", "", "scan-failed", f"werkproces verloren: {exc}"))
                continue
            done += 1
            task = by_name[answer["municipality"]]
            _record(out_dir, task, answer, outcome)
            outcome.actor_pids.append(answer["pid"])
            if progress:
                progress("scan", done, len(tasks), task.municipality)
    finally:
        if started:
            ray.shutdown()


def _record(out_dir: Path, task: RayTask, answer: dict[str, Any], outcome: BatchOutcome) -> None:
    outcome.failures += [_failure_from(f) for f in answer.get("failures", [])]
    if answer["status"] == "done":
        _write(out_dir, task, answer)
        outcome.scanned.append(task.municipality)
        outcome.results[task.municipality] = out_dir / f"{task.slug}.scan.json"
        outcome.documents += len(answer["documents"])
    elif answer["status"] == "no-documents":
        not_scanned(outcome, task.municipality, "no-documents")
    else:
        not_scanned(outcome, task.municipality, "scan-failed", answer["message"])
