"""The Word report of a scan (Dutch): a one-page management summary, the matrix, findings with quotes, gaps with
advice, and the technical account ("Verantwoording": ids, probabilities, settings, hashes) as an appendix."""

from __future__ import annotations

import io
from collections.abc import Mapping

from docx.document import Document as DocxDocument
from docx.shared import Cm

from scanner.export._common import (
    STATUS_INK,
    cite,
    firmness_text,
    framework_warning,
    ingested_on,
    one_line,
    override_text,
    roles_text,
    scan_title,
    status_text,
)
from scanner.export._word import add_table, matrix_table, new_document, para, run, to_bytes
from scanner.export.figures import matrix_png
from scanner.frameworks import Framework
from scanner.results import STATUS_NL, Finding, ScanResult, nl_date, nl_number, nl_percent
from scanner.summary import Actor, ManagementSummary, actor_list, management_summary
from scanner.types import DocumentRecord

__all__ = ["report_docx"]

STATUS_MEANING = {
    "covered": "het beleid noemt een doel, maatregel, afspraak of budget dat bij het element past.",
    "partial": "het thema komt voor, maar vaag, zonder concrete maatregel of voor een andere doelgroep.",
    "not_found": "niets in het document past bij het element; wat er is nagekeken staat in de verantwoording.",
}
ENV_ACTORS_NOTE = "Organisaties en rollen die het document zelf noemt"
SUMMARY_PT = 9  # the management summary fits on one page (after the cover)
SUMMARY_ACTORS = 10


def _management(doc: DocxDocument, result: ScanResult, fw: Framework, ms: ManagementSummary) -> None:
    """One page a wethouder or manager reads first."""
    doc.add_heading("Managementsamenvatting", level=1)
    counts = ms.counts
    n_docs = len(result.documents)
    para(
        doc,
        f"Deze quick scan legt {n_docs} document{'en' if n_docs > 1 else ''} naast de {len(fw.elements)} onderdelen "
        f"van het kader ‘{fw.title}’: {counts['covered']} zijn gedekt, {counts['partial']} deels en "
        f"{counts['not_found']} niet gevonden.",
        size=SUMMARY_PT,
    )
    doc.add_heading("Wat het beleid al goed doet", level=3)
    for env, strengths in ms.strengths.items():
        p = para(doc)
        run(p, f"{env}: ", bold=True, size=SUMMARY_PT)
        if not strengths:
            run(p, "nog geen onderdeel met een concrete maatregel of uitgesproken waarde.", size=SUMMARY_PT)
            continue
        # the strongest element with its quote, in one paragraph; the others are in the findings
        run(p, f"{strengths[0].element}: ", size=SUMMARY_PT)
        run(p, f"“{one_line(strengths[0].quote.quote)}” ({cite(strengths[0].quote)})", italic=True, size=SUMMARY_PT)
    if ms.priorities:
        doc.add_heading("De belangrijkste kansen", level=3)
        for pr in ms.priorities:
            p = para(doc, style="List Number")
            run(p, f"{pr.option}", bold=True, size=SUMMARY_PT)
            run(p, f" ({pr.environment}; {pr.now}). ", size=SUMMARY_PT)
            run(p, pr.first_step, size=SUMMARY_PT)  # the whole advice, with the bruggenbouwers, is under "Kansen"
    if ms.facts or ms.actors:
        doc.add_heading("Waar het document op kan bouwen", level=3)
        for fact in ms.facts:
            p = para(doc, style="List Bullet")
            run(p, f"{fact.kind_label}: ", bold=True, size=SUMMARY_PT)
            run(p, f"“{fact.quote}” ({fact.citation})", size=SUMMARY_PT)
        if ms.actors:
            p = para(doc, style="List Bullet")
            run(p, f"{ENV_ACTORS_NOTE}: ", bold=True, size=SUMMARY_PT)
            more = len(ms.actors) - SUMMARY_ACTORS
            rest = f" en {more} andere (zie ‘Kansen’)" if more > 0 else ""
            run(p, actor_list(ms.actors[:SUMMARY_ACTORS]) + rest + ".", size=SUMMARY_PT)
    doc.add_page_break()


