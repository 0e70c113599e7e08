"""Heading recognition and section-aware chunking, with property tests for the chunk invariants.

The invariants (module docstring of scanner.ingest.chunking): chunks never cross a page, never overlap,
each is exactly ``page.text[start:end]``, and together they cover every non-blank character of the page.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from scanner.ingest.chunking import HeadingTracker, chunk_document, chunk_page, heading_level
from scanner.types import Chunk, Page, chunk_id

SHA = "0123456789abcdef" * 4

# --- heading_level -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("Hoofdstuk 3 Jeugd", 1),
        ("HOOFDSTUK 3 JEUGD", 1),
        ("Hoofdstuk IV Uitvoering", 1),
        ("Deel 2 Financiën", 1),
        ("3.2 Sport en bewegen", 2),
        ("3.2.1 Zwemles voor ieder kind", 3),
        ("3 Jeugd", 1),
        ("2. Wat willen we bereiken", 1),
        ("## 2.1 Titel", 2),
        ("# Kadernota sociaal domein", 1),
        ("### Verenigingen", 3),
        ("PLAN VAN AANPAK", 1),
        ("Paragraaf 4 Verenigingen", 2),
        ("§ 2.3 Sport", 2),
        ("  3.2 Sport en bewegen  \n", 2),  # surrounding whitespace and the line break do not matter
    ],
)
def test_heading_level_of_dutch_headings(line: str, level: int) -> None:
    assert heading_level(line) == level


@pytest.mark.parametrize(
    "line",
    [
        "1. De gemeente zorgt ervoor dat alle kinderen kunnen sporten.",
        "2024 2025 2026",
        "12",
        "",
        "   ",
        "De gemeente wil dat alle kinderen in Lindenwaard kunnen meedoen aan sport en cultuur, ook als hun ouders "
        "dat niet kunnen betalen en er in de wijk geen vereniging is",
        "Wij zien dat vrijwilligers bij verenigingen vaak signalen opvangen",
        "3 Jaarlijks 125000 euro voor de buurthuizen",  # numbered, but a big number: a table row, not a heading
        "2.1 Wij financieren de ouder-en-kindgroepen.",  # a numbered sentence ends with a full stop
        "WMO",  # too few capitals to be an all-caps heading
        "- Sport en bewegen",  # a bullet
        "1 Zie: https://www.movisie.nl/artikel/sociale-veerkracht",  # a footnote with a link
    ],
)
def test_heading_level_of_non_headings(line: str) -> None:
    assert heading_level(line) is None


def test_heading_level_known_headings_win() -> None:
    assert heading_level("Onze ambities voor de jeugd", {"Onze ambities voor de jeugd": 2}) == 2
    assert heading_level("Onze ambities voor de jeugd") is None
    assert heading_level("x" * 121, {"x" * 121: 1}) is None  # far too long for any heading


# --- chunking by example ----------------------------------------------------------------------------


def _pages(*texts: str) -> list[Page]:
    return [Page(number=i, label=str(i + 1), text=t) for i, t in enumerate(texts, start=1)]


DOC = _pages(
    "Hoofdstuk 3 Jeugd\n\nInleidende tekst over de jeugd. Nog een zin.\n\n"
    "3.1 Sport en bewegen\n\nKinderen sporten bij verenigingen. De gemeente helpt daarbij.",
    "Vervolg over sport op de tweede pagina.\n\n3.2 Cultuur\n\nMuziekles voor ieder kind.",
    "Nog meer over cultuur.\n\nHoofdstuk 4 Zorg\n\nDe wijkteams werken samen met vrijwilligers.",
)


def test_section_paths_carry_across_pages() -> None:
    chunks = chunk_document(DOC, SHA)
    paths = [(c.page, c.text.split("\n")[0], c.section_path) for c in chunks]
    assert paths == [
        (1, "Hoofdstuk 3 Jeugd", ("Hoofdstuk 3 Jeugd",)),
        (1, "3.1 Sport en bewegen", ("Hoofdstuk 3 Jeugd", "3.1 Sport en bewegen")),
        # page 2 starts without a heading: it is still in 3.1
        (2, "Vervolg over sport op de tweede pagina.", ("Hoofdstuk 3 Jeugd", "3.1 Sport en bewegen")),
        (2, "3.2 Cultuur", ("Hoofdstuk 3 Jeugd", "3.2 Cultuur")),
        (3, "Nog meer over cultuur.", ("Hoofdstuk 3 Jeugd", "3.2 Cultuur")),
        # a new chapter closes the old one and its paragraphs
        (3, "Hoofdstuk 4 Zorg", ("Hoofdstuk 4 Zorg",)),
    ]


def test_section_path_is_used_in_the_embedding_text() -> None:
    chunk = chunk_document(DOC, SHA)[2]
    assert chunk.embedding_text() == (
        "Hoofdstuk 3 Jeugd > 3.1 Sport en bewegen\nVervolg over sport op de tweede pagina."
    )


def test_markdown_heading_is_cleaned_in_the_section_path() -> None:
    chunks = chunk_document(_pages("## 2.1 Titel:\n\nTekst onder de titel."), SHA)
    assert len(chunks) == 1
    assert chunks[0].section_path == ("2.1 Titel",)
    assert chunks[0].text == "## 2.1 Titel:\n\nTekst onder de titel."


def test_known_headings_from_the_file_structure() -> None:
    page = Page(number=1, text="Onze ambities\n\nWe willen dat ieder kind meedoet.")
    without = chunk_page(page, SHA, HeadingTracker())
    with_known = chunk_page(page, SHA, HeadingTracker(), known_headings={"Onze ambities": 1})
    assert [c.section_path for c in without] == [()]
    assert [c.section_path for c in with_known] == [("Onze ambities",)]


def test_tracker_levels() -> None:
    t = HeadingTracker()
    t.push(1, "H1")
    t.push(2, "H1.1")
    t.push(3, "H1.1.1")
    t.push(2, "H1.2")
    assert t.path == ("H1", "H1.2")
    t.push(1, "H2")
    assert t.path == ("H2",)


def test_chunk_ids_are_derived_from_sha_page_and_offsets_and_stable() -> None:
    first = chunk_document(DOC, SHA)
    second = chunk_document(DOC, SHA)
    assert [c.id for c in first] == [c.id for c in second]
    assert first == second
    for c in first:
        assert c.id == f"{SHA[:16]}:p{c.page}:{c.start}-{c.end}"
        assert c.id == chunk_id(SHA, c.page, c.start, c.end)
    assert len({c.id for c in first}) == len(first)
    # another document (another hash) gives other ids for the same text
    other = chunk_document(DOC, "f" * 64)
    assert not {c.id for c in first} & {c.id for c in other}


def test_chunk_carries_page_number_and_label() -> None:
    chunks = chunk_document(DOC, SHA)
    assert {(c.page, c.page_label) for c in chunks} == {(1, "2"), (2, "3"), (3, "4")}


def test_chunk_text_is_the_page_slice() -> None:
    for c in chunk_document(DOC, SHA):
        assert c.text == DOC[c.page - 1].text[c.start : c.end]


def test_max_size_is_respected_for_running_text() -> None:
    sentence = "De gemeente ondersteunt vrijwilligers bij sportverenigingen met cursussen. "
    text = (sentence * 40).strip() + "\n\n" + "tabelrij " * 150 + "\n\n" + "x" * 1000
    page = Page(number=1, text=text)
    for max_chars in (200, 350, 700):
        chunks = chunk_page(page, SHA, HeadingTracker(), max_chars=max_chars)
        assert len(chunks) > 3
        assert all(len(c.text) <= max_chars for c in chunks)
        assert all(c.text == text[c.start : c.end] for c in chunks)


def test_heading_prefix_may_exceed_max_size() -> None:
    heading = "3.2 Sport en bewegen voor alle kinderen in de wijk"
    body = "Woord " * 40
    text = heading + "\n\n" + body.strip()
    chunks = chunk_page(Page(number=1, text=text), SHA, HeadingTracker(), max_chars=200)
    assert chunks[0].text.startswith(heading)
    assert len(chunks[0].text) > 200
    assert len(chunks[0].text) <= 200 + len(heading) + 2
    assert all(len(c.text) <= 200 for c in chunks[1:])


def test_a_heading_starts_a_new_chunk() -> None:
    text = "Korte tekst.\n3.1 Sport en bewegen\nMeer tekst."
    chunks = chunk_page(Page(number=1, text=text), SHA, HeadingTracker())
    assert [c.text for c in chunks] == ["Korte tekst.", "3.1 Sport en bewegen\nMeer tekst."]


def test_consecutive_headings_share_a_chunk_with_the_text_below() -> None:
    text = "Hoofdstuk 3 Jeugd\n3.1 Sport\n\nTekst over sport."
    chunks = chunk_page(Page(number=1, text=text), SHA, HeadingTracker())
    assert len(chunks) == 1
    assert chunks[0].section_path == ("Hoofdstuk 3 Jeugd", "3.1 Sport")


def test_closing_quotes_and_brackets_after_a_sentence_stay_in_a_chunk() -> None:
    text = 'Hij zei: "we doen het." Dan gaat het door (zie de bijlage.) En verder gaat het.'
    chunks = chunk_page(Page(number=1, text=text), SHA, HeadingTracker(), max_chars=40)
    assert len(chunks) > 1
    covered = "".join(c.text for c in chunks)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)
    assert any(c.text.endswith('het."') for c in chunks)


def test_empty_and_blank_pages_have_no_chunks() -> None:
    for text in ("", "   ", "\n\n\t\n"):
        assert chunk_page(Page(number=1, text=text), SHA, HeadingTracker()) == []


# --- property tests -------------------------------------------------------------------------------

_DUTCH = [
    "gemeente",
    "vrijwilligers",
    "jeugd",
    "ouders",
    "kinderen",
    "wijk",
    "sport",
    "cultuur",
    "financiën",
    "één",
    "ouder-en-kindgroepen",
    "coördinatie",
    "ĳsbaan",
    "Lindenwaard",
    "2025",
    "€",
    "(ja)",
    "e-mail",
]
_unicode_word = st.text(alphabet=st.characters(categories=("Ll", "Lu", "Lo", "Nd")), min_size=1, max_size=10)
_word = st.one_of(st.sampled_from(_DUTCH), st.sampled_from(_DUTCH), st.sampled_from(_DUTCH), _unicode_word)
_title = st.lists(_word, min_size=1, max_size=5).map(lambda ws: " ".join(ws).capitalize())
_heading = st.one_of(
    st.builds(lambda n, t: f"Hoofdstuk {n} {t}", st.integers(1, 12), _title),
    st.builds(lambda a, b, t: f"{a}.{b} {t[:1].upper()}{t[1:]}", st.integers(1, 9), st.integers(1, 9), _title),
    st.builds(lambda h, t: f"{'#' * h} {t}", st.integers(1, 4), _title),
    st.lists(st.sampled_from(["PLAN", "VAN", "AANPAK", "JEUGD", "SPORT", "BELEID"]), min_size=2, max_size=4).map(
        " ".join
    ),
)
_sentence = st.builds(
    lambda ws, end: " ".join(ws).capitalize() + end,
    st.lists(_word, min_size=1, max_size=15),
    st.sampled_from([".", "!", "?", ":", ";", '."', ".)", ".'", "", ","]),
)
_paragraph = st.lists(_sentence, min_size=1, max_size=6).map(" ".join)
_bullet = st.builds(lambda b, s: f"{b} {s}", st.sampled_from(["-", "•", "*", "–", "1.", "2)", "a)"]), _sentence)
_long_word = st.integers(50, 1600).map(lambda n: ("vrijwilligersondersteuning" * 70)[:n])
_table_row = st.lists(st.sampled_from(_DUTCH), min_size=20, max_size=150).map(" ".join)  # no full stops
_blank = st.sampled_from(["", " ", "\t", "  \t "])
_noise = st.text(max_size=40)  # anything at all: control characters, odd line breaks, surrogates excluded
_line = st.one_of(
    _heading, _heading, _sentence, _paragraph, _paragraph, _bullet, _long_word, _table_row, _blank, _noise
)
_sep = st.one_of(
    st.sampled_from(["\n", "\n", "\n\n", "\n \n", " \n", "\n\t", "\r\n", "\n\n\n"]),
    st.text(alphabet=" \t\n\u00a0\u2003\f", min_size=1, max_size=6).map(lambda s: s + "\n"),
)


@st.composite
def page_texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_line, min_size=0, max_size=20))
    out = draw(st.text(alphabet=" \t\n", max_size=3))  # leading whitespace
    for line in lines:
        out += line + draw(_sep)
    return out


_max_chars = st.one_of(st.sampled_from([200, 700]), st.integers(40, 1000))

PROPERTY = hsettings(
    max_examples=200,
    deadline=None,
    database=None,  # no .hypothesis folder in the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _line_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, line) of every line as the chunker splits them (str.splitlines, with the line ends)."""
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        spans.append((pos, pos + len(line), line))
        pos += len(line)
    return spans


