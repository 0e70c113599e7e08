"""Ingestion: files and folders in, pages and chunks stored, one report per document, failures collected.

Reading a document (pypdf, pure Python) and embedding (native code that releases the GIL) overlap: while
one document is embedded the next is read in a worker thread, so a batch runs close to the embedder's speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from scanner.embed.base import Embedder
from scanner.errors import DocumentError
from scanner.hashing import sha256_bytes, sha256_file
from scanner.ingest import ocr
from scanner.ingest.chunking import chunk_document
from scanner.ingest.normalize import Vocabulary, normalize_page_text
from scanner.ingest.readers import MIN_TEXT_CHARS, SUPPORTED_SUFFIXES, read_document
from scanner.judge import ChunkVectors
from scanner.settings import Settings
from scanner.store.base import ChunkStore
from scanner.store.registry import DocumentRegistry
from scanner.types import Chunk, DocumentFailure, DocumentRecord, IngestReport, Page

__all__ = [
    "IngestOutcome",
    "PreparedDocument",
    "ProgressFn",
    "expand_inputs",
    "ingest_paths",
    "prepare_document",
]

IngestStatus = Literal["ingested", "already-stored"]
# progress(stage, done, total, label): stage is "files" or "embed"
ProgressFn = Callable[[str, int, int, str], None]


@dataclass(frozen=True)
class PreparedDocument:
    record: DocumentRecord
    chunks: list[Chunk]
    read_seconds: float


@dataclass
class IngestOutcome:
    reports: list[IngestReport] = field(default_factory=list)
    failures: list[DocumentFailure] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why): files a folder held that we do not read

    @property
    def ok(self) -> bool:
        return not self.failures


def expand_inputs(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]], list[DocumentFailure]]:
    """Files to read: given files as they are; folders searched recursively for supported types."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    failures: list[DocumentFailure] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve() if p.exists() else p.absolute()
        if key not in seen:
            seen.add(key)
            files.append(p)

    for path in paths:
        if path.is_dir():
            try:
                entries = sorted(path.rglob("*"))
            except OSError as exc:
                failures.append(
                    DocumentFailure(
                        path=str(path),
                        reason="unreadable",
                        message=f"map kan niet worden gelezen ({exc.strerror or exc}).",
                    )
                )
                continue
            for p in entries:
                if any(part.startswith(".") for part in p.relative_to(path).parts):
                    continue  # hidden files and folders (.DS_Store, .git)
                if p.is_dir():
                    continue
                if p.suffix.lower() in SUPPORTED_SUFFIXES or p.is_symlink():
                    add(p)
                else:
                    skipped.append((str(p), f"bestandstype '{p.suffix or '(geen)'}' wordt niet ondersteund"))
        elif path.exists() or path.is_symlink():
            add(path)
        else:
            failures.append(DocumentFailure(path=str(path), reason="missing", message="bestand of map bestaat niet."))
    return files, skipped, failures


def prepare_document(path: Path, settings: Settings) -> PreparedDocument:
    """Read, normalise and chunk one file. Raises DocumentError for anything the user must fix."""
    t0 = time.perf_counter()
    raw = read_document(path, max_bytes=settings.max_bytes, max_pages=settings.max_pages)
    sha = sha256_bytes(raw.data)
    vocab = Vocabulary(p.text for p in raw.pages)
    pages: list[Page] = []
    for i, rp in enumerate(raw.pages, start=1):
        text = normalize_page_text(rp.text, vocab)
        visible = sum(1 for c in text if not c.isspace())
        pages.append(
            Page(
                number=i,
                label=rp.label,
                text=text,
                has_text_layer=visible >= MIN_TEXT_CHARS,
                has_images=rp.has_images,
                ocr_confidence=rp.ocr_confidence,
            )
        )
    chunks = chunk_document(
        pages, sha, max_chars=settings.chunk_chars, known_headings=[rp.headings for rp in raw.pages]
    )
    record = DocumentRecord(
        sha256=sha,
        path=str(path.resolve()),
        file_name=path.name,
        kind=raw.kind,  # type: ignore[arg-type]
        size_bytes=len(raw.data),
        pages=tuple(pages),
        title=raw.title or _first_heading(chunks),
        ingested_at=datetime.now(UTC),
    )
    return PreparedDocument(record=record, chunks=chunks, read_seconds=time.perf_counter() - t0)


def _stored_report(
    path: Path, settings: Settings, embedder: Embedder, store: ChunkStore, registry: DocumentRegistry
) -> IngestReport | None:
    """The report of a file whose content is stored already, from its hash alone; None when it must be read."""
    t0 = time.perf_counter()
    try:
        if not path.is_file() or path.stat().st_size > settings.max_bytes:
            return None  # reading it gives the proper message
        sha = sha256_file(path)
    except OSError:
        return None
    if not (registry.has(sha) and store.has_document(sha)):
        return None
    rec = registry.get(sha)
    return _report(rec, str(path.resolve()), "already-stored", len(store.chunks_of(sha)), time.perf_counter() - t0,
                   embedder)  # fmt: skip


