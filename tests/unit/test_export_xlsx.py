"""The Excel workbook, opened with openpyxl: findings with overrides, every evidence row, gaps and advice, colours."""

from __future__ import annotations

import io

import openpyxl
import pytest
from openpyxl.workbook import Workbook

from scanner.export._common import STATUS_FILL, one_line
from scanner.export.xlsx import report_xlsx
from scanner.results import STATUS_NL, Evidence
from tests.unit.test_export_common import NOTE, Sample, build_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(tmp_path_factory)


@pytest.fixture(scope="module")
def wb(sample: Sample) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(report_xlsx(sample.result, sample.fw)))


def _rows(wb: Workbook, sheet: str) -> list[dict[str, object]]:
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]


def test_the_workbook_has_its_sheets(wb: Workbook) -> None:
    assert wb.sheetnames == ["Bevindingen", "Citaten", "Kansen en advies", "Matrix", "Verantwoording"]


def test_findings_show_status_confidence_and_the_reviewers_override(wb: Workbook, sample: Sample) -> None:
    rows = _rows(wb, "Bevindingen")
    assert [r["element-id"] for r in rows] == [f.element_id for f in sample.result.findings]
    assert [r["element"] for r in rows] == [f.label for f in sample.result.findings]  # labels first, ids last
    by_id = {r["element-id"]: r for r in rows}
    for f in sample.result.findings:
        r = by_id[f.element_id]
        assert r["status"] == STATUS_NL[f.effective_status]
        assert r["status volgens scan"] == STATUS_NL[f.status]
        assert r["zekerheid"] == pytest.approx(f.confidence, abs=1e-3)
        assert r["omgeving"] == sample.fw.environment(f.environment).label
    lowered = by_id[sample.lowered]
    assert (lowered["status"], lowered["status volgens scan"], lowered["review: status"]) == (
        "niet gevonden", "gedekt", "niet gevonden",
    )  # fmt: skip
    assert lowered["review: toelichting"] == NOTE["note"] and lowered["review: door"] == NOTE["by"]
    assert by_id[sample.raised]["status"] == "gedekt"


def test_status_cells_are_coloured(wb: Workbook) -> None:
    ws = wb["Bevindingen"]
    for row in ws.iter_rows(min_row=2):
        status = row[3]
        colour = next(k for k, v in STATUS_NL.items() if v == status.value)
        assert status.fill.start_color.rgb.endswith(STATUS_FILL[colour])


def test_every_evidence_row_is_listed_with_document_and_page(wb: Workbook, sample: Sample) -> None:
    rows = _rows(wb, "Citaten")
    expected = [(f.element_id, e) for f in sample.result.findings for e in f.evidence]
    assert len(rows) == len(expected) > 10
    for r, (element_id, e) in zip(rows, expected, strict=True):
        assert r["element-id"] == element_id
        assert r["omgeving"] == sample.fw.environment(sample.result.finding(element_id).environment).label
        assert r["document"] == sample.record.file_name
        assert r["pagina"] == e.page
        assert r["citaat"] == one_line(e.quote)
        assert r["status"] == STATUS_NL[sample.result.finding(element_id).effective_status]


def test_gaps_sheet_lists_each_option_with_advice_and_roles(wb: Workbook, sample: Sample) -> None:
    rows = _rows(wb, "Kansen en advies")
    expected = [(g, a) for g in sample.result.gaps for a in g.advice]
    assert len(rows) == len(expected) > 0
    for r, (g, a) in zip(rows, expected, strict=True):
        assert (r["element-id"], r["handelingsoptie-id"], r["advies"]) == (g.element_id, a.option_id, a.advice)
        assert r["bruggenbouwers (voorstel kader)"] == "; ".join(a.roles) and r["bron in het kader"] == a.source


def test_every_sheet_prints_landscape_on_one_page_width(wb: Workbook) -> None:
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title


def test_references_sheet_names_document_hash_and_settings(wb: Workbook, sample: Sample) -> None:
    info = {r["gegeven"]: r["waarde"] for r in _rows(wb, "Verantwoording")}
    assert info["SHA-256"] == sample.record.sha256
    assert info["embeddingmodel"] == sample.result.settings.embedder
    assert info["classifier"] == "keyword-test@1"
    assert info["frameworkversie (scan / export)"] == f"{sample.fw.version} / {sample.fw.version}"


def test_document_text_never_becomes_a_formula(sample: Sample) -> None:
    f = next(f for f in sample.result.findings if f.evidence)
    evil = Evidence(page=1, quote='=HYPERLINK("http://x","klik")\x07', chunk_id="x:p1:0-1", score=0.5)
    findings = [f.model_copy(update={"evidence": [evil]}) if x is f else x for x in sample.result.findings]
    result = sample.result.model_copy(update={"findings": findings})
    ws = openpyxl.load_workbook(io.BytesIO(report_xlsx(result, sample.fw)))["Citaten"]
    cell = next(row[9] for row in ws.iter_rows(min_row=2) if str(row[9].value).startswith("=HYPERLINK"))
    assert cell.data_type == "s" and "\x07" not in str(cell.value)
