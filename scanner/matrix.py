"""Outputs over many scan results: the municipality × element matrix (CSV and Excel, with all evidence rows and
the failures), a heatmap (PNG and SVG) and the failure report. Statuses are the reviewed ones
(``Finding.effective_status``). Every file is written atomically.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.frameworks import Element, Framework
from scanner.results import STATUS_FILL, STATUS_ICON, STATUS_NL, STATUSES, ScanResult
from scanner.store.registry import atomic_write_bytes
from scanner.types import BatchFailure

__all__ = [
    "STATUS_COLOURS",
    "DocumentInfo",
    "evidence_rows",
    "matrix_table",
    "write_failures_csv",
    "write_heatmap",
    "write_matrix_csv",
    "write_matrix_xlsx",
]

# One palette for the Excel fills and the heatmap; dark text stays readable on all three.
STATUS_COLOURS = STATUS_FILL  # the one palette (scanner.results), as in the reports and the web UI
EVIDENCE_HEADER = [
    "gemeente", "element", "omschrijving", "status", "document", "type", "jaar", "pagina", "gedrukte pagina", "citaat",
]  # fmt: skip
FAILURE_HEADER = ["gemeente", "bestand", "regel", "oorzaak", "melding"]


@dataclass(frozen=True)
class DocumentInfo:
    """What a manifest says about a document beyond its path."""

    doc_type: str = ""
    year: int | None = None


def ordered_elements(fw: Framework) -> list[Element]:
    """Elements grouped by environment, then dimension, in the framework's order."""
    return [e for env in fw.environments for dim in fw.dimensions for e in fw.elements_of(env.id, dim.id)]


def _statuses(result: ScanResult) -> dict[str, str]:
    return {f.element_id: f.effective_status for f in result.findings}


def matrix_table(fw: Framework, results: Sequence[tuple[str, ScanResult]]) -> list[list[str]]:
    """Header (``gemeente`` and the element ids) and one row per municipality with the Dutch status."""
    elements = ordered_elements(fw)
    rows = [["gemeente", *(e.id for e in elements)]]
    for name, result in results:
        st = _statuses(result)
        rows.append([name, *(STATUS_NL[st[e.id]] if e.id in st else "" for e in elements)])
    return rows


def _csv_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_matrix_csv(path: Path, fw: Framework, results: Sequence[tuple[str, ScanResult]]) -> Path:
    atomic_write_bytes(path, _csv_bytes(matrix_table(fw, results)))
    return path


def write_failures_csv(path: Path, failures: Sequence[BatchFailure]) -> Path:
    rows = [FAILURE_HEADER] + [[f.municipality, f.path, f.line or "", f.reason, f.message] for f in failures]
    atomic_write_bytes(path, _csv_bytes(rows))
    return path


def _one_line(text: str) -> str:
    return " ".join(text.split())


def evidence_rows(
    results: Sequence[tuple[str, ScanResult]], info: Mapping[tuple[str, str], DocumentInfo] | None = None
) -> list[list[Any]]:
    """One row per quote: municipality, element, label, status, document, type, year, page, printed page, quote."""
    info = info or {}
    rows: list[list[Any]] = []
    for name, result in results:
        default_doc = result.documents[0].file_name
        for f in result.findings:
            for e in f.evidence:
                doc = e.document or default_doc
                meta = info.get((name, doc), DocumentInfo())
                rows.append([
                    name, f.element_id, f.label, STATUS_NL[f.effective_status], doc, meta.doc_type,
                    meta.year or "", e.page, e.page_label or "", _one_line(e.quote),
                ])  # fmt: skip
    return rows


