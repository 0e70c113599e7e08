"""The standalone HTML report: Dutch, self-contained, and document text escaped."""

from __future__ import annotations

import base64
from html.parser import HTMLParser

import pytest

from scanner.export._common import one_line
from scanner.export.html import report_html
from scanner.results import Evidence, ScanResult
from tests.unit.test_export_common import Sample, build_sample

INJECTED = '<script>alert("x")</script><img src="https://example.org/t.png" onerror="alert(1)"> & Co'


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(tmp_path_factory)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _with_injected_quote(result: ScanResult) -> ScanResult:
    f = next(f for f in result.findings if f.evidence)
    e = Evidence(page=2, quote=INJECTED, chunk_id="x:p2:0-10", score=0.9)
    findings = [x.model_copy(update={"evidence": [e, *x.evidence]}) if x is f else x for x in result.findings]
    return result.model_copy(update={"findings": findings})


def test_a_script_in_a_quote_is_escaped_and_nothing_is_loaded_from_outside(sample: Sample) -> None:
    page = report_html(_with_injected_quote(sample.result), sample.fw)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and "&amp; Co" in page
    parser = _Tags()
    parser.feed(page)
    tags = parser.tags
    assert not [t for t, _ in tags if t in ("script", "link", "iframe", "object", "embed")]
    for tag, attrs in tags:
        assert not any(k.startswith("on") for k in attrs), tag  # no event handlers
        for key in ("src", "href"):
            if attrs.get(key):
                assert attrs[key].startswith("data:image/png;base64,"), (tag, attrs[key][:40])
    img = next(a for t, a in tags if t == "img")
    assert base64.b64decode(img["src"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    csp = next(a for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in (csp["content"] or "")


def test_the_page_is_dutch_and_carries_findings_quotes_gaps_and_references(sample: Sample) -> None:
    r = sample.result
    page = report_html(r, sample.fw)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    for heading in (
        "Managementsamenvatting", "Dekkingsmatrix", "Kansen: handelingsopties en bruggenbouwers", "Verantwoording",
    ):  # fmt: skip
        assert f">{heading}</h" in page
    from html import escape

    f = next(f for f in r.findings if f.evidence)
    assert escape(one_line(f.evidence[0].quote)) in page
    assert r.documents[0].sha256 in page
    assert "niet gevonden (aangepast bij review; scan: gedekt)" in page
    for g in r.gaps:
        assert escape(g.label) in page