def _heading_starts(text: str) -> list[int]:
    """Offsets of the first non-blank character of every heading line of the page."""
    return [s + len(line) - len(line.lstrip()) for s, _, line in _line_spans(text) if heading_level(line) is not None]


def _heading_prefix_end(text: str, chunk: Chunk) -> int:
    """Where the chunk's leading heading lines (and the whitespace after them) end."""
    spans = _line_spans(text)
    pos = chunk.start
    while pos < chunk.end:
        line_here = next(((s, e, ln) for s, e, ln in spans if s <= pos < e), None)
        if line_here is None:
            break
        s, e, line = line_here
        if pos != s + len(line) - len(line.lstrip()) or heading_level(line) is None:
            break
        pos = e
        while pos < chunk.end and text[pos].isspace():
            pos += 1
    return min(pos, chunk.end)


def _check_page(page: Page, chunks: list[Chunk], max_chars: int, *, normalised: bool = False) -> None:
    text = page.text
    # (a) every chunk is exactly its slice of the page, on this page
    for c in chunks:
        assert c.page == page.number
        assert c.doc_sha256 == SHA
        assert 0 <= c.start < c.end <= len(text)
        assert c.text == text[c.start : c.end]
    # (b) sorted and non-overlapping
    for a, b in itertools.pairwise(chunks):
        assert a.end <= b.start, (a.id, b.id)
    # (c) nothing lost or duplicated: what lies outside the chunks is whitespace only, and chunks plus gaps
    # add up to the page
    gaps = []
    pos = 0
    for c in chunks:
        gaps.append(text[pos : c.start])
        pos = c.end
    gaps.append(text[pos:])
    for g in gaps:
        assert not g.strip(), f"text outside every chunk: {g!r}"
    assert sum(len(c.text) for c in chunks) + sum(len(g) for g in gaps) == len(text)
    if text.strip():
        assert chunks, "a page with text has chunks"
    # (e) content and size. A chunk may begin with heading lines (the heading prefix); after that prefix it
    # holds at most max_chars characters, so len <= max_chars + the prefix (heading lines and their line
    # breaks). Headings never sit in the middle of a chunk.
    headings = _heading_starts(text)
    longest_heading = max((len(ln.strip()) for _, _, ln in _line_spans(text) if heading_level(ln)), default=0)
    for c in chunks:
        assert c.text.strip(), f"whitespace-only chunk {c.id}"
        prefix_end = _heading_prefix_end(text, c)
        assert len(c.text) <= max_chars + (prefix_end - c.start), (c.id, len(c.text), max_chars)
        assert not [h for h in headings if prefix_end <= h < c.end], f"heading inside chunk {c.id}"
        n_headings = sum(1 for h in headings if c.start <= h < prefix_end)
        if n_headings == 0:
            assert len(c.text) <= max_chars
        elif n_headings == 1 and normalised:
            # normalised text has at most one blank line, so: max_chars + one heading line + "\n\n"
            assert len(c.text) <= max_chars + longest_heading + 2


