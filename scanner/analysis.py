"""Gap analysis and advice, composed from the framework data (deterministic, always available).

A gap is an action option (handelingsoptie) or a bridge-builder role (bruggenbouwer) that is partial or not
found. Each gets the framework's option(s), the roles that carry them, what the document already has to build
on, and the source reference. The value and factor elements of the same environment are given as context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scanner.frameworks import Element, Framework
from scanner.results import STATUS_NL, STATUSES, EnvironmentSummary, Evidence, Finding, Gap, GapAdvice, ScanResult

__all__ = ["MatrixCell", "apply_overrides", "coverage_matrix", "environment_summaries", "find_gaps"]


def _source(fw: Framework, el: Element) -> str:
    work = next((w for w in fw.sources if w.id == el.source.work), None)
    citation = work.citation if work else el.source.work
    return f"{citation}, {el.source.location}"


@dataclass(frozen=True)
class MatrixCell:
    """One cell of the coverage matrix (environment x dimension): its findings, counted by effective status."""

    environment: str
    dimension: str
    findings: tuple[Finding, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.findings if f.effective_status == s) for s in STATUSES}

    @property
    def total(self) -> int:
        return len(self.findings)

    @property
    def reviewed(self) -> int:
        return sum(1 for f in self.findings if f.override)

    @property
    def score(self) -> float:
        """0 (nothing found) to 1 (all covered); partial counts half."""
        c = self.counts
        return (c["covered"] + 0.5 * c["partial"]) / self.total if self.total else 0.0

    @property
    def dominant(self) -> str | None:
        """The status of most elements in the cell; ties go to the weaker status."""
        if not self.findings:
            return None
        c = self.counts
        return max(reversed(STATUSES), key=lambda s: c[s])

    def counts_text(self) -> str:
        c = self.counts
        return f"{c['covered']} gedekt · {c['partial']} deels · {c['not_found']} niet gevonden"


def coverage_matrix(result: ScanResult, fw: Framework) -> dict[tuple[str, str], MatrixCell]:
    """Environment x dimension cells with their findings, in the framework's order (the reports and the UI)."""
    return {
        (env.id, dim.id): MatrixCell(
            env.id, dim.id, tuple(f for f in result.findings if f.environment == env.id and f.dimension == dim.id)
        )
        for env in fw.environments
        for dim in fw.dimensions
    }


def environment_summaries(fw: Framework, findings: Sequence[Finding]) -> list[EnvironmentSummary]:
    out = []
    for env in fw.environments:
        fs = [f for f in findings if f.environment == env.id]
        counts = {s: sum(1 for f in fs if f.effective_status == s) for s in ("covered", "partial", "not_found")}
        n = len(fs) or 1
        addressed = counts["covered"] + counts["partial"]
        actions = [f for f in fs if fw.dimension(f.dimension).is_action]
        actions_covered = sum(1 for f in actions if f.effective_status == "covered")
        if counts["covered"] / n >= 0.6:
            tone = "stevig verankerd in het beleid"
        elif addressed / n >= 0.5:
            tone = "deels uitgewerkt; een aantal onderdelen blijft vaag of ontbreekt"
        elif addressed > 0:
            tone = "nauwelijks uitgewerkt"
        else:
            tone = "niet aangetroffen in het document"
        verdict = (
            f"{env.label}: {tone} ({counts['covered']} gedekt, {counts['partial']} deels, "
            f"{counts['not_found']} niet gevonden van {len(fs)}; "
            f"{actions_covered} van {len(actions)} handelingsopties gedekt)."
        )
        out.append(EnvironmentSummary(environment=env.id, label=env.label, counts=counts, verdict=verdict))
    return out


def _advice_for(fw: Framework, option: Element, builds_on: list[Evidence]) -> GapAdvice:
    roles = [fw.element(r) for r in option.roles]
    return GapAdvice(
        option_id=option.id,
        option_label=option.label,
        advice=option.advice or option.description,
        roles=[r.label for r in roles],
        role_ids=[r.id for r in roles],
        builds_on=builds_on,
        source=_source(fw, option),
    )


def _builds_on(gap: Finding, option: Element, by_id: Mapping[str, Finding]) -> list[Evidence]:
    """What the document really offers to build this option on, never a neighbour's quote about something else:
    the gap's own partial evidence (the document speaks of it, not yet firmly), then the option itself where the
    document covers it (the gap is a role that could carry it), then a bruggenbouwer of the option the document
    covers. Empty where the document offers nothing; the outputs then show no aanknopingspunt."""
    out: list[Evidence] = list(gap.evidence[:2]) if gap.effective_status == "partial" else []
    linked = [option.id, *option.roles]
    for eid in linked:
        x = by_id.get(eid)
        if x is None or x.element_id == gap.element_id or x.effective_status != "covered" or not x.evidence:
            continue
        if len(out) >= 3:
            break
        if all(x.evidence[0].quote != e.quote for e in out):
            out.append(x.evidence[0])
    return out


def find_gaps(fw: Framework, findings: Sequence[Finding]) -> list[Gap]:
    by_id = {f.element_id: f for f in findings}
    gaps = []
    for f in findings:
        dim = fw.dimension(f.dimension)
        if f.effective_status == "covered" or not (dim.is_action or dim.is_role):
            continue
        el = fw.element(f.element_id)
        same_env = [x for x in findings if x.environment == f.environment]
        context = [
            f"{x.label}: {STATUS_NL[x.effective_status]}"
            for x in same_env
            if not (fw.dimension(x.dimension).is_action or fw.dimension(x.dimension).is_role)
        ]
        # a missing role: the options it carries
        options = [el] if dim.is_action else [o for o in fw.elements if el.id in o.roles]
        advice = [_advice_for(fw, o, _builds_on(f, o, by_id)) for o in options]
        gaps.append(
            Gap(
                element_id=f.element_id,
                environment=f.environment,
                dimension=f.dimension,
                label=f.label,
                status=f.effective_status,
                context=context,
                advice=advice,
            )
        )
    return gaps


def apply_overrides(result: ScanResult, fw: Framework, overrides: Mapping[str, Mapping[str, str] | None]) -> ScanResult:
    """A copy of the result with reviewers' changes per element id, and summary and gaps recomputed.

    An override is {"status": ..., "note": ..., "by": ..., "at": ...}; None removes an earlier one.
    The judge's own status stays in the finding, so a review never hides what the tool found.
    """
    unknown = set(overrides) - {f.element_id for f in result.findings}
    if unknown:
        raise KeyError(f"Onbekende element-id's in de beoordeling: {', '.join(sorted(unknown))}")
    findings = []
    for f in result.findings:
        if f.element_id in overrides:
            o = overrides[f.element_id]
            if o is not None and o.get("status") not in STATUS_NL:
                raise ValueError(f"Ongeldige status '{o.get('status')}' voor {f.element_id}")
            f = f.model_copy(update={"override": dict(o) if o is not None else None})
        findings.append(f)
    return result.model_copy(
        update={
            "findings": findings,
            "summary": environment_summaries(fw, findings),
            "gaps": find_gaps(fw, findings),
        }
    )
