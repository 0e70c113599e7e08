"""The management summary every report opens with, in plain Dutch: what the policy already does well per environment
(its strongest quotes), the most important gaps with the handelingsoptie for each, and what the document itself
commits that the advice can build on (amounts, targets, the organisations and roles it names).

Everything here comes from the scan result and the documents' own page texts; every quote is verified on its page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import yaml

from scanner.evidence import MAX_QUOTE, quote_window, sentence_spans, verify_quote
from scanner.frameworks import Framework
from scanner.results import STATUS_NL, STATUSES, Evidence, Gap, ScanResult, page_citation
from scanner.types import DocumentRecord

__all__ = [
    "Actor",
    "DocumentFact",
    "ManagementSummary",
    "Priority",
    "Strength",
    "actor_list",
    "find_actors",
    "management_summary",
    "named_roles",
    "ranked_gaps",
]

FactKind = Literal["budget", "doel"]


@dataclass(frozen=True)
class Strength:
    element: str  # the element's label
    quote: Evidence


@dataclass(frozen=True)
class Priority:
    environment: str  # label
    element: str  # label of the missing or partial element
    status: str  # Dutch status
    option: str  # the handelingsoptie's label
    advice: str
    roles: tuple[str, ...]  # the framework's bruggenbouwers for it

    @property
    def now(self) -> str:
        """Where the policy stands: "nu deels" for the option itself, "<role>: deels" for a role's gap."""
        return f"nu {self.status}" if self.element == self.option else f"{self.element}: {self.status}"

    @property
    def first_step(self) -> str:
        """The advice's first sentence: what the summary page has room for (the report has the rest)."""
        m = re.search(r"(?<=[.!?])\s+(?=[A-Z])", self.advice)
        return self.advice[: m.start()] if m else self.advice


@dataclass(frozen=True)
class DocumentFact:
    kind: FactKind
    quote: str
    citation: str

    @property
    def kind_label(self) -> str:
        return "Budget" if self.kind == "budget" else "Doel"


@dataclass(frozen=True)
class Actor:
    label: str  # the role, or the organisation's own name
    environment: str  # framework environment id, or "algemeen"
    bridge: bool  # a bruggenbouwer role
    quote: str
    citation: str
    role: str | None = None  # the framework's bruggenbouwer element it is an instance of
    page: int = 0  # the page (in the file) of the first sentence that names it


@dataclass(frozen=True)
class ManagementSummary:
    counts: dict[str, int]  # per status (after review), for the summary's first sentence and the overview
    strengths: dict[str, list[Strength]]  # by environment label, in the framework's order (strongest quote first)
    priorities: list[Priority]
    facts: list[DocumentFact]
    actors: list[Actor] = field(default_factory=list)


def _quoted(text: str, pattern: re.Pattern[str]) -> str:
    a, b = quote_window(text, [pattern])
    return " ".join(text[a:b].split())


def _sentences(records: Sequence[DocumentRecord], multi: bool) -> list[tuple[str, str, str, int]]:
    """(sentence, page text, citation, page number) for every sentence of the documents."""
    out = []
    for r in records:
        for p in r.pages:
            cite = page_citation(p.number, p.label, r.file_name if multi else None)
            for a, b in sentence_spans(p.text):
                out.append((p.text[a:b], p.text, cite, p.number))
    return out


_AMOUNT = re.compile(
    r"(€\s?\d[\d.,]*(?:\s?(?:mln|miljoen|k|duizend))?|\d[\d.,]*\s?(?:euro|miljoen euro))", re.IGNORECASE
)
_TARGET = re.compile(
    r"(\d+\s?(?:%|procent)|\b(?:in|vóór|voor|uiterlijk)\s+20[2-4]\d\b.*\b\d+\b|\b\d+\b.*\b(?:in|vóór|uiterlijk)\s+20[2-4]\d\b)",
    re.IGNORECASE,
)
# what makes a number a target (a KPI) rather than a statistic: a goal word, or a forward-looking movement
# ("stijgt naar 65 procent in 2028", "is in 2028 gedaald naar 11 procent"; not "is gestegen van 9,8 naar 12,4")
_GOAL_WORDS = re.compile(
    r"\b(doel|doelstelling|streef|streven|indicator|kpi|resultaat|bereiken|toename|afname|stijgt|daalt|groeit"
    r"|gedaald naar|gestegen naar|ten minste|minimaal)",
    re.I,
)


def _facts(sentences: Sequence[tuple[str, str, str, int]], limit: int = 2) -> list[DocumentFact]:
    """Budget lines with amounts and targets with numbers, as the document states them (quotable sentences)."""
    budget: list[DocumentFact] = []
    goals: list[DocumentFact] = []
    seen: set[str] = set()
    for sentence, page_text, cite, _ in sentences:
        words = sentence.split()
        if len(words) < 6 or sentence.count("|") >= 2:
            continue  # a table row or a fragment is no statement
        for kind, pattern, bucket in (("budget", _AMOUNT, budget), ("doel", _TARGET, goals)):
            if len(bucket) >= limit or not pattern.search(sentence):
                continue
            if kind == "doel" and not _GOAL_WORDS.search(sentence):
                continue
            quote = _quoted(sentence, pattern)
            if quote in seen or len(quote) > MAX_QUOTE or not verify_quote(quote, page_text):
                continue
            seen.add(quote)
            bucket.append(DocumentFact(kind, quote, cite))  # type: ignore[arg-type]
            break
    return budget + goals


