"""Batch quick scans: many municipalities, each scanned as one set of documents, resumable and in parallel.

The plan comes from a manifest (``gemeente,pad,type,jaar``) or from a folder with one folder per municipality.
The batch runs in two stages:

1. Ingestion in this process, reading overlapped with embedding.
2. Scans, in this process (``workers=1``) or in worker processes. Chroma's persistent store is not
   process-safe (its cookbook: "Chroma is thread-safe; Chroma is not process-safe"), so processes that share a
   store talk to one Chroma server: the configured ``chroma_url``, or one that :func:`shared_store` starts over
   the store folder for the duration of the batch (``beleidsscan batch --workers N`` does this). Each worker opens
   its own workspace: its own embedder and judge, the server's store, and the document registry (read only).

Resuming: next to each ``<slug>.scan.json`` a small done-record holds a key over the documents (SHA-256 of
each file), the framework id and version and the judge settings. A rerun skips a municipality whose record
carries the same key. Every file is written atomically and the record last, so a killed batch leaves no
half-written file and loses nothing that was finished.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from scanner.errors import BeleidsscanError, DocumentError
from scanner.frameworks import Framework
from scanner.hashing import sha256_file
from scanner.ingest.pipeline import ProgressFn, expand_inputs
from scanner.results import ScanResult
from scanner.settings import Settings
from scanner.store.registry import atomic_write_text
from scanner.types import BatchFailure

if TYPE_CHECKING:
    from scanner.judge import Judge
    from scanner.scan import Scanner

__all__ = [
    "BatchError",
    "BatchFailure",
    "BatchOutcome",
    "BatchPlan",
    "BatchProgress",
    "ManifestEntry",
    "Municipality",
    "format_batch_report",
    "load_plan",
    "plan_from_folder",
    "read_manifest",
    "run_batch",
    "shared_store",
]

# progress(stage, done, total, label): "files" and "embed" come from ingestion, "scan" counts municipalities
BatchProgress = Callable[[str, int, int, str], None]

JudgeName = Literal["fast", "llm"]
DONE_SUFFIX = ".done.json"
FAILURES_CSV = "fouten.csv"
LOCK_NAME = ".beleidsscan-batch.lock"

_HEADERS = {
    "gemeente": "gemeente",
    "municipality": "gemeente",
    "pad": "pad",
    "path": "pad",
    "type": "type",
    "jaar": "jaar",
    "year": "jaar",
}


class BatchError(BeleidsscanError):
    """A batch that cannot start: a bad manifest or folder, an output folder in use."""

    exit_code = 2


# --- the plan -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestEntry:
    """One document (or folder of documents) of a municipality, as the manifest lists it."""

    path: Path
    doc_type: str = ""
    year: int | None = None
    line: int | None = None  # the manifest line, for messages


@dataclass(frozen=True)
class Municipality:
    name: str
    entries: tuple[ManifestEntry, ...]

    @property
    def slug(self) -> str:
        from scanner.scan import slug

        return slug(self.name)


@dataclass(frozen=True)
class BatchPlan:
    source: Path
    municipalities: tuple[Municipality, ...]
    notes: tuple[BatchFailure, ...] = ()  # found while planning, e.g. files outside a municipality folder


def _check_slugs(municipalities: Sequence[Municipality], source: Path) -> None:
    seen: dict[str, str] = {}
    for m in municipalities:
        key = m.slug.lower()
        if key in seen:
            raise BatchError(
                f"{source}: de gemeenten '{seen[key]}' en '{m.name}' krijgen dezelfde bestandsnaam ({m.slug}); "
                "geef ze verschillende namen."
            )
        seen[key] = m.name


def read_manifest(path: Path) -> BatchPlan:
    """Read a manifest CSV (``gemeente,pad,type,jaar`` or ``municipality,path,type,year``; ``,`` or ``;``).

    Paths are relative to the manifest's folder. A malformed row is an error that names its line.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BatchError(f"Manifest {path} kan niet worden gelezen: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise BatchError(f"Manifest {path} is geen UTF-8-tekst; sla het op als CSV UTF-8.") from exc
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise BatchError(f"Manifest {path} is leeg; verwacht een kopregel gemeente,pad,type,jaar en regels.")
    head_line, head = rows[0]
    names = [_HEADERS.get(cell.strip().lower(), "") for cell in head]
    missing = [n for n in ("gemeente", "pad") if n not in names]
    if missing:
        raise BatchError(
            f"{path}, regel {head_line}: de kopregel mist de kolom(men) {', '.join(missing)}. "
            "Verwacht: gemeente,pad,type,jaar (of municipality,path,type,year)."
        )
    column = {n: i for i, n in reversed(list(enumerate(names))) if n}
    groups: dict[str, list[ManifestEntry]] = {}
    for line, row in rows[1:]:
        cells = {n: row[i].strip() if i < len(row) else "" for n, i in column.items()}
        where = f"{path}, regel {line}"
        name, rel = cells["gemeente"], cells["pad"]
        if not name:
            raise BatchError(f"{where}: de kolom 'gemeente' is leeg.")
        if not rel:
            raise BatchError(f"{where}: de kolom 'pad' is leeg.")
        year: int | None = None
        raw_year = cells.get("jaar", "")
        if raw_year:
            if not raw_year.isdigit() or not 1900 <= int(raw_year) <= 2100:
                raise BatchError(f"{where}: jaar '{raw_year}' is geen jaartal (bijvoorbeeld 2025).")
            year = int(raw_year)
        doc = Path(rel).expanduser()
        entry = ManifestEntry(path=doc if doc.is_absolute() else path.parent / doc, doc_type=cells.get("type", ""),
                              year=year, line=line)  # fmt: skip
        groups.setdefault(name, []).append(entry)
    if not groups:
        raise BatchError(f"Manifest {path} noemt geen documenten.")
    municipalities = tuple(Municipality(name, tuple(entries)) for name, entries in groups.items())
    _check_slugs(municipalities, path)
    return BatchPlan(source=path, municipalities=municipalities)


