"""Readers on files made in the test: good PDF, text, Markdown and Word files, and every kind of bad input."""

from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import pytest

from scanner.errors import DocumentError
from scanner.ingest.readers import MIN_TEXT_CHARS, RawDocument, detect_kind, read_document
from tests.conftest import SAMPLE_PDF
from tests.unit.docfactory import encrypt_pdf, make_docx, make_drawing_pdf, make_pdf, make_png

MB = 10**8
PAGES = [
    "Voorwoord van de wethouder over de kadernota sociaal domein.",
    "Inhoudsopgave met de hoofdstukken van deze nota over jeugd.",
    "Hoofdstuk 1 Jeugd. Vrijwilligers bij sportverenigingen krijgen een cursus.",
    "Hoofdstuk 2 Buurt. De gemeente financiert ouder-en-kindgroepen in de wijk.",
]


def read(path: Path, *, max_bytes: int = MB, max_pages: int = 100) -> RawDocument:
    return read_document(path, max_bytes=max_bytes, max_pages=max_pages)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def expect_error(path: Path, reason: str, **kw: int) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        read(path, **kw)
    exc = info.value
    assert exc.reason == reason, f"{exc.reason}: {exc}"
    assert str(path) in str(exc), "the message names the file"
    assert exc.path == path
    assert exc.detail and exc.detail in str(exc)
    return exc


# --- good files -----------------------------------------------------------------------------------


def test_pdf_pages_text_and_labels(tmp_path: Path) -> None:
    path = write(tmp_path / "nota.pdf", make_pdf(PAGES, roman_front=2, title="Kadernota Lindenwaard"))
    doc = read(path)
    assert doc.kind == "pdf"
    assert doc.path == path
    assert doc.data == path.read_bytes()
    assert len(doc.pages) == 4
    assert "Voorwoord van de wethouder" in doc.pages[0].text
    assert "Vrijwilligers bij sportverenigingen" in doc.pages[2].text
    assert "Vrijwilligers" not in doc.pages[3].text
    assert "ouder-en-kindgroepen" in doc.pages[3].text
    assert [p.label for p in doc.pages] == ["i", "ii", "1", "2"]
    assert doc.title == "Kadernota Lindenwaard"
    assert not any(p.has_images for p in doc.pages)


def test_pdf_without_label_dictionary_numbers_pages(tmp_path: Path) -> None:
    doc = read(write(tmp_path / "nota.pdf", make_pdf(PAGES[:3])))
    assert [p.label for p in doc.pages] == ["1", "2", "3"]
    assert doc.title is None


def test_sample_pdf_cover_page_has_no_label() -> None:
    # the sample's label dictionary gives the cover an empty label: no label rather than ''
    doc = read(SAMPLE_PDF)
    assert len(doc.pages) == 10
    assert [p.label for p in doc.pages] == [None, "ii", "1", "2", "3", "4", "5", "6", "7", "8"]


def test_txt_form_feeds_are_page_breaks(tmp_path: Path) -> None:
    text = "Pagina een over de jeugd in de wijk.\fPagina twee over sportverenigingen.\fPagina drie over de buurt."
    doc = read(write(tmp_path / "nota.txt", text.encode()))
    assert doc.kind == "txt"
    assert [p.text for p in doc.pages] == [
        "Pagina een over de jeugd in de wijk.",
        "Pagina twee over sportverenigingen.",
        "Pagina drie over de buurt.",
    ]
    assert all(p.label is None for p in doc.pages)


@pytest.mark.parametrize("tail", ["\f", "\f\n", "\f  \n\n"])
def test_trailing_form_feed_does_not_create_a_page(tmp_path: Path, tail: str) -> None:
    text = "Pagina een over de jeugd in de wijk.\fPagina twee over sportverenigingen." + tail
    doc = read(write(tmp_path / "nota.txt", text.encode()))
    assert len(doc.pages) == 2


def test_blank_page_in_the_middle_is_kept(tmp_path: Path) -> None:
    text = "Pagina een over de jeugd in de wijk.\f\fPagina drie over sportverenigingen."
    doc = read(write(tmp_path / "nota.txt", text.encode()))
    assert [p.text for p in doc.pages] == [
        "Pagina een over de jeugd in de wijk.",
        "",
        "Pagina drie over sportverenigingen.",
    ]


def test_txt_without_form_feed_is_one_page(tmp_path: Path) -> None:
    doc = read(write(tmp_path / "nota.txt", b"Een tekst zonder paginascheiding.\nTweede regel."))
    assert len(doc.pages) == 1
    assert doc.pages[0].text == "Een tekst zonder paginascheiding.\nTweede regel."


