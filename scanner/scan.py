"""The quick scan: the judge reads the documents, every quote is verified on its page, gaps are analysed.

:class:`Scanner` is the one way in: built once per (workspace, framework, judge), it holds what every scan needs
prepared (the element profiles with their compiled cue patterns, the judge with its models) and turns files or
stored documents into :class:`~scanner.results.ScanResult`. The CLI, the web UI and the batch build one and only
render what it returns.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from scanner import __version__
from scanner.analysis import environment_summaries, find_gaps
from scanner.evidence import quote_window, verify_quote
from scanner.frameworks import Element, Framework
from scanner.ingest.pipeline import IngestOutcome
from scanner.judge import ElementDecision, Judge
from scanner.judge.lexical import cue_patterns
from scanner.results import (
    COMMITMENT_NL,
    TARGET_NL,
    CheckedPassage,
    DocumentRef,
    Evidence,
    Finding,
    FrameworkRef,
    ScanResult,
    ScanSettings,
    Searched,
)
from scanner.settings import Settings
from scanner.types import DocumentRecord
from scanner.workspace import Workspace

__all__ = [
    "ElementProfile",
    "ScanOutput",
    "ScanProgress",
    "ScanRun",
    "Scanner",
    "element_profiles",
    "make_judge",
    "rationale",
    "slug",
    "write_result",
]

# progress(step, done, total, label): step is "judge" (and "llm" for the language model's questions)
ScanProgress = Callable[[str, int, int, str], None]
# progress(stage, done, total, label) while files are read and stored: "files" and "embed"
IngestProgress = Callable[[str, int, int, str], None]

_DIMENSION_WHAT = {
    "mw": "spreekt deze meerwaarde uit",
    "fm": "erkent deze factor",
    "ho": "noemt hiervoor een {commitment}",
    "bb": "noemt deze rol met haar verbindende functie",
}


def rationale(element: Element, decision: ElementDecision, flagged: int = 0) -> str:
    """Why this status, in plain Dutch that agrees with it."""
    status = decision.status
    best = decision.evidence[0] if decision.evidence else None
    if status == "covered" and best is not None:
        what = _DIMENSION_WHAT.get(element.dimension, "noemt hiervoor een {commitment}")
        what = what.format(commitment=COMMITMENT_NL[best.commitment])
        text = f"Gedekt: het document {what}, voor {TARGET_NL[best.target]} (p. {best.unit.page})."
    elif status == "partial" and best is not None:
        if best.target == "andere_groep":
            text = f"Deels: het thema komt voor, maar voor {TARGET_NL['andere_groep']} (p. {best.unit.page})."
        elif best.commitment == "vaag":
            text = f"Deels: het thema wordt genoemd, maar vaag of zonder uitwerking (p. {best.unit.page})."
        else:
            text = (
                f"Deels: het document raakt het thema, maar niet met een concrete maatregel of uitgesproken "
                f"waarde voor dit element (p. {best.unit.page})."
            )
        if decision.downgraded:
            text += " De sterkste zinnen gaan over een andere doelgroep; daarom niet gedekt."
    else:
        text = (
            "Niet gevonden: geen zin in het document laat dit element zien. Hieronder staan de zinnen die er het "
            "dichtst bij kwamen, zodat u de afwezigheid kunt controleren."
        )
    if decision.note:
        text += " " + decision.note
    if flagged:
        text += f" {flagged} zin(nen) met instructies aan een taalmodel zijn overgeslagen."
    return text


@dataclass(frozen=True)
class ElementProfile:
    """An element as every scan uses it, prepared once: its cue words compiled to the patterns that place a
    quote's window (the judge's lexical features use the same compiled patterns)."""

    element: Element
    patterns: tuple[re.Pattern[str], ...]


def element_profiles(framework: Framework) -> tuple[ElementProfile, ...]:
    return tuple(ElementProfile(e, tuple(p for cue in e.cues for p in cue_patterns(cue))) for e in framework.elements)


def _evidence(
    profile: ElementProfile, decision: ElementDecision, records: dict[str, DocumentRecord], multi: bool
) -> tuple[list[Evidence], int]:
    """Quotes for the decision's sentences, each verified on its page; and how many did not verify."""
    patterns = list(profile.patterns)
    out: list[Evidence] = []
    dropped = 0
    for c in decision.evidence:
        chunk = c.unit.chunk
        record = records[chunk.doc_sha256]
        a, b = quote_window(c.unit.text, patterns)
        quote = " ".join(c.unit.text[a:b].split())
        if not verify_quote(quote, record.page(chunk.page).text):
            dropped += 1
            continue
        out.append(
            Evidence(
                page=chunk.page,
                page_label=chunk.page_label if chunk.page_label != str(chunk.page) else None,
                quote=quote,
                chunk_id=chunk.id,
                score=round(c.shows, 4),
                document=record.file_name if multi else None,
                commitment=c.commitment,  # type: ignore[arg-type]
                target=c.target,  # type: ignore[arg-type]
                ocr=record.page(chunk.page).ocr_confidence is not None,
            )
        )
    return out, dropped


