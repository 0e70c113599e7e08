"""Helpers the export formats share: Dutch labels, colours, citations, the matrix counts, errors."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.analysis import MatrixCell, coverage_matrix
from scanner.errors import BeleidsscanError
from scanner.frameworks import Framework
from scanner.results import (
    COMMITMENT_NL,
    STATUS_FILL,
    STATUS_INK,
    STATUS_NL,
    STATUSES,
    TARGET_NL,
    DocumentRef,
    Evidence,
    Finding,
    ScanResult,
    nl_date,
    page_citation,
)
from scanner.summary import Actor, actor_list, named_roles
from scanner.types import DocumentRecord

__all__ = [
    "STATUSES",
    "STATUS_FILL",
    "STATUS_INK",
    "ExportError",
    "MatrixCell",
    "cite",
    "document_of",
    "firmness_text",
    "framework_warning",
    "ingested_on",
    "lower_first",
    "matrix",
    "nearest_pages",
    "one_line",
    "override_text",
    "roles_text",
    "scan_title",
    "status_text",
    "xml_safe",
]


class ExportError(BeleidsscanError):
    """An export cannot be made (e.g. the document text is not in the data directory)."""

    exit_code = 4


def one_line(text: str) -> str:
    """A quote on one line for display; the saved quote keeps the page's line breaks."""
    return " ".join(text.split())


def lower_first(label: str) -> str:
    """'Persoonlijke relaties ontstaan' -> 'persoonlijke relaties ontstaan'; acronyms stay as they are."""
    if len(label) > 1 and label[1].isupper():
        return label
    if label.startswith("Eé"):  # "Eén-op-één" -> "één-op-één"
        return "é" + label[1:]
    return label[:1].lower() + label[1:]


def cite(e: Evidence) -> str:
    return page_citation(e.page, e.page_label, e.document, ocr=e.ocr)


def firmness_text(f: Finding) -> str | None:
    """How firm the commitment is and for whom, as users asked: "toezegging: concreet voornemen; doelgroep: alle
    inwoners". None for a finding without evidence."""
    if not f.commitment or not f.target:
        return None
    return f"Toezegging: {COMMITMENT_NL[f.commitment]}; doelgroep: {TARGET_NL[f.target]}"


def scan_title(result: ScanResult) -> str:
    docs = result.documents
    return result.set_name or docs[0].title or docs[0].file_name


def status_text(f: Finding) -> str:
    """The status shown everywhere: the reviewer's where there is one, with the judge's original beside it."""
    shown = STATUS_NL[f.effective_status]
    if f.override and f.effective_status != f.status:
        return f"{shown} (aangepast bij review; scan: {STATUS_NL[f.status]})"
    if f.override:
        return f"{shown} (bevestigd bij review)"
    return shown


def override_text(f: Finding) -> str | None:
    """One Dutch sentence on the reviewer's change, or None."""
    if not f.override:
        return None
    o = f.override
    parts = [f"Beoordeling: {STATUS_NL.get(o.get('status', ''), o.get('status', ''))}"]
    if f.effective_status != f.status:
        parts[0] += f" (oordeel van de scan: {STATUS_NL[f.status]})"
    who = " ".join(
        x for x in (f"door {o['by']}" if o.get("by") else "", f"op {nl_date(o['at'])}" if o.get("at") else "") if x
    )
    if who:
        parts.append(who)
    text = ", ".join(parts)
    if o.get("note"):
        text += f". Toelichting: {o['note'].strip().rstrip('.')}"
    return text + "."


def document_of(result: ScanResult, e: Evidence) -> DocumentRef:
    """The document a quote comes from: by file name in a set, else the only document."""
    docs = result.documents
    if e.document:
        for d in docs:
            if d.file_name == e.document:
                return d
    prefix = e.chunk_id.split(":", 1)[0]
    for d in docs:
        if d.sha256.startswith(prefix):
            return d
    return docs[0]


# The matrix of the reports is the one of the UI and the analysis.
matrix = coverage_matrix


def framework_warning(result: ScanResult, fw: Framework) -> str | None:
    """A Dutch warning when the framework on disk is not the version the scan used."""
    if fw.id != result.framework.id:
        return f"Let op: het scanresultaat hoort bij framework '{result.framework.id}', niet bij '{fw.id}'."
    if fw.version != result.framework.version:
        return (
            f"Let op: de scan is gemaakt met versie {result.framework.version} van het framework '{fw.id}', "
            f"deze export gebruikt versie {fw.version}. Labels, adviezen en bronnen kunnen afwijken."
        )
    return None


def ingested_on(records: Mapping[str, DocumentRecord] | None, sha256: str) -> str | None:
    if records and sha256 in records:
        return records[sha256].ingested_at.date().isoformat()
    return None


_CONTROL = {c: None for c in range(32) if chr(c) not in "\t\n\r"}


def xml_safe(text: str) -> str:
    """Text without the control characters XML 1.0 forbids (PDF extraction can leave them in page texts)."""
    return text.translate(_CONTROL)


def nearest_pages(f: Finding) -> str:
    """For a finding not found: the pages of the sentences that came closest (for a reader to check)."""
    if f.effective_status != "not_found" or not f.searched.passages:
        return "–"
    return "; ".join(f"p. {x.page}" for x in f.searched.passages[:3])


def roles_text(actors: list[Actor], role_labels: list[str] | tuple[str, ...], fw: Framework) -> str:
    """Which bruggenbouwers the municipality already has (named in its document) and which the framework suggests;
    a framework role is never presented as one the municipality has."""
    roles = [e for e in fw.elements if e.dimension == "bb" and e.label in role_labels]
    present = named_roles(actors, [e.id for e in roles])
    has = {a.role for a in present}
    missing = [e.label for e in roles if e.id not in has] + [
        r for r in role_labels if r not in {e.label for e in roles}
    ]
    parts = []
    if present:
        parts.append("Het document noemt al: " + actor_list(present) + ".")
    if missing:
        also = " daarnaast" if present else ""
        parts.append(f"Het kader stelt{also} als bruggenbouwer voor: " + ", ".join(missing) + ".")
    return " ".join(parts)
