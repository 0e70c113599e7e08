"""The Word report, opened with python-docx: headings, the matrix, quotes with pages, gaps, references, overrides."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument

from scanner.cli import main
from scanner.export._common import one_line, roles_text
from scanner.export.docx import report_docx
from scanner.export.figures import matrix_png
from scanner.results import STATUS_NL, page_citation
from scanner.summary import find_actors
from tests.unit.test_export_common import NOTE, Sample, build_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(tmp_path_factory)


@pytest.fixture(scope="module")
def doc(sample: Sample) -> DocxDocument:
    data = report_docx(sample.result, sample.fw, records={sample.record.sha256: sample.record})
    return docx.Document(io.BytesIO(data))


def _headings(doc: DocxDocument, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style is not None and p.style.name == f"Heading {level}"]


def _all_text(doc: DocxDocument) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([*(p.text for p in doc.paragraphs), *cells])


def test_the_report_has_its_sections_in_dutch(doc: DocxDocument, sample: Sample) -> None:
    h1 = _headings(doc, 1)
    envs = [f"Bevindingen: {e.label}" for e in sample.fw.environments]
    assert h1 == [
        "Managementsamenvatting", "Overzicht per omgeving", *envs, "Kansen: handelingsopties en bruggenbouwers",
        "Verantwoording",
    ]  # fmt: skip
    assert "Dekkingsmatrix" in _headings(doc, 2)
    assert doc.paragraphs[0].text.startswith("Quick scan: ")
    text = _all_text(doc)
    for s in sample.result.summary:
        assert s.verdict in text


def test_the_matrix_table_counts_the_effective_statuses(doc: DocxDocument, sample: Sample) -> None:
    fw = sample.fw
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Omgeving")
    assert [c.text for c in table.rows[0].cells[1:]] == [d.label for d in fw.dimensions]
    assert len(table.rows) == 1 + len(fw.environments)
    for row, env in zip(table.rows[1:], fw.environments, strict=True):
        assert row.cells[0].text == env.label
        for cell, dim in zip(row.cells[1:], fw.dimensions, strict=True):
            fs = [f for f in sample.result.findings if (f.environment, f.dimension) == (env.id, dim.id)]
            n = {s: sum(1 for f in fs if f.effective_status == s) for s in STATUS_NL}
            assert cell.text == f"{n['covered']} gedekt · {n['partial']} deels · {n['not_found']} niet gevonden"
    # and the figure is in the document as a PNG
    assert len(doc.inline_shapes) == 1
    blob = doc.part.related_parts[doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_matrix_figure_is_a_deterministic_png(sample: Sample) -> None:
    a, b = matrix_png(sample.result, sample.fw), matrix_png(sample.result, sample.fw)
    assert a[:8] == b"\x89PNG\r\n\x1a\n" and a == b


def test_every_quote_is_shown_with_its_page(doc: DocxDocument, sample: Sample) -> None:
    quotes = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Quote"]
    shown = 0
    for f in sample.result.findings:
        for e in f.evidence:
            page = f"({page_citation(e.page, e.page_label)})"
            assert any(one_line(e.quote) in q and q.endswith(page) for q in quotes), (f.element_id, e.page)
            shown += 1
    assert shown > 10


def test_overrides_show_the_reviewers_status_and_the_judges(doc: DocxDocument, sample: Sample) -> None:
    f = sample.result.finding(sample.lowered)
    heading = next(p.text for p in doc.paragraphs if p.text.startswith(f.label + " — "))
    assert heading == f"{f.label} — niet gevonden (aangepast bij review; scan: gedekt)"
    text = _all_text(doc)
    assert "Beoordeling: niet gevonden (oordeel van de scan: gedekt), door onderzoeker A op 15 januari 2026." in text
    assert NOTE["note"] in text
    assert "Bij review zijn 2 oordelen bekeken en 2 aangepast." in text


def test_gaps_carry_the_options_roles_and_sources(doc: DocxDocument, sample: Sample) -> None:
    h3 = _headings(doc, 3)
    text = _all_text(doc)
    actors = find_actors([sample.record])
    for g in sample.result.gaps:
        assert f"{g.label} ({STATUS_NL[g.status]})" in h3
        for a in g.advice:
            assert a.advice in text and f"Bron in het kader: {a.source}." in text
            # each role either named by the document (with its page) or suggested by the framework, never both
            assert roles_text(actors, a.roles, sample.fw) in text


def test_references_name_the_framework_documents_and_settings(doc: DocxDocument, sample: Sample) -> None:
    text = _all_text(doc)
    r, s = sample.result, sample.result.settings
    assert sample.fw.sources[0].citation in text
    assert f"id {sample.fw.id}, versie {sample.fw.version}" in text
    doc_table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Bestand")
    row = [c.text for c in doc_table.rows[1].cells]
    assert row == [
        sample.record.file_name, r.documents[0].title or "–", str(sample.record.page_count), sample.record.sha256,
        sample.record.ingested_at.date().isoformat(),
    ]  # fmt: skip
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Instelling")
    settings = {row.cells[0].text: row.cells[1].text for row in table.rows}
    assert settings["Embeddingmodel"] == s.embedder
    assert settings["Classifier"] == s.classifier == "keyword-test@1"
    assert settings["beleidsscan-versie"] == r.tool_version
    assert settings["Taalmodel"] == "geen"


def test_a_framework_version_mismatch_is_stated_in_the_report(sample: Sample) -> None:
    newer = sample.fw.model_copy(update={"version": "9.1.0"})
    d = docx.Document(io.BytesIO(report_docx(sample.result, newer)))
    assert any(f"versie {sample.fw.version}" in p.text and "versie 9.1.0" in p.text for p in d.paragraphs[:6])


def test_the_cli_writes_each_format_beside_the_scan(sample: Sample, tmp_path: Path) -> None:
    scan = tmp_path / "lindenwaard.scan.json"
    scan.write_text(sample.result.model_dump_json(), encoding="utf-8")
    home = ["--home", str(sample.ws.settings.home), "--embedder", "hash"]
    for fmt, name in [("docx", "lindenwaard.rapport.docx"), ("md", "lindenwaard.rapport.md"),
                      ("qdpx", "lindenwaard.qdpx")]:  # fmt: skip
        out = io.StringIO()
        assert main(["report", str(scan), "--format", fmt, *home], out=out) == 0
        assert (tmp_path / name).stat().st_size > 1000, fmt
        assert name in out.getvalue()
    assert main(["sessie", str(scan), "--out", str(tmp_path / "s.docx"), *home], out=io.StringIO()) == 0
    assert (tmp_path / "s.docx").is_file()


def test_the_cli_explains_a_missing_document_for_qdpx(
    sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan = tmp_path / "x.scan.json"
    scan.write_text(sample.result.model_dump_json(), encoding="utf-8")
    code = main(["report", str(scan), "--format", "qdpx", "--home", str(tmp_path / "leeg")], out=io.StringIO())
    assert code == 4
    err = capsys.readouterr().err
    assert "staat niet in de gegevensmap" in err and "beleidsscan ingest" in err
    assert not (tmp_path / "x.qdpx").exists()
