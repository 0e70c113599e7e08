"""The command line, in-process (fast, hash embedder) and once as the installed console script."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.cli import main
from tests.conftest import SAMPLE_MD, SAMPLE_PDF


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("BELEIDSSCAN_HOME", str(h))
    monkeypatch.setenv("BELEIDSSCAN_EMBEDDER", "hash")
    monkeypatch.delenv("BELEIDSSCAN_CONFIG", raising=False)
    return h


def test_ingest_report_documents_and_idempotence(home: Path) -> None:
    code, out = run("ingest", str(SAMPLE_PDF), "--no-progress")
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("lindenwaard_kadernota_2025.pdf"))
    cells = line.split()
    assert cells[1] == "10" and cells[2] == "–" and cells[-1] == "opgeslagen"
    assert "1 document(en) verwerkt, 0 mislukt." in out

    code, out = run("ingest", str(SAMPLE_PDF), "--json")
    data = json.loads(out)
    assert code == 0 and data["reports"][0]["status"] == "already-stored"
    assert data["reports"][0]["pages"] == 10

    code, out = run("documents", "--json")
    docs = json.loads(out)
    assert [d["file_name"] for d in docs] == ["lindenwaard_kadernota_2025.pdf"]
    assert docs[0]["pages"] == 10 and len(docs[0]["sha256"]) == 64


def test_a_bad_file_in_a_folder_fails_by_name_and_the_rest_is_ingested(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SAMPLE_MD, folder / "kadernota.md")
    (folder / "leeg.pdf").write_bytes(b"")
    (folder / "kapot.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    (folder / "notities.xlsx").write_bytes(b"PK\x03\x04")
    code, out = run("ingest", str(folder), "--no-progress")
    assert code == 4
    assert f"MISLUKT: {folder / 'leeg.pdf'}: het bestand is leeg" in out
    assert f"MISLUKT: {folder / 'kapot.pdf'}: de PDF is beschadigd" in out
    assert "overgeslagen:" in out and "notities.xlsx" in out
    assert "1 document(en) verwerkt, 2 mislukt, 1 overgeslagen." in out
    assert any(ln.startswith("kadernota.md") for ln in out.splitlines())


def test_missing_path_is_a_failure(home: Path, tmp_path: Path) -> None:
    code, out = run("ingest", str(tmp_path / "bestaat-niet.pdf"), "--no-progress")
    assert code == 4 and "bestaat niet" in out


def test_frameworks_list_and_show(home: Path) -> None:
    code, out = run("frameworks")
    assert code == 0
    assert "informele-ondersteuners-jeugd" in out and "samenwerking-informeel-formeel" in out
    code, out = run("frameworks", "show", "informele-ondersteuners-jeugd")
    assert code == 0
    assert "buurt.ho.ontmoetingsplekken" in out and "36 elementen" in out
    code, out = run("frameworks", "show", "informele-ondersteuners-jeugd", "--json")
    assert len(json.loads(out)["elements"]) == 36


def test_unknown_framework_is_a_clean_error(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("frameworks", "show", "bestaat-niet")
    assert code == 2
    assert "Onbekend framework 'bestaat-niet'" in capsys.readouterr().err


def test_bad_setting_is_a_clean_error(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BELEIDSSCAN_EMBEDDER", "word2vec-1998")
    code, _ = run("ingest", str(SAMPLE_PDF))
    assert code == 2
    assert "Onbekende embedder 'word2vec-1998'" in capsys.readouterr().err


def test_console_script_help_works() -> None:
    exe = Path(sys.executable).parent / "beleidsscan"
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    result = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    for command in ("ingest", "documents", "frameworks", "demo"):
        assert command in result.stdout


def test_scan_writes_json_and_markdown_and_eval_reads_them(home: Path, tmp_path: Path) -> None:
    from tests.conftest import SAMPLE_LABELS

    out_dir = tmp_path / "resultaten"
    code, out = run("scan", str(SAMPLE_MD), "--judge", "fast", "--out", str(out_dir), "--no-progress")
    assert code == 0, out
    json_path = out_dir / "lindenwaard_kadernota_2025.scan.json"
    md_path = out_dir / "lindenwaard_kadernota_2025.scan.md"
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert len(data["findings"]) == 36 and data["settings"]["judge"] == "fast"
    assert md_path.read_text(encoding="utf-8").startswith("# Quick scan:")
    assert "Buurtgemeenschappen:" in out and str(json_path) in out
    # the labels name the PDF; a scan of the Markdown twin is matched by file name, so relabel it here
    labels = tmp_path / "labels.jsonl"
    labels.write_text(
        SAMPLE_LABELS.read_text(encoding="utf-8").replace(
            "lindenwaard_kadernota_2025.pdf", "lindenwaard_kadernota_2025.md"
        ),
        encoding="utf-8",
    )
    code, out = run("eval", "--labels", str(labels), "--scans", str(out_dir))
    assert code == 0
    assert "labels vergeleken: 36" in out and "confusiematrix" in out
    code, out = run("eval", "--labels", str(labels), "--scans", str(out_dir), "--json")
    metrics = json.loads(out)
    assert metrics["n"] == 36 and metrics["quotes"]["rate"] == 1.0
    assert set(metrics["confusion"]) == {"covered", "partial", "not_found"}


def test_scan_as_a_set(home: Path, tmp_path: Path) -> None:
    pages = SAMPLE_MD.read_text(encoding="utf-8").split("\f")
    folder = tmp_path / "lindenwaard"
    folder.mkdir()
    (folder / "deel-a.md").write_text("\f".join(pages[:5]), encoding="utf-8")
    (folder / "deel-b.md").write_text("\f".join(pages[5:]), encoding="utf-8")
    code, out = run(
        "scan", str(folder), "--judge", "fast", "--set", "Gemeente Lindenwaard", "--out", str(tmp_path / "o")
    )
    assert code == 0, out
    data = json.loads((tmp_path / "o" / "Gemeente-Lindenwaard.scan.json").read_text(encoding="utf-8"))
    assert data["set_name"] == "Gemeente Lindenwaard"
    assert sorted(d["file_name"] for d in data["document"]) == ["deel-a.md", "deel-b.md"]