def _summary(doc: DocxDocument, result: ScanResult, fw: Framework, counts: dict[str, int]) -> None:
    doc.add_heading("Overzicht per omgeving", level=1)
    n_docs = len(result.documents)
    para(
        doc,
        f"Deze quick scan legt {n_docs} document{'en' if n_docs > 1 else ''} naast de {len(fw.elements)} elementen "
        f"van het framework ‘{fw.title}’. {counts['covered']} elementen zijn gedekt, {counts['partial']} deels en "
        f"{counts['not_found']} niet gevonden. {len(result.gaps)} handelingsopties of bruggenbouwers zijn een kans "
        "voor het beleid (deels of niet gevonden).",
    )
    reviewed = [f for f in result.findings if f.override]
    if reviewed:
        changed = sum(1 for f in reviewed if f.effective_status != f.status)
        para(
            doc,
            f"Bij review zijn {len(reviewed)} oordelen bekeken en {changed} aangepast. Dit rapport toont de "
            "status na review en vermeldt daarbij het oorspronkelijke oordeel van de scan.",
        )
    for s in result.summary:
        para(doc, s.verdict, style="List Bullet")
    p = para(doc, "Zo leest u de statussen: ", italic=True, size=9)
    for status, meaning in STATUS_MEANING.items():
        run(p, f"{STATUS_NL[status]}: ", bold=True, size=9, color=STATUS_INK[status])
        run(p, meaning + " ", italic=True, size=9)
    para(
        doc,
        "Elk citaat is gecontroleerd op de genoemde pagina. ‘p.’ is het paginanummer in het bestand; ‘blz. … in "
        "het document’ is het nummer dat op de pagina zelf staat, als dat afwijkt.",
        italic=True,
        size=9,
    )


def _matrix(doc: DocxDocument, result: ScanResult, fw: Framework) -> None:
    doc.add_heading("Dekkingsmatrix", level=2)
    doc.add_picture(io.BytesIO(matrix_png(result, fw)), width=Cm(16))
    para(
        doc,
        "Figuur 1. Dekking per omgeving en dimensie: elke cel is verdeeld naar het aandeel gedekte, deels gedekte "
        "en niet gevonden elementen.",
        style="Caption",
    )
    matrix_table(doc, result, fw)
    para(doc, "Tabel 1. Aantal elementen per status in elke cel van de matrix.", style="Caption")


def _finding(doc: DocxDocument, f: Finding) -> None:
    p = para(doc)
    run(p, f.label, bold=True)
    run(p, " — ")
    run(p, status_text(f), bold=True, color=STATUS_INK[f.effective_status])
    note = override_text(f)
    if note:
        para(doc, note, italic=True, color="7A4A00")
    para(doc, f.rationale, size=9.5)
    if firmness := firmness_text(f):
        para(doc, firmness + ".", size=9.5, italic=True)
    for e in f.evidence:
        q = para(doc, style="Quote")
        run(q, f"“{one_line(e.quote)}”")
        run(q, f" ({cite(e)})", bold=True)


def _environments(doc: DocxDocument, result: ScanResult, fw: Framework) -> None:
    verdicts = {s.environment: s.verdict for s in result.summary}
    for env in fw.environments:
        doc.add_heading(f"Bevindingen: {env.label}", level=1)
        if env.id in verdicts:
            para(doc, verdicts[env.id], italic=True)
        for dim in fw.dimensions:
            fs = [f for f in result.findings if f.environment == env.id and f.dimension == dim.id]
            if not fs:
                continue
            doc.add_heading(dim.label, level=2)
            for f in fs:
                _finding(doc, f)


def _gaps(doc: DocxDocument, result: ScanResult, fw: Framework, actors: list[Actor]) -> None:
    doc.add_heading("Kansen: handelingsopties en bruggenbouwers", level=1)
    if not result.gaps:
        para(doc, "Alle handelingsopties en bruggenbouwers van het framework zijn in het beleid gedekt.")
        return
    para(
        doc,
        "Een kans is een handelingsoptie of bruggenbouwer die deels of niet in het beleid staat. Per kans: wat de "
        "gemeente kan doen, welke bruggenbouwers dat dragen, wat het document al heeft om op voort te bouwen, en "
        "de bron in het framework.",
    )
    if actors:  # all of them (the summary names the first few): who the advice can build on
        p = para(doc)
        run(p, f"{ENV_ACTORS_NOTE}: ", bold=True)
        run(p, actor_list(actors) + ".")
    for env in fw.environments:
        gaps = [g for g in result.gaps if g.environment == env.id]
        if not gaps:
            continue
        doc.add_heading(env.label, level=2)
        if gaps[0].context:  # the same for every gap of the environment: shown once
            para(doc, f"Stand van meerwaarde en factoren in deze omgeving: {'; '.join(gaps[0].context)}.", size=8.5,
                 color="666666")  # fmt: skip
        for g in gaps:
            doc.add_heading(f"{g.label} ({STATUS_NL[g.status]})", level=3)
            for a in g.advice:
                p = para(doc)
                run(p, "Handelingsoptie: ", bold=True)
                run(p, a.option_label)
                para(doc, a.advice)
                if a.roles:
                    p = para(doc)
                    run(p, "Bruggenbouwers: ", bold=True)
                    run(p, roles_text(actors, a.roles, fw))
                for e in a.builds_on[:3]:
                    q = para(doc, style="Quote")
                    run(q, "Aanknopingspunt: ", bold=True)
                    run(q, f"“{one_line(e.quote)}” ({cite(e)})")
                para(doc, f"Bron in het kader: {a.source}.", size=8.5, color="666666")


