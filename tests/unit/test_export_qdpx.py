"""The REFI-QDA project export: valid against the published Project schema; every selection points at its quote."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from scanner.export import ExportError
from scanner.export.qdpx import NS, export_qdpx
from tests.conftest import REPO
from tests.unit.test_export_common import Sample, build_sample

XSD = REPO / "docs" / "schemas" / "Project-mrt2019.xsd"
Q = {"q": NS}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(tmp_path_factory)


@pytest.fixture(scope="module")
def qdpx(sample: Sample) -> bytes:
    return export_qdpx(sample.result, sample.fw, {sample.record.sha256: sample.record})


def _project(data: bytes) -> tuple[etree._Element, zipfile.ZipFile]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return etree.fromstring(z.read("project.qde")), z


def test_the_project_validates_against_the_refi_qda_schema(qdpx: bytes) -> None:
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    root, z = _project(qdpx)
    assert schema.validate(root), schema.error_log
    assert root.tag == f"{{{NS}}}Project"
    assert sorted(n.split("/")[0] for n in z.namelist()) == ["Sources", "project.qde"]


def test_the_schema_rejects_a_broken_project(qdpx: bytes) -> None:
    """The check is real: a selection without offsets does not pass."""
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    root, _ = _project(qdpx)
    sel = root.find(".//q:PlainTextSelection", Q)
    assert sel is not None
    del sel.attrib["startPosition"]
    assert not schema.validate(root)


def test_every_selection_points_at_its_quote_on_its_page(qdpx: bytes, sample: Sample) -> None:
    root, z = _project(qdpx)
    source = root.find(".//q:TextSource", Q)
    assert source is not None
    path = source.get("plainTextPath")
    assert path == f"internal://{source.get('guid')}.txt"
    text = z.read(f"Sources/{source.get('guid')}.txt").decode("utf-8")
    for page in sample.record.pages:  # the whole document is the source, page by page
        assert page.text in text
    codes = {c.get("guid"): c for c in root.iterfind(".//q:Code", Q)}
    selections = source.findall("q:PlainTextSelection", Q)
    expected = [(f, e) for f in sample.result.findings for e in f.evidence]
    assert len(selections) == len(expected) > 10
    for sel, (f, e) in zip(selections, expected, strict=True):
        start, end = int(sel.get("startPosition", "-1")), int(sel.get("endPosition", "-1"))
        assert text[start:end] == e.quote
        # the page marker before the quote names the cited page
        marker = text.rfind("[pagina ", 0, start)
        assert text[marker:].startswith(f"[pagina {e.page}]") or text[marker:].startswith(f"[pagina {e.page},")
        ref = sel.find("q:Coding/q:CodeRef", Q)
        assert ref is not None
        code = codes[ref.get("targetGUID")]
        assert code.get("isCodable") == "true"
        assert (code.findtext("q:Description", namespaces=Q) or "").startswith(f.element_id + ":")


def test_the_codebook_is_the_framework(qdpx: bytes, sample: Sample) -> None:
    root, _ = _project(qdpx)
    top = root.findall("q:CodeBook/q:Codes/q:Code", Q)
    assert [c.get("name") for c in top] == [e.label for e in sample.fw.environments]
    assert all(c.get("isCodable") == "false" for c in top)
    codable = [c for c in root.iterfind(".//q:Code", Q) if c.get("isCodable") == "true"]
    assert len(codable) == len(sample.fw.elements) == 36
    sets = {s.get("name"): len(s.findall("q:MemberCode", Q)) for s in root.iterfind("q:Sets/q:Set", Q)}
    counts = {s: sum(1 for f in sample.result.findings if f.effective_status == s) for s in
              ("covered", "partial", "not_found")}  # fmt: skip
    assert sets == {"Status: gedekt": counts["covered"], "Status: deels": counts["partial"],
                    "Status: niet gevonden": counts["not_found"]}  # fmt: skip


def test_the_export_is_reproducible_and_needs_the_document_text(qdpx: bytes, sample: Sample) -> None:
    again = export_qdpx(sample.result, sample.fw, {sample.record.sha256: sample.record})
    assert again == qdpx
    with pytest.raises(ExportError, match="beleidsscan ingest"):
        export_qdpx(sample.result, sample.fw, {})


def test_the_schema_file_names_its_source() -> None:
    readme = (Path(XSD).parent / "README.md").read_text(encoding="utf-8")
    assert "Project-mrt2019.xsd" in readme and "QualCoder" in readme
