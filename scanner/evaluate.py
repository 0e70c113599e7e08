"""Evaluation of scans against labels, so quality is measured, not guessed.

Labels are JSON lines: ``{"document": FILE_NAME, "element": ID, "status": ..., "page": N|null, "quote": TEXT|null}``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner.errors import BeleidsscanError
from scanner.evidence import verify_quote
from scanner.results import STATUSES, ScanResult

__all__ = ["Label", "Metrics", "evaluate", "load_labels", "load_scans", "metrics_for", "prf"]


@dataclass(frozen=True)
class Label:
    document: str
    element: str
    status: str
    page: int | None = None
    quote: str | None = None


def load_labels(paths: Iterable[Path]) -> list[Label]:
    out = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                if raw["status"] not in STATUSES:
                    raise ValueError(f"status '{raw['status']}'")
                out.append(Label(raw["document"], raw["element"], raw["status"], raw.get("page"), raw.get("quote")))
            except (ValueError, KeyError, TypeError) as exc:
                raise BeleidsscanError(f"{path}:{n}: ongeldig label ({exc}).") from exc
    return out


def load_scans(folder: Path) -> list[ScanResult]:
    files = sorted(folder.glob("*.scan.json"))
    if not files:
        raise BeleidsscanError(f"Geen *.scan.json-bestanden in {folder}.")
    return [ScanResult.model_validate_json(f.read_text(encoding="utf-8")) for f in files]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


@dataclass
class Metrics:
    n: int = 0
    addressed_precision: float = 0.0
    addressed_recall: float = 0.0
    addressed_f1: float = 0.0
    accuracy: float = 0.0
    macro_f1: float = 0.0
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)  # label -> predicted -> count
    per_element: dict[str, dict[str, float]] = field(default_factory=dict)
    quotes_total: int = 0
    quotes_verified: int = 0
    evidence_page_hits: int = 0
    evidence_page_total: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def quote_verification_rate(self) -> float:
        return self.quotes_verified / self.quotes_total if self.quotes_total else 1.0

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "addressed": {
                "precision": self.addressed_precision,
                "recall": self.addressed_recall,
                "f1": self.addressed_f1,
            },
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "confusion": self.confusion,
            "per_element": self.per_element,
            "quotes": {
                "total": self.quotes_total,
                "verified": self.quotes_verified,
                "rate": self.quote_verification_rate,
            },
            "evidence_on_labelled_page": {"hits": self.evidence_page_hits, "total": self.evidence_page_total},
            "missing": self.missing,
        }


def metrics_for(pairs: Sequence[tuple[str, str, str]]) -> Metrics:
    """From (element, gold status, predicted status) triples."""
    m = Metrics(n=len(pairs))
    if not pairs:
        return m
    tp = sum(1 for _, g, p in pairs if g != "not_found" and p != "not_found")
    fp = sum(1 for _, g, p in pairs if g == "not_found" and p != "not_found")
    fn = sum(1 for _, g, p in pairs if g != "not_found" and p == "not_found")
    m.addressed_precision, m.addressed_recall, m.addressed_f1 = prf(tp, fp, fn)
    m.accuracy = sum(1 for _, g, p in pairs if g == p) / len(pairs)
    f1s = []
    for s in STATUSES:
        _, _, f = prf(
            sum(1 for _, g, p in pairs if g == s and p == s),
            sum(1 for _, g, p in pairs if g != s and p == s),
            sum(1 for _, g, p in pairs if g == s and p != s),
        )
        f1s.append(f)
    m.macro_f1 = sum(f1s) / len(f1s)
    m.confusion = {g: dict(Counter(p for _, gg, p in pairs if gg == g)) for g in STATUSES}
    for el in sorted({e for e, _, _ in pairs}):
        sub = [(g, p) for e, g, p in pairs if e == el]
        ptp = sum(1 for g, p in sub if g != "not_found" and p != "not_found")
        pfp = sum(1 for g, p in sub if g == "not_found" and p != "not_found")
        pfn = sum(1 for g, p in sub if g != "not_found" and p == "not_found")
        pp, rr, ff = prf(ptp, pfp, pfn)
        m.per_element[el] = {
            "n": len(sub),
            "precision": pp,
            "recall": rr,
            "f1": ff,
            "accuracy": sum(1 for g, p in sub if g == p) / len(sub),
        }
    return m


def evaluate(
    labels: Sequence[Label],
    scans: Sequence[ScanResult],
    page_text: Callable[[str, int], str | None] | None = None,
) -> Metrics:
    """Compare scans with labels. ``page_text(sha256, page)`` gives a page's text for quote verification."""
    by_doc: dict[str, ScanResult] = {}
    for s in scans:
        for d in s.documents:
            by_doc[d.file_name] = s
    pairs: list[tuple[str, str, str]] = []
    missing = []
    page_hits = page_total = 0
    for lb in labels:
        scan = by_doc.get(lb.document)
        if scan is None:
            missing.append(lb.document)
            continue
        finding = next((f for f in scan.findings if f.element_id == lb.element), None)
        if finding is None:
            missing.append(f"{lb.document}:{lb.element}")
            continue
        status = finding.override["status"] if finding.override else finding.status
        pairs.append((lb.element, lb.status, status))
        if lb.status != "not_found" and status != "not_found" and lb.page is not None:
            page_total += 1
            page_hits += any(e.page == lb.page for e in finding.evidence)
    m = metrics_for(pairs)
    m.missing = sorted(set(missing))
    m.evidence_page_hits, m.evidence_page_total = page_hits, page_total
    if page_text is not None:
        for s in scans:
            shas = {d.file_name: d.sha256 for d in s.documents}
            for f in s.findings:
                for e in f.evidence:
                    sha = shas.get(e.document) if e.document else s.documents[0].sha256
                    text = page_text(sha, e.page) if sha else None
                    m.quotes_total += 1
                    m.quotes_verified += bool(text is not None and verify_quote(e.quote, text))
    return m