def write_matrix_xlsx(
    path: Path,
    fw: Framework,
    results: Sequence[tuple[str, ScanResult]],
    failures: Sequence[BatchFailure] = (),
    info: Mapping[tuple[str, str], DocumentInfo] | None = None,
) -> Path:
    """Sheets: Matrix (coloured by status), Citaten (every evidence row), Elementen, Fouten."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fills = {STATUS_NL[s]: PatternFill("solid", start_color=c, end_color=c) for s, c in STATUS_COLOURS.items()}
    icon_of = {STATUS_NL[s]: STATUS_ICON[s] for s in STATUSES}
    bold = Font(bold=True)
    elements = ordered_elements(fw)
    wb = Workbook()
    ws = wb.active
    ws.title = "Matrix"
    # Dutch labels in the header (the element id in each header's comment); a status is its symbol on its colour,
    # so a narrow column never cuts a word ("niet gevonden") in half; the legend is below the table.
    ws.append(["gemeente", *(e.label for e in elements), *(STATUS_NL[s] for s in STATUSES)])
    for cell, el in zip(ws[1][1:], elements, strict=False):
        cell.comment = Comment(f"{el.id}\n{fw.environment(el.environment).label} · {fw.dimension(el.dimension).label}",
                               "beleidsscan")  # fmt: skip
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(text_rotation=90, horizontal="center", vertical="bottom", wrap_text=True)
    ws["A1"].alignment = Alignment(vertical="bottom")
    for row_i, (name, result) in enumerate(results, start=2):
        by_id = {f.element_id: f for f in result.findings}
        ws.cell(row=row_i, column=1, value=name).font = bold
        for col_i, el in enumerate(elements, start=2):
            finding = by_id.get(el.id)
            if finding is None:
                continue
            label = STATUS_NL[finding.effective_status]
            cell = ws.cell(row=row_i, column=col_i, value=icon_of[label])
            cell.fill = fills[label]
            cell.alignment = Alignment(horizontal="center")
            if finding.override and finding.effective_status != finding.status:
                note = finding.override.get("note", "")
                cell.comment = Comment(
                    f"Aangepast bij review (beoordeling was: {STATUS_NL[finding.status]}). {note}".strip(),
                    finding.override.get("by") or "beleidsscan",
                )
                cell.font = Font(italic=True)
        counts = [sum(1 for f in result.findings if f.effective_status == s) for s in STATUSES]
        for j, n in enumerate(counts):
            ws.cell(row=row_i, column=len(elements) + 2 + j, value=n)
    legend_row = len(results) + 3
    ws.cell(row=legend_row, column=1, value="Legenda").font = bold
    for j, s in enumerate(STATUSES):
        cell = ws.cell(row=legend_row + 1 + j, column=1, value=f"{STATUS_ICON[s]} {STATUS_NL[s]}")
        cell.fill = fills[STATUS_NL[s]]
    ws.cell(row=legend_row + 4, column=1, value="Cursief: aangepast bij review (zie de opmerking in de cel).")
    ws.column_dimensions["A"].width = 28
    for col_i in range(2, len(elements) + 5):
        ws.column_dimensions[get_column_letter(col_i)].width = 5.5
    ws.row_dimensions[1].height = 260
    ws.freeze_panes = "B2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    cs = wb.create_sheet("Citaten")
    cs.append(EVIDENCE_HEADER)
    for row in evidence_rows(results, info):
        cs.append(row)
        cs.cell(row=cs.max_row, column=4).fill = fills[row[3]]
    for cell in cs[1]:
        cell.font = bold
    for col, width in zip("ABCDEFGHIJ", (24, 38, 50, 14, 36, 16, 7, 8, 10, 110), strict=True):
        cs.column_dimensions[col].width = width
    cs.freeze_panes = "A2"
    cs.auto_filter.ref = cs.dimensions

    es = wb.create_sheet("Elementen")
    es.append(["element", "omgeving", "dimensie", "omschrijving"])
    for el in elements:
        es.append([el.id, fw.environment(el.environment).label, fw.dimension(el.dimension).label, el.label])
    for cell in es[1]:
        cell.font = bold
    for col, width in zip("ABCD", (40, 30, 26, 90), strict=True):
        es.column_dimensions[col].width = width

    fs = wb.create_sheet("Fouten")
    fs.append(FAILURE_HEADER)
    for f in failures:
        fs.append([f.municipality, f.path, f.line or "", f.reason, f.message])
    for cell in fs[1]:
        cell.font = bold
    for col, width in zip("ABCDE", (24, 60, 7, 18, 80), strict=True):
        fs.column_dimensions[col].width = width

    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, buf.getvalue())
    return path


def _short(label: str, width: int = 38) -> str:
    """An element's Dutch label cut to fit under a heatmap column."""
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def write_heatmap(stem: Path, fw: Framework, results: Sequence[tuple[str, ScanResult]]) -> list[Path]:
    """``stem.png`` and ``stem.svg``: municipalities × elements, grouped by environment, legend in Dutch."""
    import matplotlib
    import numpy as np
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure  # no pyplot: no global backend or figure state
    from matplotlib.patches import Patch

    elements = ordered_elements(fw)
    codes = {s: i for i, s in enumerate(STATUSES)}
    data = np.full((len(results), len(elements)), np.nan)
    for r, (_, result) in enumerate(results):
        st = _statuses(result)
        for c, el in enumerate(elements):
            if el.id in st:
                data[r, c] = codes[st[el.id]]
    cmap = ListedColormap([f"#{STATUS_COLOURS[s]}" for s in STATUSES]).with_extremes(bad="white")

    with matplotlib.rc_context({"svg.hashsalt": "beleidsscan", "svg.fonttype": "none", "font.size": 8}):
        fig = Figure(figsize=(13, 5.2 + 0.32 * len(results)), layout="constrained")
        ax = fig.add_subplot()
        ax.imshow(np.ma.masked_invalid(data), cmap=cmap, vmin=-0.5, vmax=len(STATUSES) - 0.5,
                  aspect="auto", interpolation="nearest")  # fmt: skip
        ax.set_xticks(range(len(elements)), [_short(e.label) for e in elements], rotation=90, fontsize=6.5)
        ax.set_yticks(range(len(results)), [name for name, _ in results])
        # cell borders as two line collections (minor ticks would cost a text object per line)
        ax.vlines(np.arange(0.5, len(elements) - 1), -0.5, len(results) - 0.5, colors="white", linewidth=0.8)
        ax.hlines(np.arange(0.5, len(results) - 1), -0.5, len(elements) - 0.5, colors="white", linewidth=0.8)
        start = 0
        for env in fw.environments:
            n = sum(1 for e in elements if e.environment == env.id)
            if start:
                ax.axvline(start - 0.5, color="black", linewidth=1.5)
            ax.text(start + n / 2 - 0.5, 1.01, env.label, transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=8, fontweight="bold")  # fmt: skip
            start += n
        ax.set_title(f"Quick scan per gemeente: {fw.title} (versie {fw.version})", pad=28, fontsize=10)
        handles = [Patch(facecolor=f"#{STATUS_COLOURS[s]}", edgecolor="#888888", label=STATUS_NL[s]) for s in STATUSES]
        fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False, title="status")
        paths = []
        for fmt, extra in (("png", {"dpi": 150}), ("svg", {"metadata": {"Date": None}})):
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, **extra)
            path = stem.with_suffix(f".{fmt}")
            atomic_write_bytes(path, buf.getvalue())
            paths.append(path)
            fig.set_layout_engine("none")  # laid out once, for the first format; the second reuses it
    return paths
