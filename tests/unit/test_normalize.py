"""Normalisation of extracted page text: Dutch line-end hyphens, ligatures, odd spaces, quote matching."""

from __future__ import annotations

import unicodedata

import pytest

from scanner.ingest.normalize import (
    Vocabulary,
    dehyphenate,
    normalize_for_match,
    normalize_page_text,
    normalize_spaces,
)

# --- dehyphenation without a vocabulary (the heuristics) -------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a word split by the typesetter: the hyphen goes, the word is whole again
        ("vrijwilli-\ngers", "vrijwilligers"),
        ("De vrijwilli-\ngers", "De vrijwilligers"),
        ("verenigin-\ngen.", "verenigingen."),
        ("ge-\nactualiseerd", "geactualiseerd"),
        # the U+2010 hyphen is treated like the ASCII one
        ("vrijwilli\u2010\ngers", "vrijwilligers"),
        # a hyphenated compound broken at one of its own hyphens keeps that hyphen
        ("ouder-\nen-kindgroepen", "ouder-en-kindgroepen"),
        ("ouder-en-\nkindgroepen", "ouder-en-kindgroepen"),
        # a proper name, a year range and a one-letter prefix keep the hyphen
        ("Noord-\nHolland", "Noord-Holland"),
        ("2025-\n2028", "2025-2028"),
        ("e-\nmail", "e-mail"),
    ],
)
def test_dehyphenate_heuristics(raw: str, expected: str) -> None:
    assert dehyphenate(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        # Dutch coordination: "sport- en cultuurverenigingen" is two words; hyphen and break stay
        "sport-\nen cultuurverenigingen",
        "jeugd-\nof jongerenwerk",
        "sport-\nen\ncultuurverenigingen",
    ],
)
def test_dehyphenate_keeps_coordinations(raw: str) -> None:
    assert dehyphenate(raw) == raw
    assert normalize_page_text(raw) == raw


def test_coordination_is_kept_even_when_the_joined_word_is_in_the_vocabulary() -> None:
    # "sporten" is a common Dutch word; "sport- en cultuur..." must still not become "sporten cultuur..."
    vocab = Vocabulary(["Alle kinderen kunnen sporten."])
    assert dehyphenate("sport-\nen cultuurverenigingen", vocab) == "sport-\nen cultuurverenigingen"


def test_dehyphenate_in_running_text_moves_the_rest_of_the_line_down() -> None:
    text = "In 2025 zetten vrijwilli-\ngers zich in voor de buurt."
    assert dehyphenate(text) == "In 2025 zetten vrijwilligers\nzich in voor de buurt."
    # the number of lines is unchanged
    assert dehyphenate(text).count("\n") == text.count("\n")


def test_dehyphenate_several_breaks_in_one_text() -> None:
    text = "De vere-\nnigingen en de Lin-\ndenwaardse vrijwilli-\ngers."
    assert dehyphenate(text) == "De verenigingen\nen de Lindenwaardse\nvrijwilligers."


# --- vocabulary-driven decisions --------------------------------------------------------------------


def test_vocabulary_with_the_joined_word_joins() -> None:
    vocab = Vocabulary(["De zorgaanbieder levert hulp.", "Een zorgaanbieder in de wijk."])
    assert dehyphenate("zorg-\naanbieder", vocab) == "zorgaanbieder"


def test_vocabulary_with_the_hyphenated_form_keeps_the_hyphen() -> None:
    vocab = Vocabulary(["Een zorg-aanbieder in de wijk."])
    assert dehyphenate("zorg-\naanbieder", vocab) == "zorg-aanbieder"
    # without a vocabulary the heuristic would have joined it
    assert dehyphenate("zorg-\naanbieder") == "zorgaanbieder"


def test_vocabulary_overrides_the_heuristic_in_both_directions() -> None:
    # heuristic keeps the hyphen before a capital; the document writes the word joined elsewhere
    assert dehyphenate("Noord-\nHolland") == "Noord-Holland"
    assert dehyphenate("anti-\npestprogramma", Vocabulary(["het antipestprogramma"])) == "antipestprogramma"
    assert dehyphenate("anti-\npestprogramma", Vocabulary(["het anti-pestprogramma"])) == "anti-pestprogramma"


def test_vocabulary_lookup_ignores_case() -> None:
    vocab = Vocabulary(["ZORG-AANBIEDER"])
    assert "zorg-aanbieder" in vocab
    assert "Zorg-Aanbieder" in vocab
    assert dehyphenate("zorg-\naanbieder", vocab) == "zorg-aanbieder"


def test_vocabulary_with_both_forms_falls_back_to_the_heuristic() -> None:
    vocab = Vocabulary(["zorgaanbieder", "zorg-aanbieder"])
    assert dehyphenate("zorg-\naanbieder", vocab) == "zorgaanbieder"
    assert dehyphenate("Noord-\nHolland", Vocabulary(["noordholland", "noord-holland"])) == "Noord-Holland"


