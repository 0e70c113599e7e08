"""Every vector store implementation passes the same tests: the in-memory fake, the embedded Chroma store on disk,
and Chroma's HTTP client against a real Chroma server that the tests start on localhost and stop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from scanner.embed.fake import HashEmbedder
from scanner.errors import ConfigError, EmbedderMismatchError, StoreUnavailableError
from scanner.store.base import ChunkStore
from scanner.store.chroma import ChromaStore, collection_name, open_client
from scanner.store.memory import InMemoryStore
from scanner.store.server import local_chroma_server
from scanner.types import Chunk

EMB = HashEmbedder(64)
SHA_A = "a" * 64
SHA_B = "b" * 64


def _chunks(sha: str, texts: list[str], page: int = 1) -> list[Chunk]:
    out, pos = [], 0
    for t in texts:
        out.append(
            Chunk(
                doc_sha256=sha, page=page, start=pos, end=pos + len(t), text=t, section_path=("1 Inleiding", "1.1 Doel")
            )
        )
        pos += len(t) + 1
    return out


Factory = Callable[[Path], ChunkStore]
FACTORIES: dict[str, Factory] = {
    "memory": lambda p: InMemoryStore(EMB.id, EMB.dimension),
    "chroma": lambda p: ChromaStore(p / "chroma", EMB.id, EMB.dimension),
}


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (``chroma run`` from the chromadb package) on localhost, started and stopped here."""
    folder = tmp_path_factory.mktemp("chroma-server")
    with local_chroma_server(folder / "chroma", log=folder / "server.log") as url:
        yield url


def _empty_server(url: str) -> str:
    """The server with no collections left by an earlier test (each test starts from an empty store)."""
    client = open_client(url=url)
    for c in client.list_collections():
        client.delete_collection(c.name if hasattr(c, "name") else c)
    return url


