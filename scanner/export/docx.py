"""The Word report of a scan (Dutch): summary, matrix figure, findings with quotes, gaps with advice, references."""

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
    scan_title,
    status_text,
)
from scanner.export._word import add_table, matrix_table, new_document, para, run, to_bytes
from scanner.export.figures import matrix_png
from scanner.frameworks import Framework
from scanner.results import STATUS_NL, Finding, ScanResult
from scanner.types import DocumentRecord

__all__ = ["report_docx"]

STATUS_MEANING = {
    "covered": "het beleid noemt een doel, maatregel, afspraak of budget dat bij het element past.",
    "partial": "het thema komt voor, maar vaag, zonder concrete maatregel of voor een andere doelgroep.",
    "not_found": "niets in het document past bij het element; de zoekvragen en dichtstbijzijnde passages staan erbij.",
}


def _summary(doc: DocxDocument, result: ScanResult, fw: Framework) -> None:
    doc.add_heading("Samenvatting", level=1)
    counts = {s: sum(1 for f in result.findings if f.effective_status == s) for s in STATUS_NL}
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
        "Elk citaat is gecontroleerd op de genoemde pagina. ‘p.’ is het paginanummer in het bestand; "
        "‘gedrukt’ is het nummer dat op de pagina zelf staat, als dat afwijkt.",
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
    para(doc, f"Element {f.element_id} · zekerheid van de scan {f.confidence:.0%}", size=8.5, color="666666")
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
    if f.effective_status == "not_found" and f.searched.passages:
        pages = ", ".join(f"p. {x.page}" for x in f.searched.passages[:3])
        para(
            doc,
            f"Gezocht met: {'; '.join(one_line(q) for q in f.searched.queries[:2])}. "
            f"Dichtstbijzijnde passages: {pages}.",
            size=8.5,
            color="666666",
        )


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


def _gaps(doc: DocxDocument, result: ScanResult, fw: Framework) -> None:
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
    for env in fw.environments:
        gaps = [g for g in result.gaps if g.environment == env.id]
        if not gaps:
            continue
        doc.add_heading(env.label, level=2)
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
                    run(p, ", ".join(a.roles) + ".")
                for e in a.builds_on[:3]:
                    q = para(doc, style="Quote")
                    run(q, "Aanknopingspunt: ", bold=True)
                    run(q, f"“{one_line(e.quote)}” ({cite(e)})")
                para(doc, f"Bron: {a.source}.", size=8.5, color="666666")
            if g.context:
                para(doc, f"Context in deze omgeving: {'; '.join(g.context)}.", size=8.5, color="666666")


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
        ["Scan gemaakt op", result.created_at],
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
    rows.append(["Rekentijd", f"zoeken {t.get('retrieve', 0):.1f} s, beoordelen {t.get('judge', 0):.1f} s"])
    add_table(doc, ["Instelling", "Waarde"], rows, size=8.5)


def report_docx(result: ScanResult, fw: Framework, *, records: Mapping[str, DocumentRecord] | None = None) -> bytes:
    """The Dutch Word report as .docx bytes. ``records`` (by SHA-256), if given, add each document's ingest date."""
    title = scan_title(result)
    doc = new_document(f"Quick scan: {title}")
    doc.add_heading(f"Quick scan: {title}", level=0)
    para(doc, f"Informele ondersteuners in het beleid, getoetst aan: {fw.title}", italic=True)
    para(
        doc,
        f"Gemaakt op {result.created_at[:10]} met beleidsscan {result.tool_version}. "
        f"Documenten: {', '.join(d.file_name for d in result.documents)}.",
        size=9,
    )
    warning = framework_warning(result, fw)
    if warning:
        para(doc, warning, bold=True, color="9B1C1C")
    _summary(doc, result, fw)
    _matrix(doc, result, fw)
    _environments(doc, result, fw)
    _gaps(doc, result, fw)
    _references(doc, result, fw, records)
    return to_bytes(doc)
