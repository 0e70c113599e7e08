"""The batch with the real parts: the default embedder, the persistent Chroma store in one process, and worker
processes that share a real Chroma server (started by the batch over its store folder); two small documents,
fast judge."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.batch import read_manifest, run_batch, shared_store
from scanner.results import ScanResult
from scanner.scan import Scanner
from scanner.settings import load_settings
from scanner.workspace import open_workspace
from tests.conftest import SAMPLE_MD, real_file

pytestmark = pytest.mark.integration


def test_workers_on_the_real_store_match_one_process(tmp_path: Path) -> None:
    other = real_file("geldrop-mierlo_doelstellingenakkoord_2022_2026.txt")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        f"gemeente,pad,type,jaar\nLindenwaard,{SAMPLE_MD},kadernota,2025\n"
        f"Geldrop-Mierlo,{other},doelstellingenakkoord,2022\n",
        encoding="utf-8",
    )
    ws = open_workspace(load_settings({"home": tmp_path / "home", "progress": False, "threads": 2}, env={}))
    scanner = Scanner.open(ws.settings, "informele-ondersteuners-jeugd", "fast", workspace=ws)
    plan = read_manifest(manifest)
    one = run_batch(scanner, plan, tmp_path / "een")
    served = load_settings({"home": tmp_path / "home2", "progress": False, "threads": 2}, env={})
    with shared_store(served, 2) as shared:
        scanner = Scanner.open(shared, "informele-ondersteuners-jeugd", "fast")
        two = run_batch(scanner, plan, tmp_path / "twee", workers=2)
        again = run_batch(scanner, plan, tmp_path / "twee", workers=2)
    assert one.ok and two.ok and sorted(two.scanned) == sorted(one.scanned) == ["Geldrop-Mierlo", "Lindenwaard"]
    for name in ("Lindenwaard", "Geldrop-Mierlo"):
        a = ScanResult.model_validate_json((tmp_path / "een" / f"{name}.scan.json").read_text(encoding="utf-8"))
        b = ScanResult.model_validate_json((tmp_path / "twee" / f"{name}.scan.json").read_text(encoding="utf-8"))
        assert a.settings == b.settings and a.settings.embedder == ws.embedder.id
        assert [(f.status, f.evidence) for f in a.findings] == [(f.status, f.evidence) for f in b.findings]
    lindenwaard = ScanResult.model_validate_json((tmp_path / "twee" / "Lindenwaard.scan.json").read_text("utf-8"))
    assert sum(f.status != "not_found" for f in lindenwaard.findings) >= 10  # the sample addresses most elements
    assert again.skipped == ["Lindenwaard", "Geldrop-Mierlo"]
    assert (tmp_path / "home2" / "chroma").is_dir()  # the server kept the store in the data directory