def test_vocabulary_does_not_turn_a_compound_into_another_word() -> None:
    # "ouderen" (the elderly) is in almost every Dutch municipal document. Breaking "ouder-en-kindgroepen"
    # after "ouder-" must not produce "ouderen-kindgroepen".
    vocab = Vocabulary(["Voor ouderen is er de dagbesteding.", "Ook ouderen doen mee."])
    assert dehyphenate("ouder-\nen-kindgroepen", vocab) == "ouder-en-kindgroepen"
    text = "We financieren ouder-\nen-kindgroepen in de wijk."
    assert dehyphenate(text, vocab) == "We financieren ouder-en-kindgroepen\nin de wijk."


def test_vocabulary_counts_whole_hyphenated_compounds() -> None:
    vocab = Vocabulary(["De ouder-en-kindgroepen in Weidevelde.", "Sport- en cultuurverenigingen"])
    assert "ouder-en-kindgroepen" in vocab
    assert vocab.counts["ouder-en-kindgroepen"] == 1
    assert "ouder" not in vocab  # the compound is one word, not three
    assert "sport" in vocab  # a hyphen before a space ends the word
    assert "cultuurverenigingen" in vocab


def test_vocabulary_sees_the_same_characters_as_the_normalised_page() -> None:
    # The pipeline builds the vocabulary from the raw extracted pages (ligatures, decomposed accents, soft
    # hyphens) and looks words up after normalisation; both must agree on the spelling.
    raw_pages = ["Het zorg-pro\ufb01el is klaar.", "De coo\u0308rdinatie-aanpak werkt.", "vrijwil\u00ad\nligers"]
    vocab = Vocabulary(raw_pages)
    assert "zorg-profiel" in vocab
    assert "coördinatie-aanpak" in vocab
    assert "vrijwilligers" in vocab
    assert normalize_page_text("Het zorg-\npro\ufb01el", vocab) == "Het zorg-profiel"
    assert normalize_page_text("De coo\u0308rdinatie-\naanpak", vocab) == "De coördinatie-aanpak"
    assert normalize_page_text("Het zorg-\npro\ufb01el") == "Het zorgprofiel"  # the heuristic alone joins


# --- line structure -----------------------------------------------------------------------------------


def test_no_blank_line_when_the_repaired_word_was_alone_on_its_line() -> None:
    text = "Eerste regel met tekst\nvrijwilli-\ngers\nDerde regel"
    out = normalize_page_text(text)
    assert out == "Eerste regel met tekst\nvrijwilligers\nDerde regel"
    assert "\n\n" not in out


def test_no_blank_line_with_trailing_spaces_after_the_repaired_word() -> None:
    assert dehyphenate("vrijwilli-\ngers   \nvolgende regel") == "vrijwilligers\nvolgende regel"
    assert dehyphenate("vrijwilli- \n  gers\nvolgende regel") == "vrijwilligers\nvolgende regel"


def test_repaired_word_at_the_end_of_the_text_gets_no_newline() -> None:
    assert dehyphenate("Dank aan alle vrijwilli-\ngers") == "Dank aan alle vrijwilligers"


def test_paragraph_break_after_the_repaired_word_is_kept() -> None:
    assert normalize_page_text("vrijwilli-\ngers\n\nNieuwe alinea") == "vrijwilligers\n\nNieuwe alinea"


def test_normalize_page_text_folds_blank_runs_and_strips_lines() -> None:
    raw = "  Titel  \n\n\n\n   Tekst\tmet   spaties  \n\n\n"
    assert normalize_page_text(raw) == "Titel\n\nTekst met spaties"


def test_normalize_page_text_uses_the_vocabulary() -> None:
    vocab = Vocabulary(["zorg-aanbieder"])
    assert normalize_page_text("De zorg-\naanbieder", vocab) == "De zorg-aanbieder"
    assert normalize_page_text("De zorg-\naanbieder") == "De zorgaanbieder"


# --- characters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\ufb01nanciering", "financiering"),  # ﬁ
        ("\ufb02exibel", "flexibel"),  # ﬂ
        ("e\ufb03ciënt", "efficiënt"),  # ﬃ
        ("\ufb00ect", "ffect"),  # ﬀ
        ("\ufb04uit", "ffluit"),  # ﬄ
        ("\u0133s", "ijs"),  # the Dutch ij as one code point
        ("\u0132sselmonde", "IJsselmonde"),
    ],
)
def test_ligatures_are_expanded(raw: str, expected: str) -> None:
    assert normalize_spaces(raw) == expected
    assert normalize_page_text(raw) == expected


def test_soft_hyphens_and_zero_width_characters_are_removed() -> None:
    assert normalize_spaces("vrijwil\u00adligers") == "vrijwilligers"
    assert normalize_spaces("jeugd\u200bzorg\u200c\u200d\u2060") == "jeugdzorg"
    assert normalize_spaces("\ufeffKadernota") == "Kadernota"