def test_cp1252_text_decodes(tmp_path: Path) -> None:
    text = "Financiën voor één café – € 2.500 per “initiatief”."
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    doc = read(write(tmp_path / "nota.txt", data))
    assert doc.pages[0].text == text


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    doc = read(write(tmp_path / "nota.txt", "\ufeffFinanciën voor de jeugd in Lindenwaard.".encode()))
    assert doc.pages[0].text == "Financiën voor de jeugd in Lindenwaard."


def test_undecodable_text_is_wrong_type(tmp_path: Path) -> None:
    # 0x81 and 0x8d are undefined in Windows-1252 and invalid UTF-8
    path = write(tmp_path / "nota.txt", b"Tekst over de jeugd in de wijk \x81\x8d en meer tekst.")
    expect_error(path, "wrong-type")


@pytest.mark.parametrize("suffix", [".md", ".markdown", ".MD"])
def test_markdown(tmp_path: Path, suffix: str) -> None:
    text = "# Kadernota\n\n## 2.1 Sport\n\nVerenigingen krijgen steun van de gemeente."
    doc = read(write(tmp_path / f"nota{suffix}", text.encode()))
    assert doc.kind == "md"
    assert len(doc.pages) == 1
    assert doc.pages[0].text == text


def test_uppercase_pdf_extension(tmp_path: Path) -> None:
    doc = read(write(tmp_path / "NOTA.PDF", make_pdf(PAGES[:1])))
    assert doc.kind == "pdf"


def test_docx_page_break_and_heading(tmp_path: Path) -> None:
    data = make_docx(
        [
            ("h1", "Inleiding"),
            ("p", "De gemeente Lindenwaard steunt vrijwilligers in de wijk."),
            ("pagebreak", ""),
            ("h2", "Sport en bewegen"),
            ("p", "Verenigingen krijgen hulp bij het werven van vrijwilligers."),
        ]
    )
    doc = read(write(tmp_path / "nota.docx", data))
    assert doc.kind == "docx"
    assert len(doc.pages) == 2
    assert doc.pages[0].text == "Inleiding\n\nDe gemeente Lindenwaard steunt vrijwilligers in de wijk."
    assert doc.pages[1].text == "Sport en bewegen\n\nVerenigingen krijgen hulp bij het werven van vrijwilligers."
    assert doc.pages[0].headings == {"Inleiding": 1}
    assert doc.pages[1].headings == {"Sport en bewegen": 2}


