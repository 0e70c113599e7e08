"""The scan with the real parts: the default embedder, the persistent Chroma store, the shipped scorer (and the
packaged local LLM through llama.cpp where it is installed); on the sample, real documents and real sentences."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from scanner.evaluate import evaluate, load_labels
from scanner.evidence import verify_quote
from scanner.frameworks import load_framework
from scanner.ingest.pipeline import ingest_paths
from scanner.judge.fast import FastJudge
from scanner.results import ScanResult
from scanner.scan import Scanner, make_judge
from scanner.settings import load_settings
from scanner.types import DocumentRecord
from scanner.workspace import Workspace, open_workspace
from tests.conftest import REPO, SAMPLE_LABELS, SAMPLE_PDF, real_file

pytestmark = pytest.mark.integration

FRAMEWORK = load_framework("informele-ondersteuners-jeugd")
SCHEMA = json.loads((REPO / "docs" / "scan-result.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    home = tmp_path_factory.mktemp("scan-home")
    return open_workspace(load_settings({"home": home, "progress": False}, env={}))


@pytest.fixture(scope="module")
def fast(ws: Workspace) -> FastJudge:
    judge = make_judge(ws, "fast")
    assert isinstance(judge, FastJudge)
    return judge


def _ingest(ws: Workspace, path: Path) -> DocumentRecord:
    out = ingest_paths([path], settings=ws.settings, embedder=ws.embedder, store=ws.store, registry=ws.registry)
    assert out.ok, out.failures
    return ws.registry.get(out.reports[0].sha256)


def _scan(ws: Workspace, path: Path, judge: object) -> tuple[DocumentRecord, ScanResult]:
    record = _ingest(ws, path)
    return record, Scanner(ws, FRAMEWORK, judge).scan([record])  # type: ignore[arg-type]


def _check_citations(record: DocumentRecord, result: ScanResult) -> None:
    jsonschema.validate(json.loads(result.model_dump_json()), SCHEMA)
    for f in result.findings:
        assert (f.status == "not_found") == (not f.evidence), f.element_id
        for e in f.evidence:
            assert verify_quote(e.quote, record.page(e.page).text), (f.element_id, e.quote)
            assert e.commitment and e.target
        if f.status == "covered":  # never a passage for another group as evidence of a covered finding
            assert f.target != "andere_groep" and f.evidence[0].target != "andere_groep", f.element_id


def _text_document(tmp_path: Path, name: str, sentences: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    return path


def test_sample_against_its_expected_results(ws: Workspace, fast: FastJudge) -> None:
    record, result = _scan(ws, SAMPLE_PDF, fast)
    _check_citations(record, result)
    m = evaluate(load_labels([SAMPLE_LABELS]), [result], lambda sha, page: record.page(page).text)
    assert m.n == 36 and m.quotes_total > 0 and m.quote_verification_rate == 1.0
    # Regression guards just below the measured figures (0.583 and 0.935: the shipped scorer was trained on the
    # sample among the others, so these are no quality claim; held out, the sample is 0.47 accurate, see the README).
    assert m.accuracy >= 0.55, m.as_dict()
    assert m.addressed_f1 >= 0.90, m.as_dict()
    assert result.gaps, "the sample has real gaps"
    assert result.settings.judge == "fast" and result.settings.classifier == fast.provenance.classifier


def test_the_scorer_loads_offline_and_gives_the_same_scores_twice(ws: Workspace, fast: FastJudge) -> None:
    record = _ingest(ws, SAMPLE_PDF)
    units, _ = fast.read(ws.store.chunks_of(record.sha256))
    first = fast.score(FRAMEWORK.elements, units)
    again = FastJudge(cache_dir=None).score(FRAMEWORK.elements, units)  # a second instance, nothing cached
    np.testing.assert_allclose(first.shows, again.shows, atol=1e-5)
    np.testing.assert_allclose(first.covered, again.covered, atol=1e-5)
    np.testing.assert_allclose(first.commitment, again.commitment, atol=1e-5)


def test_a_real_policy_document(ws: Workspace, fast: FastJudge) -> None:
    record, result = _scan(ws, real_file("almere_maatschappelijke_agenda_2024_2034.pdf"), fast)
    _check_citations(record, result)
    addressed = [f for f in result.findings if f.status != "not_found"]
    assert len(addressed) >= 8, "a social-domain agenda addresses a good part of the framework"


def test_a_control_document_finds_little_covered(ws: Workspace, fast: FastJudge) -> None:
    """The Wmo programme for sheltered housing (adults) covers no element for children and families."""
    record, result = _scan(ws, real_file("flevoland_wmo_uitvoeringsprogramma_2022.pdf"), fast)
    _check_citations(record, result)
    assert sum(f.status == "covered" for f in result.findings) <= 2


ELDERLY = [
    # real sentences on volunteering for older people (Lelystad ketendocument valpreventie 2025; Almere welzijnskader
    # 2020; the sample's leertafel Langer Thuis), with the register's usual frame
    "Ketenaanpak valpreventie Lelystad",
    "Vallen is de belangrijkste oorzaak van letsel bij ouderen en de gevolgen zijn vaak groot.",
    "Maatjes van het project Samen Verder bieden eenzame ouderen een luisterend oor en helpen bij praktische "
    "zaken, zoals boodschappen of een bezoek aan de huisarts.",
    "Vrijwilligers van de Zonnebloem bezoeken ouderen die alleen wonen en gaan met hen wandelen.",
    "In de leertafel Langer Thuis bespreken vrijwilligers uit de ouderenzorg, mantelzorgconsulenten en "
    "wijkverpleegkundigen elk kwartaal hoe zij hun inzet op elkaar afstemmen.",
    "De valpreventiecoördinator is het gezicht van de lokale valpreventie en spin in het web tussen huisartsen, "
    "fysiotherapeuten en de thuiszorg.",
    "Mantelzorgers van ouderen kunnen bij het steunpunt terecht voor advies en respijtzorg.",
]


def test_volunteering_for_older_people_alone_covers_no_one_to_one_element(
    ws: Workspace, fast: FastJudge, tmp_path: Path
) -> None:
    record, result = _scan(ws, _text_document(tmp_path, "ouderen-vrijwilligers.txt", ELDERLY), fast)
    _check_citations(record, result)
    one_to_one = [f for f in result.findings if f.environment == "een-op-een"]
    assert not [f.element_id for f in one_to_one if f.status == "covered"]


COUNCIL = [
    # a decision list of a council meeting: procedure, no policy content
    "Besluitenlijst van de openbare vergadering van de gemeenteraad van 12 maart 2026",
    "Aanwezig: de voorzitter, de griffier en 27 raadsleden. Afwezig met kennisgeving: mevrouw De Vries.",
    "1. Opening en vaststelling van de agenda. De voorzitter opent de vergadering om 19.30 uur. De agenda wordt "
    "ongewijzigd vastgesteld.",
    "2. Vaststelling van de besluitenlijst van de vergadering van 13 februari 2026. De besluitenlijst wordt "
    "zonder wijzigingen vastgesteld.",
    "3. Ingekomen stukken. De lijst van ingekomen stukken wordt voor kennisgeving aangenomen.",
    "4. Raadsvoorstel Verordening jeugdhulp 2026. Het voorstel wordt als hamerstuk aangenomen.",
    "5. Raadsvoorstel Wijziging Verordening maatschappelijke ondersteuning. Het voorstel wordt met 22 stemmen voor "
    "en 5 stemmen tegen aangenomen.",
    "6. Benoeming van een lid van de rekenkamercommissie. De heer Jansen wordt benoemd.",
    "7. Motie vreemd aan de orde van de dag over de openingstijden van het zwembad. De motie wordt verworpen.",
    "8. Sluiting. De voorzitter sluit de vergadering om 22.10 uur.",
]


def test_a_procedural_council_document_addresses_at_most_two_elements(
    ws: Workspace, fast: FastJudge, tmp_path: Path
) -> None:
    record, result = _scan(ws, _text_document(tmp_path, "besluitenlijst-raad.txt", COUNCIL), fast)
    _check_citations(record, result)
    assert sum(f.status != "not_found" for f in result.findings) <= 2


FRAME = [
    "Sociaal domein: ontmoeting in de wijk",
    "De gemeenteraad heeft de kaders voor het sociaal domein in 2022 vastgesteld.",
    "Dit hoofdstuk beschrijft wat we de komende jaren in de wijken doen.",
]


# Known failure, measured: the shipped scorer does not find buurt.ho.ontmoetingsplekken in either sentence (P(addressed)
# 0.17 and 0.29 in a four-sentence document, still not found when the sentence is added to a 93 kB regulation), and
# its commitment head calls both vague. Strict: these start failing the day the judge gets them right.
_SHORT = pytest.mark.xfail(strict=True, reason="the judge misses a single ontmoetingsplek sentence (issue 9 note)")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # Baarn, coalitieakkoord 2022-2026: an intention to talk and study, not a measure -> partial
        pytest.param("We gaan met jongeren in gesprek over een eigen plek. Hiervoor versnellen we het onderzoek dat "
                     "op dit moment plaatsvindt.", "partial", marks=_SHORT),
        # Geldrop-Mierlo, doelstellingenakkoord 2022-2026: a concrete intention for every neighbourhood -> covered
        pytest.param("Elke wijk dient over een toekomstbestendige wijkaccommodatie te beschikken, geschikt voor "
                     "culturele activiteiten, zorg, maatschappelijke diensten en wijkverenigingsactiviteiten.",
                     "covered", marks=_SHORT),
    ],
)  # fmt: skip
def test_an_intention_to_study_is_partial_a_concrete_measure_covered(
    ws: Workspace, fast: FastJudge, tmp_path: Path, sentence: str, expected: str
) -> None:
    name = f"{expected}.txt"
    record, result = _scan(ws, _text_document(tmp_path, name, [*FRAME, sentence]), fast)
    _check_citations(record, result)
    f = result.finding("buurt.ho.ontmoetingsplekken")
    assert f.status == expected, f.rationale
    assert f.evidence[0].quote in " ".join(sentence.split())


def test_the_llm_judge_end_to_end_on_a_real_document(ws: Workspace, tmp_path: Path) -> None:
    """The local model grades the unsure elements of a short real document; a rerun asks it nothing."""
    pytest.importorskip("llama_cpp", reason="the local LLM runtime is an optional extra: pip install -e '.[llm]'")
    from scanner.judge.llm import LlmJudge

    judge = make_judge(ws, "llm")
    assert isinstance(judge, LlmJudge)
    record, result = _scan(ws, real_file("almere_vmca_meerjarenvisie_2022_2025.pdf"), judge)
    _check_citations(record, result)
    assert judge.calls > 0
    assert result.settings.llm == "llama-cpp/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    assert set(result.settings.prompt_hashes) == {"system", "beoordeling"}
    calls = judge.calls
    again = Scanner(ws, FRAMEWORK, judge).scan([record])
    assert judge.calls == calls  # answered from the cache
    assert [f.status for f in again.findings] == [f.status for f in result.findings]


def test_the_scanner_reads_each_sentence_once_from_file_to_result(tmp_path: Path) -> None:
    """Scanner.scan_files on a real PDF: the sentences are embedded once, while the document is stored; the
    passages' vectors in Chroma follow from them (unit length, searchable); the scan that follows embeds nothing;
    the same file again is recognised by its hash without being read."""
    settings = load_settings({"home": tmp_path / "home", "progress": False}, env={})
    scanner = Scanner.open(settings, FRAMEWORK, "fast")
    embedder = scanner.ws.embedder
    embedded: list[int] = []
    real = embedder.embed_passages

    def counting(texts):  # type: ignore[no-untyped-def]
        embedded.append(len(texts))
        return real(texts)

    embedder.embed_passages = counting  # type: ignore[method-assign]
    ingested: list[int] = []
    run = scanner.scan_files([SAMPLE_PDF], out_dir=tmp_path / "uit", progress=lambda: None)
    ingested.append(sum(embedded))
    sha = run.ingested.reports[0].sha256
    assert run.ingested.ok and len(run.outputs) == 1 and ingested[0] > 0
    assert [p.name for p in run.outputs[0].files] == [f"{SAMPLE_PDF.stem}.scan.json", f"{SAMPLE_PDF.stem}.scan.md"]
    units, _ = scanner.judge.read(scanner.ws.store.chunks_of(sha))  # type: ignore[attr-defined]
    assert ingested[0] == len(units)  # every sentence once, nothing else: no passage was embedded separately
    _, vectors = scanner.ws.store.vectors_of(sha)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    hits = scanner.ws.store.search(embedder.embed_query("buurtgezinnen"), 3, [sha])
    assert hits and all(h.chunk.doc_sha256 == sha for h in hits)
    embedded.clear()
    again = scanner.scan_files([SAMPLE_PDF], progress=lambda: None)
    assert embedded == [] and again.ingested.reports[0].status == "already-stored"
    first, second = run.outputs[0].result, again.outputs[0].result
    assert [f.status for f in first.findings] == [f.status for f in second.findings]
    assert sum(f.status != "not_found" for f in first.findings) >= 10
