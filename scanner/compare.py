"""Compare two scan results: two versions of a municipality's policy (kadernota 2023 vs 2025) or two municipalities.

Per element: added (not found → addressed), dropped (addressed → not found), changed (covered ↔ partial) or
unchanged, with the evidence of both sides. Statuses are the reviewed ones (``Finding.effective_status``).
Results of different frameworks are not compared; different framework versions or scan settings give a warning.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from scanner.errors import BeleidsscanError
from scanner.results import STATUS_NL, Evidence, Finding, FrameworkRef, ScanResult, page_citation

__all__ = [
    "CHANGE_NL",
    "ChangeKind",
    "Comparison",
    "ComparisonError",
    "ElementChange",
    "compare_files",
    "compare_results",
    "format_comparison",
    "load_result",
    "render_comparison_markdown",
    "write_comparison",
    "write_comparison_xlsx",
]

ChangeKind = Literal["added", "dropped", "changed", "unchanged"]
KINDS: tuple[ChangeKind, ...] = ("added", "dropped", "changed", "unchanged")
CHANGE_NL: dict[str, str] = {
    "added": "toegevoegd",
    "dropped": "vervallen",
    "changed": "gewijzigd",
    "unchanged": "ongewijzigd",
}
_EXPLAIN = {
    "added": "niet gevonden in A, wel in B",
    "dropped": "wel in A, niet gevonden in B",
    "changed": "gedekt ↔ deels",
    "unchanged": "dezelfde status",
}
_FILL = {"added": "B7E1B0", "dropped": "F4B6B6", "changed": "FEE08B", "unchanged": "FFFFFF"}


class ComparisonError(BeleidsscanError):
    exit_code = 2


@dataclass(frozen=True)
class Side:
    """One element in one result: its status, quotes, and (when not found) the closest passages checked."""

    status: str
    evidence: tuple[Evidence, ...]
    closest: tuple[str, ...]  # "p. 4" or "file.pdf, p. 4", without repeats
    reviewed: bool


@dataclass(frozen=True)
class ElementChange:
    element_id: str
    environment: str
    dimension: str
    label: str
    kind: ChangeKind
    a: Side
    b: Side

    @property
    def direction(self) -> str:
        """For a change: ``versterkt`` (partial → covered) or ``verzwakt``."""
        if self.kind != "changed":
            return ""
        return "versterkt" if self.b.status == "covered" else "verzwakt"


@dataclass(frozen=True)
class Comparison:
    name_a: str
    name_b: str
    framework: FrameworkRef
    framework_b: FrameworkRef
    changes: tuple[ElementChange, ...]
    warnings: tuple[str, ...] = ()
    only_in_a: tuple[str, ...] = ()
    only_in_b: tuple[str, ...] = ()

    def of_kind(self, kind: ChangeKind) -> list[ElementChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(self.of_kind(k)) for k in KINDS}


def _kind(a: str, b: str) -> ChangeKind:
    if a == b:
        return "unchanged"
    if a == "not_found":
        return "added"
    if b == "not_found":
        return "dropped"
    return "changed"


def _side(f: Finding) -> Side:
    return Side(
        status=f.effective_status,
        evidence=tuple(f.evidence),
        closest=tuple(dict.fromkeys(page_citation(p.page, None, p.document) for p in f.searched.passages[:5]))[:3],
        reviewed=f.effective_status != f.status,
    )


def result_name(result: ScanResult) -> str:
    docs = result.documents
    return result.set_name or docs[0].title or docs[0].file_name


def _settings_warning(a: ScanResult, b: ScanResult) -> str | None:
    sa, sb = a.settings, b.settings
    diffs = []
    for label, va, vb in (
        ("beoordeling", sa.judge, sb.judge),
        ("embedder", sa.embedder, sb.embedder),
        ("classifier", sa.classifier, sb.classifier),
        ("taalmodel", sa.llm, sb.llm),
        ("prompts", sa.prompt_hashes, sb.prompt_hashes),
    ):
        if va != vb:
            diffs.append(label if label == "prompts" else f"{label} {va or '–'} / {vb or '–'}")
    if not diffs:
        return None
    return (
        f"Let op: A en B zijn met andere instellingen gemaakt ({'; '.join(diffs)}). Een verschil kan dan ook door "
        "de instellingen komen in plaats van door het beleid."
    )


def compare_results(
    a: ScanResult, b: ScanResult, *, name_a: str | None = None, name_b: str | None = None
) -> Comparison:
    """Per element of A's framework what changed in B. Refuses results of different frameworks."""
    if a.framework.id != b.framework.id:
        raise ComparisonError(
            f"A en B zijn gescand met verschillende frameworks ({a.framework.id} en {b.framework.id}); die zijn "
            "niet te vergelijken. Scan beide met hetzelfde framework (--framework)."
        )
    warnings = []
    if a.framework.version != b.framework.version:
        warnings.append(
            f"Let op: verschillende versies van framework {a.framework.id} (A: {a.framework.version}, "
            f"B: {b.framework.version}); elementen kunnen anders zijn omschreven."
        )
    settings_warning = _settings_warning(a, b)
    if settings_warning:
        warnings.append(settings_warning)
    name_a, name_b = name_a or result_name(a), name_b or result_name(b)
    if name_a == name_b:
        name_a, name_b = f"{name_a} (A)", f"{name_b} (B)"
    in_b = {f.element_id: f for f in b.findings}
    changes = []
    for fa in a.findings:
        fb = in_b.get(fa.element_id)
        if fb is None:
            continue
        sa, sb = _side(fa), _side(fb)
        changes.append(
            ElementChange(fa.element_id, fa.environment, fa.dimension, fa.label, _kind(sa.status, sb.status), sa, sb)
        )
    ids_a = {f.element_id for f in a.findings}
    only_a = tuple(f.element_id for f in a.findings if f.element_id not in in_b)
    only_b = tuple(f.element_id for f in b.findings if f.element_id not in ids_a)
    if only_a or only_b:
        warnings.append(
            f"{len(only_a) + len(only_b)} element(en) staan maar in één van beide resultaten en zijn niet vergeleken."
        )
    return Comparison(name_a, name_b, a.framework, b.framework, tuple(changes), tuple(warnings), only_a, only_b)


