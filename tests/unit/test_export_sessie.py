"""The expert-session pack: per environment what the policy does, gaps with two or three statements each, the
options and bridge builders, and a one-page A3 landscape overview."""

from __future__ import annotations

import io

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.shared import Mm

from scanner.export._common import one_line
from scanner.export.sessie import session_gaps, session_pack_docx, stellingen
from scanner.results import STATUS_NL
from tests.unit.test_export_common import Sample, build_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(tmp_path_factory)


@pytest.fixture(scope="module")
def doc(sample: Sample) -> DocxDocument:
    return docx.Document(io.BytesIO(session_pack_docx(sample.result, sample.fw)))


def _style(p: object) -> str:
    return p.style.name if p.style is not None else ""  # type: ignore[attr-defined]


def test_each_environment_has_its_parts(doc: DocxDocument, sample: Sample) -> None:
    h1 = [p.text for p in doc.paragraphs if _style(p) == "Heading 1"]
    assert h1[0] == "Over deze sessie"
    assert h1[1:4] == [e.label for e in sample.fw.environments]
    h2 = [p.text for p in doc.paragraphs if _style(p) == "Heading 2"]
    parts = ["Wat het beleid al doet", "Lacunes en stellingen", "Handelingsopties om te bespreken",
             "Bruggenbouwers om uit te nodigen"]  # fmt: skip
    assert h2 == parts * len(sample.fw.environments)


def test_what_the_policy_already_does_is_quoted_with_pages(doc: DocxDocument, sample: Sample) -> None:
    quotes = "\n".join(p.text for p in doc.paragraphs if _style(p) == "Quote")
    for f in sample.result.findings:
        if f.effective_status == "covered" and f.evidence:
            e = f.evidence[0]
            assert f"“{one_line(e.quote)}” (p. {e.page}" in quotes


def test_every_gap_gets_two_or_three_statements(doc: DocxDocument, sample: Sample) -> None:
    gaps = [f for f in sample.result.findings if f.effective_status != "covered"]
    paragraphs = doc.paragraphs
    h3 = [i for i, p in enumerate(paragraphs) if _style(p) == "Heading 3"]
    assert [paragraphs[i].text.rsplit(" (", 1)[0] for i in h3] == [
        g.finding.label for env in sample.fw.environments for g in session_gaps(sample.result, sample.fw, env.id)
    ]
    assert len(h3) == len(gaps)
    for i in h3:
        following = []
        for p in paragraphs[i + 1 :]:
            if _style(p).startswith("Heading"):
                break
            following.append(p.text)
        statements = [t for t in following if t.startswith("Stelling ")]
        assert 2 <= len(statements) <= 3, paragraphs[i].text
        assert sum(t.startswith("Onderbouwing: ") for t in following) == len(statements)
    # the reviewer's lowered option is among the gaps, with the judge's status named
    lowered = sample.result.finding(sample.lowered)
    assert any(paragraphs[i].text.startswith(f"{lowered.label} (niet gevonden") for i in h3)


def test_statements_are_grounded_in_the_framework_and_deterministic(sample: Sample) -> None:
    fw, r = sample.fw, sample.result
    for f in r.findings:
        if f.effective_status == "covered":
            continue
        first = stellingen(fw, r, f)
        assert first == stellingen(fw, r, f)
        assert 2 <= len(first) <= 3
        assert len({s.text for s in first}) == len(first)
        label = f.label[1:]  # the gap is named in its own statement (first letter may be lowered)
        assert label in first[0].text and first[0].based_on == f.element_id
        for s in first:
            el = fw.element(s.based_on)
            assert "Bron in het kader: " in s.grounding and el.source.location in s.grounding
            assert el.environment == f.environment or fw.dimension(el.dimension).is_role
        # the second statement comes from a factor or risk of the same environment
        factor = fw.element(first[1].based_on)
        assert factor.environment == f.environment and factor.dimension == "fm"
        assert STATUS_NL[r.finding(factor.id).effective_status] in first[1].grounding


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
