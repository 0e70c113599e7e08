"""The Dutch Markdown report of a scan result (re-rendered from the saved JSON at any time)."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.export._common import cite, firmness_text, nearest_pages, override_text, roles_text
from scanner.frameworks import Framework
from scanner.results import STATUS_ICON, STATUS_NL, ScanResult, nl_date, nl_number, nl_percent
from scanner.summary import actor_list, management_summary
from scanner.types import DocumentRecord

__all__ = ["render_markdown"]

_ICON = STATUS_ICON


def _quote(text: str) -> str:
    """A quote on one line for display; the saved quote keeps the page's line breaks."""
    return " ".join(text.split())


def render_markdown(result: ScanResult, fw: Framework, records: Mapping[str, DocumentRecord] | None = None) -> str:
    """The report; with ``records`` (by SHA-256) its summary also shows what the documents commit and name."""
    docs = result.documents
    title = result.set_name or (docs[0].title or docs[0].file_name)
    out = [f"# Quick scan: {title}", ""]
    out.append(f"Getoetst aan **{fw.title}**  ")
    out.append(f"Documenten: {', '.join(d.file_name for d in docs)}  ")
    out.append(f"Gemaakt op {nl_date(result.created_at)} met beleidsscan {result.tool_version}")
    out += ["", "Legenda: ● gedekt · ◐ deels · ○ niet gevonden. Elk citaat is gecontroleerd op de genoemde pagina.", ""]

    ms = management_summary(result, fw, records)
    counts = ms.counts
    out += ["## Managementsamenvatting", ""]
    out += [
        f"{len(fw.elements)} onderdelen van het kader: {counts['covered']} gedekt, {counts['partial']} deels, "
        f"{counts['not_found']} niet gevonden.",
        "",
        "### Wat het beleid al goed doet",
        "",
    ]
    for env_label, strengths in ms.strengths.items():
        if not strengths:
            out += [f"**{env_label}:** nog geen onderdeel met een concrete maatregel of uitgesproken waarde.", ""]
            continue
        out += [f"**{env_label}:** {'; '.join(st.element for st in strengths)}.", ""]
        out += [f"> “{_quote(strengths[0].quote.quote)}” ({cite(strengths[0].quote)})", ""]
    if ms.priorities:
        out += ["### De belangrijkste kansen", ""]
        for i, pr in enumerate(ms.priorities, 1):
            out.append(f"{i}. **{pr.option}** ({pr.environment}; {pr.now}). {pr.first_step}")
        out.append("")
    if ms.facts or ms.actors:
        out += ["### Waar het document op kan bouwen", ""]
        for fact in ms.facts:
            out.append(f"- **{fact.kind_label}:** “{fact.quote}” ({fact.citation})")
        if ms.actors:
            names = actor_list(ms.actors)  # no page limit here: all of them
            out.append(f"- **Organisaties en rollen die het document zelf noemt:** {names}.")
        out.append("")

    out += ["## Overzicht per omgeving", ""]
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
                out.append(f"**{_ICON[status]} {f.label}**: {STATUS_NL[status]}  ")
                out.append(f"{f.rationale}  ")
                if firmness := firmness_text(f):
                    out.append(f"{firmness}.  ")
                if note := override_text(f):
                    out.append(f"*{note}*  ")
                for e in f.evidence:
                    out.append(f"> “{_quote(e.quote)}” ({cite(e)})")
                    out.append("")
                out.append("")

    out += ["## Kansen: handelingsopties en bruggenbouwers", ""]
    if not result.gaps:
        out += ["Alle handelingsopties en bruggenbouwers zijn gedekt.", ""]
    for env in fw.environments:
        gaps = [g for g in result.gaps if g.environment == env.id]
        if not gaps:
            continue
        out += [f"### {env.label}", ""]
        if gaps[0].context:  # the same for every gap of the environment: shown once
            out += [f"*Stand van meerwaarde en factoren in deze omgeving: {'; '.join(gaps[0].context)}.*", ""]
        for g in gaps:
            out.append(f"**{g.label}** ({STATUS_NL[g.status]})")
            out.append("")
            for a in g.advice:
                out.append(f"- Handelingsoptie *{a.option_label}*: {a.advice}")
                if a.roles:
                    out.append(f"  Bruggenbouwers: {roles_text(ms.actors, a.roles, fw)}")
                for e in a.builds_on[:2]:
                    out.append(f"  Aanknopingspunt in het document: “{_quote(e.quote)}” ({cite(e)}).")
                out.append(f"  Bron in het kader: {a.source}.")
            out.append("")
    out += ["## Verantwoording", ""]
    out.append(f"Kader: {fw.title} (id `{fw.id}`, versie {fw.version}; de scan gebruikte versie "
               f"{result.framework.version}).  ")  # fmt: skip
    for d in docs:
        out.append(f"Document: `{d.file_name}` ({d.pages} pagina's, SHA-256 `{d.sha256}`)  ")
    s = result.settings
    judge = "taalmodel + classifier (llm)" if s.judge == "llm" else "snel, zonder taalmodel (fast)"
    out.append(f"Beoordeling: {judge}; embeddingmodel `{s.embedder}`" + (f"; taalmodel `{s.llm}`" if s.llm else ""))
    out.append("  ")
    if s.classifier:
        out.append(f"Classifier: `{s.classifier}`  ")
    for name, digest in sorted(s.prompt_hashes.items()):
        out.append(f"Prompt-hash {name}: `{digest}`  ")
    t = result.timings
    out.append(f"Rekentijd: lezen {nl_number(t.get('read', 0))} s, beoordelen {nl_number(t.get('judge', 0))} s.")
    out += ["", "| element-id | element | oordeel | zekerheid | dichtstbij (niet gevonden) |", "|---|---|---|---|---|"]
    for f in result.findings:
        out.append(
            f"| `{f.element_id}` | {f.label} | {STATUS_NL[f.effective_status]} | {nl_percent(f.confidence)} | "
            f"{nearest_pages(f)} |"
        )
    return "\n".join(out) + "\n"
