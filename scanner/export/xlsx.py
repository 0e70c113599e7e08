"""The Excel workbook of a scan: findings, all evidence rows, gaps with advice, references; statuses coloured."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scanner.export._common import (
    STATUS_FILL,
    cite,
    document_of,
    framework_warning,
    ingested_on,
    matrix,
    one_line,
    xml_safe,
)
from scanner.frameworks import Framework
from scanner.results import COMMITMENT_NL, STATUS_NL, TARGET_NL, ScanResult, nl_date
from scanner.types import DocumentRecord

__all__ = ["report_xlsx"]

_FILLS = {STATUS_NL[s]: PatternFill("solid", start_color=c, end_color=c) for s, c in STATUS_FILL.items()}
_HEADER_FILL = PatternFill("solid", start_color="E7E6E6", end_color="E7E6E6")


def _cell(value: object) -> object:
    # Control characters are illegal in xlsx; PDF extraction can leave them in page texts.
    return xml_safe(value) if isinstance(value, str) else value


def _sheet(
    ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int],
    status_cols: Sequence[int] = (), percent_cols: Sequence[int] = (),
) -> None:  # fmt: skip
    ws.append(list(header))
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = _HEADER_FILL
        c.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    wrap = Alignment(vertical="top", wrap_text=True)
    for row_cells in ws.iter_rows(min_row=2):
        for c in row_cells:
            c.alignment = wrap
            if c.data_type == "f":  # document text starting with '=' is text, never a formula
                c.data_type = "s"
        for col in status_cols:
            c = row_cells[col - 1]
            fill = _FILLS.get(str(c.value))
            if fill:
                c.fill = fill
        for col in percent_cols:
            row_cells[col - 1].number_format = "0%"
    ws.freeze_panes = "B2"  # the header row and the element's label stay in view
    if rows:
        ws.auto_filter.ref = ws.dimensions
    _print_setup(ws)


def _print_setup(ws: Worksheet) -> None:
    """Landscape A4, all columns on one page width, the header row on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def report_xlsx(result: ScanResult, fw: Framework, *, records: Mapping[str, DocumentRecord] | None = None) -> bytes:
    """The workbook as .xlsx bytes. The status columns show the status after review; the judge's is beside it."""
    wb = Workbook()
    env_label = {e.id: e.label for e in fw.environments}
    dim_label = {d.id: d.label for d in fw.dimensions}

    ws = wb.active
    assert ws is not None
    ws.title = "Bevindingen"
    rows: list[list[object]] = []
    for f in result.findings:
        o = f.override or {}
        rows.append([
            f.label, env_label.get(f.environment, f.environment), dim_label.get(f.dimension, f.dimension),
            STATUS_NL[f.effective_status], STATUS_NL[f.status], round(f.confidence, 3),
            COMMITMENT_NL.get(f.commitment or "", ""), TARGET_NL.get(f.target or "", ""), len(f.evidence), f.rationale,
            STATUS_NL.get(o.get("status", ""), "") if o else "", o.get("note", ""), o.get("by", ""), o.get("at", ""),
            f.element_id,
        ])  # fmt: skip
    _sheet(
        ws,
        ["element", "omgeving", "dimensie", "status", "status volgens scan", "zekerheid", "toezegging", "doelgroep",
         "citaten", "toelichting scan", "review: status", "review: toelichting", "review: door", "review: op",
         "element-id"],
        rows, [40, 22, 18, 14, 14, 11, 22, 24, 9, 60, 14, 30, 14, 14, 30], status_cols=(4, 5, 11), percent_cols=(6,),
    )  # fmt: skip

    ws = wb.create_sheet("Citaten")
    rows = []
    for f in result.findings:
        o = f.override or {}
        for e in f.evidence:
            d = document_of(result, e)
            rows.append([
                f.label, env_label.get(f.environment, f.environment), dim_label.get(f.dimension, f.dimension),
                STATUS_NL[f.effective_status], COMMITMENT_NL.get(e.commitment or "", ""),
                TARGET_NL.get(e.target or "", ""), d.file_name, e.page, e.page_label or "", one_line(e.quote),
                STATUS_NL.get(o.get("status", ""), "") if o else "", o.get("note", ""), round(e.score, 3),
                f.element_id, e.chunk_id, d.sha256,
            ])  # fmt: skip
    _sheet(
        ws,
        ["element", "omgeving", "dimensie", "status", "toezegging", "doelgroep", "document", "pagina",
         "blz. in het document", "citaat", "review: status", "review: toelichting", "score", "element-id",
         "passage-id", "SHA-256 document"],
        rows, [36, 20, 16, 13, 20, 22, 26, 8, 11, 80, 13, 28, 8, 30, 30, 20], status_cols=(4, 11),
    )  # fmt: skip

    ws = wb.create_sheet("Kansen en advies")
    rows = []
    for g in result.gaps:
        for a in g.advice:
            rows.append([
                g.label, env_label.get(g.environment, g.environment), dim_label.get(g.dimension, g.dimension),
                STATUS_NL[g.status], a.option_label, a.advice, "; ".join(a.roles),
                " | ".join(f"“{one_line(e.quote)}” ({cite(e)})" for e in a.builds_on), a.source, g.element_id,
                a.option_id,
            ])  # fmt: skip
    _sheet(
        ws,
        ["element", "omgeving", "dimensie", "status", "handelingsoptie", "advies", "bruggenbouwers (voorstel kader)",
         "aanknopingspunten in het document", "bron in het kader", "element-id", "handelingsoptie-id"],
        rows, [36, 20, 16, 13, 36, 70, 36, 70, 40, 30, 30], status_cols=(4,),
    )  # fmt: skip
    if not rows:
        ws.append(["Alle handelingsopties en bruggenbouwers zijn gedekt."])

    ws = wb.create_sheet("Matrix")
    cells = matrix(result, fw)
    ws.append(["omgeving", *[d.label for d in fw.dimensions]])
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = _HEADER_FILL
    for env in fw.environments:
        ws.append([env.label, *[cells[(env.id, d.id)].counts_text() for d in fw.dimensions]])
        for j, dim in enumerate(fw.dimensions, start=2):
            dom = cells[(env.id, dim.id)].dominant
            if dom:
                ws.cell(row=ws.max_row, column=j).fill = _FILLS[STATUS_NL[dom]]
    for i, w in enumerate([30] + [30] * len(fw.dimensions), start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    _print_setup(ws)

    ws = wb.create_sheet("Verantwoording")
    s = result.settings
    info: list[list[object]] = [
        ["framework", f"{fw.title} ({fw.id})"],
        ["frameworkversie (scan / export)", f"{result.framework.version} / {fw.version}"],
        *[["bron", src.citation] for src in fw.sources],  # type: ignore[list-item]
    ]
    for doc in result.documents:
        info += [
            ["document", doc.file_name], ["titel", doc.title or ""], ["pagina's", doc.pages],
            ["SHA-256", doc.sha256], ["ingelezen op", ingested_on(records, doc.sha256) or ""],
        ]  # fmt: skip
    info += [
        ["scan gemaakt op", nl_date(result.created_at)], ["beleidsscan-versie", result.tool_version],
        ["beoordeling", s.judge], ["embeddingmodel", s.embedder], ["taalmodel", s.llm or "geen"],
        ["classifier", s.classifier or "geen"],
        *[[f"prompt-hash {k}", v] for k, v in sorted(s.prompt_hashes.items())],  # type: ignore[list-item]
    ]  # fmt: skip
    warning = framework_warning(result, fw)
    if warning:
        info.append(["waarschuwing", warning])
    _sheet(ws, ["gegeven", "waarde"], info, [30, 100])

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
