"""Ingestion end to end with the fakes: hash embedder, in-memory store, registry in tmp_path."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scanner.embed.fake import HashEmbedder
from scanner.ingest.normalize import normalize_for_match
from scanner.ingest.pipeline import IngestOutcome, expand_inputs, ingest_paths, prepare_document
from scanner.settings import Settings
from scanner.store.memory import InMemoryStore
from scanner.store.registry import DocumentRegistry
from tests.conftest import SAMPLE_LABELS, SAMPLE_PDF
from tests.unit.docfactory import encrypt_pdf, make_pdf

PDF_PAGES = [
    "Hoofdstuk 1 Jeugd\nDe gemeente Lindenwaard steunt vrijwilligers bij sportverenigingen.",
    "Vrijwilli-\ngers krijgen een cursus over het herkennen van signalen bij kinderen.",
    "Hoofdstuk 2 Buurt\nWe financieren ouder-en-kindgroepen in Weidevelde en Oude Haven.",
]
MD_TEXT = (
    "# Uitvoeringsagenda jeugd\n\n"
    "## 1 Verenigingen\n\n"
    "De verenigingsondersteuner helpt clubs met een vertrouwenspersoon.\n\n"
    "## 2 Maatjes\n\n"
    "Maatjesprojecten koppelen een vrijwilliger aan een jongere.\n"
)


@dataclass
class Env:
    settings: Settings
    embedder: HashEmbedder
    store: InMemoryStore
    registry: DocumentRegistry
    calls: list[tuple[str, int, int, str]] = field(default_factory=list)

    def ingest(self, *paths: Path) -> IngestOutcome:
        return ingest_paths(
            list(paths),
            settings=self.settings,
            embedder=self.embedder,
            store=self.store,
            registry=self.registry,
            progress=lambda *a: self.calls.append(a),
        )


@pytest.fixture
def env(settings: Settings) -> Env:
    embedder = HashEmbedder()
    return Env(
        settings=settings,
        embedder=embedder,
        store=InMemoryStore(embedder.id, embedder.dimension),
        registry=DocumentRegistry(settings.documents_dir),
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "nota.pdf").write_bytes(make_pdf(PDF_PAGES))
    (d / "sub").mkdir()
    (d / "sub" / "agenda.md").write_text(MD_TEXT, encoding="utf-8")
    (d / "geheim.pdf").write_bytes(encrypt_pdf(make_pdf(PDF_PAGES), "geheim"))
    (d / "leeg.txt").write_bytes(b"")
    (d / "begroting.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    (d / ".verborgen.txt").write_text("Een verborgen bestand met genoeg tekst erin.", encoding="utf-8")
    (d / ".git").mkdir()
    (d / ".git" / "notities.md").write_text("# Verborgen map\n\nMet genoeg tekst erin.", encoding="utf-8")
    return d


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- a folder with good and bad files ---------------------------------------------------------------


def test_folder_with_good_and_bad_files(env: Env, folder: Path) -> None:
    out = env.ingest(folder)

    assert sorted(Path(r.path).name for r in out.reports) == ["agenda.md", "nota.pdf"]
    assert all(r.status == "ingested" for r in out.reports)
    assert all(r.embedder == "hash-256" for r in out.reports)

    failures = {Path(f.path).name: f for f in out.failures}
    assert {name: f.reason for name, f in failures.items()} == {"geheim.pdf": "encrypted", "leeg.txt": "empty"}
    assert failures["geheim.pdf"].path == str(folder / "geheim.pdf")
    assert "wachtwoord" in failures["geheim.pdf"].message
    assert not out.ok

    assert [Path(p).name for p, _ in out.skipped] == ["begroting.xlsx"]
    assert ".xlsx" in out.skipped[0][1]

    everything = [r.path for r in out.reports] + [f.path for f in out.failures] + [p for p, _ in out.skipped]
    assert not [p for p in everything if "verborgen" in p or ".git" in p], "hidden files are ignored"

    # what was stored
    assert env.store.count() == sum(r.chunks for r in out.reports)
    assert {r.sha256 for r in out.reports} == {sha(folder / "nota.pdf"), sha(folder / "sub" / "agenda.md")}
    assert {rec.file_name for rec in env.registry.all()} == {"nota.pdf", "agenda.md"}
    for r in out.reports:
        assert env.store.has_document(r.sha256)
        assert len(env.store.chunks_of(r.sha256)) == r.chunks > 0


def test_report_numbers(env: Env, folder: Path) -> None:
    out = env.ingest(folder / "nota.pdf")
    (report,) = out.reports
    rec = env.registry.get(report.sha256)
    assert report.pages == 3 == rec.page_count
    assert report.characters == sum(len(p.text) for p in rec.pages)
    assert report.path == str((folder / "nota.pdf").resolve())
    assert report.seconds >= 0
    assert out.ok


def test_registry_record_has_the_page_texts(env: Env, folder: Path) -> None:
    path = folder / "nota.pdf"
    (report,) = env.ingest(path).reports
    rec = env.registry.get(report.sha256)
    assert rec.sha256 == sha(path)
    assert rec.kind == "pdf"
    assert rec.file_name == "nota.pdf"
    assert rec.size_bytes == path.stat().st_size
    assert [p.number for p in rec.pages] == [1, 2, 3]
    assert [p.label for p in rec.pages] == ["1", "2", "3"]
    # normalised: the line-end hyphen on page 2 is repaired
    assert [p.text for p in rec.pages] == [
        "Hoofdstuk 1 Jeugd\nDe gemeente Lindenwaard steunt vrijwilligers bij sportverenigingen.",
        "Vrijwilligers\nkrijgen een cursus over het herkennen van signalen bij kinderen.",
        "Hoofdstuk 2 Buurt\nWe financieren ouder-en-kindgroepen in Weidevelde en Oude Haven.",
    ]
    assert rec.title == "Hoofdstuk 1 Jeugd"  # no PDF title: the first heading
    # every stored chunk is a slice of its page in the record
    for c in env.store.chunks_of(rec.sha256):
        assert rec.page(c.page).text[c.start : c.end] == c.text


def test_markdown_record_and_sections(env: Env, folder: Path) -> None:
    (report,) = env.ingest(folder / "sub" / "agenda.md").reports
    rec = env.registry.get(report.sha256)
    assert rec.kind == "md"
    assert rec.pages[0].text == MD_TEXT.strip()
    paths = [c.section_path for c in env.store.chunks_of(rec.sha256)]
    assert paths == [
        ("Uitvoeringsagenda jeugd", "1 Verenigingen"),
        ("Uitvoeringsagenda jeugd", "2 Maatjes"),
    ]


# --- idempotence ----------------------------------------------------------------------------------


def test_reingest_is_already_stored(env: Env, folder: Path) -> None:
    path = folder / "nota.pdf"
    first = env.ingest(path)
    count, calls = env.store.count(), env.embedder.calls
    second = env.ingest(path)
    assert [r.status for r in first.reports] == ["ingested"]
    assert [r.status for r in second.reports] == ["already-stored"]
    assert second.reports[0].sha256 == first.reports[0].sha256
    assert second.reports[0].chunks == first.reports[0].chunks
    assert env.store.count() == count
    assert env.embedder.calls == calls, "nothing is embedded again"
    assert len(env.registry.all()) == 1


def test_same_content_under_another_name_is_already_stored(env: Env, folder: Path, tmp_path: Path) -> None:
    env.ingest(folder / "nota.pdf")
    copy = tmp_path / "kopie van nota.pdf"
    copy.write_bytes((folder / "nota.pdf").read_bytes())
    count = env.store.count()
    (report,) = env.ingest(copy).reports
    assert report.status == "already-stored"
    assert env.store.count() == count
    assert env.registry.get(report.sha256).file_name == "nota.pdf"  # the first path is kept


def test_changed_file_is_a_new_document(env: Env, folder: Path) -> None:
    path = folder / "sub" / "agenda.md"
    (first,) = env.ingest(path).reports
    count = env.store.count()
    data = bytearray(path.read_bytes())
    data[-2] = ord("!")  # "jongere." -> "jongere!"
    path.write_bytes(bytes(data))
    (second,) = env.ingest(path).reports
    assert second.status == "ingested"
    assert second.sha256 != first.sha256
    assert env.store.count() == count + second.chunks
    assert {r.sha256 for r in env.registry.all()} == {first.sha256, second.sha256}
    assert env.registry.get(second.sha256).pages[0].text.endswith("jongere!")


def test_interrupted_run_is_completed(env: Env, folder: Path) -> None:
    # vectors were stored but the registry record was not written: the rerun stores the record, and the
    # deterministic chunk ids mean nothing is duplicated
    path = folder / "nota.pdf"
    (first,) = env.ingest(path).reports
    count = env.store.count()
    env.registry.delete(first.sha256)
    (again,) = env.ingest(path).reports
    assert again.status == "ingested"
    assert env.store.count() == count
    assert env.registry.has(first.sha256)


def test_record_without_vectors_is_embedded_again(env: Env, folder: Path) -> None:
    path = folder / "nota.pdf"
    (first,) = env.ingest(path).reports
    env.store.delete_document(first.sha256)
    (again,) = env.ingest(path).reports
    assert again.status == "ingested"
    assert env.store.count() == first.chunks


# --- progress and pages without text ------------------------------------------------------------------


def test_progress_stages(env: Env, folder: Path) -> None:
    out = env.ingest(folder)
    stages = {c[0] for c in env.calls}
    assert stages == {"files", "embed"}
    files = [c for c in env.calls if c[0] == "files"]
    # four files are read (two good, two bad); the .xlsx and the hidden files are not
    assert [(done, total) for _, done, total, _ in files] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert {name for *_, name in files} == {"nota.pdf", "agenda.md", "geheim.pdf", "leeg.txt"}
    for r in out.reports:
        name = Path(r.path).name
        embed = [c for c in env.calls if c[0] == "embed" and c[3] == name]
        assert embed, name
        assert embed[-1][1:3] == (r.chunks, r.chunks)


def test_progress_is_optional(env: Env, folder: Path) -> None:
    out = ingest_paths(
        [folder / "nota.pdf"], settings=env.settings, embedder=env.embedder, store=env.store, registry=env.registry
    )
    assert [r.status for r in out.reports] == ["ingested"]


def test_embedding_in_batches(env: Env, tmp_path: Path) -> None:
    sentences = [f"Zin nummer {i} over vrijwilligers en sportverenigingen in de wijk." for i in range(1000)]
    path = tmp_path / "lang.txt"
    path.write_text("\n\n".join(sentences), encoding="utf-8")
    (report,) = env.ingest(path).reports
    assert report.chunks > 64
    embed = [c for c in env.calls if c[0] == "embed"]
    assert len(embed) == -(-report.chunks // 64)
    assert [c[1] for c in embed] == sorted(c[1] for c in embed)
    assert env.store.count() == report.chunks


def test_pages_without_text_are_reported(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "met-lege-pagina.pdf"
    path.write_bytes(make_pdf([PDF_PAGES[0], "", PDF_PAGES[2], "12"]))
    (report,) = env.ingest(path).reports
    assert report.pages == 4
    assert report.pages_without_text == (2, 4)  # page 4 holds only a page number
    rec = env.registry.get(report.sha256)
    assert [p.has_text_layer for p in rec.pages] == [True, False, True, False]
    assert rec.pages_without_text == [2, 4]
    assert 2 not in {c.page for c in env.store.chunks_of(report.sha256)}


# --- inputs -----------------------------------------------------------------------------------------


def test_files_given_directly(env: Env, folder: Path, tmp_path: Path) -> None:
    out = env.ingest(folder / "nota.pdf", folder / "begroting.xlsx", tmp_path / "bestaat-niet.pdf")
    assert [Path(r.path).name for r in out.reports] == ["nota.pdf"]
    # a file named explicitly is read (and refused), not silently skipped
    assert {Path(f.path).name: f.reason for f in out.failures} == {
        "bestaat-niet.pdf": "missing",
        "begroting.xlsx": "unsupported-type",
    }
    assert out.skipped == []


def test_same_file_twice_is_read_once(env: Env, folder: Path) -> None:
    out = env.ingest(folder / "nota.pdf", folder / "nota.pdf", folder / "sub" / ".." / "nota.pdf")
    assert len(out.reports) == 1


def test_broken_symlink_in_a_folder_is_a_failure(env: Env, tmp_path: Path) -> None:
    d = tmp_path / "map"
    d.mkdir()
    (d / "nota.md").write_text(MD_TEXT, encoding="utf-8")
    (d / "weg.pdf").symlink_to(tmp_path / "verdwenen.pdf")
    out = env.ingest(d)
    assert [Path(r.path).name for r in out.reports] == ["nota.md"]
    assert [(Path(f.path).name, f.reason) for f in out.failures] == [("weg.pdf", "missing")]


def test_expand_inputs_order_and_hidden(folder: Path) -> None:
    files, skipped, failures = expand_inputs([folder])
    assert [p.relative_to(folder).as_posix() for p in files] == ["geheim.pdf", "leeg.txt", "nota.pdf", "sub/agenda.md"]
    assert [Path(p).name for p, _ in skipped] == ["begroting.xlsx"]
    assert failures == []


# --- the shipped sample --------------------------------------------------------------------------------


def _labels() -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in SAMPLE_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_sample_quotes_are_on_their_pages_and_in_single_chunks(env: Env) -> None:
    (report,) = env.ingest(SAMPLE_PDF).reports
    assert report.status == "ingested"
    assert report.pages == 10
    assert report.pages_without_text == ()
    rec = env.registry.get(report.sha256)
    chunks = env.store.chunks_of(report.sha256)
    assert len(chunks) == report.chunks

    quoted = [lab for lab in _labels() if lab["quote"]]
    assert len(quoted) == sum(1 for lab in _labels() if lab["status"] != "not_found") == 31
    in_one_chunk, spanning, missing = [], [], []
    for lab in quoted:
        q = normalize_for_match(lab["quote"])
        page = rec.page(lab["page"])
        assert q in normalize_for_match(page.text), f"{lab['element']}: quote not on page {lab['page']}"
        on_page = [c for c in chunks if c.page == lab["page"]]
        if any(q in normalize_for_match(c.text) for c in on_page):
            in_one_chunk.append(lab["element"])
        elif any(q in normalize_for_match(a.text + " " + b.text) for a, b in itertools.pairwise(on_page)):
            spanning.append(lab["element"])
        else:
            missing.append(lab["element"])
    # With the default chunk size every labelled quote lies within one chunk of its page.
    assert missing == []
    assert spanning == []
    assert len(in_one_chunk) == 31


def test_prepare_document_matches_what_is_stored(env: Env) -> None:
    prepared = prepare_document(SAMPLE_PDF, env.settings)
    (report,) = env.ingest(SAMPLE_PDF).reports
    assert prepared.record.sha256 == report.sha256
    assert [c.id for c in prepared.chunks] == [c.id for c in env.store.chunks_of(report.sha256)]
    assert prepared.record.pages == env.registry.get(report.sha256).pages


def _pdf_with_a_scan(tmp_path: Path) -> Path:
    import io

    from fpdf import FPDF

    from tests.unit.docfactory import make_png

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, PDF_PAGES[0])
    pdf.add_page()  # a scanned page: one full-page image, no text layer
    pdf.image(io.BytesIO(make_png(64, 64)), x=10, y=10, w=190)
    pdf.add_page()  # a blank page
    path = tmp_path / "met-scan.pdf"
    path.write_bytes(bytes(pdf.output()))
    return path


def test_a_page_image_without_text_is_reported_as_scanned_not_as_blank(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.ingest import ocr

    monkeypatch.setattr(ocr, "ocr_unavailable", lambda: f"Tesseract is niet geïnstalleerd; {ocr.INSTALL_HINT}")
    (report,) = env.ingest(_pdf_with_a_scan(tmp_path)).reports
    assert report.pages_without_text == (2, 3)
    assert report.scanned_pages == (2,) and report.ocr_pages == ()
    assert report.ocr_missing and "apt-get install tesseract-ocr tesseract-ocr-nld" in report.ocr_missing
    rec = env.registry.get(report.sha256)
    assert [p.has_images for p in rec.pages] == [False, True, False]


def test_only_the_scanned_page_is_ocrd_and_the_report_says_how_well(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.ingest import ocr

    asked: list[int] = []

    def read(data: bytes, index: int) -> ocr.OcrPage:
        asked.append(index)
        return ocr.OcrPage("Wij openen in elke wijk een huiskamer voor ontmoeting.", 91.5, 9)

    monkeypatch.setattr(ocr, "ocr_unavailable", lambda: None)
    monkeypatch.setattr(ocr, "ocr_pdf_page", read)
    (report,) = env.ingest(_pdf_with_a_scan(tmp_path)).reports
    assert asked == [1]  # page 2 only: page 1 has its text layer, page 3 no image
    assert report.ocr_pages == (2,) and report.ocr_confidence == 91.5
    assert report.scanned_pages == () and report.pages_without_text == (3,)
    page = env.registry.get(report.sha256).page(2)
    assert "huiskamer" in page.text and page.ocr_confidence == 91.5