def _references(
    doc: DocxDocument, result: ScanResult, fw: Framework, records: Mapping[str, DocumentRecord] | None
) -> None:
    doc.add_heading("Verantwoording", level=1)
    doc.add_heading("Framework", level=2)
    para(
        doc,
        f"{fw.title} (id {fw.id}, versie {fw.version}; de scan gebruikte versie {result.framework.version}).",
    )
    for src in fw.sources:
        para(doc, src.citation, style="List Bullet")
    doc.add_heading("Documenten", level=2)
    rows = [
        [d.file_name, d.title or "–", str(d.pages), d.sha256, ingested_on(records, d.sha256) or "–"]
        for d in result.documents
    ]
    add_table(doc, ["Bestand", "Titel", "Pagina's", "SHA-256", "Ingelezen op"], rows, size=8)
    doc.add_heading("Instellingen van de scan", level=2)
    s = result.settings
    judge = "taalmodel + classifier (llm)" if s.judge == "llm" else "snel, zonder taalmodel (fast)"
    rows = [
        ["Scan gemaakt op", nl_date(result.created_at)],
        ["beleidsscan-versie", result.tool_version],
        ["Schemaversie resultaat", result.schema_version],
        ["Beoordeling", judge],
        ["Embeddingmodel", s.embedder],
        ["Taalmodel", s.llm or "geen"],
        ["Classifier", s.classifier or "geen"],
    ]
    rows += [[f"Prompt-hash {name}", digest] for name, digest in sorted(s.prompt_hashes.items())]
    if not s.prompt_hashes:
        rows.append(["Prompt-hashes", "geen (geen taalmodel gebruikt)"])
    t = result.timings
    rows.append(["Rekentijd", f"lezen {nl_number(t.get('read', 0))} s, beoordelen {nl_number(t.get('judge', 0))} s"])
    add_table(doc, ["Instelling", "Waarde"], rows, size=8.5)
    doc.add_heading("Per element: oordeel, zekerheid en wat is nagekeken", level=2)
    para(
        doc,
        "Zekerheid is de kans die de beoordeling aan het gekozen oordeel geeft. Bij ‘niet gevonden’ staan de "
        "zinnen die er het dichtst bij kwamen, zodat u de afwezigheid kunt controleren.",
        size=9,
    )
    rows = []
    for f in result.findings:
        nearest = (
            "; ".join(f"p. {x.page}" for x in f.searched.passages[:3]) if f.effective_status == "not_found" else ""
        )
        rows.append([f.element_id, f.label, STATUS_NL[f.effective_status], nl_percent(f.confidence), nearest or "–"])
    add_table(doc, ["Element-id", "Element", "Oordeel", "Zekerheid", "Dichtstbij (niet gevonden)"], rows, size=7.5)


def report_docx(result: ScanResult, fw: Framework, *, records: Mapping[str, DocumentRecord] | None = None) -> bytes:
    """The Dutch Word report as .docx bytes. ``records`` (by SHA-256), if given, let the management summary read
    what the documents commit and name, and add each document's ingest date."""
    title = scan_title(result)
    doc = new_document(f"Quick scan: {title}")
    doc.add_heading(f"Quick scan: {title}", level=0)
    para(doc, f"Informele ondersteuners in het beleid, getoetst aan: {fw.title}", italic=True)
    para(
        doc,
        f"Gemaakt op {nl_date(result.created_at)} met beleidsscan {result.tool_version}. "
        f"Documenten: {', '.join(d.file_name for d in result.documents)}.",
        size=9,
    )
    warning = framework_warning(result, fw)
    if warning:
        para(doc, warning, bold=True, color="9B1C1C")
    ms = management_summary(result, fw, records)
    doc.add_page_break()  # the cover; the management summary is the first page a reader turns to
    _management(doc, result, fw, ms)
    _summary(doc, result, fw, ms.counts)
    _matrix(doc, result, fw)
    _environments(doc, result, fw)
    _gaps(doc, result, fw, ms.actors)
    _references(doc, result, fw, records)
    return to_bytes(doc)
