"""A served LLM for real: llama-cpp-python's OpenAI-compatible server with the packaged model, started and stopped
here; a scan with ``llm_provider = openai`` and ``llm_base_url`` pointing at it runs, caches and reports the model
it used, and a server that has gone away stops the scan with a clear message and no result file."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.errors import ModelUnavailableError
from scanner.local_server import free_port, local_server
from scanner.scan import Scanner
from scanner.settings import Settings, load_settings

pytestmark = pytest.mark.integration
pytest.importorskip("langchain_openai")
pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python's server extra is not installed")

FRAMEWORK = "informele-ondersteuners-jeugd"
PLAN = """Jeugdplan Proefdorp 2026

In elke wijk komt een huiskamer waar bewoners elkaar zonder afspraak kunnen ontmoeten.

Sportverenigingen krijgen een verenigingsondersteuner die trainers helpt bij zorgen over een kind.
"""


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    from scanner.judge.local_model import ensure_local_model

    folder = tmp_path_factory.mktemp("llama-server")
    model = ensure_local_model(folder / "models")
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "lokaal",
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    with local_server(
        command, url + "/models", name="De llama.cpp-server", log=folder / "server.log", timeout=120
    ) as proc:
        yield url, proc


def _settings(home: Path, url: str) -> Settings:
    values = {"home": home, "progress": False, "threads": 2, "llm_provider": "openai", "llm_model": "lokaal",
              "llm_base_url": url, "llm_timeout_s": 120, "llm_max_elements": 3}  # fmt: skip
    return load_settings(values, env={"OPENAI_API_KEY": "niet-nodig"})


def test_a_scan_through_a_served_llm_runs_caches_and_names_its_model(
    llama_server: tuple[str, subprocess.Popen[bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "niet-nodig")  # the local server checks none; the client wants one
    url, proc = llama_server
    doc = tmp_path / "jeugdplan_proefdorp.txt"
    doc.write_text(PLAN, encoding="utf-8")
    settings = _settings(tmp_path / "home", url)

    first = Scanner.open(settings, FRAMEWORK, "llm")
    result = first.scan_files([doc], out_dir=tmp_path / "een").outputs[0].result
    assert result.settings.judge == "llm" and result.settings.llm == "openai/lokaal"
    assert 0 < first.judge.calls <= 3 * 2  # type: ignore[attr-defined]  # asked: 3 elements, 2 sentences each
    assert (tmp_path / "een" / "jeugdplan_proefdorp.scan.json").is_file()

    again = Scanner.open(settings, FRAMEWORK, "llm")  # a new run: every answer comes from the cache
    repeat = again.scan_files([doc], out_dir=tmp_path / "twee").outputs[0].result
    assert again.judge.calls == 0 and again.judge.cache.hits > 0  # type: ignore[attr-defined]
    assert [f.status for f in repeat.findings] == [f.status for f in result.findings]

    # the server goes away: a new document stops with a message naming it, and no result is written
    proc.terminate()
    proc.wait(timeout=30)
    other = tmp_path / "jeugdplan_ander.txt"
    other.write_text(PLAN.replace("Proefdorp", "Anderdorp").replace("huiskamer", "ontmoetingsplek"), "utf-8")
    with pytest.raises(ModelUnavailableError, match=r"openai/lokaal op http://127\.0\.0\.1:\d+/v1"):
        Scanner.open(settings, FRAMEWORK, "llm").scan_files([other], out_dir=tmp_path / "drie")
    assert not list((tmp_path / "drie").glob("*.scan.json"))
