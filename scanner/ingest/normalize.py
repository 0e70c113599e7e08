"""Text normalisation for extracted page text: ligatures, odd spaces, words hyphenated across line ends.

The same functions normalise quotes before they are checked against a page, so a quote copied from the
PDF viewer (with a ligature or a line break in it) still verifies.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

__all__ = ["Vocabulary", "dehyphenate", "normalize_for_match", "normalize_page_text", "normalize_spaces"]

_LIGATURES: dict[str, str | None] = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    "\u0132": "IJ",  # the Dutch ij ligature as one code point
    "\u0133": "ij",
}
# Characters that carry no text: soft hyphen, zero-width (non-)joiners and spaces, BOM, word joiner.
_INVISIBLE: dict[str, str | None] = dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_TRANS = str.maketrans({**_LIGATURES, **_INVISIBLE})
_TYPOGRAPHIC: dict[str, str | int | None] = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
_TYPOGRAPHIC_TRANS = str.maketrans(_TYPOGRAPHIC)

# Line-end hyphen: a word fragment, a hyphen (or the rarely used U+2010), a line break, the rest.
# The lookbehinds only let a match start where a word (or a hyphenated compound) starts; the leftmost match
# is the same, but a long run of letters without a space (a page whose spaces were lost) is scanned once,
# not once per character.
_HYPHEN_BREAK = re.compile(r"(?<!\w)(?<!\w-)((?:\w+-)*\w+)[-\u2010][ \t]*\n[ \t]*(\w+)(\S*)[ \t]*(\n?)")
# A soft hyphen at a line end marks a word the typesetter broke (PDF writes such a hyphen as U+00AD): the word
# is joined, and the rest of its second line moves down, as in dehyphenate.
_SOFT_BREAK = re.compile(r"(?<=\w)\u00ad[^\S\n]*\n[^\S\n]*(\w\S*)[^\S\n]*(\n?)")
# Fragments after a line-end hyphen that are words in their own right in Dutch coordinations
# ("sport- en cultuurverenigingen", "jeugd- of jongerenwerk"): the hyphen stays.
_COORDINATORS = {"en", "of", "tot", "en/of", "noch", "dan", "als"}


class Vocabulary:
    """Word counts of a whole document: evidence for deciding how to repair a hyphenated line end."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.counts: Counter[str] = Counter()
        for t in texts:
            # Count words as they will be spelt after normalisation (ligatures, accents, soft hyphens).
            self.counts.update(w.lower() for w in re.findall(r"\w+(?:-\w+)*", normalize_spaces(t)))

    def __contains__(self, word: str) -> bool:
        return self.counts[word.lower()] > 0


def _join_decision(head: str, tail: str, rest: str, vocab: Vocabulary | None) -> str:
    """Return the joined text for ``head-\\ntail``: the word without the hyphen, or with it."""
    joined, kept = head + tail, f"{head}-{tail}"
    if tail.lower() in _COORDINATORS and not rest:
        return ""  # signal: not a hyphenated word; keep the line break
    if vocab is not None:
        # Compare whole words: "ouder-\nen-kindgroepen" is "ouder-en-kindgroepen" or "ouderen-kindgroepen",
        # not "ouder-en" or "ouderen" (another word, found in almost every document).
        m = re.match(r"(?:-\w+)*", rest)
        suffix = m.group(0) if m else ""
        joined_word, kept_word = joined + suffix, kept + suffix
        if joined_word in vocab and kept_word not in vocab:
            return joined
        if kept_word in vocab and joined_word not in vocab:
            return kept
    if "-" in head:
        return kept  # "ouder-en-\nkindgroep": a hyphenated compound broken at one of its hyphens
    if tail[:1].isupper() or head.isdigit() or tail.isdigit() or len(head) == 1:
        return kept  # "Noord-\nHolland", "2025-\n2028", "e-\nmail"
    if rest.startswith("-") and len(rest) > 1:
        return kept  # "ouder-\nen-kindgroep": the next fragment is itself hyphenated
    return joined


def dehyphenate(text: str, vocab: Vocabulary | None = None) -> str:
    """Repair words split across line ends: 'vrijwilli-\\ngers' becomes 'vrijwilligers'.

    The rest of the line after the repaired word moves down, so the line structure stays.
    """

    def repl(m: re.Match[str]) -> str:
        head, tail, rest, newline = m.group(1), m.group(2), m.group(3), m.group(4)
        word = _join_decision(head, tail, rest, vocab)
        if not word:
            return m.group(0)
        # The rest of the second line stays on a line of its own, so the line structure is kept.
        more_on_line = not newline and m.end() < len(m.string)
        return f"{word}{rest}" + ("\n" if more_on_line else newline)

    return _HYPHEN_BREAK.sub(repl, text)


def _join_soft_break(m: re.Match[str]) -> str:
    more_on_line = not m.group(2) and m.end() < len(m.string)
    return m.group(1) + ("\n" if more_on_line else m.group(2))


def normalize_spaces(text: str) -> str:
    """Unicode NFC, ligatures expanded, invisible characters removed, runs of spaces folded."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SOFT_BREAK.sub(_join_soft_break, text)
    text = text.translate(_TRANS)
    text = _SPACES.sub(" ", text)
    return text


def normalize_page_text(text: str, vocab: Vocabulary | None = None) -> str:
    """The canonical text of a page: what chunks point into and quotes are checked against."""
    text = normalize_spaces(text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = dehyphenate(text, vocab)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def normalize_for_match(text: str) -> str:
    """Loose form for comparing a quote with a page: one space for any whitespace, hyphen breaks joined."""
    text = normalize_spaces(text)
    text = dehyphenate(text)
    text = re.sub(r"\s+", " ", text)
    # Typographic quotes and dashes vary between a PDF and a copy of it.
    text = text.translate(_TYPOGRAPHIC_TRANS)
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    return text.strip()