def plan_from_folder(folder: Path) -> BatchPlan:
    """One municipality per subfolder (its name is the municipality's); the files in it are its documents."""
    subfolders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not subfolders:
        raise BatchError(
            f"Map {folder} bevat geen gemeentemappen. Zet de documenten van elke gemeente in een eigen map "
            "(bijvoorbeeld {folder}/Almere/kadernota.pdf), of geef een manifest (CSV)."
        )
    notes = tuple(
        BatchFailure("", str(p), "outside-municipality", "staat niet in een gemeentemap; niet gescand.")
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    )
    municipalities = tuple(Municipality(p.name, (ManifestEntry(path=p),)) for p in subfolders)
    _check_slugs(municipalities, folder)
    return BatchPlan(source=folder, municipalities=municipalities, notes=notes)


def load_plan(source: Path) -> BatchPlan:
    if source.is_dir():
        return plan_from_folder(source)
    if not source.exists():
        raise BatchError(f"{source} bestaat niet: geef een manifest (CSV) of een map met een map per gemeente.")
    return read_manifest(source)


# --- outcome --------------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    out_dir: Path
    scanned: list[str] = field(default_factory=list)  # municipality names
    skipped: list[str] = field(default_factory=list)  # done before, same key
    failed: list[str] = field(default_factory=list)  # nothing to scan, or the scan failed
    failures: list[BatchFailure] = field(default_factory=list)
    documents: int = 0  # documents in the municipalities scanned in this run
    actor_pids: list[int] = field(default_factory=list)  # --engine ray: the process that scanned each, in order
    seconds: dict[str, float] = field(default_factory=dict)  # ingest, scan, outputs, total
    results: dict[str, Path] = field(default_factory=dict)  # municipality -> scan.json, for every finished one
    outputs: list[Path] = field(default_factory=list)  # matrix, heatmap, failure report

    @property
    def ok(self) -> bool:
        return not self.failures


