"""The expert-session pack (Word, Dutch): an agenda with time slots and a werkvorm per part, six to ten stellingen
prioritised by the size of the gap, the invitation list by name (the organisations and roles the document names,
and the bruggenbouwers the framework suggests adding), then per environment what the policy already does, its gaps,
the action options to discuss and the bridge builders, and a one-page A3 landscape overview of the matrix.

The stellingen are composed deterministically, never by a language model: each is a whole sentence of its own
(no framework label is pasted into a sentence, which is how ungrammatical statements arise), each template is used
once, and each is grounded in what the document says (its quote with page, an amount, a named actor, or the
omission with the nearest page) and in the framework (the element's description and its place in the source).
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.shared import Cm

from scanner.export._common import (
    STATUS_INK,
    cite,
    framework_warning,
    one_line,
    override_text,
    scan_title,
    status_text,
)
from scanner.export._word import add_table, matrix_table, new_document, para, run, set_a3_landscape, to_bytes
from scanner.export.figures import matrix_png
from scanner.frameworks import Element, Framework
from scanner.results import STATUS_NL, Finding, GapAdvice, ScanResult
from scanner.summary import Actor, DocumentFact, actor_list, management_summary
from scanner.types import DocumentRecord

__all__ = ["AGENDA", "SessionGap", "Stelling", "session_gaps", "session_pack_docx", "session_statements"]


@dataclass(frozen=True)
class Stelling:
    text: str  # the statement: one whole Dutch sentence
    about: str  # the framework element's label (shown above it, never inside it)
    environment: str  # label
    status: str  # Dutch status of the element in the scan
    in_document: str  # what the document says (quote with page), or that it is silent (with the nearest page)
    in_framework: str  # the element's description and its place in the source
    based_on: str  # element id
    template: str  # which template made it (each is used once per pack)


@dataclass(frozen=True)
class SessionGap:
    finding: Finding
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


# Statement templates by the kind of gap: (dimension kind, status) -> templates, each a whole sentence; {actor},
# {amount} and {page} are the only slots (proper names, amounts and numbers read well anywhere).
_TEMPLATES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("ho", "not_found"): (
        ("ho-maatregel", "Dit hoort in het beleid als concrete maatregel, met een budget, een trekker en een termijn."),
        ("ho-toeval", "Zolang hier niets over is afgesproken, hangt het van toevallige personen af of dit gebeurt."),
        ("ho-praktijk", "Dit kan de gemeente beter aan de organisaties in de praktijk overlaten dan zelf regelen."),
    ),
    ("ho", "partial"): (
        ("ho-vrijblijvend", "Wat het document hierover zegt, is te vrijblijvend om in de uitvoering op te sturen."),
        ("ho-genoeg", "Wat er nu staat, is genoeg om mee te beginnen; de rest kan in de uitvoering groeien."),
        ("ho-budget", "Het bedrag van {amount} (p. {page}) kan ook voor dit doel worden ingezet."),
    ),
    ("bb", "not_found"): (
        ("bb-ontbreekt", "Zonder iemand die deze rol vervult, blijven de handelingsopties in deze omgeving liggen."),
        ("bb-bestaand", "Deze rol kan worden belegd bij wie er al is; een nieuwe functie is niet nodig."),
    ),
    ("bb", "partial"): (
        ("bb-actor", "{actor} (p. {page}) kan deze verbindende rol op zich nemen, als er tijd en opdracht bij komen."),
        ("bb-taak", "Deze rol staat in het beleid, maar zonder duidelijke taak en zonder uren."),
    ),
    ("waarde", "not_found"): (
        ("waarde-stil", "Het beleid zegt niet waarom dit ertoe doet, en daardoor krijgt het geen geld of aandacht."),
        ("waarde-vanzelf", "Dit gebeurt vanzelf wel; daar hoeft de gemeente geen beleid voor te maken."),
    ),
    ("waarde", "partial"): (("waarde-noemen", "Het document noemt dit, maar maakt niet waar wat het belooft."),),
}


def _kind(fw: Framework, f: Finding) -> str:
    d = fw.dimension(f.dimension)
    return "ho" if d.is_action else "bb" if d.is_role else "waarde"


def _gap_size(fw: Framework, f: Finding) -> tuple[int, int]:
    """Bigger gaps first: missing options, then vague options, missing roles, vague roles, then values and factors."""
    rank = {("ho", "not_found"): 0, ("ho", "partial"): 1, ("bb", "not_found"): 2, ("bb", "partial"): 3,
            ("waarde", "not_found"): 4, ("waarde", "partial"): 5}  # fmt: skip
    return rank[(_kind(fw, f), f.effective_status)], 0


def session_statements(
    result: ScanResult,
    fw: Framework,
    actors: Sequence[Actor] = (),
    facts: Sequence[DocumentFact] = (),
    most: int = 10,
) -> list[Stelling]:
    """Six to ten stellingen for the session, the biggest gaps first, at most three per environment, each template
    once; grounded in the document (quote, amount, actor or omission) and in the framework."""
    gaps = [f for f in result.findings if f.effective_status != "covered" and f.element_id in fw.by_id]
    gaps.sort(key=lambda f: _gap_size(fw, f))
    used: set[str] = set()
    per_env: Counter[str] = Counter()
    budget = next((x for x in facts if x.kind == "budget"), None)
    out: list[Stelling] = []
    for f in gaps:
        if len(out) >= most:
            break
        if per_env[f.environment] >= 3 and len(gaps) > most:
            continue
        el = fw.element(f.element_id)
        named = [a for a in actors if a.role == el.id]
        for key, template in _TEMPLATES.get((_kind(fw, f), f.effective_status), ()):
            if key in used or ("{amount}" in template and budget is None) or ("{actor}" in template and not named):
                continue
            if "{amount}" in template and budget is not None:
                amount = re.search(r"€\s?[\d.,]+(?:\s?(?:mln|miljoen))?", budget.quote)
                page = re.search(r"p\. (\d+)", budget.citation)
                if not amount or not page:
                    continue
                text = template.format(amount=amount.group(0), page=page.group(1))
            elif "{actor}" in template:
                text = template.format(actor=named[0].label[:1].upper() + named[0].label[1:], page=named[0].page)
            else:
                text = template
            used.add(key)
            per_env[f.environment] += 1
            out.append(
                Stelling(
                    text=text, about=el.label, environment=fw.environment(el.environment).label,
                    status=STATUS_NL[f.effective_status], in_document=_in_document(f),
                    in_framework=f"{_first_sentence(el.description)} (bron in het kader: {el.source.location})",
                    based_on=el.id, template=key,
                )
            )  # fmt: skip
            break
    return out


def _in_document(f: Finding) -> str:
    if f.evidence:
        e = f.evidence[0]
        return f"“{one_line(e.quote)}” ({cite(e)})"
    if f.searched.passages:
        return f"niet genoemd; het dichtst erbij komt p. {f.searched.passages[0].page}"
    return "niet genoemd"


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
        out.append(SessionGap(f, tuple(_options_for(fw, el)), advice.get(f.element_id, ())))
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
    doc.add_heading("Lacunes", level=2)
    if not gaps:
        para(
            doc,
            "Alle elementen van deze omgeving zijn gedekt. Bespreek of de uitvoering waarmaakt wat het beleid belooft.",
        )
        return
    for g in gaps:
        f = g.finding
        p = para(doc, style="List Bullet")
        run(p, f.label, bold=True)
        run(p, f" — {status_text(f)} ({fw.dimension(f.dimension).label.lower()})", color=STATUS_INK[f.effective_status])
        note = override_text(f)
        if note:
            para(doc, note, italic=True, size=9, color="7A4A00")


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


AGENDA = (
    ("0:00–0:10", "Opening: doel van de sessie en de uitkomst van de scan in het kort", "plenair, met de A3-plaat"),
    ("0:10–0:25", "Wat het beleid al doet: herkennen de deelnemers dit in de praktijk?", "rondje: één voorbeeld p.p."),
    ("0:25–1:05", "Stellingen: de grootste lacunes", "stemmen (eens/oneens), dan in duo's onderbouwen"),
    ("1:05–1:35", "Handelingsopties: welke eerst?", "stickers plakken (elk drie stemmen), dan nabespreken"),
    ("1:35–1:50", "Bruggenbouwers: wie pakt wat op?", "actiekaart: wie, wat, wanneer"),
    ("1:50–2:00", "Afsluiting en vervolgafspraken", "plenair"),
)


def _agenda(doc: DocxDocument) -> None:
    doc.add_heading("Agenda (twee uur)", level=1)
    add_table(doc, ["Tijd", "Onderdeel", "Werkvorm"], [list(row) for row in AGENDA], size=9)


def _stellingen_section(doc: DocxDocument, statements: list[Stelling]) -> None:
    doc.add_heading("Stellingen", level=1)
    if not statements:
        para(doc, "Geen: alle elementen van het kader zijn gedekt. Bespreek of de uitvoering het beleid waarmaakt.")
        return
    para(
        doc,
        "De grootste lacunes eerst. Laat de deelnemers per stelling eerst kiezen (eens / oneens) en daarna "
        "uitleggen waarom. Onder elke stelling staat waar ze op rust: wat het document zegt (of dat het zwijgt) en "
        "wat het kader erover zegt.",
        size=9.5,
    )
    for i, st in enumerate(statements, start=1):
        doc.add_heading(f"{i}. {st.about} ({st.environment}; {st.status})", level=3)
        p = para(doc)
        run(p, "Stelling: ", bold=True)
        run(p, st.text)
        para(doc, f"In het document: {st.in_document}", size=9)
        para(doc, f"In het kader: {st.in_framework}", size=8.5, color="666666")


def _invitations(doc: DocxDocument, fw: Framework, result: ScanResult, actors: Sequence[Actor]) -> None:
    """Whom to invite, by name: who the document names, per environment; and the roles the framework suggests
    that the document does not name (never presented as if the municipality had them)."""
    doc.add_heading("Uitnodigen", level=1)
    for env in fw.environments:
        p = para(doc)
        run(p, f"{env.label}: ", bold=True)
        named = [a for a in actors if a.environment == env.id]
        run(p, ("genoemd in het document: " + actor_list(named) + ". ")
            if named else "het document noemt hier geen organisatie of rol. ")  # fmt: skip
        roles = [e for e in fw.elements_of(env.id) if fw.dimension(e.dimension).is_role]
        missing = [r.label for r in roles if not any(a.role == r.id for a in actors)]
        if missing:
            run(p, "Het kader stelt voor (nog niet genoemd in het document): " + "; ".join(missing) + ".", italic=True)
    general = [a for a in actors if a.environment == "algemeen"]
    if general:
        para(doc, "Verder genoemd in het document: " + actor_list(general) + ".")


def _overview_a3(doc: DocxDocument, result: ScanResult, fw: Framework) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    set_a3_landscape(section)
    doc.add_heading(f"Overzicht: {scan_title(result)}", level=1)
    changed = any(f.override and f.effective_status != f.status for f in result.findings)
    legend = "● gedekt · ◐ deels · ○ niet gevonden" + ("; * = aangepast bij review" if changed else "")
    para(doc, f"Getoetst aan {fw.title}. {legend}.", size=10)  # the legend explains only marks that occur
    doc.add_picture(io.BytesIO(matrix_png(result, fw)), width=Cm(24))
    matrix_table(doc, result, fw, detail=True)


def session_pack_docx(result: ScanResult, fw: Framework, records: Mapping[str, DocumentRecord] | None = None) -> bytes:
    """The session pack as .docx bytes: agenda, stellingen and invitations, then A4 portrait pages per environment,
    then one A3 landscape overview page. ``records`` (by SHA-256) let it name the document's own actors and
    amounts; without them the stellingen rest on the quotes alone."""
    title = scan_title(result)
    doc = new_document(f"Expertsessie: {title}")
    doc.add_heading(f"Expertsessie: {title}", level=0)
    para(doc, f"Gespreksmateriaal bij de quick scan, getoetst aan: {fw.title}", italic=True)
    warning = framework_warning(result, fw)
    if warning:
        para(doc, warning, bold=True, color="9B1C1C")
    ms = management_summary(result, fw, records)
    statements = session_statements(result, fw, ms.actors, ms.facts)
    doc.add_heading("Over deze sessie", level=1)
    para(
        doc,
        "Dit materiaal hoort bij een expertsessie van twee uur over de informele ondersteuning rond kinderen, "
        "jongeren en gezinnen. Eerst de agenda, de stellingen en wie u uitnodigt; daarna per omgeving wat het beleid "
        "al doet, de lacunes, de handelingsopties en de bruggenbouwers. Het laatste blad is een overzicht op A3 om "
        "op te hangen.",
    )
    for summary in result.summary:
        para(doc, summary.verdict, style="List Bullet")
    _agenda(doc)
    _stellingen_section(doc, statements)
    _invitations(doc, fw, result, ms.actors)
    gaps_by_env = {env.id: session_gaps(result, fw, env.id) for env in fw.environments}
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
