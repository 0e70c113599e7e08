"""UI benchmark: seconds from upload to the coverage matrix, in headless Chromium. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_ui.py [--judges fast,llm] [FILE ...]

For each judge, starts ``beleidsscan ui`` with a fresh data directory (so the first scan includes loading the
models, and the LLM's answer cache is cold), then for each file a new browser session uploads it, chooses the
judge, starts the scan and waits for the matrix. Default files: the sample PDF and the 15-page
Almere PDF of ../shared/corpus-real.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CORPUS_REAL, SAMPLE_PDF  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

DEFAULT_FILES = [SAMPLE_PDF, CORPUS_REAL / "almere_maatschappelijke_agenda_2024_2034.pdf"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--judges", default="fast")
    args = parser.parse_args()
    files = [f for f in (args.files or DEFAULT_FILES) if f.is_file()]
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} not found: apt-get install chromium")
        return 0
    import os

    from playwright.sync_api import sync_playwright

    from scanner.local_server import free_port, local_server

    print(f"{'document':<48} {'judge':<5} {'upload to matrix s':>18}")
    for judge in args.judges.split(","):
        port = free_port()
        with tempfile.TemporaryDirectory() as home:  # a fresh data directory and server per judge
            env = {**os.environ, "BELEIDSSCAN_HOME": home, "HF_HUB_OFFLINE": "1"}
            url = f"http://127.0.0.1:{port}/"
            command = [sys.executable, "-m", "scanner.cli", "ui", "--port", str(port), "--no-progress"]
            log = Path(home) / "ui.log"
            server = local_server(command, url, name="De webinterface", log=log, timeout=120, env=env, cwd=ROOT)
            with server, sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
                for f in files:
                    page = browser.new_context(locale="nl-NL").new_page()
                    page.goto(url)
                    t0 = time.perf_counter()
                    page.locator("#bs-upload input[type=file]").set_input_files(str(f))
                    page.locator("#bs-docs").get_by_text(f.name).wait_for()
                    label = "Aanbevolen" if judge == "fast" else "Met taalmodel"
                    page.locator("#bs-judge").get_by_text(label, exact=False).click()
                    page.locator("#bs-scan").click()
                    page.locator("#bs-summary .bs-matrix").wait_for(timeout=1_200_000)
                    print(f"{f.name:<48} {judge:<5} {time.perf_counter() - t0:>18.1f}", flush=True)
                    page.context.close()
                browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
