"""Exports of a saved scan result: Word, Excel, Markdown and HTML reports, a REFI-QDA project and the session pack.

Each format is one module with one typed function over ``ScanResult`` + ``Framework`` that returns the file's
bytes (HTML and Markdown: text), so the CLI and the UI offer the same downloads. ``render`` picks one by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from scanner.errors import BeleidsscanError
from scanner.export._common import ExportError, framework_warning
from scanner.frameworks import Framework, load_framework
from scanner.results import ScanResult
from scanner.store.registry import DocumentRegistry
from scanner.types import DocumentRecord

__all__ = [
    "FORMATS",
    "ExportError",
    "ReportFormat",
    "document_records",
    "framework_for",
    "load_scan",
    "render",
    "suffix",
]

ReportFormat = Literal["docx", "xlsx", "md", "html", "qdpx"]
FORMATS: tuple[ReportFormat, ...] = ("docx", "xlsx", "md", "html", "qdpx")


def load_scan(path: Path) -> ScanResult:
    """A saved ``*.scan.json``; a missing or invalid file is a user error with a readable message."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BeleidsscanError(f"{path}: kan het scanresultaat niet lezen ({exc.strerror or exc}).") from exc
    try:
        return ScanResult.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(bestand)"
        raise BeleidsscanError(
            f"{path} is geen geldig scanresultaat ({where}: {first['msg']}). Maak het opnieuw met beleidsscan scan."
        ) from exc


def framework_for(result: ScanResult, framework_dirs: Iterable[Path] = ()) -> tuple[Framework, str | None]:
    """The framework the scan used, and a Dutch warning if the version on disk differs."""
    fw = load_framework(result.framework.id, framework_dirs)
    return fw, framework_warning(result, fw)


def document_records(
    result: ScanResult, registry: DocumentRegistry, *, required: bool = False
) -> dict[str, DocumentRecord]:
    """The scanned documents' stored texts by SHA-256. With ``required`` a missing one is an error that says what
    to do; otherwise it is left out (reports then show no ingest date)."""
    out: dict[str, DocumentRecord] = {}
    missing = []
    for d in result.documents:
        try:
            out[d.sha256] = registry.get(d.sha256)
        except KeyError:
            missing.append(d)
    if missing and required:
        names = ", ".join(f"{d.file_name} (SHA-256 {d.sha256[:12]}…)" for d in missing)
        raise ExportError(
            f"De tekst van {names} staat niet in de gegevensmap {registry.root.parent}. Deze export neemt de "
            "documenttekst op: lees het document eerst in (beleidsscan ingest BESTAND) of geef met --home de "
            "gegevensmap waarin gescand is."
        )
    return out


def suffix(fmt: ReportFormat) -> str:
    """File name ending for a format: ``NAME.rapport.docx`` etc.; the REFI-QDA project is ``NAME.qdpx``."""
    return ".qdpx" if fmt == "qdpx" else f".rapport.{fmt}"


def render(
    result: ScanResult, fw: Framework, fmt: ReportFormat, records: Mapping[str, DocumentRecord] | None = None
) -> bytes:
    """One export as bytes. ``qdpx`` needs ``records`` (the documents' texts); the reports use them for dates."""
    if fmt == "docx":
        from scanner.export.docx import report_docx

        return report_docx(result, fw, records=records)
    if fmt == "xlsx":
        from scanner.export.xlsx import report_xlsx

        return report_xlsx(result, fw, records=records)
    if fmt == "html":
        from scanner.export.html import report_html

        return report_html(result, fw, records=records).encode("utf-8")
    if fmt == "md":
        from scanner.report_md import render_markdown

        return render_markdown(result, fw, records).encode("utf-8")
    if fmt == "qdpx":
        from scanner.export.qdpx import export_qdpx

        return export_qdpx(result, fw, records or {})
    raise ValueError(f"unknown export format: {fmt}")
