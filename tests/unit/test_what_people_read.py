"""What people read: every human-readable output of one scan opens with the management summary, shows element labels
(ids only in the appendix, "Verantwoording"), writes numbers, dates and page citations the Dutch way, and tells the
same truth (the same counts) as every other output of that scan."""

from __future__ import annotations

import io
import re

import docx
import openpyxl
import pytest

from scanner.export import render
from scanner.export.sessie import session_pack_docx
from scanner.results import nl_date, nl_number, nl_percent, page_citation
from scanner.summary import find_actors, management_summary
from tests.unit.test_export_common import Sample, build_sample

ID = re.compile(r"\b(?:buurt|vereniging|een-op-een)\.(?:mw|fm|ho|bb)\.[a-z0-9-]+")
APPENDIX = "Verantwoording"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(tmp_path_factory)


def _docx_text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _docx_before_appendix(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    body = d.element.body
    texts = []
    for el in body.iterchildren():
        text = "".join(t.text or "" for t in el.iter() if t.tag.endswith("}t"))
        if el.tag.endswith("}p") and text == APPENDIX:
            break
        texts.append(text)
    return "\n".join(texts)


def _readable(sample: Sample) -> dict[str, str]:
    """Each human-readable output of the sample scan, up to its appendix."""
    records = {sample.record.sha256: sample.record}
    html = render(sample.result, sample.fw, "html", records).decode("utf-8")
    md = render(sample.result, sample.fw, "md", records).decode("utf-8")
    return {
        "docx": _docx_before_appendix(render(sample.result, sample.fw, "docx", records)),
        "html": re.sub(
            r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html.split(f"<h2>{APPENDIX}</h2>")[0], flags=re.S)
        ),
        "md": md.split(f"## {APPENDIX}")[0],
        "sessie": _docx_before_appendix(session_pack_docx(sample.result, sample.fw)),
    }


def test_no_element_id_outside_the_appendix(sample: Sample) -> None:
    for name, text in _readable(sample).items():
        assert len(text) > 2000, name
        assert ID.findall(text) == [], name
    # and the appendix does carry them, for a researcher who needs them
    md = render(sample.result, sample.fw, "md").decode("utf-8")
    assert all(f"`{f.element_id}`" in md.split(f"## {APPENDIX}")[1] for f in sample.result.findings)


def test_no_probabilities_or_english_decimals_before_the_appendix(sample: Sample) -> None:
    for name, text in _readable(sample).items():
        text = text.replace(f"beleidsscan {sample.result.tool_version}", "")
        text = re.sub(r"(§|kader |tabel )\s?[\dS]+(\.\d+)*", "", text)  # places in the framework's source
        # an English decimal ("0.51"); a Dutch thousands point ("150.000", in quotes) has three digits after it
        english = re.findall(r".{0,40}\b\d+\.\d{1,2}\b(?!\.\d).{0,20}", text)
        assert not english, (name, english)
        assert "zekerheid" not in text.lower() and "kans 0" not in text, name
        assert "gedrukt" not in text, name  # one citation form: "p. 5, blz. 3 in het document"
        assert ".." not in text.replace("...", "").replace("…", ""), name


def test_every_output_tells_the_same_counts(sample: Sample) -> None:
    r = sample.result
    n = {s: sum(f.effective_status == s for f in r.findings) for s in ("covered", "partial", "not_found")}
    sentence = f"{n['covered']} gedekt, {n['partial']} deels, {n['not_found']} niet gevonden"
    records = {sample.record.sha256: sample.record}
    assert sentence in render(r, sample.fw, "html", records).decode("utf-8")
    assert sentence in render(r, sample.fw, "md", records).decode("utf-8")
    word = _docx_text(render(r, sample.fw, "docx", records))
    assert f"{n['covered']} zijn gedekt, {n['partial']} deels en {n['not_found']} niet gevonden" in word
    # the matrix cells of Word and HTML, and the workbook's rows, count the same statuses
    cells = re.findall(r"(\d+) gedekt · (\d+) deels · (\d+) niet gevonden", word)
    assert [sum(int(c[i]) for c in cells) for i in range(3)] == [n["covered"], n["partial"], n["not_found"]]
    html_cells = re.findall(r"(\d+) gedekt · (\d+) deels · (\d+) niet gevonden", render(r, sample.fw, "html").decode())
    assert html_cells == cells
    wb = openpyxl.load_workbook(io.BytesIO(render(r, sample.fw, "xlsx", records)))
    ws = wb["Bevindingen"]
    header = [c.value for c in ws[1]]
    col = header.index("status")
    statuses = [row[col] for row in ws.iter_rows(min_row=2, values_only=True) if row[col]]
    assert [statuses.count(s) for s in ("gedekt", "deels", "niet gevonden")] == [
        n["covered"], n["partial"], n["not_found"]
    ]  # fmt: skip


def test_the_management_summary_opens_every_report(sample: Sample) -> None:
    records = {sample.record.sha256: sample.record}
    ms = management_summary(sample.result, sample.fw, records)
    assert ms.priorities and len(ms.priorities) <= 5
    assert len({p.option for p in ms.priorities}) == len(ms.priorities)  # no option twice
    text = _readable(sample)
    for name in ("docx", "html", "md"):
        assert "Managementsamenvatting" in text[name][:3000], name
        assert "Wat het beleid al goed doet" in text[name] and "De belangrijkste kansen" in text[name], name
        for p in ms.priorities:
            assert p.option in text[name], (name, p.option)
    # what the document itself commits: an amount, quoted verbatim from its page
    budget = [f for f in ms.facts if f.kind == "budget"]
    assert budget and all("€" in f.quote for f in budget)
    for f in budget:
        page = int(f.citation.split("p. ")[1].split(",")[0])
        assert " ".join(f.quote.split()) in " ".join(sample.record.page(page).text.split())


