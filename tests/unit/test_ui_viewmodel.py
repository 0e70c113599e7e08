"""The web UI's view model and review logic, without a browser: matrix, gap view, finding detail, overrides, labels,
upload checks and the UI's file store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scanner.ui import viewmodel as vm
from scanner.ui.store import UiStore

from scanner.evaluate import evaluate, load_labels
from scanner.frameworks import Framework, load_framework
from scanner.ingest.pipeline import ingest_paths
from scanner.judge.fake import KeywordJudge
from scanner.results import ScanResult
from scanner.review import labels_from_result, labels_jsonl, overrides_of, review, scan_key
from scanner.scan import Scanner
from scanner.summary import Actor, ranked_gaps
from scanner.workspace import Workspace
from tests.conftest import SAMPLE_MD


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework("informele-ondersteuners-jeugd")


@pytest.fixture
def result(fake_workspace: Workspace, framework: Framework) -> ScanResult:
    out = ingest_paths(
        [SAMPLE_MD], settings=fake_workspace.settings, embedder=fake_workspace.embedder,
        store=fake_workspace.store, registry=fake_workspace.registry,
    )  # fmt: skip
    record = fake_workspace.registry.get(out.reports[0].sha256)
    return Scanner(fake_workspace, framework, KeywordJudge()).scan([record])


def _first(result: ScanResult, status: str, dimension: str | None = None) -> str:
    return next(
        f.element_id
        for f in result.findings
        if f.effective_status == status and (dimension is None or f.dimension == dimension)
    )


# --- matrix ------------------------------------------------------------------------------------------


def test_matrix_counts_every_element_once(result: ScanResult, framework: Framework) -> None:
    rows = vm.matrix_cells(result, framework)
    assert len(rows) == 3 and all(len(r) == 4 for r in rows)
    assert sum(c.total for r in rows for c in r) == len(framework.elements) == 36
    for row in rows:
        for cell in row:
            expected = [
                f for f in result.findings if (f.environment, f.dimension) == (cell.environment, cell.dimension)
            ]
            assert cell.total == len(expected)
            for s in ("covered", "partial", "not_found"):
                assert cell.counts[s] == sum(1 for f in expected if f.status == s)
            assert 0.0 <= cell.score <= 1.0


def test_matrix_html_has_a_coloured_cell_with_counts_per_environment_and_dimension(
    result: ScanResult, framework: Framework
) -> None:
    html = vm.matrix_html(result, framework)
    assert html.count('class="bs-cell" data-env=') == 12
    for env in framework.environments:
        assert env.label in html
    for dim in framework.dimensions:
        assert dim.label in html
    assert "background:rgb(" in html and "gedekt" in html and "niet gevonden" in html
    summary = vm.summary_html(result, framework)
    assert summary.count('class="bs-verdict"') == 3
    for s in result.summary:
        assert s.verdict.split(":")[0] in summary


def test_cell_colour_runs_from_red_to_green() -> None:
    assert vm._cell_background(0.0) == "rgb(246,214,211)"
    assert vm._cell_background(1.0) == "rgb(205,234,208)"
    assert vm._cell_background(0.5) == "rgb(252,234,187)"


def test_html_escapes_document_text(result: ScanResult, framework: Framework) -> None:
    fid = _first(result, "covered")
    f = result.finding(fid)
    evil = f.evidence[0].model_copy(update={"quote": "<script>alert(1)</script>"})
    hacked = result.model_copy(
        update={"findings": [x.model_copy(update={"evidence": [evil]}) if x is f else x for x in result.findings]}
    )
    html = vm.finding_html(hacked, framework, fid)
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- drill-down --------------------------------------------------------------------------------------


def test_finding_detail_shows_quotes_with_pages(result: ScanResult, framework: Framework) -> None:
    fid = _first(result, "covered")
    f = result.finding(fid)
    html = vm.finding_html(result, framework, fid)
    assert 'data-status="covered"' in html
    assert f"p. {f.evidence[0].page}" in html
    assert "Onderbouwing" in html
    choices = vm.page_choices(f)
    assert [k for _, k in choices] == [f"e:{i}" for i in range(len(f.evidence))]
    ref = vm.page_ref(result, fid, "e:0")
    assert ref is not None
    assert ref.page == f.evidence[0].page and ref.quote == f.evidence[0].quote
    assert ref.sha256 == result.documents[0].sha256
    assert vm.page_ref(result, fid, "e:99") is None


def test_not_found_detail_shows_what_was_searched_and_the_nearest_passages(
    result: ScanResult, framework: Framework
) -> None:
    fid = _first(result, "not_found")
    f = result.finding(fid)
    html = vm.finding_html(result, framework, fid)
    assert "Waarop is gezocht" in html and "Dichtstbijzijnde passages" in html
    for q in f.searched.queries[:2]:
        assert vm._esc(q) in html
    keys = [k for _, k in vm.page_choices(f)]
    assert keys and all(k.startswith("p:") for k in keys)
    ref = vm.page_ref(result, fid, "p:0")
    assert ref is not None and ref.page == f.searched.passages[0].page


def test_element_choices_follow_the_framework_and_mark_reviews(result: ScanResult, framework: Framework) -> None:
    choices = vm.element_choices(result, framework)
    assert [v for _, v in choices] == [e.id for e in framework.elements]
    fid = _first(result, "covered")
    reviewed = review(result, framework, fid, "partial", "vaag")
    label = dict((v, k) for k, v in vm.element_choices(reviewed, framework))[fid]
    assert label.startswith("◐ deels (beoordeeld)")


# --- gaps --------------------------------------------------------------------------------------------


def test_gap_view_per_environment_with_options_roles_and_source(result: ScanResult, framework: Framework) -> None:
    html = vm.gaps_html(result, framework)
    assert html.count('class="bs-gap-env"') == 3
    assert html.count('class="bs-gap" ') == len(result.gaps)  # every gap is listed, the first ones in full
    for g in result.gaps:
        assert f'data-element="{g.element_id}"' in html
    ranked = ranked_gaps(result, framework)
    for env in framework.environments:
        first = [g for g in ranked if g.environment == env.id][:5]
        section = html.split(f'data-env="{env.id}"')[1].split("</section>")[0]
        top = section.split("</ol>")[0]
        assert top.count('class="bs-gap" ') == len(first) <= 5
        for g in first:  # in the order of priority, with each option's source and the framework's roles
            assert f'data-element="{g.element_id}"' in top
            for a in g.advice:
                assert vm._esc(a.source) in section or "zie hierboven" in section
    for a in (a for g in result.gaps for a in g.advice):
        assert html.count(vm._esc(a.advice)) <= 1  # an option's advice is never repeated
    assert "Bron in het kader:" in html
    assert html.count("Stand van meerwaarde en factoren") <= 3  # once per environment, not under every gap
    for env in framework.environments:  # the verdict, once, without repeating the heading's name
        section = html.split(f'data-env="{env.id}"')[1].split("</section>")[0]
        verdict = section.split('<p class="bs-verdict">')[1].split("</p>")[0]
        assert verdict[0].isupper() and not verdict.startswith(vm._esc(env.label)), verdict


def test_gap_view_top_is_ranked_and_rest_folded(result: ScanResult, framework: Framework) -> None:
    html = vm.gaps_html(result, framework, top=2)
    for env in framework.environments:
        gaps = [g for g in ranked_gaps(result, framework) if g.environment == env.id]
        section = html.split(f'data-env="{env.id}"')[1].split("</section>")[0]
        order = [g.element_id for g in gaps if f'data-element="{g.element_id}"' in section.split("</ol>")[0]]
        assert order == [g.element_id for g in gaps[:2]]
        if len(gaps) > 2:
            assert f"Overige kansen in deze omgeving ({len(gaps) - 2})" in section


def test_gap_view_names_the_roles_the_document_has_apart_from_the_frameworks(
    result: ScanResult, framework: Framework
) -> None:
    gap = next(g for g in ranked_gaps(result, framework) if any(a.role_ids for a in g.advice))
    advice = next(a for a in gap.advice if a.role_ids)
    role = framework.element(advice.role_ids[0])
    actor = Actor("Stichting Welzijn", gap.environment, True, "Stichting Welzijn verbindt.", "p. 2", role.id, 2)
    html = vm.gaps_html(result, framework, actors=[actor], top=36)
    assert "Het document noemt al: Stichting Welzijn (p. 2)." in html
    assert role.label not in html.split("Het document noemt al: Stichting Welzijn (p. 2).")[1].split("</p>")[0]
    assert "Het document noemt al" not in vm.gaps_html(result, framework, top=36)  # never a framework role


# --- review ------------------------------------------------------------------------------------------


def test_review_changes_status_and_the_matrix_and_gaps_follow(result: ScanResult, framework: Framework) -> None:
    option = _first(result, "covered", "ho")
    assert option not in {g.element_id for g in result.gaps}
    before = {(c.environment, c.dimension): c.counts for r in vm.matrix_cells(result, framework) for c in r}
    updated = review(result, framework, option, "not_found", "  alleen een  voornemen ", by="A. de Vries")
    f = updated.finding(option)
    assert f.status == "covered"  # the judge's status stays
    assert f.effective_status == "not_found"
    assert f.override is not None
    assert f.override["note"] == "alleen een voornemen" and f.override["by"] == "A. de Vries" and f.override["at"]
    after = {(c.environment, c.dimension): c.counts for r in vm.matrix_cells(updated, framework) for c in r}
    key = (f.environment, f.dimension)
    assert after[key]["covered"] == before[key]["covered"] - 1
    assert after[key]["not_found"] == before[key]["not_found"] + 1
    assert option in {g.element_id for g in updated.gaps}
    env_summary = next(s for s in updated.summary if s.environment == f.environment)
    assert env_summary.counts["not_found"] == sum(1 for x in updated.findings if x.environment == f.environment
                                                  and x.effective_status == "not_found")  # fmt: skip
    assert "bevestigd" not in vm.finding_html(updated, framework, option)
    assert "aangepast" in vm.finding_html(updated, framework, option)
    # the result is not changed in place
    assert result.finding(option).override is None


def test_accept_and_withdraw(result: ScanResult, framework: Framework) -> None:
    fid = _first(result, "partial")
    accepted = review(result, framework, fid, result.finding(fid).status, "klopt")
    assert accepted.finding(fid).effective_status == "partial"
    assert "bevestigd" in vm.finding_html(accepted, framework, fid)
    assert overrides_of(accepted) == {fid: accepted.finding(fid).override}
    other = _first(result, "covered")
    both = review(accepted, framework, other, "partial")
    assert set(overrides_of(both)) == {fid, other}  # earlier reviews are kept
    withdrawn = review(both, framework, fid, None)
    assert set(overrides_of(withdrawn)) == {other}
    assert withdrawn.summary == review(result, framework, other, "partial").summary


def test_review_refuses_a_bad_status_and_keeps_notes_short(result: ScanResult, framework: Framework) -> None:
    fid = result.findings[0].element_id
    with pytest.raises(ValueError, match="Ongeldige status"):
        review(result, framework, fid, "maybe")
    long = review(result, framework, fid, "covered", "x" * 5000)
    assert len(long.finding(fid).override["note"]) == 500  # type: ignore[index]


def test_reviewed_result_survives_json(result: ScanResult, framework: Framework) -> None:
    fid = _first(result, "covered")
    updated = review(result, framework, fid, "partial", "vaag")
    again = ScanResult.model_validate_json(updated.model_dump_json())
    assert again.finding(fid).effective_status == "partial"
    assert again.summary == updated.summary and again.gaps == updated.gaps


# --- labels ------------------------------------------------------------------------------------------


def test_labels_in_the_evaluation_format(result: ScanResult, framework: Framework, tmp_path: Path) -> None:
    fid = _first(result, "covered")
    updated = review(result, framework, fid, "not_found", "geen maatregel")
    labels = labels_from_result(updated)
    assert len(labels) == 36
    assert all(set(lb) == {"document", "element", "status", "page", "quote", "reason"} for lb in labels)
    by_el = {lb["element"]: lb for lb in labels}
    assert by_el[fid] == {
        "document": result.documents[0].file_name, "element": fid, "status": "not_found", "page": None,
        "quote": None, "reason": "geen maatregel",
    }  # fmt: skip
    covered = next(f for f in updated.findings if f.effective_status == "covered")
    # LABELING.md: the page of a text file (here Markdown) is null; the reason is the judge's rationale
    assert by_el[covered.element_id]["page"] is None and result.documents[0].file_name.endswith(".md")
    assert by_el[covered.element_id]["quote"] == covered.evidence[0].quote
    assert by_el[covered.element_id]["reason"] == covered.rationale
    assert [lb["element"] for lb in labels_from_result(updated, only_reviewed=True)] == [fid]
    # the evaluation reads them back: the reviewed scan agrees with its own labels
    path = tmp_path / "review.labels.jsonl"
    path.write_text(labels_jsonl(updated), encoding="utf-8")
    assert all(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    metrics = evaluate(load_labels([path]), [updated])
    assert metrics.n == 36 and metrics.accuracy == 1.0


def test_scan_key_is_order_free_and_depends_on_framework_and_judge() -> None:
    a, b = "a" * 64, "b" * 64
    assert scan_key([a, b], "fw", "fast") == scan_key([b, a], "fw", "fast")
    assert scan_key([a], "fw", "fast") != scan_key([a], "fw", "llm")
    assert scan_key([a], "fw", "fast") != scan_key([a], "other", "fast")
    assert scan_key([a], "fw", "fast") != scan_key([a, b], "fw", "fast")
    assert len(scan_key([a], "fw", "fast")) == 32


# --- uploads and the UI's store ----------------------------------------------------------------------


def test_upload_checks_type_size_and_emptiness(tmp_path: Path) -> None:
    ok = tmp_path / "kadernota.PDF"
    ok.write_bytes(b"%PDF-1.7 ...")
    big = tmp_path / "groot.docx"
    big.write_bytes(b"x" * 2000)
    empty = tmp_path / "leeg.txt"
    empty.write_bytes(b"")
    wrong = tmp_path / "begroting.xlsx"
    wrong.write_bytes(b"PK")
    accepted, problems = vm.validate_uploads([ok, big, empty, wrong], max_bytes=1000)
    assert accepted == [ok]
    text = "\n".join(problems)
    assert "groot.docx: het bestand is te groot" in text
    assert "leeg.txt: het bestand is leeg" in text
    assert "begroting.xlsx: dit bestandstype (.xlsx) wordt niet ondersteund" in text


def test_upload_checks_the_content_not_only_the_name(tmp_path: Path) -> None:
    """A text file named .pdf is refused at upload, with the reason, not after "Scan starten"."""
    fake = tmp_path / "kadernota.pdf"
    fake.write_text("Dit is platte tekst, geen PDF.", encoding="utf-8")
    real = tmp_path / "notitie.txt"
    real.write_text("Platte tekst in een tekstbestand.", encoding="utf-8")
    accepted, problems = vm.validate_uploads([fake, real], max_bytes=10_000)
    assert accepted == [real]
    assert len(problems) == 1 and problems[0].startswith(f"{fake.name}: de extensie is '.pdf', maar de inhoud is ")


def test_downloads_put_word_and_excel_first_and_the_machine_formats_last() -> None:
    vm.register_report_exports()
    order = [e.suffix for e in vm.ordered_exports()]
    assert order[:2] == [".rapport.docx", ".rapport.xlsx"]
    assert order.index(".scan.json") > order.index(".rapport.html") and order[-1] == ".labels.jsonl"
    assert len({vm.export_id(e) for e in vm.ordered_exports()}) == len(order)


def test_store_keeps_uploads_under_home_and_reopens_by_content(
    result: ScanResult, framework: Framework, tmp_path: Path
) -> None:
    store = UiStore(tmp_path / "home" / "ui")
    upload_dir = store.tmp / "abc123"
    upload_dir.mkdir()
    upload = upload_dir / SAMPLE_MD.name
    upload.write_bytes(SAMPLE_MD.read_bytes())
    sha, kept = store.keep_upload(upload)
    assert not upload.exists() and not upload_dir.exists()  # out of Gradio's folder at once
    assert kept == store.docs / sha / SAMPLE_MD.name and kept.read_bytes() == SAMPLE_MD.read_bytes()
    assert sha == result.documents[0].sha256

    key = store.save(result)
    assert store.load(key) == result
    assert store.load("../../etc") is None
    earlier = store.earlier([sha], [framework.id], ["fast", "llm"])
    assert [(s.key, s.judge) for s in earlier] == [(key, "fast")]
    assert store.earlier(["f" * 64], [framework.id], ["fast", "llm"]) == []

    # the original stays while a saved scan needs it, and goes with the scan
    store.end_session("sessie1", [sha])
    assert store.document(sha) == kept
    store.delete(key)
    assert store.load(key) is None and store.document(sha) is None


def test_session_end_removes_unsaved_uploads_and_downloads(tmp_path: Path) -> None:
    store = UiStore(tmp_path / "ui")
    upload = store.tmp / "x" / "notitie.txt"
    upload.parent.mkdir()
    upload.write_text("Een notitie over jeugd en vrijwilligers in de wijk.", encoding="utf-8")
    sha, kept = store.keep_upload(upload)
    downloads = store.session_dir("sess-1")
    (downloads / "a.scan.json").write_text("{}", encoding="utf-8")
    store.end_session("sess-1", [sha])
    assert not kept.exists() and not downloads.exists()


def test_exports_hook_lists_json_markdown_and_labels() -> None:
    suffixes = [e.suffix for e in vm.EXPORTS]
    assert suffixes[:3] == [".scan.json", ".scan.md", ".labels.jsonl"]
    n = len(vm.EXPORTS)
    vm.register_export(vm.Export("Dubbel", ".scan.json", lambda r, f, p: None))
    assert len(vm.EXPORTS) == n  # one writer per suffix


# --- the UI's server side (no Gradio, no browser) ----------------------------------------------------


def test_service_runs_the_job_reviews_and_exports(fake_workspace: Workspace, tmp_path: Path) -> None:
    from scanner.ui.service import UiService

    service = UiService(fake_workspace.settings)
    service._ws = fake_workspace  # the fakes instead of the real models
    fw_id = "informele-ondersteuners-jeugd"
    service._scanners[(fw_id, "fast")] = Scanner(fake_workspace, service.framework(fw_id), KeywordJudge())
    upload = service.store.tmp / "u1" / SAMPLE_MD.name
    upload.parent.mkdir(parents=True)
    upload.write_bytes(SAMPLE_MD.read_bytes())
    bad = service.store.tmp / "u1" / "kapot.pdf"
    bad.write_bytes(b"%PDF-1.4 truncated")
    docs, problems = service.accept_uploads("sessie", [upload, bad])
    assert problems == [] and [d.file_name for d in docs] == [SAMPLE_MD.name, "kapot.pdf"]

    steps: list[tuple[float, str]] = []
    outcome = service.scan(
        docs, "informele-ondersteuners-jeugd", "fast", "Lindenwaard", lambda f, d: steps.append((f, d))
    )
    assert outcome.result is not None and len(outcome.result.findings) == 36
    assert outcome.result.set_name == "Lindenwaard"
    assert any(m.startswith("kapot.pdf: ") for m in outcome.messages)  # the bad file is named, the rest scanned
    texts = [d for _, d in steps]
    assert any(t.startswith("Lezen") for t in texts) and any(t.startswith("Indexeren") for t in texts)
    judging = [t for t in texts if t.startswith("Zinnen lezen en beoordelen")]
    assert judging and judging[-1].endswith("een-op-een.bb.netwerkcoordinatoren")  # up to the last element
    assert [f for f, _ in steps] == sorted(f for f, _ in steps) and steps[-1][0] == 1.0

    # saved for reopening by the same documents only
    earlier = service.earlier_scans(docs[:1])
    assert len(earlier) == 1 and service.reopen(earlier[0].key) == outcome.result
    fid = next(f.element_id for f in outcome.result.findings if f.effective_status == "covered")
    reviewed = service.review(outcome.result, fid, "partial", "vaag", "JdV")
    assert service.reopen(earlier[0].key) == reviewed  # the review is saved with the scan

    paths = service.exports("sessie", reviewed)
    names = [p.name for p in paths if p]
    assert {"Lindenwaard.scan.json", "Lindenwaard.scan.md", "Lindenwaard.labels.jsonl"} <= set(names)
    assert names.index("Lindenwaard.scan.json") < names.index("Lindenwaard.labels.jsonl")  # the UI's order
    assert all(p.is_relative_to(service.store.tmp) for p in paths if p)
    json_path = next(p for p in paths if p and p.name == "Lindenwaard.scan.json")
    saved = ScanResult.model_validate_json(json_path.read_text(encoding="utf-8"))
    assert saved.finding(fid).override == reviewed.finding(fid).override
    md_path = next(p for p in paths if p and p.name == "Lindenwaard.scan.md")
    assert "Toelichting: vaag." in md_path.read_text(encoding="utf-8")

    ref = vm.page_ref(reviewed, fid, "e:0")
    assert ref is not None
    view = service.page_view(reviewed, ref)  # a text document: the page text with the quote marked
    assert view.image is None and view.html is not None and '<mark class="bs-quote">' in view.html

    # the session ends: its downloads go; the originals stay while the saved scan needs them
    service.end_session("sessie")
    assert not json_path.exists()
    assert service.store.document(docs[0].sha256) is not None
    assert service.store.document(docs[1].sha256) is None  # unreadable, never part of a saved scan
    service.delete(reviewed)
    assert service.store.document(docs[0].sha256) is None and service.earlier_scans(docs[:1]) == []


def test_the_reports_join_the_downloads_once() -> None:
    vm.register_report_exports()
    vm.register_report_exports()  # idempotent
    suffixes = [e.suffix for e in vm.EXPORTS]
    for suffix in (".rapport.docx", ".rapport.xlsx", ".rapport.html", ".sessie.docx"):
        assert suffixes.count(suffix) == 1, suffix


def test_what_the_ui_shows_names_elements_by_label_never_by_id(result: ScanResult, framework: Framework) -> None:
    import re

    shown = [vm.summary_html(result, framework), vm.gaps_html(result, framework)]
    shown += [vm.finding_html(result, framework, f.element_id) for f in result.findings]
    for page in shown:
        text = re.sub(r"<[^>]+>", " ", page)  # what a reader sees: no tags, no attributes
        assert not re.search(r"\b(?:buurt|vereniging|een-op-een)\.(?:mw|fm|ho|bb)\.", text), text[:200]
    headings = re.findall(r"<h([1-6])", "".join(shown))
    assert headings and min(map(int, headings)) == 2  # under the page's h1, without skipping a level
