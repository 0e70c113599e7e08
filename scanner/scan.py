"""The quick scan: the judge reads the documents, every quote is verified on its page, gaps are analysed. One
service function that the CLI, the UI and the batch call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from scanner import __version__
from scanner.analysis import environment_summaries, find_gaps
from scanner.evidence import quote_window, verify_quote
from scanner.frameworks import Element, Framework
from scanner.ingest.pipeline import IngestOutcome
from scanner.judge import ElementDecision, Judge
from scanner.judge.lexical import DutchAnalyzer
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
from scanner.types import DocumentRecord
from scanner.workspace import Workspace

__all__ = ["ScanProgress", "ingest_and_scan", "make_judge", "rationale", "scan_documents", "slug", "write_result"]

# progress(step, done, total, label): step is "judge" (and "llm" for the language model's questions)
ScanProgress = Callable[[str, int, int, str], None]

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


def _evidence(
    element: Element, decision: ElementDecision, records: dict[str, DocumentRecord], multi: bool
) -> tuple[list[Evidence], int]:
    """Quotes for the decision's sentences, each verified on its page; and how many did not verify."""
    analyzer = DutchAnalyzer()
    patterns = [p for cue in element.cues for p in analyzer.cue_patterns(cue)]
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


def scan_documents(
    ws: Workspace,
    records: Sequence[DocumentRecord],
    framework: Framework,
    judge: Judge,
    *,
    set_name: str | None = None,
    progress: ScanProgress | None = None,
) -> ScanResult:
    """Scan stored documents (one, or a municipality's set) against a framework."""
    t0 = time.perf_counter()
    by_sha = {r.sha256: r for r in records}
    multi = len(records) > 1
    chunks = [c for r in records for c in ws.store.chunks_of(r.sha256)]
    t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    elements = list(framework.elements)
    outcome = judge.judge(elements, chunks, progress)
    t_judge = time.perf_counter() - t1

    findings = []
    dropped_total = 0
    for el, decision in zip(elements, outcome.decisions, strict=True):
        evidence, dropped = _evidence(el, decision, by_sha, multi) if decision.status != "not_found" else ([], 0)
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


# --- the job the CLI and the UI run: ingest what is missing, scan, write the files ---------------


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

    return LlmJudge(fast, make_llm(ws.settings), cache_dir=cache)


def ingest_and_scan(
    ws: Workspace,
    paths: Sequence[Path],
    framework: Framework,
    judge: Judge,
    *,
    set_name: str | None = None,
    ingest_progress: Callable[[str, int, int, str], None] | None = None,
    progress: ScanProgress | None = None,
) -> tuple[IngestOutcome, ScanResult | None]:
    """Ingest what is not stored yet, then scan all readable files as one set (one file: as itself).

    The result is None when no file could be read; the outcome says why per file.
    """
    from scanner.ingest.pipeline import ingest_paths

    outcome = ingest_paths(
        list(paths), settings=ws.settings, embedder=ws.embedder, store=ws.store, registry=ws.registry,
        progress=ingest_progress,
    )  # fmt: skip
    records = list({r.sha256: ws.registry.get(r.sha256) for r in outcome.reports}.values())
    if not records:
        return outcome, None
    return outcome, scan_documents(ws, records, framework, judge, set_name=set_name, progress=progress)


def write_result(result: ScanResult, framework: Framework, out_dir: Path, stem: str) -> tuple[Path, Path]:
    from scanner.report_md import render_markdown
    from scanner.store.registry import atomic_write_text

    json_path = out_dir / f"{stem}.scan.json"
    md_path = out_dir / f"{stem}.scan.md"
    atomic_write_text(json_path, result.model_dump_json(indent=1) + "\n")
    atomic_write_text(md_path, render_markdown(result, framework))
    return json_path, md_path


def slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._") or "set"