def test_docx_table_rows_become_lines(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Budgetten voor de jeugd in Lindenwaard")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Maatregel", "Budget"
    table.cell(1, 0).text, table.cell(1, 1).text = "Ouder-en-kindgroepen", "€ 40.000"
    out = io.BytesIO()
    document.save(out)
    doc = read(write(tmp_path / "budget.docx", out.getvalue()))
    assert doc.pages[0].text.split("\n\n") == [
        "Budgetten voor de jeugd in Lindenwaard",
        "Maatregel | Budget",
        "Ouder-en-kindgroepen | € 40.000",
    ]


def test_symlink_to_a_file_is_read(tmp_path: Path) -> None:
    target = write(tmp_path / "nota.txt", b"Een gewone tekst over vrijwilligers in de wijk.")
    link = tmp_path / "koppeling.txt"
    link.symlink_to(target)
    assert read(link).pages[0].text == "Een gewone tekst over vrijwilligers in de wijk."


# --- bad input ------------------------------------------------------------------------------------


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = write(tmp_path / "geheim.pdf", encrypt_pdf(make_pdf(PAGES), "geheim", "eigenaar"))
    exc = expect_error(path, "encrypted")
    assert "wachtwoord" in str(exc)


def test_encrypted_pdf_with_only_a_user_password(tmp_path: Path) -> None:
    path = write(tmp_path / "geheim.pdf", encrypt_pdf(make_pdf(PAGES), "geheim"))
    expect_error(path, "encrypted")


def test_pdf_with_empty_user_password_is_readable(tmp_path: Path) -> None:
    # "Protected" against editing only: anyone may open it, so we can read it
    path = write(tmp_path / "beveiligd.pdf", encrypt_pdf(make_pdf(PAGES, roman_front=2), "", "eigenaar"))
    from pypdf import PdfReader

    assert PdfReader(path).is_encrypted
    doc = read(path)
    assert len(doc.pages) == 4
    assert "Vrijwilligers bij sportverenigingen" in doc.pages[2].text
    assert [p.label for p in doc.pages] == ["i", "ii", "1", "2"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_corrupt_pdf(tmp_path: Path, seed: int) -> None:
    data = b"%PDF-1.7\n" + random.Random(seed).randbytes(4000)
    exc = expect_error(write(tmp_path / "kapot.pdf", data), "corrupt")
    assert "beschadigd" in str(exc)


@pytest.mark.parametrize("fraction", [0.4, 0.1, 0.9])
def test_truncated_pdf_is_corrupt(tmp_path: Path, fraction: float) -> None:
    # pypdf (strict=False) cannot rebuild these: without the cross-reference table and trailer it reports a
    # stream that ends unexpectedly, which the reader turns into 'corrupt'.
    data = SAMPLE_PDF.read_bytes()
    path = write(tmp_path / "afgebroken.pdf", data[: int(len(data) * fraction)])
    exc = expect_error(path, "corrupt")
    assert "onvolledig" in str(exc)


def test_truncated_generated_pdf_is_corrupt(tmp_path: Path) -> None:
    data = make_pdf(PAGES * 3)
    expect_error(write(tmp_path / "afgebroken.pdf", data[: int(len(data) * 0.4)]), "corrupt")


def test_pdf_header_only_is_corrupt(tmp_path: Path) -> None:
    expect_error(write(tmp_path / "leeg.pdf", b"%PDF-1.7\n%%EOF\n"), "corrupt")


@pytest.mark.parametrize("name", ["leeg.pdf", "leeg.txt", "leeg.md", "leeg.docx"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    exc = expect_error(write(tmp_path / name, b""), "empty")
    assert "leeg" in exc.detail


def test_png_renamed_to_pdf(tmp_path: Path) -> None:
    exc = expect_error(write(tmp_path / "scan.pdf", make_png()), "wrong-type")
    assert "afbeelding" in exc.detail


def test_pdf_renamed_to_txt(tmp_path: Path) -> None:
    exc = expect_error(write(tmp_path / "nota.txt", make_pdf(PAGES)), "wrong-type")
    assert "PDF" in exc.detail


def test_text_renamed_to_docx(tmp_path: Path) -> None:
    exc = expect_error(write(tmp_path / "nota.docx", b"Dit is gewoon tekst over de gemeente."), "wrong-type")
    assert "tekstbestand" in exc.detail


def test_text_renamed_to_pdf(tmp_path: Path) -> None:
    expect_error(write(tmp_path / "nota.pdf", b"Dit is gewoon tekst over de gemeente."), "wrong-type")


def test_zip_without_word_document_named_docx(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    exc = expect_error(write(tmp_path / "nota.docx", buf.getvalue()), "wrong-type")
    assert "Word" in exc.detail


def test_broken_zip_named_docx_is_corrupt(tmp_path: Path) -> None:
    data = make_docx([("p", "Tekst over de jeugd in Lindenwaard.")])
    expect_error(write(tmp_path / "kapot.docx", data[: len(data) // 2]), "corrupt")


def test_old_word_file_named_docx(tmp_path: Path) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    exc = expect_error(write(tmp_path / "oud.docx", data), "wrong-type")
    assert ".doc" in exc.detail


def test_binary_named_txt(tmp_path: Path) -> None:
    expect_error(write(tmp_path / "data.txt", b"Tekst\x00\x01\x02 met nullen"), "wrong-type")


@pytest.mark.parametrize("name", ["begroting.xlsx", "nota.doc", "README", "foto.png"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    exc = expect_error(write(tmp_path / name, b"whatever content"), "unsupported-type")
    assert ".pdf" in exc.detail  # lists what is supported


def test_unsupported_extension_is_checked_before_emptiness(tmp_path: Path) -> None:
    expect_error(write(tmp_path / "leeg.xlsx", b""), "unsupported-type")


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = write(tmp_path / "scan.pdf", make_drawing_pdf(2))
    exc = expect_error(path, "no-text")
    assert "OCR" in exc.detail


def test_pdf_with_blank_pages_only(tmp_path: Path) -> None:
    expect_error(write(tmp_path / "blanco.pdf", make_pdf(["", ""])), "no-text")


@pytest.mark.parametrize("text", ["   \n\n  \t", "Te kort.", "x" * (MIN_TEXT_CHARS - 1)])
def test_text_without_enough_text(tmp_path: Path, text: str) -> None:
    exc = expect_error(write(tmp_path / "nota.txt", text.encode()), "no-text")
    assert "geen tekst" in exc.detail


def test_just_enough_text_is_read(tmp_path: Path) -> None:
    doc = read(write(tmp_path / "nota.txt", ("x" * MIN_TEXT_CHARS).encode()))
    assert len(doc.pages) == 1


def test_page_with_an_image_is_marked(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, PAGES[0])
    pdf.add_page()
    pdf.image(io.BytesIO(make_png(16, 16)), x=20, y=20, w=50)
    doc = read(write(tmp_path / "half.pdf", bytes(pdf.output())))
    assert [p.has_images for p in doc.pages] == [False, True]
    assert doc.pages[1].text.strip() == ""


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "groot.pdf", make_pdf(PAGES))
    size = path.stat().st_size
    exc = expect_error(path, "too-large", max_bytes=size - 1)
    assert "max_file_mb" in exc.detail
    assert read(path, max_bytes=size).pages  # exactly at the limit is fine


def test_pdf_over_the_page_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "dik.pdf", make_pdf(PAGES))
    exc = expect_error(path, "too-large", max_pages=3)
    assert "max_pages" in exc.detail
    assert len(read(path, max_pages=4).pages) == 4


def test_text_over_the_page_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "dik.txt", "\f".join(["Een pagina met genoeg tekst erop."] * 5).encode())
    exc = expect_error(path, "too-large", max_pages=4)
    assert "max_pages" in exc.detail


def test_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "weg.pdf"
    link.symlink_to(tmp_path / "bestaat-niet.pdf")
    assert link.is_symlink()
    expect_error(link, "missing")


def test_missing_file(tmp_path: Path) -> None:
    expect_error(tmp_path / "nergens.pdf", "missing")


def test_directory_passed_as_file(tmp_path: Path) -> None:
    folder = tmp_path / "map.pdf"
    folder.mkdir()
    expect_error(folder, "not-a-file")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file regardless of its mode")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "nota.txt", b"Een tekst over vrijwilligers in de wijk.")
    path.chmod(0)
    try:
        expect_error(path, "unreadable")
    finally:
        path.chmod(0o644)


def test_permission_error_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the same path as above, also when the tests run as root
    path = write(tmp_path / "nota.txt", b"Een tekst over vrijwilligers in de wijk.")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    exc = expect_error(path, "unreadable")
    assert "leesrechten" in exc.detail


def test_os_error_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "nota.txt", b"Een tekst over vrijwilligers in de wijk.")

    def fail(self: Path) -> bytes:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "read_bytes", fail)
    exc = expect_error(path, "unreadable")
    assert "Input/output error" in exc.detail


# --- detect_kind directly -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.pdf", b"%PDF-1.4\n...", "pdf"),
        ("a.txt", "financiën".encode(), "txt"),
        ("a.md", b"# kop", "md"),
        ("a.docx", b"PK\x03\x04rest", "docx"),
    ],
)
def test_detect_kind(name: str, data: bytes, kind: str) -> None:
    assert detect_kind(Path(name), data) == kind


def test_text_that_mentions_the_pdf_header_is_still_text(tmp_path: Path) -> None:
    path = write(
        tmp_path / "notitie.txt", b"Een PDF-bestand begint met %PDF-1.7; dit is gewoon tekst over dat formaat."
    )
    assert read(path).kind == "txt"


def test_pdf_header_after_leading_junk_is_still_a_pdf(tmp_path: Path) -> None:
    data = b"\x00\x00\x00" + SAMPLE_PDF.read_bytes()
    assert detect_kind(tmp_path / "met-voorloop.pdf", data) == "pdf"


# --- saved web pages --------------------------------------------------------------------------------

_PAGE = """<!doctype html><html><head><title>Verordening sociaal domein</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/zoeken">Zoeken in regelgeving</a></li></ul></nav>
<main><article><h1>Verordening sociaal domein Lindenwaard</h1>
<h2>Artikel 1 Begrippen</h2>
<p>In deze verordening wordt verstaan onder vrijwilliger: een inwoner die onbetaald en onverplicht een gezin
ondersteunt, bijvoorbeeld als maatje of steunouder, in samenwerking met het sociaal wijkteam.</p>
<h2>Artikel 2 Subsidie</h2>
<p>Het college verstrekt subsidie aan organisaties die vrijwilligers werven, opleiden en begeleiden bij de
ondersteuning van gezinnen met jonge kinderen in de wijk.</p>
</article></main>
<footer><p>Copyright overheid.nl | Privacy | Cookies | Toegankelijkheid</p></footer></body></html>"""


def test_html_main_text_with_headings_without_navigation(tmp_path: Path) -> None:
    doc = read(write(tmp_path / "verordening.html", _PAGE.encode()))
    assert doc.kind == "html"
    assert len(doc.pages) == 1
    text = doc.pages[0].text
    assert "vrijwilligers werven, opleiden en begeleiden" in text
    assert "# Artikel 2 Subsidie" in text  # headings survive as Markdown headings, for the chunker
    assert "Zoeken in regelgeving" not in text and "Cookies" not in text
    assert doc.title and doc.title.startswith("Verordening sociaal domein")


def test_html_extension_on_other_content(tmp_path: Path) -> None:
    exc = expect_error(write(tmp_path / "pagina.html", b"%PDF-1.7\n..."), "wrong-type")
    assert "PDF" in exc.detail
    expect_error(write(tmp_path / "notitie.htm", b"Gewone tekst zonder opmaak, geen webpagina."), "wrong-type")


def test_html_without_main_text(tmp_path: Path) -> None:
    expect_error(write(tmp_path / "leeg.html", b"<html><body><nav>Home</nav></body></html>"), "no-text")
