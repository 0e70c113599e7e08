"""Shared sample for the export tests (a scan of the sample kadernota with the fakes, with reviewer overrides),
and tests of the helpers every format uses."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pytest

from scanner.analysis import apply_overrides
from scanner.embed.fake import HashEmbedder
from scanner.export import ExportError, document_records, framework_for, load_scan, render
from scanner.export._common import framework_warning, lower_first, matrix, status_text
from scanner.frameworks import Framework, load_framework
from scanner.ingest.pipeline import ingest_paths
from scanner.judge.fake import KeywordJudge
from scanner.report_md import render_markdown
from scanner.results import ScanResult
from scanner.scan import Scanner
from scanner.settings import load_settings
from scanner.store.memory import InMemoryStore
from scanner.types import DocumentRecord
from scanner.workspace import Workspace, open_workspace
from tests.conftest import SAMPLE_MD

NOTE = {"note": "Staat in bijlage 2 van de uitvoeringsagenda.", "by": "onderzoeker A", "at": "2026-01-15"}


@dataclass(frozen=True)
class Sample:
    ws: Workspace
    fw: Framework
    record: DocumentRecord
    plain: ScanResult  # as the judge left it
    result: ScanResult  # with reviewer overrides: one action option down to not found, one finding up to covered
    lowered: str  # element id whose status the reviewer lowered (covered -> not found)
    raised: str  # element id whose status the reviewer raised (to covered)


@functools.cache
def _build(home: Path) -> Sample:
    settings = load_settings({"home": home, "embedder": "hash", "progress": False}, env={})
    embedder = HashEmbedder()
    ws = open_workspace(settings, embedder=embedder, store=InMemoryStore(embedder.id, embedder.dimension))
    out = ingest_paths([SAMPLE_MD], settings=settings, embedder=ws.embedder, store=ws.store, registry=ws.registry)
    assert out.ok, out.failures
    record = ws.registry.get(out.reports[0].sha256)
    fw = load_framework("informele-ondersteuners-jeugd")
    plain = Scanner(ws, fw, KeywordJudge()).scan([record])
    lowered = next(f.element_id for f in plain.findings if f.status == "covered" and f.dimension == "ho")
    raised = next(f.element_id for f in plain.findings if f.status != "covered" and f.evidence)
    result = apply_overrides(
        plain, fw, {lowered: {"status": "not_found", **NOTE}, raised: {"status": "covered", **NOTE}}
    )
    return Sample(ws, fw, record, plain, result, lowered, raised)


def build_sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """One sample per test session, shared by all export test modules."""
    return _build(tmp_path_factory.getbasetemp() / "export-sample-home")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(tmp_path_factory)


def test_the_sample_has_gaps_overrides_and_quotes(sample: Sample) -> None:
    r = sample.result
    assert r.gaps and any(f.override for f in r.findings)
    assert {f.effective_status for f in r.findings} == {"covered", "partial", "not_found"}
    assert sample.lowered in {g.element_id for g in r.gaps}  # the reviewer's change reaches the gaps


def test_lower_first_keeps_acronyms_and_accented_capitals() -> None:
    assert lower_first("Persoonlijke relaties ontstaan") == "persoonlijke relaties ontstaan"
    assert lower_first("Eén-op-één vrijwillige ondersteuning") == "één-op-één vrijwillige ondersteuning"
    assert lower_first("WIFA-model") == "WIFA-model"


def test_status_text_and_matrix_use_the_effective_status(sample: Sample) -> None:
    f = sample.result.finding(sample.lowered)
    assert status_text(f) == "niet gevonden (aangepast bij review; scan: gedekt)"
    cell = matrix(sample.result, sample.fw)[(f.environment, f.dimension)]
    assert cell.counts["not_found"] == sum(
        1 for x in sample.result.findings
        if (x.environment, x.dimension) == (f.environment, f.dimension) and x.effective_status == "not_found"
    )  # fmt: skip


def test_a_framework_of_another_version_gives_a_warning(sample: Sample) -> None:
    assert framework_warning(sample.result, sample.fw) is None
    newer = sample.fw.model_copy(update={"version": "9.0.0"})
    warning = framework_warning(sample.result, newer)
    assert warning and sample.fw.version in warning and "9.0.0" in warning
    fw, warning = framework_for(sample.result)
    assert fw.id == sample.fw.id and warning is None


def test_load_scan_reads_a_saved_result_and_explains_a_bad_file(sample: Sample, tmp_path: Path) -> None:
    path = tmp_path / "x.scan.json"
    path.write_text(sample.result.model_dump_json(), encoding="utf-8")
    assert load_scan(path) == sample.result
    path.write_text('{"schema_version": "1.0"}', encoding="utf-8")
    with pytest.raises(Exception, match="geen geldig scanresultaat"):
        load_scan(path)
    with pytest.raises(Exception, match="kan het scanresultaat niet lezen"):
        load_scan(tmp_path / "bestaat-niet.scan.json")


def test_document_records_says_what_to_do_when_a_document_is_missing(sample: Sample, tmp_path: Path) -> None:
    from scanner.store.registry import DocumentRegistry

    assert set(document_records(sample.result, sample.ws.registry, required=True)) == {sample.record.sha256}
    empty = DocumentRegistry(tmp_path / "documents")
    assert document_records(sample.result, empty) == {}
    with pytest.raises(ExportError, match="beleidsscan ingest"):
        document_records(sample.result, empty, required=True)


def test_markdown_is_the_existing_report(sample: Sample) -> None:
    md = render(sample.result, sample.fw, "md").decode("utf-8")
    assert md == render_markdown(sample.result, sample.fw)


def test_roles_text_names_what_the_document_has_and_suggests_only_the_rest(sample: Sample) -> None:
    from scanner.export._common import roles_text
    from scanner.summary import Actor

    fw = sample.fw
    a, b = [e for e in fw.elements if e.dimension == "bb"][:2]
    has_a = [Actor("Stichting Welzijn", a.environment, True, "Stichting Welzijn verbindt.", "p. 2", a.id, 2)]
    assert roles_text(has_a, [a.label, b.label], fw) == (
        f"Het document noemt al: Stichting Welzijn (p. 2). Het kader stelt daarnaast als bruggenbouwer voor: {b.label}."
    )
    assert roles_text(has_a, [a.label], fw) == "Het document noemt al: Stichting Welzijn (p. 2)."
    assert roles_text([], [a.label], fw) == f"Het kader stelt als bruggenbouwer voor: {a.label}."