def _searched(element: Element, decision: ElementDecision, records: dict[str, DocumentRecord], multi: bool) -> Searched:
    first = element.description.split(". ")[0].rstrip(".")
    return Searched(
        queries=[f"{element.label}: {first}", "zoekwoorden: " + ", ".join(element.cues)],
        passages=[
            CheckedPassage(
                chunk_id=c.unit.chunk.id,
                page=c.unit.page,
                document=records[c.unit.chunk.doc_sha256].file_name if multi else None,
                score=round(c.shows, 4),
                excerpt=" ".join(c.unit.text.split())[:240],
            )
            for c in decision.nearest
        ],
    )


def _scan(
    ws: Workspace,
    records: Sequence[DocumentRecord],
    framework: Framework,
    profiles: Sequence[ElementProfile],
    judge: Judge,
    *,
    set_name: str | None = None,
    progress: ScanProgress | None = None,
) -> ScanResult:
    """Stored documents (one, or a municipality's set) against a framework: the judge, then quotes and gaps."""
    t0 = time.perf_counter()
    by_sha = {r.sha256: r for r in records}
    multi = len(records) > 1
    chunks = [c for r in records for c in ws.store.chunks_of(r.sha256)]
    t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    elements = [p.element for p in profiles]
    outcome = judge.judge(elements, chunks, progress)
    t_judge = time.perf_counter() - t1

    findings = []
    dropped_total = 0
    for profile, decision in zip(profiles, outcome.decisions, strict=True):
        el = profile.element
        evidence, dropped = _evidence(profile, decision, by_sha, multi) if decision.status != "not_found" else ([], 0)
        dropped_total += dropped
        status = decision.status
        text = rationale(el, decision, outcome.flagged)
        if status != "not_found" and not evidence:
            status = "not_found"
            text += " Geen citaat kon op de pagina worden teruggevonden; daarom afgewaardeerd tot niet gevonden."
        findings.append(
            Finding(
                element_id=el.id,
                environment=el.environment,
                dimension=el.dimension,
                label=el.label,
                status=status,  # type: ignore[arg-type]
                confidence=round(decision.probabilities.get(status, 0.0), 4),
                probabilities={k: round(v, 4) for k, v in decision.probabilities.items()},
                evidence=evidence,
                commitment=evidence[0].commitment if evidence else None,
                target=evidence[0].target if evidence else None,
                rationale=text,
                searched=_searched(el, decision, by_sha, multi),
            )
        )
    refs = [
        DocumentRef(path=r.path, sha256=r.sha256, pages=r.page_count, file_name=r.file_name, title=r.title)
        for r in records
    ]
    provenance = judge.provenance
    return ScanResult(
        document=refs if multi else refs[0],
        set_name=set_name,
        framework=FrameworkRef(id=framework.id, version=framework.version),
        settings=ScanSettings(
            embedder=ws.embedder.id,
            judge=judge.name,  # type: ignore[arg-type]
            llm=provenance.llm,
            prompt_hashes=dict(provenance.prompt_hashes),
            classifier=provenance.classifier,
        ),
        findings=findings,
        summary=environment_summaries(framework, findings),
        gaps=find_gaps(framework, findings),
        timings={
            "read": round(t_read, 3),
            "judge": round(t_judge, 3),
            "total": round(time.perf_counter() - t0, 3),
            "quotes_dropped": float(dropped_total),
        },
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        tool_version=__version__,
    )


# --- building and running a scan ------------------------------------------------------------------


def make_judge(ws: Workspace, name: str) -> Judge:
    """The judge by name: ``fast`` (the trained scorer) or ``llm`` (the scorer, then the configured LLM)."""
    from scanner.judge.fast import FastJudge

    if name not in ("fast", "llm"):
        from scanner.errors import ConfigError

        raise ConfigError(f"Onbekende beoordeling '{name}': kies fast of llm.")
    cache = ws.settings.home / "cache"
    fast = FastJudge(cache_dir=cache)
    if ws.embedder.id == fast.meta.embedder:
        fast = FastJudge(ws.embedder, cache_dir=cache)  # the store's model is the scorer's: load it once
    if name == "fast":
        return fast
    from scanner.judge.llm import LlmJudge, make_llm

    return LlmJudge(fast, make_llm(ws.settings), cache_dir=cache, max_elements=ws.settings.llm_max_elements)


@dataclass(frozen=True)
class ScanOutput:
    stem: str  # what its files are named by: the file's stem, or the set's slug
    result: ScanResult
    files: tuple[Path, ...] = ()  # the JSON result and the Markdown report, when written


@dataclass
class ScanRun:
    """What a run over files gives: the ingestion outcome (reports and failures per file) and the scans."""

    ingested: IngestOutcome
    outputs: list[ScanOutput] = field(default_factory=list)