# --- resume key and done-records ------------------------------------------------------------------


def _file_sha(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError:
        return f"missing:{path}"


def judge_signature(judge: Judge) -> dict[str, Any]:
    """What produces a scan besides the documents and the framework: the judge's own provenance."""
    prov = judge.provenance
    sig: dict[str, Any] = {"judge": judge.name, "classifier": prov.classifier}
    if prov.llm:
        sig["llm"] = prov.llm
        sig["prompts"] = dict(prov.prompt_hashes)
    return sig


def resume_key(file_shas: Sequence[str], framework: Framework, embedder_id: str, signature: Mapping[str, Any]) -> str:
    payload = {
        "documents": sorted(file_shas),
        "framework": [framework.id, framework.version],
        "embedder": embedder_id,
        **signature,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _done_path(out_dir: Path, slug: str) -> Path:
    return out_dir / f"{slug}{DONE_SUFFIX}"


def _is_done(out_dir: Path, slug: str, key: str) -> dict[str, Any] | None:
    """The done-record when this municipality's result exists for the same key, else None."""
    try:
        record = json.loads(_done_path(out_dir, slug).read_text(encoding="utf-8"))
        if record.get("key") != key:
            return None
        ScanResult.model_validate_json((out_dir / f"{slug}.scan.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return dict(record)


def _failure_dict(f: BatchFailure) -> dict[str, Any]:
    return {"municipality": f.municipality, "path": f.path, "reason": f.reason, "message": f.message, "line": f.line}


def _failure_from(d: Mapping[str, Any]) -> BatchFailure:
    return BatchFailure(str(d["municipality"]), str(d["path"]), str(d["reason"]), str(d["message"]), d.get("line"))


@dataclass
class Pending:
    """A municipality that is not done yet: its readable files, what failed in the manifest, its resume key."""

    municipality: Municipality
    files: list[tuple[Path, ManifestEntry]]
    failures: list[BatchFailure]
    key: str


def pending_municipalities(
    plan: BatchPlan, framework: Framework, embedder_id: str, signature: dict[str, Any], out_dir: Path,
    outcome: BatchOutcome, file_shas: dict[Path, str],
) -> list[Pending]:  # fmt: skip
    """What a run must still scan (the same for every engine). A municipality done before with the same key is
    counted as skipped, with the failures its done-record kept; ``file_shas`` is filled with every file's hash."""
    pending = []
    for m in plan.municipalities:
        files, failures = _files_of(m)
        file_shas.update({p: _file_sha(p) for p, _ in files if p not in file_shas})
        key = resume_key([file_shas[p] for p, _ in files], framework, embedder_id, signature)
        done = _is_done(out_dir, m.slug, key)
        if done is not None:
            outcome.skipped.append(m.name)
            outcome.failures += [_failure_from(f) for f in done.get("failures", [])]
            outcome.results[m.name] = out_dir / f"{m.slug}.scan.json"
            continue
        pending.append(Pending(m, files, failures, key))
    return pending


def not_scanned(outcome: BatchOutcome, municipality: str, reason: str, cause: str = "") -> None:
    """Record a municipality that got no result: ``no-documents`` (nothing readable) or ``scan-failed``."""
    outcome.failed.append(municipality)
    message = f"scan mislukt: {cause}"
    if reason == "no-documents":
        message = "geen leesbaar document; deze gemeente is niet gescand."
    outcome.failures.append(BatchFailure(municipality, "", reason, message))


# --- one municipality's scan (the same in this process and in a worker) ----------------------------


@dataclass(frozen=True)
class _Job:
    municipality: str
    slug: str
    shas: tuple[str, ...]
    key: str
    failures: tuple[BatchFailure, ...]


def _scan_job(scanner: Scanner, job: _Job, out_dir: Path) -> None:
    records = scanner.records(job.shas)
    result = scanner.scan(records, set_name=job.municipality)
    scanner.write(result, out_dir, job.slug, records)
    documents = [{"sha256": r.sha256, "file_name": r.file_name} for r in records]
    write_done(out_dir, job.slug, job.key, job.municipality, documents, [_failure_dict(f) for f in job.failures])


def write_done(
    out_dir: Path, slug: str, key: str, municipality: str, documents: list[dict[str, str]],
    failures: list[dict[str, Any]],
) -> None:  # fmt: skip
    """The done-record, written last: a record exists only next to a complete result (both engines)."""
    record = {
        "key": key,
        "municipality": municipality,
        "documents": documents,
        "failures": failures,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    atomic_write_text(_done_path(out_dir, slug), json.dumps(record, ensure_ascii=False, indent=1) + "\n")


# --- worker processes -----------------------------------------------------------------------------


def _worker_main(
    conn: Any, settings: Settings, framework: Framework, judge_name: str, out_dir: str, embedder_id: str
) -> None:
    """A worker process: its own workspace (embedder, judge, registry) and the shared Chroma server's store; jobs
    come over the pipe."""
    try:
        from scanner.scan import Scanner
        from scanner.workspace import open_workspace

        try:
            ws = open_workspace(settings)
            if ws.embedder.id != embedder_id:
                raise BeleidsscanError(
                    f"Het werkproces laadt embedder '{ws.embedder.id}', de opslag is gebouwd met '{embedder_id}'."
                )
            scanner = Scanner.open(settings, framework, judge_name, workspace=ws)
        except BeleidsscanError as exc:
            conn.send(("fatal", str(exc), exc.exit_code))
            return
        conn.send(("ready",))
        while True:
            msg = conn.recv()
            if msg[0] == "stop":
                return
            job: _Job = msg[1]
            try:
                _scan_job(scanner, job, Path(out_dir))
            except Exception as exc:
                conn.send(("failed", f"{type(exc).__name__}: {exc}"))
            else:
                conn.send(("done",))
    except (KeyboardInterrupt, EOFError, BrokenPipeError, ConnectionResetError):
        return  # interrupted, or the parent is gone: what was finished is on disk


def _serve_worker(conn: Any, jobs: queue.Queue[_Job], events: queue.Queue[tuple[Any, ...]]) -> None:
    """Parent side of one worker: hand out jobs, report what it finished."""
    job: _Job | None = None
    try:
        while True:
            msg = conn.recv()
            kind = msg[0]
            if kind == "fatal":
                events.put(("fatal", msg[1], msg[2]))
                return
            if kind in ("done", "failed") and job is not None:
                events.put((kind, job, msg[1] if kind == "failed" else ""))
                job = None
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                conn.send(("stop",))
                return
            conn.send(("job", job))
    except (EOFError, OSError):
        if job is not None:
            events.put(("failed", job, "het werkproces is onverwacht gestopt"))
    finally:
        events.put(("exit",))


def _scan_in_workers(
    scanner: Scanner, jobs: Sequence[_Job], out_dir: Path, workers: int
) -> Iterator[tuple[str, _Job, str]]:
    """Scan the jobs in worker processes; yields (``done``/``failed``, job, message) as they finish."""
    import multiprocessing as mp

    ws, framework, judge_name = scanner.ws, scanner.framework, scanner.judge.name
    if not getattr(ws.store, "url", None) or ws.settings.chroma_url != ws.store.url:  # type: ignore[attr-defined]
        raise BatchError(
            "Meer werkprocessen delen één Chroma-server: stel chroma_url in, of start de batch met "
            "'beleidsscan batch --workers N' (die start er zelf een)."
        )
    ctx = mp.get_context("spawn")  # never fork a process that holds model threads and an open store
    n = min(workers, len(jobs))
    cores = ws.settings.threads or os.cpu_count() or 1
    worker_settings = ws.settings.model_copy(update={"threads": max(1, cores // n), "progress": False})
    pending: queue.Queue[_Job] = queue.Queue()
    for job in jobs:
        pending.put(job)
    events: queue.Queue[tuple[Any, ...]] = queue.Queue()
    procs, conns = [], []
    try:
        for i in range(n):
            parent_conn, child_conn = ctx.Pipe()
            p = ctx.Process(
                target=_worker_main,
                args=(child_conn, worker_settings, framework, judge_name, str(out_dir), ws.store.embedder_id),
                name=f"beleidsscan-werker-{i + 1}", daemon=True,
            )  # fmt: skip
            p.start()
            child_conn.close()
            procs.append(p)
            conns.append(parent_conn)
            threading.Thread(target=_serve_worker, args=(parent_conn, pending, events), daemon=True).start()
        running = n
        while running:  # every serving thread ends with "exit", after its worker stopped or died
            event = events.get()
            if event[0] == "exit":
                running -= 1
            elif event[0] == "fatal":
                raise _with_code(event[1], event[2])
            else:
                yield event[0], event[1], event[2]
        while True:  # jobs no worker took, because every worker stopped
            try:
                yield "failed", pending.get_nowait(), "niet gescand: alle werkprocessen zijn gestopt"
            except queue.Empty:
                break
    finally:
        for c in conns:
            c.close()  # a worker waiting for its next job sees the end of the pipe and stops
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
                p.join()


def _with_code(message: str, code: int) -> BeleidsscanError:
    err = BeleidsscanError(message)
    err.exit_code = code
    return err


# --- the batch ------------------------------------------------------------------------------------


@contextmanager
def _output_lock(out_dir: Path) -> Iterator[None]:
    """One batch per output folder; then temp files left by a killed run can be removed safely."""
    import fcntl

    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / LOCK_NAME).open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchError(
                f"In {out_dir} loopt al een batch; wacht tot die klaar is of kies een andere map."
            ) from None
        for tmp in out_dir.glob(".*.tmp"):  # from a run killed in the middle of a write
            tmp.unlink(missing_ok=True)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _files_of(m: Municipality) -> tuple[list[tuple[Path, ManifestEntry]], list[BatchFailure]]:
    files: list[tuple[Path, ManifestEntry]] = []
    failures: list[BatchFailure] = []
    for entry in m.entries:
        found, skipped, missing = expand_inputs([entry.path])
        files += [(f.resolve() if f.exists() else f.absolute(), entry) for f in found]
        for path, why in skipped:
            failures.append(BatchFailure(m.name, path, "unsupported", f"{why}; niet gelezen.", entry.line))
        for f in missing:
            failures.append(BatchFailure(m.name, f.path, f.reason, f.message, entry.line))
    return files, failures


def _ingest(
    scanner: Scanner,
    m: Municipality,
    files: Sequence[tuple[Path, ManifestEntry]],
    file_shas: Mapping[Path, str],
    progress: ProgressFn | None,
) -> tuple[list[str], list[BatchFailure]]:
    """Ingest one municipality's files; the SHA-256s that are stored (in manifest order), and the files that failed.

    A file whose SHA-256 is stored already is not read again (a document's id is the SHA-256 of its bytes).
    """
    ws = scanner.ws
    line_of = {p: e.line for p, e in files}
    paths = list(dict.fromkeys(p for p, _ in files))
    sha_of = {
        p: sha for p in paths if (sha := file_shas.get(p, "")) and ws.registry.has(sha) and ws.store.has_document(sha)
    }

    def run(ps: list[Path]) -> list[BatchFailure]:
        out = scanner.ingest(ps, progress)
        sha_of.update({Path(r.path): r.sha256 for r in out.reports})
        return [BatchFailure(m.name, f.path, f.reason, f.message, line_of.get(Path(f.path))) for f in out.failures]

    to_read = [p for p in paths if p not in sha_of]
    failures: list[BatchFailure] = []
    try:
        failures = run(to_read) if to_read else []
    except BeleidsscanError:
        raise
    except Exception:
        # Something no reader expected (a library bug on one odd file): go file by file, so only that file fails.
        for p in to_read:
            try:
                failures += run([p])
            except DocumentError as exc:
                failures.append(BatchFailure(m.name, str(p), exc.reason, exc.detail, line_of.get(p)))
            except Exception as exc:
                failures.append(BatchFailure(m.name, str(p), "error", f"onverwachte fout: {exc}", line_of.get(p)))
    return [sha_of[p] for p in paths if p in sha_of], failures


@contextmanager
def shared_store(settings: Settings, workers: int) -> Iterator[Settings]:
    """Settings under which ``workers`` processes can share the store: as they are for one worker or a configured
    Chroma server; otherwise with ``chroma_url`` of a Chroma server started here over the store folder (the data
    the embedded store wrote, and will read again afterwards), stopped when the block ends."""
    if workers <= 1 or settings.chroma_url:
        yield settings
        return
    from scanner.store.server import local_chroma_server

    with local_chroma_server(settings.store_dir, log=settings.home / "chroma-server.log") as url:
        yield settings.model_copy(update={"chroma_url": url})


def run_batch(
    scanner: Scanner,
    plan: BatchPlan,
    out_dir: Path,
    *,
    workers: int = 1,
    progress: BatchProgress | None = None,
) -> BatchOutcome:
    """Scan every municipality of the plan as one document set; skip what is done; write matrix and figures."""
    if workers < 1:
        raise BatchError("--workers moet minstens 1 zijn.")
    t0 = time.perf_counter()
    ws, framework = scanner.ws, scanner.framework
    signature = judge_signature(scanner.judge)
    outcome = BatchOutcome(out_dir=out_dir, failures=list(plan.notes))
    with _output_lock(out_dir):
        # 1. What is done, and ingestion of the rest (this process only).
        jobs: list[_Job] = []
        file_shas: dict[Path, str] = {}
        pending = pending_municipalities(plan, framework, ws.embedder.id, signature, out_dir, outcome, file_shas)
        n_files = sum(len(p.files) for p in pending)
        done_files = 0

        def embed_progress(stage: str, done: int, total: int, label: str) -> None:
            if progress and stage == "embed":
                progress(stage, done, total, label)

        for item in pending:
            m = item.municipality
            shas, ingest_failures = _ingest(scanner, m, item.files, file_shas, embed_progress)
            done_files += len(item.files)
            if progress:
                progress("files", done_files, n_files, m.name)
            failures = item.failures + ingest_failures
            shas = list(dict.fromkeys(shas))
            outcome.failures += failures
            if not shas:
                not_scanned(outcome, m.name, "no-documents")
                continue
            jobs.append(_Job(m.name, m.slug, tuple(shas), item.key, tuple(failures)))
        t_ingest = time.perf_counter() - t0

        # 2. Scans.
        t1 = time.perf_counter()
        outcome.documents = sum(len(j.shas) for j in jobs)
        if progress:
            progress("scan", 0, len(jobs), "")
        for i, (status, job, message) in enumerate(_scan_jobs(scanner, jobs, out_dir, workers), 1):
            if status == "done":
                outcome.scanned.append(job.municipality)
                outcome.results[job.municipality] = out_dir / f"{job.slug}.scan.json"
            else:
                not_scanned(outcome, job.municipality, "scan-failed", message)
            if progress:
                progress("scan", i, len(jobs), job.municipality)
        t_scan = time.perf_counter() - t1

        # 3. Matrix, figures and the failure report, over everything finished (also in earlier runs).
        t2 = time.perf_counter()
        outcome.outputs = write_batch_outputs(plan, framework, out_dir, outcome)
        outcome.seconds = {
            "ingest": round(t_ingest, 2),
            "scan": round(t_scan, 2),
            "outputs": round(time.perf_counter() - t2, 2),
            "total": round(time.perf_counter() - t0, 2),
        }
    return outcome


def _scan_jobs(scanner: Scanner, jobs: Sequence[_Job], out_dir: Path, workers: int) -> Iterator[tuple[str, _Job, str]]:
    if not jobs:
        return
    if workers > 1 and len(jobs) > 1:
        yield from _scan_in_workers(scanner, jobs, out_dir, workers)
        return
    for job in jobs:
        try:
            _scan_job(scanner, job, out_dir)
        except (KeyboardInterrupt, BeleidsscanError):
            raise
        except Exception as exc:
            yield "failed", job, f"{type(exc).__name__}: {exc}"
        else:
            yield "done", job, ""


def write_batch_outputs(plan: BatchPlan, framework: Framework, out_dir: Path, outcome: BatchOutcome) -> list[Path]:
    """matrix.csv, matrix.xlsx, heatmap.png/.svg and fouten.csv over every finished municipality."""
    from scanner.matrix import DocumentInfo, write_failures_csv, write_heatmap, write_matrix_csv, write_matrix_xlsx

    results: list[tuple[str, ScanResult]] = []
    for m in plan.municipalities:
        path = outcome.results.get(m.name)
        if path is not None:
            results.append((m.name, ScanResult.model_validate_json(path.read_text(encoding="utf-8"))))
    info: dict[tuple[str, str], DocumentInfo] = {}
    for m in plan.municipalities:
        for e in m.entries:
            if e.path.is_file():
                info[(m.name, e.path.name)] = DocumentInfo(doc_type=e.doc_type, year=e.year)
    written = [write_failures_csv(out_dir / FAILURES_CSV, outcome.failures)]
    if results:
        written.append(write_matrix_csv(out_dir / "matrix.csv", framework, results))
        written.append(write_matrix_xlsx(out_dir / "matrix.xlsx", framework, results, outcome.failures, info))
        written += write_heatmap(out_dir / "heatmap", framework, results)
    return written


def format_batch_report(outcome: BatchOutcome) -> str:
    """What the batch did, in Dutch: counts, the failures by municipality and file, the files written."""
    n = len(outcome.scanned) + len(outcome.skipped) + len(outcome.failed)
    lines = [
        f"{n} gemeente(n): {len(outcome.scanned)} gescand, {len(outcome.skipped)} overgeslagen (al klaar met dezelfde "
        f"documenten en instellingen), {len(outcome.failed)} niet gescand."
    ]
    if outcome.scanned and outcome.seconds:
        minutes = outcome.seconds["total"] / 60
        rate = f"; {outcome.documents / minutes:.1f} documenten per minuut" if minutes > 0 else ""
        lines.append(
            f"{outcome.documents} document(en) in {outcome.seconds['total']:.0f} s (inlezen "
            f"{outcome.seconds['ingest']:.0f} s, scannen {outcome.seconds['scan']:.0f} s){rate}."
        )
    if outcome.failures:
        lines.append("")
        lines.append(f"Fouten ({len(outcome.failures)}):")
        for f in outcome.failures:
            where = " – ".join(x for x in (f.municipality, f.path and Path(f.path).name) if x)
            line = f" (manifest regel {f.line})" if f.line else ""
            lines.append(f"  {where}{line}: {f.message}")
    lines.append("")
    lines.append(f"Resultaten in {outcome.out_dir}:")
    for path in outcome.outputs:
        lines.append(f"  {path.name}")
    if outcome.results:
        lines.append(f"  en per gemeente NAAM.scan.json en NAAM.scan.md ({len(outcome.results)} gemeenten)")
    return "\n".join(lines)