def load_result(path: Path) -> ScanResult:
    try:
        return ScanResult.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ComparisonError(f"{path} kan niet worden gelezen: {exc.strerror or exc}.") from exc
    except (ValidationError, UnicodeDecodeError) as exc:
        raise ComparisonError(f"{path} is geen scanresultaat van beleidsscan (*.scan.json).") from exc


# --- rendering ------------------------------------------------------------------------------------


def _one_line(text: str, limit: int | None = None) -> str:
    text = " ".join(text.split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _cite(e: Evidence) -> str:
    return page_citation(e.page, e.page_label, e.document, ocr=e.ocr)


def _status(side: Side) -> str:
    return STATUS_NL[side.status] + (" (na review)" if side.reviewed else "")


def _absence(side: Side) -> str:
    pages = "; ".join(side.closest)
    return "niet gevonden" + (f" (dichtstbijzijnde passages: {pages})" if pages else "")


def format_comparison(c: Comparison, *, quote_chars: int = 160) -> str:
    """For the terminal: counts, then per category the elements with one quote from each side."""
    counts = c.counts
    out = [f"Vergelijking A: {c.name_a}", f"          met B: {c.name_b}",
           f"Framework: {c.framework.id} (versie {c.framework.version})"]  # fmt: skip
    out += c.warnings
    out.append(", ".join(f"{counts[k]} {CHANGE_NL[k]}" for k in KINDS) + f" (van {len(c.changes)} elementen)")
    for kind in KINDS[:3]:
        changes = c.of_kind(kind)
        if not changes:
            continue
        out += ["", f"{CHANGE_NL[kind].capitalize()} ({_EXPLAIN[kind]}):"]
        for ch in changes:
            extra = f", {ch.direction}" if ch.direction else ""
            out.append(f"  {ch.element_id}: {_status(ch.a)} → {_status(ch.b)}{extra}")
            out.append(f"    {ch.label}")
            for tag, side in (("A", ch.a), ("B", ch.b)):
                if side.evidence:
                    e = side.evidence[0]
                    out.append(f"    {tag}: “{_one_line(e.quote, quote_chars)}” ({_cite(e)})")
                else:
                    out.append(f"    {tag}: {_absence(side)}")
    unchanged = c.of_kind("unchanged")
    if unchanged:
        out += ["", f"Ongewijzigd ({len(unchanged)}):"]
        for ch in unchanged:
            out.append(f"  {ch.element_id}: {_status(ch.b)}")
    return "\n".join(out)


def render_comparison_markdown(c: Comparison) -> str:
    counts = c.counts
    out = [f"# Vergelijking: {c.name_a} en {c.name_b}", ""]
    out.append(f"- **A**: {c.name_a}  ")
    out.append(f"- **B**: {c.name_b}  ")
    out.append(f"- Framework: `{c.framework.id}`, versie {c.framework.version}")
    out.append("")
    for w in c.warnings:
        out += [f"> {w}", ""]
    out += ["| verandering | betekenis | aantal |", "|---|---|---|"]
    out += [f"| {CHANGE_NL[k]} | {_EXPLAIN[k]} | {counts[k]} |" for k in KINDS]
    out.append("")
    for kind in KINDS:
        changes = c.of_kind(kind)
        if not changes:
            continue
        out += [f"## {CHANGE_NL[kind].capitalize()} ({len(changes)})", ""]
        for ch in changes:
            extra = f", {ch.direction}" if ch.direction else ""
            out.append(f"### {ch.label}")
            out += ["", f"`{ch.element_id}`: {_status(ch.a)} → {_status(ch.b)}{extra}", ""]
            for tag, name, side in (("A", c.name_a, ch.a), ("B", c.name_b, ch.b)):
                if not side.evidence:
                    out += [f"**{tag}** ({name}): {_absence(side)}.", ""]
                    continue
                out += [f"**{tag}** ({name}):", ""]
                for e in side.evidence:
                    out += [f"> “{_one_line(e.quote)}” ({_cite(e)})", ""]
    return "\n".join(out).rstrip() + "\n"


def write_comparison_xlsx(c: Comparison, path: Path) -> Path:
    """Sheet Vergelijking (one row per element, coloured by category) and sheet Toelichting."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from scanner.store.registry import atomic_write_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = "Vergelijking"
    ws.append(["element", "omschrijving", "omgeving", "verandering", "status A", "status B", "citaten A", "citaten B"])

    def quotes(side: Side) -> str:
        if not side.evidence:
            return _absence(side)
        return "\n".join(f"“{_one_line(e.quote)}” ({_cite(e)})" for e in side.evidence)

    order = {k: i for i, k in enumerate(KINDS)}
    for ch in sorted(c.changes, key=lambda ch: order[ch.kind]):
        kind = CHANGE_NL[ch.kind] + (f" ({ch.direction})" if ch.direction else "")
        ws.append([ch.element_id, ch.label, ch.environment, kind, _status(ch.a), _status(ch.b), quotes(ch.a),
                   quotes(ch.b)])  # fmt: skip
        fill = PatternFill("solid", start_color=_FILL[ch.kind], end_color=_FILL[ch.kind])
        ws.cell(row=ws.max_row, column=4).fill = fill
        for col_i in (7, 8):
            ws.cell(row=ws.max_row, column=col_i).alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGH", (40, 50, 14, 22, 16, 16, 80, 80), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions

    info = wb.create_sheet("Toelichting")
    info.append(["A", c.name_a])
    info.append(["B", c.name_b])
    info.append(["framework", f"{c.framework.id} (versie A {c.framework.version}, B {c.framework_b.version})"])
    for k in KINDS:
        info.append([CHANGE_NL[k], c.counts[k], _EXPLAIN[k]])
    for w in c.warnings:
        info.append(["let op", w])
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, buf.getvalue())
    return path


def write_comparison(c: Comparison, path: Path) -> Path:
    """Markdown or Excel, by the file's extension."""
    from scanner.store.registry import atomic_write_text

    suffix = path.suffix.lower()
    if suffix == ".md":
        atomic_write_text(path, render_comparison_markdown(c))
        return path
    if suffix == ".xlsx":
        return write_comparison_xlsx(c, path)
    raise ComparisonError(f"Onbekend uitvoerformaat '{path.suffix or path.name}': gebruik een .md- of .xlsx-bestand.")


def compare_files(path_a: Path, path_b: Path) -> Comparison:
    """Load and compare two ``*.scan.json`` files; results with one name are told apart by their file names."""
    a, b = load_result(path_a), load_result(path_b)
    name_a, name_b = result_name(a), result_name(b)
    if name_a == name_b:
        name_a, name_b = f"{name_a} ({path_a.name})", f"{name_b} ({path_b.name})"
    return compare_results(a, b, name_a=name_a, name_b=name_b)
