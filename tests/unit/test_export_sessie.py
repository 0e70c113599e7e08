"""The expert-session pack: the agenda, six to ten grounded stellingen (the biggest gaps first, no template twice,
grammatical), the invitation list by name, per environment what the policy does, its gaps, the options and bridge
builders, and a one-page A3 landscape overview."""

from __future__ import annotations

import io
import re

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.shared import Mm

from scanner.export._common import one_line
from scanner.export.sessie import AGENDA, session_gaps, session_pack_docx, session_statements
from scanner.summary import find_actors, management_summary
from tests.unit.test_export_common import Sample, build_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(tmp_path_factory)


@pytest.fixture(scope="module")
def doc(sample: Sample) -> DocxDocument:
    records = {sample.record.sha256: sample.record}
    return docx.Document(io.BytesIO(session_pack_docx(sample.result, sample.fw, records)))


def _style(p: object) -> str:
    return p.style.name if p.style is not None else ""  # type: ignore[attr-defined]


def test_each_environment_has_its_parts(doc: DocxDocument, sample: Sample) -> None:
    h1 = [p.text for p in doc.paragraphs if _style(p) == "Heading 1"]
    assert h1[:4] == ["Over deze sessie", "Agenda (twee uur)", "Stellingen", "Uitnodigen"]
    assert h1[4:7] == [e.label for e in sample.fw.environments]
    h2 = [p.text for p in doc.paragraphs if _style(p) == "Heading 2"]
    parts = [
        "Wat het beleid al doet",
        "Lacunes",
        "Handelingsopties om te bespreken",
        "Bruggenbouwers om uit te nodigen",
    ]
    assert h2 == parts * len(sample.fw.environments)
    agenda = next(t for t in doc.tables if t.rows[0].cells[0].text == "Tijd")
    assert [[c.text for c in row.cells] for row in agenda.rows[1:]] == [list(r) for r in AGENDA]


def test_what_the_policy_already_does_is_quoted_with_pages(doc: DocxDocument, sample: Sample) -> None:
    quotes = "\n".join(p.text for p in doc.paragraphs if _style(p) == "Quote")
    for f in sample.result.findings:
        if f.effective_status == "covered" and f.evidence:
            e = f.evidence[0]
            assert f"“{one_line(e.quote)}” (p. {e.page}" in quotes


# A Dutch sentence as a person writes it: a capital first, one full stop at the end (a page "p. 6" and an amount
# "€ 150.000" aside), balanced quotes and brackets, no doubled words or spaces.
def _grammatical(text: str) -> bool:
    inner = re.sub(r"\bp\. |\d\.\d", "", text[:-1])
    return (
        text[:1].isupper() and text[-1:] in ".!?" and not re.search(r"[.!?]", inner) and "  " not in text
        and text.count("(") == text.count(")") and text.count("‘") == text.count("’")
        and not re.search(r"\b(\w+) \1\b", text, re.IGNORECASE)
    )  # fmt: skip


def test_six_to_ten_stellingen_biggest_gaps_first_each_template_once(sample: Sample) -> None:
    fw, r = sample.fw, sample.result
    records = {sample.record.sha256: sample.record}
    ms = management_summary(r, fw, records)
    statements = session_statements(r, fw, ms.actors, ms.facts)
    assert statements == session_statements(r, fw, ms.actors, ms.facts)  # deterministic
    assert 6 <= len(statements) <= 10
    assert len({s.template for s in statements}) == len(statements)  # no template twice
    assert len({s.text for s in statements}) == len(statements)
    order = {"ho": 0, "bb": 1}
    kinds = [order.get(fw.element(s.based_on).dimension, 2) for s in statements]
    assert kinds == sorted(kinds) or kinds[0] == 0  # the options first
    for s in statements:
        assert _grammatical(s.text), s.text
        assert s.about not in s.text  # a label is shown above the statement, never pasted into it
        f = r.finding(s.based_on)
        assert f.effective_status != "covered"
        if f.evidence:  # grounded in what the document says, verbatim with its page
            assert one_line(f.evidence[0].quote) in s.in_document and "(p. " in s.in_document
        else:
            assert s.in_document.startswith("niet genoemd")
        assert fw.element(s.based_on).source.location in s.in_framework


def test_the_statements_in_the_pack_read_as_written(doc: DocxDocument) -> None:
    texts = [p.text.removeprefix("Stelling: ") for p in doc.paragraphs if p.text.startswith("Stelling: ")]
    assert 6 <= len(texts) <= 10
    assert all(_grammatical(t) for t in texts), [t for t in texts if not _grammatical(t)]


def test_the_invitation_list_names_the_documents_actors_and_only_suggests_the_frameworks(
    doc: DocxDocument, sample: Sample
) -> None:
    paragraphs = [p.text for p in doc.paragraphs]
    start = paragraphs.index("Uitnodigen")
    block = "\n".join(paragraphs[start + 1 : start + 6])
    actors = find_actors([sample.record])
    for a in actors:
        assert f"{a.label} (p. {a.page})" in block, a.label
    assert "Home-Start" in block and "Sportraad" in block
    # a framework role the document does not name is only suggested, never listed as present
    for line in block.splitlines():
        named = line.split("Het kader stelt voor")[0]
        assert "Netwerkcoördinatoren" not in named


def test_gaps_are_listed_per_environment(doc: DocxDocument, sample: Sample) -> None:
    text = "\n".join(p.text for p in doc.paragraphs)
    for env in sample.fw.environments:
        for g in session_gaps(sample.result, sample.fw, env.id):
            assert g.finding.label in text
    lowered = sample.result.finding(sample.lowered)
    assert f"{lowered.label} — niet gevonden (aangepast bij review; scan: gedekt)" in text


def test_options_and_roles_to_invite_are_listed(doc: DocxDocument, sample: Sample) -> None:
    text = "\n".join(p.text for p in doc.paragraphs)
    for g in sample.result.gaps:
        for a in g.advice:
            assert a.advice in text
            for role in a.roles:
                assert role in text
    for env in sample.fw.environments:
        for el in sample.fw.elements_of(env.id, "bb"):
            assert el.label in text


def test_the_last_section_is_one_a3_landscape_overview(doc: DocxDocument, sample: Sample) -> None:
    first, last = doc.sections[0], doc.sections[-1]

    def mm(length: object) -> int:
        return round(length / Mm(1))  # type: ignore[operator]

    assert (mm(first.page_width), mm(first.page_height)) == (210, 297)  # A4 portrait
    assert last.orientation == WD_ORIENT.LANDSCAPE
    assert (mm(last.page_width), mm(last.page_height)) == (420, 297)  # A3 landscape
    assert len(doc.sections) == 2
    # its content: heading, the figure and the detailed matrix table with every element
    overview = doc.tables[-1]
    assert overview.rows[0].cells[0].text == "Omgeving" and len(overview.rows) == 4
    cells = "\n".join(c.text for row in overview.rows for c in row.cells)
    for f in sample.result.findings:
        assert f.label in cells
    assert f"{sample.result.finding(sample.lowered).label} (niet gevonden *)" in cells
    assert len(doc.inline_shapes) == 1