@PROPERTY
@given(text=page_texts(), max_chars=_max_chars)
def test_property_single_page(text: str, max_chars: int) -> None:
    page = Page(number=1, text=text)
    chunks = chunk_page(page, SHA, HeadingTracker(), max_chars=max_chars)
    _check_page(page, chunks, max_chars)


@PROPERTY
@given(texts=st.lists(page_texts(), min_size=1, max_size=4), max_chars=_max_chars)
def test_property_document(texts: list[str], max_chars: int) -> None:
    pages = [Page(number=i, label=f"p{i}", text=t) for i, t in enumerate(texts, start=1)]
    chunks = chunk_document(pages, SHA, max_chars=max_chars)
    # (d) page numbers never decrease; within a page, offsets increase
    assert [(c.page, c.start) for c in chunks] == sorted((c.page, c.start) for c in chunks)
    for page in pages:
        _check_page(page, [c for c in chunks if c.page == page.number], max_chars)
    # stable: the same input gives the same chunks and ids
    again = chunk_document(pages, SHA, max_chars=max_chars)
    assert [c.id for c in again] == [c.id for c in chunks]
    assert len({c.id for c in chunks}) == len(chunks)


@PROPERTY
@given(text=page_texts())
def test_property_normalised_pages(text: str) -> None:
    """The same invariants on text as the pipeline produces it (normalised), at the default size."""
    from scanner.ingest.normalize import normalize_page_text

    page = Page(number=1, text=normalize_page_text(text))
    _check_page(page, chunk_page(page, SHA, HeadingTracker()), 700, normalised=True)
