"""Review of a scan result: a reviewer accepts a finding or changes its status with a note.

The judge's status stays in each finding; a review is an ``override`` beside it, and summary and gaps are
recomputed from the effective statuses (``scanner.analysis.apply_overrides``). Reviewed results can be exported
as labels in the evaluation format (``scanner.evaluate``), so corrections become test data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime

from scanner.analysis import apply_overrides
from scanner.frameworks import Framework
from scanner.results import STATUS_NL, ScanResult

__all__ = ["MAX_NOTE", "labels_from_result", "labels_jsonl", "overrides_of", "review", "scan_key"]

MAX_NOTE = 500


def overrides_of(result: ScanResult) -> dict[str, dict[str, str]]:
    """The reviewers' changes in a result, by element id."""
    return {f.element_id: dict(f.override) for f in result.findings if f.override}


def review(
    result: ScanResult,
    fw: Framework,
    element_id: str,
    status: str | None,
    note: str = "",
    by: str = "",
    at: datetime | None = None,
) -> ScanResult:
    """A copy of the result with one finding reviewed; ``status=None`` withdraws an earlier review.

    Accepting a finding is a review with the judge's own status: it records that a person checked it.
    """
    if status is not None and status not in STATUS_NL:
        raise ValueError(f"Ongeldige status '{status}': kies uit {', '.join(STATUS_NL)}.")
    note = " ".join(note.split())[:MAX_NOTE]
    change: dict[str, str] | None = None
    if status is not None:
        when = (at or datetime.now(UTC)).isoformat(timespec="seconds")
        change = {"status": status, "note": note, "by": " ".join(by.split())[:80] or "beoordelaar", "at": when}
    overrides: dict[str, dict[str, str] | None] = dict(overrides_of(result))
    overrides[element_id] = change
    return apply_overrides(result, fw, overrides)


def labels_from_result(result: ScanResult, only_reviewed: bool = False) -> list[dict[str, object]]:
    """One label per finding in the format of LABELING.md, with the effective (reviewed) status.

    The quote is that of the first piece of evidence, the page its physical page in a PDF (null for text files, as
    the contract has it); a not-found label has neither. The reason is the reviewer's note, else the judge's
    rationale. In a set of documents a label names the document its evidence stands in (else the first
    document); the evaluation maps every file name of a set to the set's scan.
    """
    docs = result.documents
    out: list[dict[str, object]] = []
    for f in result.findings:
        if only_reviewed and not f.override:
            continue
        status = f.effective_status
        ev = f.evidence[0] if f.evidence and status != "not_found" else None
        document = (ev.document if ev and ev.document else None) or docs[0].file_name
        reason = (f.override or {}).get("note") or f.rationale
        out.append(
            {
                "document": document,
                "element": f.element_id,
                "status": status,
                "page": ev.page if ev and document.lower().endswith(".pdf") else None,
                "quote": ev.quote if ev else None,
                "reason": reason,
            }
        )
    return out


def labels_jsonl(result: ScanResult, only_reviewed: bool = False) -> str:
    lines = [json.dumps(lb, ensure_ascii=False) for lb in labels_from_result(result, only_reviewed)]
    return "\n".join(lines) + ("\n" if lines else "")


def scan_key(document_sha256s: Iterable[str], framework_id: str, judge: str) -> str:
    """A stable key for a scan of exactly these documents (in any order) with this framework and judge.

    Content-addressed: only someone who holds the same documents can arrive at the key.
    """
    text = "\n".join([*sorted(set(document_sha256s)), framework_id, judge])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
