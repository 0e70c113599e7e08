"""A standalone Dutch HTML report: one file, no external assets, the figure embedded as a data URI.

All text from documents and scan results is escaped; a content security policy forbids scripts as a second guard.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from html import escape

from scanner.export._common import (
    STATUS_FILL,
    STATUS_INK,
    STATUSES,
    cite,
    firmness_text,
    framework_warning,
    ingested_on,
    matrix,
    nearest_pages,
    one_line,
    override_text,
    roles_text,
    scan_title,
    status_text,
)
from scanner.export.figures import matrix_png
from scanner.frameworks import Framework
from scanner.results import STATUS_NL, Finding, ScanResult, nl_date, nl_percent
from scanner.summary import ManagementSummary, actor_list, management_summary
from scanner.types import DocumentRecord

__all__ = ["report_html"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;line-height:1.5;color:#222}
h1,h2,h3{line-height:1.2}h1{font-size:1.8rem}h2{margin-top:2.2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #999;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#e7e6e6}
blockquote{margin:.3rem 0 .3rem 1rem;padding-left:.8rem;border-left:3px solid #bbb;color:#333}
.meta{color:#666;font-size:.85rem}.status{font-weight:bold}.review{color:#7a4a00;font-style:italic}
.warning{color:#9b1c1c;font-weight:bold}figure{margin:1rem 0}figure img{max-width:100%}
.finding{margin:1rem 0}code{font-size:.85rem;word-break:break-all}
""" + "".join(f".s-{s}{{color:#{STATUS_INK[s]}}}td.s-{s}{{background:#{STATUS_FILL[s]}}}" for s in STATUSES)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _finding(f: Finding) -> list[str]:
    s = f.effective_status
    out = [
        '<div class="finding">',
        f'<p><strong>{_e(f.label)}</strong> — <span class="status s-{s}">{_e(status_text(f))}</span></p>',
    ]
    note = override_text(f)
    if note:
        out.append(f'<p class="review">{_e(note)}</p>')
    out.append(f"<p>{_e(f.rationale)}</p>")
    if firmness := firmness_text(f):
        out.append(f'<p class="meta">{_e(firmness)}.</p>')
    for ev in f.evidence:
        out.append(f"<blockquote>“{_e(one_line(ev.quote))}” <strong>({_e(cite(ev))})</strong></blockquote>")
    out.append("</div>")
    return out


def _management(result: ScanResult, fw: Framework, ms: ManagementSummary) -> list[str]:
    counts = ms.counts
    out = [
        "<h2>Managementsamenvatting</h2>",
        f"<p>{len(fw.elements)} onderdelen van het kader: {counts['covered']} gedekt, {counts['partial']} deels, "
        f"{counts['not_found']} niet gevonden.</p>",
        "<h3>Wat het beleid al goed doet</h3>",
    ]
    for env, strengths in ms.strengths.items():
        if not strengths:
            out.append(f"<p><strong>{_e(env)}:</strong> nog geen onderdeel met een concrete maatregel of "
                       "uitgesproken waarde.</p>")  # fmt: skip
            continue
        out.append(f"<p><strong>{_e(env)}:</strong> {_e('; '.join(st.element for st in strengths))}.</p>")
        top = strengths[0].quote  # the strongest quote; the others are in the findings
        out.append(f"<blockquote>“{_e(one_line(top.quote))}” ({_e(cite(top))})</blockquote>")
    if ms.priorities:
        out += ["<h3>De belangrijkste kansen</h3>", "<ol>"]
        for pr in ms.priorities:
            out.append(
                f"<li><strong>{_e(pr.option)}</strong> ({_e(pr.environment)}; {_e(pr.now)}). {_e(pr.first_step)}</li>"
            )
        out.append("</ol>")
    if ms.facts or ms.actors:
        out += ["<h3>Waar het document op kan bouwen</h3>", "<ul>"]
        for fact in ms.facts:
            out.append(f"<li><strong>{fact.kind_label}:</strong> “{_e(fact.quote)}” ({_e(fact.citation)})</li>")
        if ms.actors:
            names = actor_list(ms.actors)  # no page limit here: all of them
            out.append(f"<li><strong>Organisaties en rollen die het document zelf noemt:</strong> {_e(names)}.</li>")
        out.append("</ul>")
    return out


