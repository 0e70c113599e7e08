"""What the web UI shows, as pure functions of a scan result and its framework: no Gradio, no browser.

The UI only wires these to components; the scan, the analysis and the review are the service functions of
``scanner`` (``scanner.scan``, ``scanner.analysis``, ``scanner.review``), the same ones the CLI calls.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.analysis import MatrixCell, coverage_matrix
from scanner.export._common import firmness_text, roles_text
from scanner.frameworks import Framework
from scanner.results import STATUS_ICON, STATUS_INK, STATUS_NL, STATUSES, Evidence, Finding, ScanResult, page_citation
from scanner.summary import Actor, ranked_gaps
from scanner.types import DocumentRecord

__all__ = [
    "ALLOWED_SUFFIXES",
    "EXPORTS",
    "ICON",
    "Export",
    "MatrixCell",
    "PageRef",
    "element_choices",
    "export_id",
    "finding_html",
    "gaps_html",
    "matrix_cells",
    "matrix_html",
    "ordered_exports",
    "page_choices",
    "page_ref",
    "register_export",
    "summary_html",
    "validate_uploads",
]

ICON = STATUS_ICON
# Accessible on white (at least 4.5:1): the reports' ink colour for each status.
COLOR = {s: f"#{c}" for s, c in STATUS_INK.items()}
ALLOWED_SUFFIXES = {
    ".pdf": "PDF",
    ".docx": "Word (DOCX)",
    ".txt": "tekst (TXT)",
    ".md": "tekst (Markdown)",
    ".html": "webpagina (HTML)",
    ".htm": "webpagina (HTML)",
}
_esc = html.escape


def _label(text: str) -> str:
    return _esc(" ".join(text.split()))


# --- uploads -----------------------------------------------------------------------------------------


def validate_uploads(paths: Sequence[Path], max_bytes: int) -> tuple[list[Path], list[str]]:
    """Files that may be scanned, and a Dutch message for each one that may not (type, size, empty)."""
    ok: list[Path] = []
    problems: list[str] = []
    allowed = ", ".join(sorted({v.split(" ")[0] for v in ALLOWED_SUFFIXES.values()}))
    for p in paths:
        suffix = p.suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            problems.append(
                f"{p.name}: dit bestandstype ({suffix or 'zonder extensie'}) wordt niet ondersteund. "
                f"Kies een PDF-, DOCX- of TXT-bestand (toegestaan: {allowed})."
            )
            continue
        size = p.stat().st_size if p.exists() else 0
        if size == 0:
            problems.append(f"{p.name}: het bestand is leeg.")
        elif size > max_bytes:
            problems.append(
                f"{p.name}: het bestand is te groot ({size / 1e6:.1f} MB; maximaal {max_bytes / 1e6:.0f} MB)."
            )
        else:
            from scanner.errors import DocumentError
            from scanner.ingest.readers import detect_kind

            try:  # the content must be what the name says, checked now rather than after "Scan starten"
                with p.open("rb") as f:
                    detect_kind(p, f.read(8192))
            except DocumentError as exc:
                problems.append(f"{p.name}: {exc.detail}")
                continue
            except OSError as exc:
                problems.append(f"{p.name}: het bestand kan niet worden gelezen ({exc.strerror or exc}).")
                continue
            ok.append(p)
    return ok, problems


# --- the coverage matrix -----------------------------------------------------------------------------


def matrix_cells(result: ScanResult, fw: Framework) -> list[list[MatrixCell]]:
    """Rows of environments, columns of dimensions: counts by effective (reviewed) status."""
    cells = coverage_matrix(result, fw)
    return [[cells[(env.id, dim.id)] for dim in fw.dimensions] for env in fw.environments]


def _cell_background(score: float) -> str:
    """Pale red through amber to green, by the share covered."""
    stops = [(0.0, (246, 214, 211)), (0.5, (252, 234, 187)), (1.0, (205, 234, 208))]
    for (x0, c0), (x1, c1) in itertools.pairwise(stops):
        if score <= x1:
            t = (score - x0) / (x1 - x0)
            r, g, b = (round(a + (b_ - a) * t) for a, b_ in zip(c0, c1, strict=True))
            return f"rgb({r},{g},{b})"
    return "rgb(205,234,208)"


def matrix_html(result: ScanResult, fw: Framework) -> str:
    """The coverage matrix as a coloured table with counts, element dots (with tooltips) and a legend."""
    rows = matrix_cells(result, fw)
    head = "".join(f'<th scope="col">{_label(d.label)}</th>' for d in fw.dimensions)
    body = []
    for env, row in zip(fw.environments, rows, strict=True):
        cells = []
        for cell in row:
            if not cell.total:
                cells.append('<td class="bs-cell bs-empty">–</td>')
                continue
            # each dot is a button that opens its finding (ui.app wires the click; Enter works as well)
            dots = "".join(
                f'<button type="button" class="bs-dot" data-element="{eid}" style="color:{COLOR[s]}" '
                f'title="{_esc(STATUS_NL[s])}: {_label(lbl)}" aria-label="{_label(lbl)}: {_esc(STATUS_NL[s])}">'
                f"{ICON[s]}</button>"
                for eid, lbl, s in ((f.element_id, f.label, f.effective_status) for f in cell.findings)
            )
            counts = " · ".join(f"{cell.counts[s]} {STATUS_NL[s]}" for s in STATUSES if cell.counts[s])
            reviewed = f'<div class="bs-reviewed">{cell.reviewed} beoordeeld</div>' if cell.reviewed else ""
            cells.append(
                f'<td class="bs-cell" data-env="{env.id}" data-dim="{cell.dimension}" '
                f'data-covered="{cell.counts["covered"]}" data-partial="{cell.counts["partial"]}" '
                f'data-not-found="{cell.counts["not_found"]}" style="background:{_cell_background(cell.score)}">'
                f'<div class="bs-count"><b>{cell.counts["covered"]}</b>/{cell.total} gedekt</div>'
                f'<div class="bs-dots">{dots}</div><div class="bs-sub">{counts}</div>{reviewed}</td>'
            )
        body.append(f'<tr><th scope="row">{_label(env.label)}</th>{"".join(cells)}</tr>')
    legend = " ".join(
        f'<span class="bs-legend-item"><span style="color:{COLOR[s]}">{ICON[s]}</span> {STATUS_NL[s]}</span>'
        for s in STATUSES
    )
    return (
        '<figure class="bs-matrix" aria-label="Dekkingsmatrix">'
        f'<table><thead><tr><th scope="col">Omgeving</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        f"<figcaption>Dekking per omgeving en dimensie. {legend}. Kleur: van rood (niets gevonden) "
        "via geel naar groen (alles gedekt). Kies een bolletje om de bevinding te openen.</figcaption></figure>"
    )


def summary_html(result: ScanResult, fw: Framework) -> str:
    """The matrix, then one verdict line per environment and what was scanned."""
    docs = ", ".join(f"{_esc(d.file_name)} ({d.pages} p.)" for d in result.documents)
    judge = "getraind model + taalmodel" if result.settings.judge == "llm" else "getraind model (zonder taalmodel)"
    reviewed = sum(1 for f in result.findings if f.override)
    verdicts = "".join(f'<li class="bs-verdict">{_esc(s.verdict)}</li>' for s in result.summary)
    title = _esc(result.set_name) if result.set_name else docs
    return (
        f'<div class="bs-summary" tabindex="-1"><h2>Resultaat: {title}</h2>{matrix_html(result, fw)}'
        f'<ul class="bs-verdicts">{verdicts}</ul>'
        f'<p class="bs-meta">Documenten: {docs}. Framework: {_esc(fw.title)} (versie {_esc(fw.version)}). '
        f"Beoordeling: {judge}. Gescand op {_esc(result.created_at)}. "
        f"{reviewed} van {len(result.findings)} bevindingen door een beoordelaar bekeken.</p></div>"
    )


# --- drill-down per element --------------------------------------------------------------------------


def element_choices(result: ScanResult, fw: Framework) -> list[tuple[str, str]]:
    """(shown label, element id) for every finding, in framework order."""
    envs = {e.id: e.label for e in fw.environments}
    dims = {d.id: d.label for d in fw.dimensions}
    out = []
    for f in result.findings:
        s = f.effective_status
        mark = " (beoordeeld)" if f.override else ""
        out.append(
            (
                f"{ICON[s]} {STATUS_NL[s]}{mark} · {envs.get(f.environment, f.environment)} · "
                f"{dims.get(f.dimension, f.dimension)} · {' '.join(f.label.split())}",
                f.element_id,
            )
        )
    return out


def _cite(e: Evidence | object) -> str:
    doc, label = getattr(e, "document", None), getattr(e, "page_label", None)
    return _esc(page_citation(getattr(e, "page", None), label, doc, ocr=getattr(e, "ocr", False)))


def _badge(status: str) -> str:
    return (
        f'<span class="bs-badge bs-{status}" style="border-color:{COLOR[status]};color:{COLOR[status]}">'
        f"{ICON[status]} {STATUS_NL[status]}</span>"
    )


def finding_html(result: ScanResult, fw: Framework, element_id: str) -> str:
    """Status, rationale, review, quotes with pages; for not found what was searched and the closest passages."""
    f = result.finding(element_id)
    el = fw.element(element_id)
    s = f.effective_status
    parts = [
        f'<div class="bs-finding" tabindex="-1" data-element="{_esc(f.element_id)}" data-status="{s}">',
        f"<h2>{_label(f.label)}</h2>",
        f"<p>{_badge(s)}</p>",
        f'<p class="bs-desc">{_esc(el.description)}</p>',
    ]
    if f.override:
        o = f.override
        verb = "bevestigd" if o.get("status") == f.status else "aangepast"
        parts.append(
            f'<p class="bs-override">Door {_esc(o.get("by", "beoordelaar"))} {verb} op {_esc(o.get("at", ""))}'
            f" (oordeel van de scan: {STATUS_NL[f.status]})"
            + (f": “{_esc(o['note'])}”" if o.get("note") else "")
            + ".</p>"
        )
    parts.append(f'<p class="bs-rationale"><b>Onderbouwing:</b> {_esc(f.rationale)}</p>')
    if firmness := firmness_text(f):
        parts.append(f'<p class="bs-firmness">{_esc(firmness)}.</p>')
    if f.evidence:
        parts.append("<h3>Citaten uit het document</h3><ol class='bs-quotes'>")
        for e in f.evidence:
            parts.append(f"<li><blockquote>“{_label(e.quote)}”</blockquote><cite>{_cite(e)}</cite></li>")
        parts.append("</ol><p class='bs-hint'>Kies hieronder een citaat om het op de pagina te zien.</p>")
    if s == "not_found" or not f.evidence:
        q = "".join(f"<li>{_esc(x)}</li>" for x in f.searched.queries)
        parts.append(f"<h3>Waarop is gezocht</h3><ul class='bs-queries'>{q}</ul>")
        ps = "".join(
            f"<li><cite>{_cite(p)}</cite> (gelijkenis {p.score:.2f}): {_label(p.excerpt)}…</li>"
            for p in f.searched.passages
        )
        parts.append(
            f"<h3>Dichtstbijzijnde passages</h3><ul class='bs-nearest'>{ps or '<li>geen</li>'}</ul>"
            "<p class='bs-hint'>Zo kunt u zelf nagaan of het element echt ontbreekt.</p>"
        )
    parts.append(f'<p class="bs-source">Bron in het framework: {_esc(_source(fw, element_id))}</p></div>')
    return "".join(parts)


def _source(fw: Framework, element_id: str) -> str:
    el = fw.element(element_id)
    work = next((w for w in fw.sources if w.id == el.source.work), None)
    return f"{work.citation if work else el.source.work}, {el.source.location}"


@dataclass(frozen=True)
class PageRef:
    """A page to show: which document, which page, and the text to highlight there."""

    sha256: str
    file_name: str
    page: int
    quote: str


def page_choices(finding: Finding) -> list[tuple[str, str]]:
    """(shown label, key) for the quotes of a finding, then its closest passages; keys 'e:N' and 'p:N'."""
    out = []
    for i, e in enumerate(finding.evidence):
        text = " ".join(e.quote.split())
        out.append((f"Citaat {i + 1}, {_plain_cite(e)}: “{text[:110]}{'…' if len(text) > 110 else ''}”", f"e:{i}"))
    if finding.effective_status == "not_found" or not finding.evidence:
        for i, p in enumerate(finding.searched.passages):
            text = " ".join(p.excerpt.split())
            out.append((f"Dichtstbijzijnde passage {i + 1}, {_plain_cite(p)}: “{text[:100]}…”", f"p:{i}"))
    return out


def _plain_cite(e: object) -> str:
    return html.unescape(_cite(e))


def page_ref(result: ScanResult, element_id: str, key: str) -> PageRef | None:
    """The page behind a choice of ``page_choices``."""
    f = result.finding(element_id)
    kind, _, n = key.partition(":")
    try:
        i = int(n)
        item: Evidence | object = f.evidence[i] if kind == "e" else f.searched.passages[i]
    except (ValueError, IndexError):
        return None
    doc_name = getattr(item, "document", None)
    docs = result.documents
    doc = next((d for d in docs if d.file_name == doc_name), docs[0]) if doc_name else docs[0]
    text = item.quote if isinstance(item, Evidence) else getattr(item, "excerpt", "")
    return PageRef(sha256=doc.sha256, file_name=doc.file_name, page=int(getattr(item, "page", 1)), quote=text)


# --- gaps and advice ---------------------------------------------------------------------------------


def gaps_html(result: ScanResult, fw: Framework, actors: Sequence[Actor] = (), top: int = 5) -> str:
    """Per environment: the verdict and its context once, then the gaps to take up first (at most ``top``, ranked
    as the management summary ranks them) with each handelingsoptie shown once, and the other gaps folded away.

    Bruggenbouwers say which roles the document already names (``actors``) and which the framework suggests; an
    aanknopingspunt appears only where the analysis found one in the document (``GapAdvice.builds_on``).
    """
    parts = ['<div class="bs-gaps">']
    if not result.gaps:
        parts.append("<p>Alle handelingsopties en bruggenbouwers zijn gedekt.</p>")
    summaries = {s.environment: s for s in result.summary}
    dims = {d.id: d.label for d in fw.dimensions}
    ranked = ranked_gaps(result, fw)
    for env in fw.environments:
        gaps = [g for g in ranked if g.environment == env.id]
        s = summaries.get(env.id)
        parts.append(f'<section class="bs-gap-env" data-env="{env.id}"><h2>{_label(env.label)}</h2>')
        if s:  # under the environment's own heading its name is not repeated
            verdict = s.verdict.removeprefix(f"{env.label}: ")
            parts.append(f'<p class="bs-verdict">{_esc(verdict[:1].upper() + verdict[1:])}</p>')
        if not gaps:
            parts.append("<p>Geen kansen: alle handelingsopties en bruggenbouwers in deze omgeving zijn gedekt.</p>")
            parts.append("</section>")
            continue
        if gaps[0].context:  # the same for every gap of the environment: shown once
            context = _esc("; ".join(gaps[0].context))
            parts.append(f'<p class="bs-context">Stand van meerwaarde en factoren in deze omgeving: {context}.</p>')
        first, rest = gaps[:top], gaps[top:]
        parts.append(f'<h3>Eerst oppakken ({len(first)} van {len(gaps)})</h3><ol class="bs-priorities">')
        shown: dict[str, str] = {}  # option id -> the gap it was shown under
        for g in first:
            parts.append(
                f'<li class="bs-gap" data-element="{_esc(g.element_id)}"><p><b>{_label(g.label)}</b> '
                f"{_badge(g.status)} <small>({_esc(dims.get(g.dimension, g.dimension))})</small></p>"
            )
            for a in g.advice:
                if a.option_id in shown:
                    parts.append(f'<p class="bs-advice">Handelingsoptie {_label(a.option_label)}: zie hierboven.</p>')
                    continue
                shown[a.option_id] = g.element_id
                option = (
                    "" if a.option_id == g.element_id else f"<p><b>Handelingsoptie:</b> {_label(a.option_label)}</p>"
                )
                parts.append(f'<div class="bs-advice">{option}<p>{_esc(a.advice)}</p>')
                if a.roles:
                    parts.append(f"<p><b>Bruggenbouwers:</b> {_esc(roles_text(list(actors), a.roles, fw))}</p>")
                if a.builds_on:
                    items = "".join(f"<li>“{_label(e.quote)}” ({_cite(e)})</li>" for e in a.builds_on[:3])
                    parts.append(f"<p><b>Aanknopingspunt in het document:</b></p><ul>{items}</ul>")
                parts.append(f'<p class="bs-source">Bron in het kader: {_esc(a.source)}</p></div>')
            parts.append("</li>")
        parts.append("</ol>")
        if rest:
            rest_items: list[str] = []
            for g in rest:
                options = [_label(a.option_label) for a in g.advice if a.option_id not in shown]
                for a in g.advice:
                    shown.setdefault(a.option_id, g.element_id)
                opts = f": {', '.join(options)}" if options and options != [_label(g.label)] else ""
                rest_items.append(
                    f'<li class="bs-gap" data-element="{_esc(g.element_id)}">{_label(g.label)} '
                    f"{_badge(g.status)}{opts}</li>"
                )
            parts.append(
                f"<details><summary>Overige kansen in deze omgeving ({len(rest)})</summary>"
                f'<ul class="bs-rest">{"".join(rest_items)}</ul></details>'
            )
        parts.append("</section>")
    if fw.notes:
        notes = "".join(f"<li>{_esc(n)}</li>" for n in fw.notes)
        parts.append(f"<section><h2>Voor alle omgevingen</h2><ul>{notes}</ul></section>")
    parts.append("</div>")
    return "".join(parts)


# --- downloads ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """A download offered in the UI: a label, a file suffix, and a writer ``(result, framework, path)``."""

    label: str
    suffix: str
    # (result, framework, path, the documents' records by SHA-256: the reports read what the documents commit)
    write: Callable[[ScanResult, Framework, Path, Mapping[str, DocumentRecord]], None]


def _write_json(result: ScanResult, fw: Framework, path: Path, records: Mapping[str, DocumentRecord]) -> None:
    path.write_text(result.model_dump_json(indent=1) + "\n", encoding="utf-8")


def _write_md(result: ScanResult, fw: Framework, path: Path, records: Mapping[str, DocumentRecord]) -> None:
    from scanner.report_md import render_markdown

    path.write_text(render_markdown(result, fw, records), encoding="utf-8")


def _write_labels(result: ScanResult, fw: Framework, path: Path, records: Mapping[str, DocumentRecord]) -> None:
    from scanner.review import labels_jsonl

    path.write_text(labels_jsonl(result), encoding="utf-8")


# The downloads the UI offers, in this order; register_report_exports() adds the reports of scanner/export/.
# The UI shows one download button per entry.
EXPORTS: list[Export] = [
    Export("Resultaat (JSON)", ".scan.json", _write_json),
    Export("Rapport (Markdown)", ".scan.md", _write_md),
    Export("Labels voor evaluatie (JSONL)", ".labels.jsonl", _write_labels),
]


def register_export(export: Export) -> None:
    if all(e.suffix != export.suffix for e in EXPORTS):
        EXPORTS.append(export)


_DOWNLOAD_ORDER = (
    ".rapport.docx",
    ".rapport.xlsx",
    ".sessie.docx",
    ".rapport.html",
    ".scan.md",
    ".scan.json",
    ".labels.jsonl",
)


def ordered_exports() -> list[Export]:
    """The downloads as the UI lists them: Word and Excel first, the machine formats for researchers last."""

    def rank(e: Export) -> int:
        return _DOWNLOAD_ORDER.index(e.suffix) if e.suffix in _DOWNLOAD_ORDER else len(_DOWNLOAD_ORDER)

    return sorted(EXPORTS, key=rank)


def export_id(e: Export) -> str:
    """A stable element id for the download button of an export ("bs-dl-scan-json")."""
    return "bs-dl-" + re.sub(r"[^a-z0-9]+", "-", e.suffix.lower()).strip("-")


def register_report_exports() -> None:
    """Offer the reports of ``scanner.export`` (the same renderers the CLI's report and sessie commands use)."""
    from scanner.export import render, suffix
    from scanner.export.sessie import session_pack_docx

    for label, fmt in (("Rapport (Word)", "docx"), ("Tabellen (Excel)", "xlsx"), ("Rapport (HTML)", "html")):

        def write(
            result: ScanResult, fw: Framework, path: Path, records: Mapping[str, DocumentRecord], _fmt: str = fmt
        ) -> None:
            path.write_bytes(render(result, fw, _fmt, records))  # type: ignore[arg-type]

        register_export(Export(label, suffix(fmt), write))  # type: ignore[arg-type]

    def write_sessie(result: ScanResult, fw: Framework, path: Path, records: Mapping[str, DocumentRecord]) -> None:
        path.write_bytes(session_pack_docx(result, fw, records))

    register_export(Export("Materiaal expertsessie (Word)", ".sessie.docx", write_sessie))