def test_soft_hyphen_at_a_line_end_joins_the_word() -> None:
    # A soft hyphen marks where a word may be (or was) hyphenated; PDF (ISO 32000-1, 14.8.2.2.3) writes a
    # hyphen that the typesetter inserted at a line end as U+00AD. The word is one word, never two.
    assert normalize_page_text("vrijwil\u00ad\nligers") == "vrijwilligers"
    text = "De vrijwil\u00ad\nligers zijn\nvolgende regel"
    assert normalize_page_text(text) == "De vrijwilligers\nzijn\nvolgende regel"
    assert normalize_page_text("Noord\u00ad \n Holland") == "NoordHolland"  # no hyphen was ever there
    assert normalize_page_text("De vrijwil\u00ad\nligers\u00a0\nvolgende regel") == "De vrijwilligers\nvolgende regel"
    assert normalize_for_match("vrijwil\u00ad\nligers") == "vrijwilligers"
    # a soft hyphen elsewhere simply disappears
    assert normalize_page_text("vrijwil\u00adligers\u00ad\n\nNieuwe alinea") == "vrijwilligers\n\nNieuwe alinea"


def test_non_breaking_and_other_spaces_become_one_space() -> None:
    assert normalize_spaces("€\u00a02.500") == "€ 2.500"
    assert normalize_spaces("artikel\u202f3\u2009lid\u20034") == "artikel 3 lid 4"
    assert normalize_spaces("a \u00a0\t b") == "a b"


def test_nfc_composition() -> None:
    decomposed = "financie\u0308n"  # e + combining diaeresis
    assert len(decomposed) == 10
    out = normalize_spaces(decomposed)
    assert out == "financiën"
    assert len(out) == 9
    assert unicodedata.is_normalized("NFC", out)
    assert normalize_page_text("ide\u0301e") == "idée"


def test_line_endings_are_unified() -> None:
    assert normalize_spaces("a\r\nb\rc") == "a\nb\nc"
    assert normalize_page_text("vrijwilli-\r\ngers") == "vrijwilligers"


# --- quote matching ---------------------------------------------------------------------------------

PAGE = (
    "Vrijwilligers bij sportverenigingen krijgen een \ufb01nanciële bijdrage voor een cursus.\n"
    "De gemeente zegt: \u201cwe laten de organisatie bij de bewoners\u201d en houdt zich aan\n"
    "de afspraken van 2025\u20132028 over de ouder-\nen-kindgroepen in Weidevelde."
)


@pytest.mark.parametrize(
    "quote",
    [
        # copied with the line break of the PDF viewer
        "krijgen een financiële\nbijdrage voor een cursus",
        # copied with the ligature
        "een \ufb01nanciële bijdrage",
        # straight quotes where the page has curly ones
        'zegt: "we laten de organisatie bij de bewoners"',
        # curly quotes where the page has them too, and a line break inside
        "\u201cwe laten de organisatie\nbij de bewoners\u201d",
        # an en dash typed as a hyphen, across the page's line break
        "zich aan de afspraken van 2025-2028",
        # the hyphen break repaired on both sides
        "over de ouder-en-kindgroepen in Weidevelde",
        "over de ouder-\nen-kindgroepen",
        # a decomposed ë and a non-breaking space
        "een financiële\u00a0bijdrage",
        "een financie\u0308le bijdrage",
    ],
)
def test_quote_matches_page_after_normalize_for_match(quote: str) -> None:
    assert normalize_for_match(quote) in normalize_for_match(PAGE)


def test_quote_that_is_not_on_the_page_does_not_match() -> None:
    assert normalize_for_match("een financiële bijdrage voor een opleiding") not in normalize_for_match(PAGE)
    assert normalize_for_match("ouderen-kindgroepen") not in normalize_for_match(PAGE)


def test_normalize_for_match_details() -> None:
    out = normalize_for_match("  \u2018Samen\u2019  \u201csterk\u201d \u2014 of\n\nniet \u2013 ja  ")
    assert out == "'Samen' \"sterk\" - of niet - ja"
    assert normalize_for_match("vrijwilli-\ngers\tin de\u00a0wijk") == "vrijwilligers in de wijk"


def test_normalize_is_idempotent() -> None:
    once = normalize_page_text(PAGE)
    assert normalize_page_text(once) == once
    m = normalize_for_match(PAGE)
    assert normalize_for_match(m) == m


# --- cost -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["x" * 60_000, "a-" * 30_000, ("lange-" * 10_000) + "\nregel"])
def test_long_runs_without_spaces_take_linear_time(text: str) -> None:
    # A page whose spaces were lost in extraction is one long "word". The hyphen-break search used to restart
    # at every character of it (quadratic: ~17 s for 20,000 characters); linear, this is milliseconds.
    import time

    t0 = time.perf_counter()
    normalize_page_text(text)
    normalize_for_match(text)
    assert time.perf_counter() - t0 < 2.0


def test_hyphen_break_after_a_leading_dash_is_still_repaired() -> None:
    assert dehyphenate("--vrijwilli-\ngers") == "--vrijwilligers"
    assert dehyphenate("x-y vrijwilli-\ngers") == "x-y vrijwilligers"


def test_a_compound_broken_before_a_coordinating_hyphen_is_joined() -> None:
    # "gezond-\nheids- en verslavingsbeleid": the break falls inside "gezondheids-", whose own hyphen coordinates.
    text = "het lokale gezond-\nheids- en verslavingsbeleid"
    assert normalize_page_text(text) == "het lokale gezondheids-\nen verslavingsbeleid"