def format_metrics(m: Metrics, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"labels vergeleken: {m.n}")
    lines.append(
        f"geadresseerd (gedekt of deels) vs niet gevonden: precisie {m.addressed_precision:.3f}, "
        f"recall {m.addressed_recall:.3f}, F1 {m.addressed_f1:.3f}"
    )
    lines.append(f"drie klassen: nauwkeurigheid {m.accuracy:.3f}, macro-F1 {m.macro_f1:.3f}")
    lines.append("confusiematrix (rij = label, kolom = scan):")
    lines.append(f"  {'':<10}" + "".join(f"{s:>11}" for s in STATUSES))
    for g in STATUSES:
        row = m.confusion.get(g, {})
        lines.append(f"  {g:<10}" + "".join(f"{row.get(p, 0):>11}" for p in STATUSES))
    lines.append(
        f"citaten geverifieerd op hun pagina: {m.quotes_verified}/{m.quotes_total} ({m.quote_verification_rate:.1%})"
    )
    if m.evidence_page_total:
        lines.append(f"bewijs op de gelabelde pagina: {m.evidence_page_hits}/{m.evidence_page_total}")
    lines.append("per element (n, F1 geadresseerd, nauwkeurigheid):")
    for el, d in m.per_element.items():
        lines.append(f"  {el:<45} {int(d['n']):>3}  F1 {d['f1']:.2f}  acc {d['accuracy']:.2f}")
    if m.missing:
        lines.append(f"zonder scan: {', '.join(m.missing)}")
    return "\n".join(lines)


def group_by_document(labels: Sequence[Label]) -> Mapping[str, list[Label]]:
    out: dict[str, list[Label]] = {}
    for lb in labels:
        out.setdefault(lb.document, []).append(lb)
    return out