def report_html(result: ScanResult, fw: Framework, *, records: Mapping[str, DocumentRecord] | None = None) -> str:
    """The report as one self-contained HTML page (a string; write it as UTF-8)."""
    title = f"Quick scan: {scan_title(result)}"
    png = base64.b64encode(matrix_png(result, fw)).decode("ascii")
    csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    out = [
        "<!DOCTYPE html>",
        '<html lang="nl">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">Getoetst aan {_e(fw.title)} · gemaakt op {_e(nl_date(result.created_at))} met '
        f"beleidsscan {_e(result.tool_version)}</p>",
    ]
    warning = framework_warning(result, fw)
    if warning:
        out.append(f'<p class="warning">{_e(warning)}</p>')
    ms = management_summary(result, fw, records)
    out += _management(result, fw, ms)

    counts = ms.counts
    out += [
        "<h2>Overzicht per omgeving</h2>",
        f"<p>{len(fw.elements)} elementen: {counts['covered']} gedekt, {counts['partial']} deels, "
        f"{counts['not_found']} niet gevonden. {len(result.gaps)} handelingsopties of bruggenbouwers zijn een kans "
        "voor het beleid.</p>",
        "<ul>",
        *[f"<li>{_e(s.verdict)}</li>" for s in result.summary],
        "</ul>",
        '<p class="meta">Elk citaat is gecontroleerd op de genoemde pagina. ‘p.’ is het paginanummer in het bestand; '
        "‘blz. … in het document’ het nummer dat op de pagina zelf staat, als dat afwijkt.</p>",
        "<h3>Dekkingsmatrix</h3>",
        f'<figure><img alt="Dekkingsmatrix: status per omgeving en dimensie" src="data:image/png;base64,{png}">'
        "<figcaption>Figuur 1. Dekking per omgeving en dimensie.</figcaption></figure>",
        "<table><thead><tr><th>Omgeving</th>",
        *[f"<th>{_e(d.label)}</th>" for d in fw.dimensions],
        "</tr></thead><tbody>",
    ]
    cells = matrix(result, fw)
    for env in fw.environments:
        out.append(f"<tr><th>{_e(env.label)}</th>")
        for d in fw.dimensions:
            mc = cells[(env.id, d.id)]
            cls = f' class="s-{mc.dominant}"' if mc.dominant else ""
            out.append(f"<td{cls}>{_e(mc.counts_text() if mc.total else '–')}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")

    verdicts = {s.environment: s.verdict for s in result.summary}
    for env in fw.environments:
        out.append(f"<h2>Bevindingen: {_e(env.label)}</h2>")
        if env.id in verdicts:
            out.append(f"<p><em>{_e(verdicts[env.id])}</em></p>")
        for dim in fw.dimensions:
            fs = [f for f in result.findings if f.environment == env.id and f.dimension == dim.id]
            if fs:
                out.append(f"<h3>{_e(dim.label)}</h3>")
                for f in fs:
                    out += _finding(f)

    out.append("<h2>Kansen: handelingsopties en bruggenbouwers</h2>")
    if not result.gaps:
        out.append("<p>Alle handelingsopties en bruggenbouwers van het framework zijn in het beleid gedekt.</p>")
    for g in result.gaps:
        env_label = fw.environment(g.environment).label
        out.append(f"<h3>{_e(g.label)} ({_e(STATUS_NL[g.status])}) · {_e(env_label)}</h3>")
        for a in g.advice:
            out.append(f"<p><strong>Handelingsoptie:</strong> {_e(a.option_label)}</p><p>{_e(a.advice)}</p>")
            if a.roles:
                out.append(f"<p><strong>Bruggenbouwers:</strong> {_e(roles_text(ms.actors, a.roles, fw))}</p>")
            for ev in a.builds_on[:3]:
                out.append(f"<blockquote>Aanknopingspunt: “{_e(one_line(ev.quote))}” ({_e(cite(ev))})</blockquote>")
            out.append(f'<p class="meta">Bron in het kader: {_e(a.source)}.</p>')

    s = result.settings
    out += [
        "<h2>Verantwoording</h2>",
        f"<p>Framework: {_e(fw.title)} (id {_e(fw.id)}, versie {_e(fw.version)}; de scan gebruikte versie "
        f"{_e(result.framework.version)}).</p>",
        "<ul>",
        *[f"<li>{_e(src.citation)}</li>" for src in fw.sources],
        "</ul>",
        "<table><thead><tr><th>Bestand</th><th>Titel</th><th>Pagina's</th><th>SHA-256</th><th>Ingelezen op</th>"
        "</tr></thead><tbody>",
        *[
            f"<tr><td>{_e(d.file_name)}</td><td>{_e(d.title or '–')}</td><td>{d.pages}</td>"
            f"<td><code>{_e(d.sha256)}</code></td><td>{_e(ingested_on(records, d.sha256) or '–')}</td></tr>"
            for d in result.documents
        ],
        "</tbody></table>",
        "<table><tbody>",
        f"<tr><th>Scan gemaakt op</th><td>{_e(nl_date(result.created_at))}</td></tr>",
        f"<tr><th>beleidsscan-versie</th><td>{_e(result.tool_version)}</td></tr>",
        f"<tr><th>Beoordeling</th><td>{_e(s.judge)}</td></tr>",
        f"<tr><th>Embeddingmodel</th><td>{_e(s.embedder)}</td></tr>",
        f"<tr><th>Taalmodel</th><td>{_e(s.llm or 'geen')}</td></tr>",
        f"<tr><th>Classifier</th><td>{_e(s.classifier or 'geen')}</td></tr>",
        *[
            f"<tr><th>Prompt-hash {_e(k)}</th><td><code>{_e(v)}</code></td></tr>"
            for k, v in sorted(s.prompt_hashes.items())
        ],
        "</tbody></table>",
        "<h3>Per element: oordeel, zekerheid en wat is nagekeken</h3>",
        "<table><thead><tr><th>Element-id</th><th>Element</th><th>Oordeel</th><th>Zekerheid</th>"
        "<th>Dichtstbij (niet gevonden)</th></tr></thead><tbody>",
        *[
            f"<tr><td><code>{_e(f.element_id)}</code></td><td>{_e(f.label)}</td>"
            f"<td>{_e(STATUS_NL[f.effective_status])}</td><td>{nl_percent(f.confidence)}</td>"
            f"<td>{_e(nearest_pages(f))}</td></tr>"
            for f in result.findings
        ],
        "</tbody></table>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"