@dataclass(frozen=True)
class _ActorPattern:
    label: str
    pattern: re.Pattern[str]
    environment: str
    bridge: bool
    named: bool
    role: str | None


@lru_cache(maxsize=1)
def _actor_patterns() -> tuple[_ActorPattern, ...]:
    from scanner.resources import corpus_dir

    data = yaml.safe_load((corpus_dir() / "actors.yaml").read_text(encoding="utf-8"))
    out = []
    for a in data["actors"]:
        named = bool(a.get("named", False))
        flags = 0 if named else re.IGNORECASE
        out.append(_ActorPattern(a["label"], re.compile(rf"\b(?:{a['pattern']})\b", flags), a["environment"],
                                 bool(a.get("bridge", False)), named, a.get("role")))  # fmt: skip
    return tuple(out)


def find_actors(records: Sequence[DocumentRecord]) -> list[Actor]:
    """The organisations and roles the documents name, each once, with the first sentence that names it."""
    multi = len(records) > 1
    found: dict[str, Actor] = {}
    for sentence, page_text, cite, page in _sentences(records, multi):
        for ap in _actor_patterns():
            for m in ap.pattern.finditer(sentence):
                label = " ".join(m.group(0).split()) if ap.named else ap.label
                if label in found:
                    continue
                quote = _quoted(sentence, re.compile(re.escape(m.group(0).lower())))
                if not verify_quote(quote, page_text):
                    continue
                found[label] = Actor(label, ap.environment, ap.bridge, quote, cite, ap.role, page)
                if not ap.named:
                    break
    return list(found.values())


def _strengths(result: ScanResult, fw: Framework, per_environment: int = 2) -> dict[str, list[Strength]]:
    out: dict[str, list[Strength]] = {}
    for env in fw.environments:
        covered = [f for f in result.findings if f.environment == env.id and f.effective_status == "covered"]
        covered = [f for f in covered if f.evidence]
        covered.sort(key=lambda f: -max(e.score for e in f.evidence))
        out[env.label] = [Strength(f.label, max(f.evidence, key=lambda e: e.score)) for f in covered[:per_environment]]
    return out


_RANK = {("ho", "not_found"): 0, ("ho", "partial"): 1, ("bb", "not_found"): 2, ("bb", "partial"): 3}


def ranked_gaps(result: ScanResult, fw: Framework) -> list[Gap]:
    """The gaps with advice, most important first: missing handelingsopties, partial ones, missing bruggenbouwers,
    partial ones; within each, the environment with the least coverage first (the framework's order otherwise)."""
    share = {
        env.id: sum(f.effective_status == "covered" for f in result.findings if f.environment == env.id)
        / max(1, sum(f.environment == env.id for f in result.findings))
        for env in fw.environments
    }
    gaps = [g for g in result.gaps if g.advice]
    return sorted(gaps, key=lambda g: (_RANK.get((g.dimension, g.status), 4), share.get(g.environment, 1.0)))


def _priorities(result: ScanResult, fw: Framework, most: int = 4, per_environment: int = 2) -> list[Priority]:
    """The gaps that matter most: missing handelingsopties before partial ones, then missing bruggenbouwers; the
    environment with the least coverage first; at most two per environment, so every environment is heard."""
    gaps = ranked_gaps(result, fw)
    env_label = {e.id: e.label for e in fw.environments}
    out: list[Priority] = []
    per: dict[str, int] = {}
    seen_options: set[str] = set()
    for g in gaps:
        if len(out) >= most:
            break
        a = next((a for a in g.advice if a.option_id not in seen_options), None)
        if a is None or per.get(g.environment, 0) >= per_environment:
            continue
        seen_options.add(a.option_id)
        per[g.environment] = per.get(g.environment, 0) + 1
        out.append(
            Priority(
                env_label.get(g.environment, g.environment),
                g.label,
                STATUS_NL[g.status],
                a.option_label,
                a.advice,
                tuple(a.roles),
            )
        )
    return out


def management_summary(
    result: ScanResult, fw: Framework, records: Mapping[str, DocumentRecord] | None = None
) -> ManagementSummary:
    """The summary of one scan; with ``records`` (by SHA-256) it also reads what the documents commit and name."""
    docs = [records[d.sha256] for d in result.documents if records and d.sha256 in records]
    facts = _facts(_sentences(docs, len(docs) > 1)) if docs else []
    # the roles that matter for the advice first: bruggenbouwers, then actors of one of the three environments,
    # then general partners (huisartsen, scholen, GGD); in the order the document names them within each
    actors = sorted(find_actors(docs), key=lambda a: (not a.bridge, a.environment == "algemeen")) if docs else []
    counts = {s: sum(f.effective_status == s for f in result.findings) for s in STATUSES}
    return ManagementSummary(counts, _strengths(result, fw), _priorities(result, fw), facts, actors)


def actor_list(actors: Sequence[Actor]) -> str:
    """ "Sportraad (p. 2), Home-Start (p. 8)": how every output names the document's actors."""
    return ", ".join(f"{a.label} (p. {a.page})" for a in actors)


def named_roles(actors: Sequence[Actor], role_ids: Sequence[str]) -> list[Actor]:
    """The actors the document names that are instances of these framework roles (bruggenbouwers)."""
    wanted = set(role_ids)
    return [a for a in actors if a.role in wanted]
