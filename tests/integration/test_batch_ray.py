"""The batch on Ray, for real: a local Ray cluster with two actor processes on this machine. The same statuses as
the local batch; resumable; and an actor process killed (kill -9) in the middle of the batch is restarted, its task
retried, and every municipality is written once."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.batch import read_manifest, run_batch
from scanner.results import ScanResult
from scanner.scan import Scanner
from scanner.settings import load_settings
from tests.conftest import SAMPLE_MD, real_file

pytestmark = pytest.mark.integration
ray = pytest.importorskip("ray", reason="Ray is not installed (pip install -e '.[ray]')")
psutil = pytest.importorskip("psutil")

from scanner.batch_ray import run_batch_ray  # noqa: E402


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    """A local Ray instance with room for two actors (two CPUs), for this module."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _manifest(folder: Path, rows: list[tuple[str, Path]]) -> Path:
    path = folder / "manifest.csv"
    lines = ["gemeente,pad,type,jaar", *(f"{name},{doc},beleid,2025" for name, doc in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _scanner(home: Path) -> Scanner:
    settings = load_settings({"home": home, "embedder": "hash", "progress": False, "threads": 2}, env={})
    return Scanner.open(settings, "informele-ondersteuners-jeugd", "fast")


def test_ray_gives_the_local_statuses_and_resumes(cluster: None, tmp_path: Path) -> None:
    rows = [("Lindenwaard", SAMPLE_MD), ("Baarn", real_file("baarn_coalitieakkoord_2022_2026.txt"))]
    plan = read_manifest(_manifest(tmp_path, rows))
    scanner = _scanner(tmp_path / "home")
    local = run_batch(scanner, plan, tmp_path / "lokaal")
    on_ray = run_batch_ray(scanner, plan, tmp_path / "ray", actors=2)
    assert local.ok and on_ray.ok and sorted(on_ray.scanned) == sorted(local.scanned) == ["Baarn", "Lindenwaard"]
    for name in ("Lindenwaard", "Baarn"):
        a = ScanResult.model_validate_json((tmp_path / "lokaal" / f"{name}.scan.json").read_text("utf-8"))
        b = ScanResult.model_validate_json((tmp_path / "ray" / f"{name}.scan.json").read_text("utf-8"))
        assert [(f.status, [e.quote for e in f.evidence]) for f in a.findings] == [
            (f.status, [e.quote for e in f.evidence]) for f in b.findings
        ]
        assert a.documents[0].path == b.documents[0].path  # the original file, not the actor's copy
    assert (tmp_path / "lokaal" / "matrix.csv").read_bytes() == (tmp_path / "ray" / "matrix.csv").read_bytes()
    again = run_batch_ray(scanner, plan, tmp_path / "ray", actors=2)
    assert again.skipped == ["Lindenwaard", "Baarn"] and again.scanned == []


def test_a_killed_actor_is_restarted_and_its_task_retried(cluster: None, tmp_path: Path) -> None:
    names = [f"Gemeente{i}" for i in range(1, 7)]
    plan = read_manifest(_manifest(tmp_path, [(n, SAMPLE_MD) for n in names]))
    out = tmp_path / "uit"
    killed: list[int] = []
    before: set[int] = set()

    def kill_one_actor(stage: str, done: int, total: int, label: str) -> None:
        if stage == "scan" and done == 1 and not killed:  # both actors hold a task now: kill one of them
            actors = [p for p in psutil.process_iter(["name", "cmdline"]) if "ScanActor" in " ".join(
                [p.info["name"] or "", *(p.info["cmdline"] or [])])]  # fmt: skip
            assert len(actors) == 2, [p.info for p in actors]
            before.update(p.pid for p in actors)
            killed.append(actors[0].pid)
            os.kill(actors[0].pid, signal.SIGKILL)

    outcome = run_batch_ray(_scanner(tmp_path / "home"), plan, out, actors=2, progress=kill_one_actor)
    assert killed, "no actor was killed"
    assert sorted(outcome.scanned) == names and len(outcome.scanned) == len(set(outcome.scanned))  # once each
    assert outcome.failed == [] and outcome.ok
    assert killed[0] not in outcome.actor_pids[1:]  # killed in the middle of its task: it delivered nothing after
    assert set(outcome.actor_pids) - before  # a restarted actor process delivered the retried task
    for name in names:  # every result and its done-record, whole
        ScanResult.model_validate_json((out / f"{name}.scan.json").read_text("utf-8"))
        assert json.loads((out / f"{name}.done.json").read_text("utf-8"))["municipality"] == name
    assert not list(out.glob(".*.tmp"))
