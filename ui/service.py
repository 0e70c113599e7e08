"""The web UI's server side without Gradio: one object per running app that holds the workspace, the judges
and the UI's files, and calls the scanner's service functions. Every method is safe to call from several
sessions at once; a scan holds a lock, so two scans never load the models twice or write the store together.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import BeleidsscanError
from scanner.frameworks import Framework, list_frameworks, load_framework
from scanner.results import ScanResult
from scanner.scan import Scanner
from scanner.settings import Settings
from scanner.summary import Actor, find_actors
from scanner.workspace import Workspace

from .store import UiStore
from .viewmodel import PageRef, ordered_exports, validate_uploads

__all__ = ["Document", "PageView", "ScanOutcome", "UiService"]

# progress(fraction 0-1, Dutch description of the current step)
Progress = Callable[[float, str], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    sha256: str
    file_name: str
    path: Path


@dataclass
class ScanOutcome:
    result: ScanResult | None
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class PageView:
    image: Any | None  # PIL image of a PDF page
    html: str | None  # marked page text for DOCX/TXT
    message: str


class UiService:
    def __init__(self, settings: Settings, store: UiStore | None = None) -> None:
        self.settings = settings
        self.store = store or UiStore(settings.home / "ui")
        self._lock = threading.Lock()
        self._ws: Workspace | None = None
        self._scanners: dict[tuple[str, str], Scanner] = {}
        self._frameworks: dict[str, Framework] = {}
        self._session_docs: dict[str, set[str]] = {}
        self._session_user: dict[str, str | None] = {}
        self._actors: dict[tuple[str, ...], list[Actor]] = {}

    # -- set-up ----------------------------------------------------------------------------------

    def workspace(self) -> Workspace:
        with self._lock:
            return self._workspace()

    def warm_up(self) -> None:
        """Open the workspace and load the embedding model (it loads at its first text), before the first scan."""
        try:
            self.workspace().embedder.embed_passages(["Beleidsscan is gestart."])
        except Exception as exc:  # the first scan reports it properly
            log.warning("warm-up failed: %s", exc)

    def _workspace(self) -> Workspace:
        if self._ws is None:
            from scanner.workspace import open_workspace

            self._ws = open_workspace(self.settings)
        return self._ws

    def frameworks(self) -> list[tuple[str, str]]:
        return [
            (f"{f.title} ({len(f.elements)} elementen)", f.id) for f in list_frameworks(self.settings.framework_dirs)
        ]

    def framework(self, framework_id: str) -> Framework:
        if framework_id not in self._frameworks:
            self._frameworks[framework_id] = load_framework(framework_id, self.settings.framework_dirs)
        return self._frameworks[framework_id]

    # -- uploads ---------------------------------------------------------------------------------

    def store_of(self, user: str | None) -> UiStore:
        """The UI's files as one logged-in user sees them (``None``: the UI has no logins)."""
        return self.store.for_user(user)

    def accept_uploads(
        self, session: str, uploads: Sequence[Path], user: str | None = None
    ) -> tuple[list[Document], list[str]]:
        """Check type and size, move the files out of Gradio's folder; Dutch messages for the rest."""
        ok, problems = validate_uploads(list(uploads), self.settings.max_bytes)
        for p in uploads:
            if p not in ok:
                p.unlink(missing_ok=True)  # refused files are not kept
        docs = []
        for p in ok:
            sha, path = self.store_of(user).keep_upload(p)
            docs.append(Document(sha, path.name, path))
            self._session_docs.setdefault(session, set()).add(sha)
            self._session_user[session] = user
        return docs, problems

    def earlier_scans(self, docs: Sequence[Document], user: str | None = None) -> list[Any]:
        if not docs:
            return []
        ids = [fid for _, fid in self.frameworks()]
        return self.store_of(user).earlier([d.sha256 for d in docs], ids, ["fast", "llm"])

    def forget_documents(self, session: str, docs: Sequence[Document], user: str | None = None) -> None:
        shas = [d.sha256 for d in docs]
        self._session_docs.get(session, set()).difference_update(shas)
        self.store_of(user).release_documents(shas)

    def end_session(self, session: str) -> None:
        store = self.store_of(self._session_user.pop(session, None))
        store.end_session(session, sorted(self._session_docs.pop(session, set())))

    # -- the scan --------------------------------------------------------------------------------

    @property
    def llm_available(self) -> bool:
        """A language model can be used: a server is configured, or the local runtime is installed."""
        import importlib.util

        return self.settings.llm_provider != "llama-cpp" or importlib.util.find_spec("llama_cpp") is not None

    def scan(
        self,
        docs: Sequence[Document],
        framework_id: str,
        judge_name: str,
        set_name: str | None,
        progress: Progress,
        user: str | None = None,
    ) -> ScanOutcome:
        """Ingest and scan the documents as one set, then save the result for reopening."""
        t0 = time.perf_counter()
        fw = self.framework(framework_id)
        n_el = len(fw.elements)
        progress(0.0, "Wachten tot een andere scan klaar is…" if self._lock.locked() else "Voorbereiden…")
        with self._lock:
            progress(0.01, "Modellen laden…")
            key = (framework_id, judge_name)
            if key not in self._scanners:
                if judge_name == "llm":
                    progress(0.02, "Taalmodel laden (de eerste keer kan dit even duren)…")
                self._scanners[key] = Scanner.open(self.settings, fw, judge_name, workspace=self._workspace())
            scanner = self._scanners[key]
            n_docs = len(docs)

            read = [0]  # documents done, so the bar never runs back

            def on_ingest(stage: str, done: int, total: int, label: str) -> None:
                if stage == "embed":
                    share = (read[0] + done / max(total, 1)) / n_docs
                    progress(0.05 + 0.15 * share, f"Indexeren van {label}: zin {done} van {total}")
                else:
                    read[0] = done
                    step = f"Lezen: document {done + 1} van {n_docs}" if done < n_docs else "Alle documenten gelezen"
                    progress(0.05 + 0.15 * done / n_docs, step)

            asks_llm = judge_name == "llm"

            def on_scan(step: str, done: int, total: int, label: str) -> None:
                if step == "judge":  # reading every sentence, then scoring it for every element
                    share = 0.4 if asks_llm else 0.8
                    progress(0.2 + share * done / max(total, 1), f"Zinnen lezen en beoordelen: {label}")
                else:  # the language model's questions about the elements the scorer is unsure of
                    progress(0.6 + 0.4 * done / max(total, 1), f"Taalmodel: element {done} van {total} ({label})")

            progress(0.03, f"Lezen van {n_docs} document(en)…")
            run = scanner.scan_files(
                [d.path for d in docs], set_name=set_name or None, one_set=True, ingest_progress=on_ingest,
                progress=lambda: on_scan,
            )  # fmt: skip
        outcome = run.ingested
        result = run.outputs[0].result if run.outputs else None
        messages = [f"{Path(f.path).name}: {f.message}" for f in outcome.failures]
        for r in outcome.reports:
            if r.ocr_pages:
                pages = ", ".join(map(str, r.ocr_pages))
                conf = f"{r.ocr_confidence:.0f}" if r.ocr_confidence is not None else "?"
                messages.append(
                    f"{Path(r.path).name}: pagina {pages} is gescand en met OCR gelezen (gemiddelde woordzekerheid "
                    f"{conf}%); citaten van die pagina's zijn gemarkeerd."
                )
            if r.scanned_pages:
                pages = ", ".join(map(str, r.scanned_pages))
                how = f" Niet gelezen: {r.ocr_missing}." if r.ocr_missing else ""
                messages.append(
                    f"{Path(r.path).name}: pagina {pages} bevat alleen een afbeelding zonder tekstlaag (gescand?); "
                    f"die inhoud is niet doorzocht.{how}"
                )
        if result is not None:
            progress(1.0, f"Klaar: {n_el} elementen beoordeeld")
            self.save(result, user)
        return ScanOutcome(result, messages, time.perf_counter() - t0)

    # -- results ---------------------------------------------------------------------------------

    def save(self, result: ScanResult, user: str | None = None) -> str:
        key = self.store_of(user).save(result)
        for session, shas in self._session_docs.items():  # saved documents outlive this user's sessions
            if self._session_user.get(session) == user:
                shas.difference_update(d.sha256 for d in result.documents)
        return key

    def reopen(self, key: str, user: str | None = None) -> ScanResult | None:
        return self.store_of(user).load(key)

    def delete(self, result: ScanResult, user: str | None = None) -> None:
        from scanner.review import scan_key

        self.store_of(user).delete(
            scan_key((d.sha256 for d in result.documents), result.framework.id, result.settings.judge)
        )

    def review(
        self, result: ScanResult, element_id: str, status: str | None, note: str, by: str, user: str | None = None
    ) -> ScanResult:
        from scanner.review import review

        updated = review(result, self.framework(result.framework.id), element_id, status, note, by)
        self.save(updated, user)
        return updated

    def actors(self, result: ScanResult) -> list[Actor]:
        """The organisations and roles the scanned documents name (for the advice's bruggenbouwers)."""
        key = tuple(d.sha256 for d in result.documents)
        if key not in self._actors:
            registry = (self._ws or self.workspace()).registry
            self._actors[key] = find_actors([registry.get(s) for s in key if registry.has(s)])
        return self._actors[key]

    def exports(self, session: str, result: ScanResult) -> list[Path | None]:
        """The downloads for this session, written to its own folder (one file per export, in the order the UI
        lists them: ``ordered_exports()``)."""
        from scanner.scan import slug

        fw = self.framework(result.framework.id)
        folder = self.store.session_dir(session)
        docs = result.documents
        stem = slug(result.set_name) if result.set_name else Path(docs[0].file_name).stem
        paths: list[Path | None] = []
        registry = (self._ws or self.workspace()).registry  # no wait for the scan lock once the workspace is open
        records = {d.sha256: registry.get(d.sha256) for d in docs if registry.has(d.sha256)}
        for export in ordered_exports():
            path = folder / f"{stem}{export.suffix}"
            try:
                export.write(result, fw, path, records)
            except Exception as exc:  # one failing format must not take the others (or the result) down
                log.warning("export %s failed: %s", export.suffix, exc)
                path.unlink(missing_ok=True)
                paths.append(None)
            else:
                paths.append(path)
        return paths

    def page_view(self, result: ScanResult, ref: PageRef, user: str | None = None) -> PageView:
        """The cited page with the quote highlighted: rendered for a PDF, as marked text otherwise."""
        from .pageview import mark_quote_html, render_page

        where = f"{ref.file_name}, pagina {ref.page}"
        original = self.store_of(user).document(ref.sha256)
        if original is not None and original.suffix.lower() == ".pdf":
            try:
                image, found = render_page(original, ref.page, ref.quote)
            except Exception as exc:  # a PDF pdfium cannot render: fall back to the text
                note = f" (de pagina kon niet worden getoond: {exc})"
            else:
                note = "" if found else " (de tekst kon op het beeld niet precies worden aangewezen)"
                return PageView(image, None, f"{where}{note}.")
        else:
            note = ""
        try:
            page = self.workspace().registry.get(ref.sha256).page(ref.page)
        except (KeyError, IndexError, BeleidsscanError):
            return PageView(None, None, f"{where}: de pagina is niet meer beschikbaar.")
        marked, found = mark_quote_html(page.text, ref.quote)
        return PageView(None, marked, f"{where}{note}" + ("" if found else " (citaat niet aangewezen)") + ".")
