"""The quick scan: retrieve per element, judge, cite verified quotes, analyse gaps. One service function that the
CLI and the UI both call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from scanner import __version__
from scanner.analysis import environment_summaries, find_gaps
from scanner.evidence import best_span, verify_quote
from scanner.frameworks import Element, Framework
from scanner.ingest.pipeline import IngestOutcome
from scanner.judge import Judge, Judgement
from scanner.results import (
    STATUS_NL,
    CheckedPassage,
    DocumentRef,
    Evidence,
    Finding,
    FrameworkRef,
    ScanResult,
    ScanSettings,
    Searched,
)
from scanner.retrieval import DutchAnalyzer, ElementRetrieval, HybridRetriever, RetrievedPassage
from scanner.types import DocumentRecord
from scanner.workspace import Workspace

__all__ = ["ScanProgress", "ingest_and_scan", "make_judge", "scan_documents", "slug", "write_result"]

# progress(step, done, total, label): step is "retrieve" or "judge"
ScanProgress = Callable[[str, int, int, str], None]

MAX_EVIDENCE = 3


def _evidence(
    element: Element,
    retrieval: ElementRetrieval,
    judgement: Judgement,
    records: dict[str, DocumentRecord],
    analyzer: DutchAnalyzer,
    multi: bool,
) -> tuple[list[Evidence], int]:
    """Verified quotes from the passages the judge found most relevant; also how many quotes were dropped."""
    patterns = [p for cue in element.cues for p in analyzer.cue_patterns(cue)]
    terms = {analyzer.stem(w) for w in element.label.split() if len(w) > 4}
    ranked = sorted(
        (p for p in retrieval.passages if p.chunk.id not in judgement.flagged),
        key=lambda p: (-(judgement.passage_scores.get(p.chunk.id, 0.0)), -p.rrf),
    )
    # Prefer passages that actually carry the element's words; fall back to the judge's order.
    ranked = [p for p in ranked if p.cue_hits] + [p for p in ranked if not p.cue_hits]
    out: list[Evidence] = []
    dropped = 0
    for p in ranked:
        if len(out) >= MAX_EVIDENCE:
            break
        a, b = best_span(p.chunk.text, patterns, sorted(terms))
        quote = p.chunk.text[a:b]
        record = records[p.chunk.doc_sha256]
        if not verify_quote(quote, record.page(p.chunk.page).text):
            dropped += 1
            continue
        if any(e.quote == quote for e in out):
            continue
        out.append(
            Evidence(
                page=p.chunk.page,
                page_label=p.chunk.page_label if p.chunk.page_label != str(p.chunk.page) else None,
                quote=quote,
                chunk_id=p.chunk.id,
                score=round(judgement.passage_scores.get(p.chunk.id, p.dense), 4),
                document=record.file_name if multi else None,
            )
        )
    return out, dropped


def _rationale(status: str, judgement: Judgement, ps: Sequence[RetrievedPassage], judge: str) -> str:
    f = judgement.features
    cues = sorted({c for p in ps[:3] for c in p.cue_hits})
    parts = [f"{STATUS_NL[status].capitalize()} (kans {judgement.confidence:.2f})."]
    if cues:
        parts.append(f"Kernbegrippen in de beste passages: {', '.join(cues[:6])}.")
    else:
        parts.append("Geen van de zoektermen van dit element komt voor in de beste passages.")
    parts.append(f"Hoogste semantische gelijkenis {f.get('dense_max', 0):.2f}.")
    if judge == "llm" and f.get("llm_asked") == 1.0:
        parts.append(f"Het taalmodel acht de beste passage relevant met kans {f['llm_max']:.2f}.")
    elif judge == "llm" and f.get("llm_asked") == 0.0:
        parts.append("Het taalmodel is niet gevraagd: de signalen uit de zoekstap waren duidelijk genoeg.")
    if ps and status != "not_found" and f.get("youth_top", 1.0) == 0.0:
        parts.append("De passages noemen geen kinderen, jongeren of gezinnen: mogelijk een andere doelgroep.")
    if judgement.flagged:
        parts.append(f"{len(judgement.flagged)} passage(s) met instructies aan een taalmodel zijn genegeerd.")
    return " ".join(parts)


def scan_documents(
    ws: Workspace,
    records: Sequence[DocumentRecord],
    framework: Framework,
    judge: Judge,
    *,
    set_name: str | None = None,
    llm_id: str | None = None,
    prompt_hashes: dict[str, str] | None = None,
    progress: ScanProgress | None = None,
) -> ScanResult:
    """Scan stored documents (one, or a municipality's set) against a framework."""
    t0 = time.perf_counter()
    by_sha = {r.sha256: r for r in records}
    multi = len(records) > 1
    retriever = HybridRetriever(
        ws.store, ws.embedder, list(by_sha), file_names={r.sha256: r.file_name for r in records}
    )
    elements = list(framework.elements)
    retrievals = []
    for i, el in enumerate(elements, start=1):
        retrievals.append(retriever.retrieve(el))
        if progress:
            progress("retrieve", i, len(elements), el.id)
    t_retrieve = time.perf_counter() - t0

    t1 = time.perf_counter()
    judgements = judge.judge_all(elements, retrievals, progress=progress)
    t_judge = time.perf_counter() - t1

    findings = []
    dropped_total = 0
    for el, r, j in zip(elements, retrievals, judgements, strict=True):
        status = j.status
        evidence: list[Evidence] = []
        rationale = _rationale(status, j, r.passages, judge.name)
        if status != "not_found":
            evidence, dropped = _evidence(el, r, j, by_sha, retriever.analyzer, multi)
            dropped_total += dropped
            if not evidence:
                rationale += (
                    " Geen citaat kon op de pagina worden teruggevonden; daarom afgewaardeerd tot niet gevonden."
                )
                status = "not_found"
        searched = Searched(
            queries=r.queries,
            passages=[
                CheckedPassage(
                    chunk_id=p.chunk.id,
                    page=p.chunk.page,
                    document=p.document if multi else None,
                    score=round(p.dense, 4),
                    excerpt=p.chunk.text[:240],
                )
                for p in r.passages[:5]
            ],
        )
        findings.append(
            Finding(
                element_id=el.id,
                environment=el.environment,
                dimension=el.dimension,
                label=el.label,
                status=status,  # type: ignore[arg-type]
                confidence=round(j.probabilities.get(status, j.confidence), 4),
                probabilities={k: round(v, 4) for k, v in j.probabilities.items()},
                evidence=evidence,
                rationale=rationale,
                searched=searched,
            )
        )
    refs = [
        DocumentRef(path=r.path, sha256=r.sha256, pages=r.page_count, file_name=r.file_name, title=r.title)
        for r in records
    ]
    return ScanResult(
        document=refs if multi else refs[0],
        set_name=set_name,
        framework=FrameworkRef(id=framework.id, version=framework.version),
        settings=ScanSettings(
            embedder=ws.embedder.id,
            judge=judge.name,  # type: ignore[arg-type]
            llm=llm_id,
            prompt_hashes=prompt_hashes or {},
            classifier=getattr(judge, "classifier_ref", f"{judge.classifier.id}@{judge.classifier.version}"),
        ),
        findings=findings,
        summary=environment_summaries(framework, findings),
        gaps=find_gaps(framework, findings),
        timings={
            "retrieve": round(t_retrieve, 3),
            "judge": round(t_judge, 3),
            "total": round(time.perf_counter() - t0, 3),
            "quotes_dropped": float(dropped_total),
        },
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        tool_version=__version__,
    )


# --- the job the CLI and the UI run: ingest what is missing, scan, write the files ---------------


def make_judge(ws: Workspace, name: str) -> tuple[Judge, str | None, dict[str, str]]:
    """The judge by name, with the LLM id and prompt hashes to record."""
    from scanner.judge import FastJudge

    if name == "fast":
        return FastJudge(), None, {}
    if name != "llm":
        from scanner.errors import ConfigError

        raise ConfigError(f"Onbekende beoordeling '{name}': kies llm of fast.")
    from scanner.judge.llm import LlmJudge, LlmScorer, make_llm

    scorer = LlmScorer(make_llm(ws.settings), cache_dir=ws.settings.home / "cache")
    return LlmJudge(scorer), scorer.llm.id, scorer.prompts.hashes


def ingest_and_scan(
    ws: Workspace,
    paths: Sequence[Path],
    framework: Framework,
    judge: Judge,
    *,
    set_name: str | None = None,
    llm_id: str | None = None,
    prompt_hashes: dict[str, str] | None = None,
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
    result = scan_documents(
        ws, records, framework, judge, set_name=set_name, llm_id=llm_id, prompt_hashes=prompt_hashes,
        progress=progress,
    )  # fmt: skip
    return outcome, result


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
