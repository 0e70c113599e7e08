"""A served LLM that misbehaves: slow, gone, garbled or failing answers give a clear message and no half-written
result. The server here is a small OpenAI-compatible HTTP server in a thread (the real path: LangChain's
ChatOpenAI over HTTP); tests/integration/test_llm_server.py runs llama-cpp-python's own server."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langchain_openai")

from scanner.errors import ModelUnavailableError
from scanner.judge.llm import make_llm
from scanner.settings import Settings, load_settings
from scanner.workspace import open_workspace
from tests.conftest import SAMPLE_MD


class FakeServer:
    """``mode``: ok (a letter with log-probabilities), slow, garbage (not JSON), error (HTTP 500), or drop after
    ``ok_before_drop`` good answers (the connection closes without an answer)."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.ok_before_drop = 0
        self.requests = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests += 1
                mode = fake.mode
                if mode == "drop" and fake.requests > fake.ok_before_drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if mode == "slow":
                    time.sleep(3)
                if mode == "error":
                    self._send(500, b'{"error": {"message": "model crashed"}}')
                elif mode == "garbage":
                    self._send(200, b"<html>proxy says hello</html>")
                else:
                    self._send(200, json.dumps(_completion("B")).encode())

            def _send(self, code: int, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):  # the client gave up waiting (the slow mode)
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = False  # server_close() waits for a slow answer to end
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def _completion(letter: str) -> dict[str, Any]:
    top = [{"token": g, "logprob": -0.1 if g == letter else -4.0, "bytes": None} for g in "ABCD"]
    return {
        "id": "x", "object": "chat.completion", "created": 0, "model": "lokaal",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": letter},
                     "logprobs": {"content": [{"token": letter, "logprob": -0.1, "bytes": None,
                                               "top_logprobs": top}]}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }  # fmt: skip


@pytest.fixture
def server() -> Iterator[FakeServer]:
    s = FakeServer()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()  # the listening socket, and (block_on_close) the handler threads still answering


def _settings(tmp_path: Path, server: FakeServer, **extra: Any) -> Settings:
    values = {"home": tmp_path / "home", "embedder": "hash", "progress": False, "llm_provider": "openai",
              "llm_model": "lokaal", "llm_base_url": server.url, "llm_timeout_s": 1.0, **extra}  # fmt: skip
    return load_settings(values, env={"OPENAI_API_KEY": "niet-nodig"})


@pytest.fixture(autouse=True)
def _no_real_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "niet-nodig")  # the local server checks none; the client wants one


def test_a_good_answer_gives_the_letters_probabilities(server: FakeServer, tmp_path: Path) -> None:
    llm = make_llm(_settings(tmp_path, server))
    grade = llm.grade("Antwoord met A, B, C of D.", "Welke?")
    assert max(grade, key=grade.__getitem__) == "B" and abs(sum(grade.values()) - 1) < 1e-6
    assert llm.id == "openai/lokaal"


@pytest.mark.parametrize(
    ("mode", "why"),
    [
        ("slow", "antwoordde niet binnen 1 seconden"),
        ("drop", "niet bereikbaar of viel weg"),
        ("error", "gaf een fout \\(HTTP 500"),
        ("garbage", "niet te lezen"),
    ],
)
def test_a_misbehaving_server_is_named_with_what_it_did(
    server: FakeServer, tmp_path: Path, mode: str, why: str
) -> None:
    server.mode = mode
    llm = make_llm(_settings(tmp_path, server))
    with pytest.raises(ModelUnavailableError, match=why) as info:
        llm.grade("Antwoord met A, B, C of D.", "Welke?")
    assert server.url in str(info.value) and "geen half resultaat" in str(info.value)


def test_a_server_gone_mid_scan_leaves_no_result(server: FakeServer, tmp_path: Path) -> None:
    from scanner.scan import Scanner

    settings = _settings(tmp_path, server)
    ws = open_workspace(settings)
    scanner = Scanner.open(settings, "informele-ondersteuners-jeugd", "llm", workspace=ws)
    server.mode, server.ok_before_drop = "drop", 3  # three answers, then the server is gone
    out = tmp_path / "uit"
    with pytest.raises(ModelUnavailableError, match="viel weg"):
        scanner.scan_files([SAMPLE_MD], out_dir=out)
    assert server.requests > 3  # it did get going before the server went away
    assert not list(out.glob("*.scan.json")) and not list(out.glob("*.tmp"))
    # what was answered is cached: with the server back, the scan asks only what it had not asked
    server.mode = "ok"
    before = server.requests
    run = Scanner.open(settings, "informele-ondersteuners-jeugd", "llm", workspace=ws).scan_files(
        [SAMPLE_MD], out_dir=out
    )
    assert run.outputs and list(out.glob("*.scan.json"))
    assert run.outputs[0].result.settings.llm == "openai/lokaal"
    assert server.requests - before > 0
