"""The expert-session pack (Word, Dutch): per environment what the policy already does, the gaps with two or three
discussion statements (stellingen) each, the action options to discuss, the bridge builders to invite, and a
one-page A3 landscape overview of the matrix.

The statements are composed deterministically from the framework data and the scan, never by a language model:
one from the gap's own description, one from the most related factor or risk of the same environment, and one
about the bridge builders who would carry it (or a second factor where no role applies).
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.shared import Cm

from scanner.export._common import (
    STATUS_INK,
    cite,
    framework_warning,
    lower_first,
    one_line,
    override_text,
    scan_title,
    status_text,
)
from scanner.export._word import matrix_table, new_document, para, run, set_a3_landscape, to_bytes
from scanner.export.figures import matrix_png
from scanner.frameworks import Element, Framework
from scanner.results import STATUS_NL, Finding, GapAdvice, ScanResult

__all__ = ["SessionGap", "Stelling", "session_gaps", "session_pack_docx", "stellingen"]


@dataclass(frozen=True)
class Stelling:
    text: str = ""
    grounding: str = ""  # where in the framework (and the scan) the statement comes from
    based_on: str = ""  # element id of the framework element it is grounded in


@dataclass(frozen=True)
class SessionGap:
    finding: Finding
    stellingen: tuple[Stelling, ...]
    options: tuple[Element, ...]  # action options to discuss for this gap
    advice: tuple[GapAdvice, ...]  # the scan's advice, for action options and roles


# --- relatedness between framework elements (IDF-weighted shared word stems), for picking factors and options ---

_WORD = re.compile(r"[a-zà-ÿ]{4,}", re.IGNORECASE)


@cache
def _stemmer() -> object:
    import snowballstemmer

    return snowballstemmer.stemmer("dutch")


def _stems(el: Element) -> frozenset[str]:
    text = " ".join([el.label, el.description, *el.cues])
    stem = _stemmer().stemWord  # type: ignore[attr-defined]
    return frozenset(stem(w.lower()) for w in _WORD.findall(text))


_VOCAB: dict[tuple[str, str, int], tuple[dict[str, frozenset[str]], dict[str, float]]] = {}


def _vocabulary(fw: Framework) -> tuple[dict[str, frozenset[str]], dict[str, float]]:
    """Stems per element and the inverse document frequency of each stem; computed once per framework."""
    key = (fw.id, fw.version, len(fw.elements))
    if key not in _VOCAB:
        stems = {e.id: _stems(e) for e in fw.elements}
        df: Counter[str] = Counter()
        for s in stems.values():
            df.update(s)
        n = len(fw.elements)
        _VOCAB[key] = (stems, {t: math.log(n / c) for t, c in df.items()})
    return _VOCAB[key]


def _ranked(fw: Framework, el: Element, candidates: list[Element]) -> list[Element]:
    """Candidates by how much vocabulary they share with ``el`` (rare words count more); ties keep framework order."""
    stems, idf = _vocabulary(fw)
    own = stems[el.id]
    order = {e.id: i for i, e in enumerate(fw.elements)}

    def score(c: Element) -> float:
        return sum(idf[t] for t in own & stems[c.id])

    return sorted(candidates, key=lambda c: (-score(c), order[c.id]))


def _factor_elements(fw: Framework, env: str, exclude: str) -> list[Element]:
    """The factors and risks of an environment: elements that are neither options nor roles, leaving out the first
    such dimension (by convention the added value the policy aims at) when there are others."""
    dims = [d for d in fw.dimensions if not (d.is_action or d.is_role)]
    if len(dims) > 1:
        dims = dims[1:]
    ids = {d.id for d in dims}
    return [e for e in fw.elements_of(env) if e.dimension in ids and e.id != exclude]


def _first_sentence(text: str) -> str:
    s = " ".join(text.split())
    m = re.search(r"(?<=[.!?])\s", s)
    return s[: m.start()] if m else s


def _quote_ref(f: Finding) -> str:
    return f" (zie p. {f.evidence[0].page})" if f.evidence else ""


def stellingen(fw: Framework, result: ScanResult, finding: Finding) -> list[Stelling]:
    """Two or three discussion statements for a gap, composed from the framework and the scan."""
    el = fw.element(finding.element_id)
    dim = fw.dimension(el.dimension)
    env = fw.environment(el.environment)
    label, env_l = lower_first(el.label), lower_first(env.label)
    found = {f.element_id: f for f in result.findings}
    status_note = (
        "De scan vond dit thema alleen deels: vaag, zonder concrete maatregel of voor een andere doelgroep."
        if finding.effective_status == "partial"
        else "De scan vond hier niets over in het document."
    )
    grounding = f"Framework: {_first_sentence(el.description)} {status_note} Bron in het kader: {el.source.location}."
    if dim.is_action:
        own = f"Voor ‘{label}’ is in deze gemeente een concrete maatregel, opdracht of budget nodig; een voornemen is niet genoeg."  # noqa: E501
    elif dim.is_role:
        own = f"{el.label} moeten een vaste, benoemde rol krijgen als schakel tussen gemeente en praktijk in {env_l}."
    else:
        own = f"Het beleid moet expliciet maken waarom ‘{label}’ ertoe doet in {env_l}."
    out = [Stelling(own, grounding, el.id)]

    factors = _ranked(fw, el, _factor_elements(fw, el.environment, el.id))
    for factor in factors[:2]:
        f_label = lower_first(factor.label)
        ff = found.get(factor.id)
        f_status = ff.effective_status if ff else "not_found"
        if "risico" in factor.id or factor.label.lower().startswith("risico"):
            text = f"Als de gemeente werk maakt van ‘{label}’, is het grootste gevaar: {f_label}."
        elif f_status == "not_found":
            text = f"Zolang het beleid geen rekening houdt met ‘{f_label}’, komt ‘{label}’ niet van de grond."
        else:
            text = f"Het beleid erkent ‘{f_label}’ al{_quote_ref(ff) if ff else ''}, maar vertaalt dat nog niet naar ‘{label}’."  # noqa: E501
        f_ground = (
            f"{dim_label(fw, factor)} in {env_l}: {_first_sentence(factor.description)} In de scan: "
            f"{STATUS_NL[f_status]}. Bron in het kader: {factor.source.location}."
        )
        out.append(Stelling(text, f_ground, factor.id))
        if len(out) == 2:
            break

    roles = _roles_for(fw, el)
    carried = _options_for(fw, el) if dim.is_role else []
    if carried:
        option = carried[0]
        out.append(
            Stelling(
                f"Zonder {label} blijft ‘{lower_first(option.label)}’ een voornemen op papier.",
                "Handelingsoptie die deze bruggenbouwer draagt: "
                f"{_first_sentence(option.advice or option.description)} Bron in het kader: {option.source.location}.",
                option.id,
            )
        )
    elif roles:
        names = ", ".join(lower_first(r.label) for r in roles)
        text = f"De {names} hebben nu te weinig tijd en ruimte in hun takenpakket om ‘{label}’ waar te maken."
        r = roles[0]
        rf = found.get(r.id)
        r_status = STATUS_NL[rf.effective_status] if rf else STATUS_NL["not_found"]
        out.append(
            Stelling(
                text,
                f"Bruggenbouwer: {_first_sentence(r.description)} In de scan: {r_status}. "
                f"Bron in het kader: {r.source.location}.",
                r.id,
            )
        )
    elif len(factors) > 1:
        factor = factors[1]
        out.append(
            Stelling(
                f"Wie ‘{label}’ wil versterken, moet eerst ‘{lower_first(factor.label)}’ op orde hebben.",
                f"{_first_sentence(factor.description)} Bron in het kader: {factor.source.location}.",
                factor.id,
            )
        )
    if len(out) < 2:  # a framework without factors in this environment: a contrary statement still opens the talk
        out.append(
            Stelling(
                f"‘{el.label}’ kan de gemeente beter aan de praktijk overlaten dan in beleid vastleggen.",
                grounding,
                el.id,
            )
        )
    return out[:3]


def dim_label(fw: Framework, el: Element) -> str:
    return fw.dimension(el.dimension).label


def _roles_for(fw: Framework, el: Element) -> list[Element]:
    dim = fw.dimension(el.dimension)
    if dim.is_role:
        return [el]
    if dim.is_action:
        return [fw.element(r) for r in el.roles]
    options = _options_for(fw, el)
    return [fw.element(r) for r in options[0].roles] if options else []


def _options_for(fw: Framework, el: Element) -> list[Element]:
    """Action options to discuss for a gap: the option itself, the options a role carries, or the closest ones."""
    dim = fw.dimension(el.dimension)
    if dim.is_action:
        return [el]
    if dim.is_role:
        return [o for o in fw.elements if el.id in o.roles]
    actions = [e for e in fw.elements_of(el.environment) if fw.dimension(e.dimension).is_action]
    return _ranked(fw, el, actions)[:2]


def session_gaps(result: ScanResult, fw: Framework, environment: str) -> list[SessionGap]:
    """Every element of the environment that is partial or not found: options and roles first (with the scan's
    advice), then the added value and factors."""
    advice = {g.element_id: tuple(g.advice) for g in result.gaps}
    fs = [f for f in result.findings if f.environment == environment and f.effective_status != "covered"]
    fs = [f for f in fs if f.element_id in fw.by_id]

    def key(f: Finding) -> int:
        d = fw.dimension(f.dimension)
        return 0 if d.is_action else 1 if d.is_role else 2

    out = []
    for f in sorted(fs, key=key):
        el = fw.element(f.element_id)
        statements = tuple(stellingen(fw, result, f))
        out.append(SessionGap(f, statements, tuple(_options_for(fw, el)), advice.get(f.element_id, ())))
    return out


# --- the document ------------------------------------------------------------------------------------------------


def _already(doc: DocxDocument, fs: list[Finding]) -> None:
    doc.add_heading("Wat het beleid al doet", level=2)
    done = [f for f in fs if f.effective_status in ("covered", "partial")]
    if not done:
        para(doc, "De scan vond in deze omgeving nog niets in het beleid.")
        return
    for f in sorted(done, key=lambda f: f.effective_status != "covered"):
        p = para(doc, style="List Bullet")
        run(p, f.label, bold=True)
        run(p, " — ")
        run(p, status_text(f), color=STATUS_INK[f.effective_status])
        note = override_text(f)
        if note:
            para(doc, note, italic=True, size=9, color="7A4A00")
        for e in f.evidence[:2]:
            q = para(doc, style="Quote")
            run(q, f"“{one_line(e.quote)}”", size=9.5)
            run(q, f" ({cite(e)})", bold=True, size=9.5)


def _gap_section(doc: DocxDocument, fw: Framework, gaps: list[SessionGap]) -> None:
    doc.add_heading("Lacunes en stellingen", level=2)
    if not gaps:
        para(
            doc,
            "Alle elementen van deze omgeving zijn gedekt. Bespreek of de uitvoering waarmaakt wat het beleid belooft.",
        )
        return
    for g in gaps:
        f = g.finding
        dim = fw.dimension(f.dimension).label.lower()
        doc.add_heading(f"{f.label} ({STATUS_NL[f.effective_status]}, {dim})", level=3)
        note = override_text(f)
        if note:
            para(doc, note, italic=True, size=9, color="7A4A00")
        for i, s in enumerate(g.stellingen, start=1):
            p = para(doc)
            run(p, f"Stelling {i}. ", bold=True)
            run(p, s.text)
            para(doc, f"Onderbouwing: {s.grounding}", italic=True, size=8.5, color="666666")


def _options_section(doc: DocxDocument, result: ScanResult, fw: Framework, gaps: list[SessionGap]) -> list[Element]:
    doc.add_heading("Handelingsopties om te bespreken", level=2)
    found = {f.element_id: f for f in result.findings}
    seen: dict[str, Element] = {}
    for g in gaps:
        for o in g.options:
            seen.setdefault(o.id, o)
    if not seen:
        para(doc, "Geen: er zijn in deze omgeving geen lacunes.")
        return []
    for o in seen.values():
        f = found.get(o.id)
        p = para(doc, style="List Bullet")
        run(p, o.label, bold=True)
        if f:
            run(p, f" — in het beleid: {status_text(f)}", color=STATUS_INK[f.effective_status])
        para(doc, o.advice or o.description, size=9.5)
        if o.roles:
            para(doc, "Gedragen door: " + ", ".join(fw.element(r).label for r in o.roles) + ".", size=9)
        para(doc, f"Bron in het kader: {o.source.location}.", size=8.5, color="666666")
    return list(seen.values())


def _roles_section(doc: DocxDocument, result: ScanResult, fw: Framework, env: str, options: list[Element]) -> None:
    doc.add_heading("Bruggenbouwers om uit te nodigen", level=2)
    found = {f.element_id: f for f in result.findings}
    roles: dict[str, Element] = {}
    for o in options:
        for role_id in o.roles:
            roles.setdefault(role_id, fw.element(role_id))
    for el in fw.elements_of(env):
        if fw.dimension(el.dimension).is_role:
            roles.setdefault(el.id, el)
    for r in roles.values():
        f = found.get(r.id)
        carries = [o.label for o in options if r.id in o.roles]
        p = para(doc, style="List Bullet")
        run(p, r.label, bold=True)
        if f:
            run(p, f" — in het beleid: {status_text(f)}", color=STATUS_INK[f.effective_status])
        para(doc, _first_sentence(r.description), size=9.5)
        if carries:
            para(doc, "Voor het gesprek over: " + "; ".join(carries) + ".", size=9)
    if fw.notes:
        para(doc, fw.notes[0], italic=True, size=9)


def _overview_a3(doc: DocxDocument, result: ScanResult, fw: Framework) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    set_a3_landscape(section)
    doc.add_heading(f"Overzicht: {scan_title(result)}", level=1)
    para(
        doc,
        f"Getoetst aan {fw.title}. ● gedekt · ◐ deels · ○ niet gevonden; * = aangepast bij review.",
        size=10,
    )
    doc.add_picture(io.BytesIO(matrix_png(result, fw)), width=Cm(24))
    matrix_table(doc, result, fw, detail=True)


def session_pack_docx(result: ScanResult, fw: Framework) -> bytes:
    """The session pack as .docx bytes: A4 portrait pages per environment, then one A3 landscape overview page."""
    title = scan_title(result)
    doc = new_document(f"Expertsessie: {title}")
    doc.add_heading(f"Expertsessie: {title}", level=0)
    para(doc, f"Gespreksmateriaal bij de quick scan, getoetst aan: {fw.title}", italic=True)
    warning = framework_warning(result, fw)
    if warning:
        para(doc, warning, bold=True, color="9B1C1C")
    doc.add_heading("Over deze sessie", level=1)
    gaps_by_env = {env.id: session_gaps(result, fw, env.id) for env in fw.environments}
    n_gaps = sum(len(g) for g in gaps_by_env.values())
    para(
        doc,
        f"Per omgeving staat hieronder wat het beleid al doet, met citaten en pagina's, en welke {n_gaps} elementen "
        "deels of niet gevonden zijn. Bij elke lacune staan twee of drie stellingen om het gesprek te openen: laat "
        "deelnemers eerst kiezen (eens / oneens) en daarna uitleggen waarom. De stellingen zijn samengesteld uit het "
        "framework (factoren, risico's en bruggenbouwers van die omgeving) en de uitkomst van de scan; de "
        "onderbouwing staat eronder. Daarna volgen de handelingsopties om te bespreken en de bruggenbouwers om uit "
        "te nodigen. Het laatste blad is een overzicht op A3 om op te hangen.",
    )
    for s in result.summary:
        para(doc, s.verdict, style="List Bullet")
    for env in fw.environments:
        doc.add_heading(env.label, level=1)
        para(doc, _first_sentence(env.description), italic=True, size=9.5)
        fs = [f for f in result.findings if f.environment == env.id]
        _already(doc, fs)
        _gap_section(doc, fw, gaps_by_env[env.id])
        options = _options_section(doc, result, fw, gaps_by_env[env.id])
        _roles_section(doc, result, fw, env.id, options)
    _overview_a3(doc, result, fw)
    return to_bytes(doc)