def _report(
    rec: DocumentRecord, path: str, status: IngestStatus, chunks: int, seconds: float, embedder: Embedder
) -> IngestReport:
    """The ingestion report of a stored document, whether it was stored now or before."""
    return IngestReport(
        path=path,
        sha256=rec.sha256,
        status=status,
        pages=rec.page_count,
        pages_without_text=tuple(rec.pages_without_text),
        scanned_pages=tuple(rec.scanned_pages),
        ocr_pages=tuple(rec.ocr_pages),
        ocr_confidence=_mean([p.ocr_confidence for p in rec.pages if p.ocr_confidence is not None]),
        ocr_missing=(ocr.ocr_unavailable() or ocr.NOTHING_READ) if rec.scanned_pages else None,
        characters=sum(len(p.text) for p in rec.pages),
        chunks=chunks,
        seconds=round(seconds, 3),
        embedder=embedder.id,
    )


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _first_heading(chunks: Sequence[Chunk]) -> str | None:
    for c in chunks:
        if c.section_path:
            return c.section_path[0]
    return None


def _embed_and_store(
    prepared: PreparedDocument,
    embedder: Embedder,
    store: ChunkStore,
    progress: ProgressFn | None,
    chunk_vectors: ChunkVectors | None = None,
    batch: int = 64,
) -> None:
    chunks = prepared.chunks
    label = prepared.record.file_name
    if chunk_vectors is not None:  # the judge reads the sentences now; the passages' vectors follow from them
        step = (lambda done, total: progress("embed", done, total, label)) if progress else None
        store.add(chunks, chunk_vectors(chunks, step))
        return
    for i in range(0, len(chunks), batch):
        part = chunks[i : i + batch]
        vectors = embedder.embed_passages([c.embedding_text() for c in part])
        store.add(part, vectors)
        if progress:
            progress("embed", min(i + batch, len(chunks)), len(chunks), label)


def ingest_paths(
    paths: Iterable[Path],
    *,
    settings: Settings,
    embedder: Embedder,
    store: ChunkStore,
    registry: DocumentRegistry,
    progress: ProgressFn | None = None,
    chunk_vectors: ChunkVectors | None = None,
) -> IngestOutcome:
    """Ingest files and folders. A bad file is reported and the others go on.

    A file whose content is stored already is recognised by its hash before it is parsed. ``chunk_vectors``, when
    given, makes the passages' vectors (the judge's, see :meth:`scanner.scan.Scanner.ingest`) instead of
    embedding each passage with ``embedder``.
    """
    files, skipped, failures = expand_inputs(paths)
    outcome = IngestOutcome(failures=list(failures), skipped=skipped)

    def read(p: Path) -> PreparedDocument | IngestReport | DocumentError:
        try:
            stored = _stored_report(p, settings, embedder, store, registry)
            return stored if stored is not None else prepare_document(p, settings)
        except DocumentError as exc:
            return exc

    def prepared_stream() -> Iterator[tuple[Path, PreparedDocument | IngestReport | DocumentError]]:
        # Read the next file while the current one is being embedded.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read") as pool:
            pending: Future[PreparedDocument | IngestReport | DocumentError] | None = None
            for i, p in enumerate(files):
                current = pending.result() if pending is not None else read(p)
                pending = pool.submit(read, files[i + 1]) if i + 1 < len(files) else None
                yield p, current

    for done, (path, item) in enumerate(prepared_stream(), start=1):
        if isinstance(item, DocumentError):
            outcome.failures.append(DocumentFailure(path=str(path), reason=item.reason, message=item.detail))
        elif isinstance(item, IngestReport):
            outcome.reports.append(item)
        else:
            outcome.reports.append(_store_document(item, embedder, store, registry, progress, chunk_vectors))
        if progress:
            progress("files", done, len(files), path.name)
    return outcome


def _store_document(
    prepared: PreparedDocument,
    embedder: Embedder,
    store: ChunkStore,
    registry: DocumentRegistry,
    progress: ProgressFn | None,
    chunk_vectors: ChunkVectors | None = None,
) -> IngestReport:
    t0 = time.perf_counter()
    rec = prepared.record
    already = registry.has(rec.sha256) and store.has_document(rec.sha256)
    if not already:
        # Vectors first, then the registry record: a record exists only for a completely stored document,
        # and chunk ids are deterministic, so a rerun after an interruption just completes the work.
        _embed_and_store(prepared, embedder, store, progress, chunk_vectors)
        registry.save(rec)
    status: IngestStatus = "already-stored" if already else "ingested"
    seconds = prepared.read_seconds + time.perf_counter() - t0
    return _report(rec, str(rec.path), status, len(prepared.chunks), seconds, embedder)