class Scanner:
    """The quick scan, built once per (workspace, framework, judge) and reused for every document and set."""

    def __init__(self, ws: Workspace, framework: Framework, judge: Judge) -> None:
        self.ws = ws
        self.framework = framework
        self.judge = judge
        self.profiles = element_profiles(framework)

    @classmethod
    def open(
        cls,
        settings: Settings,
        framework: str | Framework | None = None,
        judge: str | None = None,
        *,
        workspace: Workspace | None = None,
    ) -> Scanner:
        """The workspace of ``settings`` (or the one given), the framework by id (default: the built-in one) and
        the judge by name (default: the settings' judge)."""
        from scanner.frameworks import DEFAULT_FRAMEWORK, load_framework
        from scanner.workspace import open_workspace

        ws = workspace or open_workspace(settings)
        if not isinstance(framework, Framework):
            framework = load_framework(framework or DEFAULT_FRAMEWORK, settings.framework_dirs)
        return cls(ws, framework, make_judge(ws, judge or settings.judge))

    def ingest(self, paths: Sequence[Path], progress: IngestProgress | None = None) -> IngestOutcome:
        """Store what is not stored yet. When the judge reads with the store's embedding model, the sentence vectors
        it needs are made now and the passages' vectors follow from them, so nothing is embedded twice."""
        from scanner.ingest.pipeline import ingest_paths

        ws = self.ws
        return ingest_paths(
            list(paths), settings=ws.settings, embedder=ws.embedder, store=ws.store, registry=ws.registry,
            progress=progress, chunk_vectors=self.judge.chunk_vectors(ws.embedder.id),
        )  # fmt: skip

    def records(self, shas: Sequence[str]) -> list[DocumentRecord]:
        """Stored documents by content hash, each once, in the order given."""
        return [self.ws.registry.get(sha) for sha in dict.fromkeys(shas)]

    def scan(
        self,
        records: Sequence[DocumentRecord],
        *,
        set_name: str | None = None,
        progress: ScanProgress | None = None,
    ) -> ScanResult:
        """Scan stored documents: one as itself, several as one set (a municipality's documents)."""
        return _scan(self.ws, records, self.framework, self.profiles, self.judge, set_name=set_name, progress=progress)

    def scan_files(
        self,
        paths: Sequence[Path],
        *,
        set_name: str | None = None,
        one_set: bool = False,
        out_dir: Path | None = None,
        ingest_progress: IngestProgress | None = None,
        progress: Callable[[], ScanProgress | None] | None = None,
    ) -> ScanRun:
        """Ingest the files, then scan every readable one on its own, or all as one set (``one_set``, or when a
        set name is given). With ``out_dir`` each result is written as soon as it is done. ``progress`` makes a
        fresh progress callback per scan."""
        ingested = self.ingest(paths, ingest_progress)
        records = self.records([r.sha256 for r in ingested.reports])
        run = ScanRun(ingested)
        if not records:
            return run
        if set_name or one_set:
            groups = [(slug(set_name) if set_name else Path(records[0].file_name).stem, records)]
        else:
            stems = [Path(r.file_name).stem for r in records]
            # the same name as PDF and as text ("nota.pdf", "nota.md") must not overwrite each other's results
            groups = [
                (slug(r.file_name) if stems.count(stem) > 1 else stem, [r])
                for stem, r in zip(stems, records, strict=True)
            ]
        for stem, group in groups:
            result = self.scan(group, set_name=set_name, progress=progress() if progress else None)
            files = self.write(result, out_dir, stem, group) if out_dir is not None else ()
            run.outputs.append(ScanOutput(stem, result, tuple(files)))
        return run

    def write(
        self, result: ScanResult, out_dir: Path, stem: str, records: Sequence[DocumentRecord] | None = None
    ) -> tuple[Path, Path]:
        """``<stem>.scan.json`` (the result) and ``<stem>.scan.md`` (the report), each written atomically. Pass the
        scanned ``records`` where they are at hand; otherwise they are read from the registry again."""
        if records is None:
            records = self.records([d.sha256 for d in result.documents])
        return write_result(result, self.framework, out_dir, stem, {r.sha256: r for r in records})


def write_result(
    result: ScanResult,
    framework: Framework,
    out_dir: Path,
    stem: str,
    records: Mapping[str, DocumentRecord] | None = None,
) -> tuple[Path, Path]:
    """``<stem>.scan.json`` and ``<stem>.scan.md``, each written atomically; ``records`` (by SHA-256) let the
    report's summary read what the documents commit and name."""
    from scanner.report_md import render_markdown
    from scanner.store.registry import atomic_write_text

    json_path = out_dir / f"{stem}.scan.json"
    md_path = out_dir / f"{stem}.scan.md"
    atomic_write_text(json_path, result.model_dump_json(indent=1) + "\n")
    atomic_write_text(md_path, render_markdown(result, framework, records))
    return json_path, md_path


def slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._") or "set"
