"""Small python-docx helpers shared by the Word report and the session pack."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from scanner.export._common import STATUS_FILL, matrix, xml_safe
from scanner.frameworks import Framework
from scanner.results import STATUS_ICON, ScanResult

__all__ = [
    "add_table",
    "matrix_table",
    "new_document",
    "page_numbers",
    "para",
    "set_a3_landscape",
    "shade",
    "to_bytes",
]


def new_document(title: str) -> DocxDocument:
    doc = Document()
    doc.core_properties.title = xml_safe(title)
    doc.core_properties.language = "nl-NL"
    doc.core_properties.author = "beleidsscan"
    # Dutch proofing language for all text, so Word does not mark every word as misspelt English.
    for style_name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title", "Quote"):
        rpr = doc.styles[style_name].element.get_or_add_rPr()
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "nl-NL")
        rpr.append(lang)
    doc.styles["Normal"].font.size = Pt(10.5)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)  # A4, not the template's US Letter
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.2))
    page_numbers(sec, xml_safe(title))
    return doc


def page_numbers(section: Section, title: str) -> None:
    """A footer on every page: the title and "pagina N van M" (Word fills in the numbers)."""
    p = section.footer.paragraphs[0]
    p.text = ""
    run(p, f"{title} · pagina ", size=8, color="666666")
    for field_code in ("PAGE", "NUMPAGES"):
        for kind in ("begin", "instr", "separate", "shown", "end"):  # one run each, as Word writes a field
            r = run(p, "1" if kind == "shown" else "", size=8, color="666666")  # "1" until the field updates
            if kind == "instr":
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = f" {field_code} "
                r._r.append(el)
            elif kind != "shown":
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
                r._r.append(el)
        if field_code == "PAGE":
            run(p, " van ", size=8, color="666666")


def para(
    parent: Any,
    text: str = "",
    *,
    style: str | None = None,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    color: str | None = None,
) -> Paragraph:
    """A paragraph with one run; ``parent`` is a document or a table cell."""
    p: Paragraph = parent.add_paragraph(style=style)
    if text:
        run(p, text, bold=bold, italic=italic, size=size, color=color)
    return p


def run(
    p: Paragraph, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None,
    color: str | None = None,
) -> Run:  # fmt: skip
    r = p.add_run(xml_safe(text))
    r.bold = bold or None
    r.italic = italic or None
    if size:
        r.font.size = Pt(size)
    if color:
        r.font.color.rgb = RGBColor.from_string(color)
    return r


def shade(cell: _Cell, fill: str) -> None:
    """Background colour of a table cell (hex without '#')."""
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _cell_text(cell: _Cell, text: str, *, bold: bool = False, size: float = 9) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    run(p, text, bold=bold, size=size)


def add_table(doc: DocxDocument, header: list[str], rows: list[list[str]], *, size: float = 9) -> Table:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, bold=True, size=size)
        shade(cell, "E7E6E6")
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _cell_text(cell, text, size=size)
    return table


def matrix_table(doc: DocxDocument, result: ScanResult, fw: Framework, *, detail: bool = False) -> Table:
    """The coverage matrix as a table: counts per cell, shaded by the status most elements have.

    With ``detail`` each cell also lists its elements with their status (for the A3 overview).
    """
    from scanner.results import STATUS_NL

    cells = matrix(result, fw)
    table = doc.add_table(rows=1 + len(fw.environments), cols=1 + len(fw.dimensions))
    table.style = doc.styles["Table Grid"]
    size = 9 if detail else 8.5
    _cell_text(table.cell(0, 0), "Omgeving", bold=True, size=size)
    shade(table.cell(0, 0), "E7E6E6")
    for j, dim in enumerate(fw.dimensions, start=1):
        _cell_text(table.cell(0, j), dim.label, bold=True, size=size)
        shade(table.cell(0, j), "E7E6E6")
    for i, env in enumerate(fw.environments, start=1):
        _cell_text(table.cell(i, 0), env.label, bold=True, size=size)
        for j, dim in enumerate(fw.dimensions, start=1):
            mc = cells[(env.id, dim.id)]
            cell = table.cell(i, j)
            _cell_text(cell, mc.counts_text() if mc.total else "–", bold=detail, size=size)
            if mc.dominant:
                shade(cell, STATUS_FILL[mc.dominant])
            if detail:
                for f in mc.findings:
                    p = cell.add_paragraph()
                    mark = STATUS_ICON[f.effective_status]
                    changed = " *" if f.override and f.effective_status != f.status else ""
                    run(p, f"{mark} {f.label} ({STATUS_NL[f.effective_status]}{changed})", size=size - 1)
    return table


def set_a3_landscape(section: Section) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(420), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))


def to_bytes(doc: DocxDocument) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
