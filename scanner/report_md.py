"""The Dutch Markdown report of a scan result (re-rendered from the saved JSON at any time)."""

from __future__ import annotations

from scanner.export._common import firmness_text
from scanner.frameworks import Framework
from scanner.results import STATUS_ICON, STATUS_NL, ScanResult

__all__ = ["render_markdown"]

_ICON = STATUS_ICON


def _quote(text: str) -> str:
    """A quote on one line for display; the saved quote keeps the page's line breaks."""
    return " ".join(text.split())


def _cite(e: object) -> str:
    page = f"p. {e.page}" + (f" (gedrukt {e.page_label})" if e.page_label else "")  # type: ignore[attr-defined]
    doc = f"{e.document}, " if e.document else ""  # type: ignore[attr-defined]
    return f"{doc}{page}"


def render_markdown(result: ScanResult, fw: Framework) -> str:
    docs = result.documents
    title = result.set_name or (docs[0].title or docs[0].file_name)
    out = [f"# Quick scan: {title}", ""]
    out.append(f"Framework: **{fw.title}** ({fw.id}, versie {fw.version})  ")
    for d in docs:
        out.append(f"Document: `{d.file_name}` ({d.pages} pagina's, SHA-256 `{d.sha256[:16]}…`)  ")
    s = result.settings
    judge = "taalmodel + classifier" if s.judge == "llm" else "snel (zonder taalmodel)"
    out.append(f"Beoordeling: {judge}; embedder `{s.embedder}`" + (f"; taalmodel `{s.llm}`" if s.llm else ""))
    out.append(f"Gemaakt: {result.created_at} met beleidsscan {result.tool_version}")
    out += ["", "Legenda: ● gedekt · ◐ deels · ○ niet gevonden. Elk citaat is gecontroleerd op de genoemde pagina.", ""]

    out += ["## Samenvatting", ""]
    for summary in result.summary:
        out.append(f"- {summary.verdict}")
    out += ["", "| omgeving | " + " | ".join(d.label for d in fw.dimensions) + " |"]
    out.append("|---|" + "---|" * len(fw.dimensions))
    for env in fw.environments:
        cells = []
        for dim in fw.dimensions:
            fs = [f for f in result.findings if f.environment == env.id and f.dimension == dim.id]
            cells.append(" ".join(_ICON[f.effective_status] for f in fs) or "–")
        out.append(f"| {env.label} | " + " | ".join(cells) + " |")
    out.append("")

    for env in fw.environments:
        out += [f"## {env.label}", ""]
        for dim in fw.dimensions:
            fs = [f for f in result.findings if f.environment == env.id and f.dimension == dim.id]
            if not fs:
                continue
            out += [f"### {dim.label}", ""]
            for f in fs:
                status = f.effective_status
                out.append(f"**{_ICON[status]} {f.label}** (`{f.element_id}`): {STATUS_NL[status]}  ")
                out.append(f"{f.rationale}  ")
                if firmness := firmness_text(f):
                    out.append(f"{firmness}.  ")
                if f.override:
                    out.append(f"Aangepast bij review: {f.override.get('note', '')}  ")
                for e in f.evidence:
                    out.append(f"> “{_quote(e.quote)}” ({_cite(e)})")
                    out.append("")
                if status == "not_found":
                    pages = ", ".join(f"p. {p.page}" for p in f.searched.passages[:3])
                    out.append(f"Gezocht met: {'; '.join(f.searched.queries[:2])}. Dichtstbijzijnde passages: {pages}.")
                out.append("")

    out += ["## Kansen: handelingsopties en bruggenbouwers", ""]
    if not result.gaps:
        out += ["Alle handelingsopties en bruggenbouwers zijn gedekt.", ""]
    for env in fw.environments:
        gaps = [g for g in result.gaps if g.environment == env.id]
        if not gaps:
            continue
        out += [f"### {env.label}", ""]
        for g in gaps:
            out.append(f"**{g.label}** (`{g.element_id}`, {STATUS_NL[g.status]})")
            out.append("")
            for a in g.advice:
                out.append(f"- Handelingsoptie *{a.option_label}*: {a.advice}")
                if a.roles:
                    out.append(f"  Bruggenbouwers: {', '.join(a.roles)}.")
                for e in a.builds_on[:2]:
                    out.append(f"  Aanknopingspunt in het document: “{_quote(e.quote)}” ({_cite(e)}).")
                out.append(f"  Bron: {a.source}.")
            if g.context:
                out.append(f"- Context in deze omgeving: {'; '.join(g.context)}.")
            out.append("")
    t = result.timings
    out.append(f"*Rekentijd: zoeken {t.get('retrieve', 0):.1f} s, beoordelen {t.get('judge', 0):.1f} s.*")
    return "\n".join(out) + "\n"