@pytest.fixture(params=[*sorted(FACTORIES), "chroma-server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ChunkStore:
    if request.param == "chroma-server":
        url = _empty_server(request.getfixturevalue("chroma_server"))
        return ChromaStore(None, EMB.id, EMB.dimension, url=url)
    return FACTORIES[request.param](tmp_path)


def _add(store: ChunkStore, chunks: list[Chunk]) -> None:
    store.add(chunks, EMB.embed_passages([c.text for c in chunks]))


def test_add_is_idempotent_by_chunk_id(store: ChunkStore) -> None:
    chunks = _chunks(SHA_A, ["De gemeente steunt buurthuizen.", "Sportverenigingen krijgen hulp."])
    _add(store, chunks)
    _add(store, chunks)
    assert store.count() == 2
    assert store.has_document(SHA_A)
    assert not store.has_document(SHA_B)


def test_chunks_of_round_trips_provenance(store: ChunkStore) -> None:
    chunks = _chunks(SHA_A, ["Tweede zin.", "Eerste zin."], page=3) + _chunks(SHA_A, ["Op pagina twee."], page=2)
    _add(store, chunks)
    got = store.chunks_of(SHA_A)
    assert [(c.page, c.start) for c in got] == [(2, 0), (3, 0), (3, 12)]
    assert {c.id for c in got} == {c.id for c in chunks}
    original = {c.id: c for c in chunks}
    for c in got:
        assert c == original[c.id]  # text, offsets, section path and label survive the store


def test_vectors_of_returns_each_chunk_with_its_stored_vector(store: ChunkStore) -> None:
    chunks = _chunks(SHA_A, ["Tweede zin.", "Eerste zin."], page=3) + _chunks(SHA_A, ["Op pagina twee."], page=2)
    vectors = EMB.embed_passages([c.text for c in chunks])
    store.add(chunks, vectors)
    _add(store, _chunks(SHA_B, ["Een ander document."]))
    got, got_vectors = store.vectors_of(SHA_A)
    assert [(c.page, c.start) for c in got] == [(2, 0), (3, 0), (3, 12)]
    assert got_vectors.shape == (3, EMB.dimension) and got_vectors.dtype == np.float32
    by_id = {c.id: v for c, v in zip(chunks, vectors, strict=True)}
    for c, v in zip(got, got_vectors, strict=True):
        np.testing.assert_allclose(v, by_id[c.id], atol=1e-6)
    empty, none = store.vectors_of("c" * 64)
    assert empty == [] and none.shape == (0, EMB.dimension)


def test_search_ranks_the_matching_chunk_first_and_filters_documents(store: ChunkStore) -> None:
    _add(store, _chunks(SHA_A, ["ouder-en-kindgroepen in het buurthuis", "begroting en belastingen"]))
    _add(store, _chunks(SHA_B, ["ouder-en-kindgroepen in de wijk", "afvalinzameling"]))
    q = EMB.embed_query("ouder-en-kindgroepen")
    hits = store.search(q, k=4)
    assert len(hits) == 4
    assert "ouder-en-kindgroepen" in hits[0].chunk.text
    assert hits[0].score >= hits[-1].score
    only_a = store.search(q, k=4, documents=[SHA_A])
    assert {h.chunk.doc_sha256 for h in only_a} == {SHA_A}
    assert len(only_a) == 2
    assert store.search(q, k=4, documents=[]) == []
    assert abs(only_a[0].score - float(EMB.embed_passages([only_a[0].chunk.text])[0] @ q)) < 1e-4


def test_delete_document(store: ChunkStore) -> None:
    _add(store, _chunks(SHA_A, ["een", "twee"]))
    _add(store, _chunks(SHA_B, ["drie"]))
    assert store.delete_document(SHA_A) == 2
    assert not store.has_document(SHA_A)
    assert store.count() == 1


def test_wrong_dimension_is_refused(store: ChunkStore) -> None:
    chunks = _chunks(SHA_A, ["tekst"])
    with pytest.raises((ValueError, EmbedderMismatchError)):
        store.add(chunks, np.zeros((1, EMB.dimension + 1), dtype=np.float32))


@pytest.fixture(params=["embedded", "server"])
def chroma_at(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str, int], ChromaStore]:
    """Open a Chroma store (embedded on disk, or on the test's server) the way a second process would."""
    if request.param == "server":
        url = _empty_server(request.getfixturevalue("chroma_server"))
        return lambda emb_id, dim: ChromaStore(None, emb_id, dim, url=url)
    return lambda emb_id, dim: ChromaStore(tmp_path / "chroma", emb_id, dim)


def test_chroma_persists_and_checks_the_embedder_on_open(chroma_at: Callable[[str, int], ChromaStore]) -> None:
    first = chroma_at(EMB.id, EMB.dimension)
    _add(first, _chunks(SHA_A, ["blijft bewaard"]))
    del first
    reopened = chroma_at(EMB.id, EMB.dimension)
    assert reopened.count() == 1
    assert reopened.collection.metadata["embedder"] == EMB.id
    assert reopened.collection.metadata["dimension"] == EMB.dimension
    # Another model gets its own collection, never mixed vectors.
    other = chroma_at("hash-32", 32)
    assert other.name != reopened.name and other.count() == 0


def test_chroma_refuses_a_collection_built_with_another_dimension(
    chroma_at: Callable[[str, int], ChromaStore],
) -> None:
    chroma_at(EMB.id, EMB.dimension)
    with pytest.raises(EmbedderMismatchError, match="nooit gemengd"):
        chroma_at(EMB.id, EMB.dimension * 2)


def test_a_server_that_is_not_there_or_goes_away_is_named(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError, match=r"127\.0\.0\.1:9.*niet bereikbaar.*chroma run"):
        ChromaStore(None, EMB.id, EMB.dimension, url="http://127.0.0.1:9")
    with local_chroma_server(tmp_path / "chroma", log=tmp_path / "server.log") as url:
        store = ChromaStore(None, EMB.id, EMB.dimension, url=url)
        _add(store, _chunks(SHA_A, ["er even"]))
    with pytest.raises(StoreUnavailableError, match="niet bereikbaar"):  # stopped between two calls
        store.search(EMB.embed_query("er"), 1)
    with pytest.raises(ConfigError, match="chroma_url"):
        ChromaStore(None, EMB.id, EMB.dimension, url="ftp://ergens")


def test_stores_on_one_server_share_one_http_client(chroma_server: str) -> None:
    """Each Chroma HTTP client keeps its own connection pools; a process that opens several stores on one server
    must not gather connections, so stores on one address share one client."""
    url = _empty_server(chroma_server)
    first = ChromaStore(None, EMB.id, EMB.dimension, url=url)
    second = ChromaStore(None, "hash-32", 32, url=url + "/")
    assert first.client is second.client is open_client(url=url)


def test_collection_name_is_valid_for_chroma() -> None:
    name = collection_name("sentence-transformers//home/user/models/e5 small (v2)")
    assert 3 <= len(name) <= 512
    assert name[0].isalnum() and name[-1].isalnum()
    assert all(c.isalnum() or c in "._-" for c in name)