def test_actors_come_from_the_document_and_framework_roles_are_only_suggested(sample: Sample) -> None:
    actors = {a.label: a for a in find_actors([sample.record])}
    for named in ("Sportraad", "Home-Start", "Stichting Welzijn Lindenwaard", "buurtsportcoach"):
        assert named in actors, sorted(actors)
        a = actors[named]
        assert " ".join(a.quote.split()) in " ".join(sample.record.page(a.page).text.split())
    assert "netwerkcoördinator" not in actors  # the sample names none: never presented as present
    md = render(sample.result, sample.fw, "md", {sample.record.sha256: sample.record}).decode("utf-8")
    assert re.search(r"Het kader stelt( daarnaast)? als bruggenbouwer voor: ", md)
    for line in md.splitlines():
        if "Het document noemt al: " in line:
            named_part = line.split("Het document noemt al: ")[1].split(".")[0]
            assert "Netwerkcoördinatoren" not in named_part


def test_dutch_number_date_and_page_forms() -> None:
    assert nl_number(0.51, 2) == "0,51" and nl_number(1234.5) == "1.234,5"
    assert nl_percent(0.784) == "78%"
    assert nl_date("2026-01-15T10:00:00+00:00") == "15 januari 2026"
    assert page_citation(5, "3") == "p. 5, blz. 3 in het document"
    assert page_citation(5, "5") == page_citation(5) == "p. 5"
    assert page_citation(2, None, "nota.pdf") == "nota.pdf, p. 2"


def test_a_review_shows_in_every_output_and_the_legend_explains_only_marks_that_occur(sample: Sample) -> None:
    records = {sample.record.sha256: sample.record}
    note = "Staat in bijlage 2 van de uitvoeringsagenda"
    outputs = {fmt: render(sample.result, sample.fw, fmt, records) for fmt in ("docx", "html", "md", "xlsx", "qdpx")}
    outputs["sessie"] = session_pack_docx(sample.result, sample.fw, records)
    texts = {
        "docx": _docx_text(outputs["docx"]),
        "sessie": _docx_text(outputs["sessie"]),
        "html": outputs["html"].decode("utf-8"),
        "md": outputs["md"].decode("utf-8"),
        "xlsx": "\n".join(
            str(v) for ws in openpyxl.load_workbook(io.BytesIO(outputs["xlsx"])) for row in ws.values for v in row if v
        ),
    }
    for name, text in texts.items():
        assert note in text, name
        assert "onderzoeker A" in text, name
        assert "2026-01-15" not in text or name == "xlsx", name  # a Dutch date where people read
    import zipfile

    with zipfile.ZipFile(io.BytesIO(outputs["qdpx"])) as z:
        project = z.read("project.qde").decode("utf-8")
    assert "na review; scan:" in project
    # the asterisk marks a changed status in the session pack's matrix and is explained only when it occurs
    assert "* = aangepast bij review" in texts["sessie"]
    plain = _docx_text(session_pack_docx(sample.plain, sample.fw, records))
    assert "* = aangepast bij review" not in plain and " *)" not in plain


def test_an_aanknopingspunt_is_only_what_the_document_offers_for_that_option(sample: Sample) -> None:
    by_id = {f.element_id: f for f in sample.result.findings}
    offered = 0
    for g in sample.result.gaps:
        for a in g.advice:
            own = by_id[g.element_id].evidence if g.status == "partial" else []
            linked = [by_id[i] for i in (a.option_id, *a.role_ids) if i in by_id]
            allowed = {e.quote for e in own} | {
                x.evidence[0].quote for x in linked if x.effective_status == "covered" and x.evidence
            }
            assert {e.quote for e in a.builds_on} <= allowed, (g.element_id, a.option_id)
            offered += bool(a.builds_on)
    assert offered  # the sample's partial gaps do offer something
    not_found = [a for g in sample.result.gaps if g.status == "not_found" for a in g.advice]
    assert any(not a.builds_on for a in not_found)  # and a missing option with nothing linked offers nothing


def test_actors_named_in_ordinary_policy_prose_are_found_and_common_words_are_not(sample: Sample) -> None:
    """Partners municipal documents name in passing (read in the real corpus: huisartsen, scholen, Veilig Thuis,
    woningcorporaties, MEE) are found; the Dutch word 'mee' is not the organisation MEE."""
    text = (
        "Bewoners denken mee en doen mee in de wijk. "
        "Door nadruk op vroegsignalering door huisartsen en scholen kunnen veel vragen worden voorkomen. "
        "Samen met de woningcorporaties en Veilig Thuis maken we afspraken. "
        "Stichting MEE ondersteunt ouders van kinderen met een beperking."
    )
    page = sample.record.pages[0].model_copy(update={"text": text, "number": 1, "label": None})
    record = sample.record.model_copy(update={"pages": (page,)})
    actors = {a.label: a for a in find_actors([record])}
    assert {"huisarts", "scholen", "woningcorporatie", "Veilig Thuis", "MEE"} <= set(actors), sorted(actors)
    assert actors["MEE"].quote.startswith("Stichting MEE")
    assert all(a.bridge is False for a in actors.values() if a.label in ("huisarts", "scholen", "MEE"))
