"""Locating a verified quote on the rendered PDF page (pdfium's text differs from the normalised page text)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scanner.ui.pageview import find_span, locate_quote, mark_quote_html, render_page, skeleton

from scanner.ingest.pipeline import prepare_document
from scanner.settings import Settings
from tests.conftest import SAMPLE_LABELS, SAMPLE_PDF

pytest.importorskip("pypdfium2")


def _labelled_quotes() -> list[dict[str, object]]:
    rows = [json.loads(line) for line in SAMPLE_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["quote"]]


def test_skeleton_ignores_hyphenation_ligatures_and_layout() -> None:
    pdf_text = "De vrijwilli-\r\ngers in Lin\ufffedenwaard \ufb01nancieren  het  buurt\u00adhuis."
    assert skeleton(pdf_text)[0] == skeleton("De vrijwilligers in Lindenwaard financieren het buurthuis.")[0]
    text, index = skeleton("a-b c")
    assert text == "abc" and index == [0, 2, 4]


def test_find_span_exact_and_by_anchors() -> None:
    page = (
        "Inleiding.\nWe breiden het netwerk De Huis-\nkamers uit van drie naar zeven locaties, in buurthuizen,\n"
        "de bibliotheek en twee brede scholen. Verder niets."
    )
    quote = (
        "We breiden het netwerk De Huiskamers uit van drie naar zeven locaties, in buurthuizen, de bibliotheek "
        "en twee brede scholen."
    )
    a, b = find_span(quote, page)  # type: ignore[misc]
    assert page[a:b].startswith("We breiden") and page[a:b].endswith("scholen")
    # a quote whose middle differs (e.g. a dropped word) is still found by its first and last words
    changed = quote.replace("zeven locaties", "7 locaties")
    a2, b2 = find_span(changed, page)  # type: ignore[misc]
    assert (a2, b2) == (a, b)
    assert find_span("Iets heel anders dat niet op deze pagina staat, lang genoeg voor een anker.", page) is None
    assert find_span("", page) is None


@pytest.mark.parametrize("label", _labelled_quotes(), ids=lambda r: str(r["element"]))
def test_every_labelled_quote_is_located_on_its_pdf_page(label: dict[str, object]) -> None:
    boxes = locate_quote(SAMPLE_PDF, int(label["page"]), str(label["quote"]))  # type: ignore[call-overload]
    assert boxes, f"quote not found on page {label['page']}"
    for b in boxes:
        assert b.right > b.left and b.top > b.bottom
    # and not on another page
    other = 1 if label["page"] != 1 else 2
    assert locate_quote(SAMPLE_PDF, other, str(label["quote"])) == []


def test_quote_from_the_normalised_page_text_is_highlighted(tmp_path: object) -> None:
    # the quote as the scan saves it: a sentence of the normalised page text (hyphenation repaired)
    record = prepare_document(SAMPLE_PDF, Settings(home=tmp_path)).record  # type: ignore[arg-type]
    page = record.page(5)
    start = page.text.index("Inwoners hebben een plek nodig")
    quote = page.text[start : page.text.index("garanderen.", start) + len("garanderen.")]
    image, found = render_page(SAMPLE_PDF, 5, quote)
    assert found
    a = np.asarray(image).astype(int)
    yellow = (a[..., 0] > 235) & (a[..., 1] > 215) & (a[..., 2] > 110) & (a[..., 2] < 200)
    assert yellow.sum() > 2000
    ys = np.nonzero(yellow)[0]
    assert ys.min() < image.height * 0.35  # the quote stands near the top of page 5
    plain, found_plain = render_page(SAMPLE_PDF, 5, None)
    assert not found_plain and plain.size == image.size


def test_text_pages_mark_the_quote_in_html() -> None:
    html, found = mark_quote_html(
        "Eerste zin <b>. Tweede zin over vrijwil-\nligers. Derde.", "Tweede zin over vrijwilligers."
    )
    assert found
    assert '<mark class="bs-quote">Tweede zin over vrijwil-\nligers</mark>' in html
    assert "&lt;b&gt;" in html
    html, found = mark_quote_html("Niets hier.", "Iets anders")
    assert not found and "<mark" not in html
