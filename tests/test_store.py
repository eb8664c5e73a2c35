"""ChromaStore against real Chroma: embedded (PersistentClient) and a real `chroma run` server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.core.records import Chunk, make_chunk_id
from vectorstore.base import ChunkStore, SearchFilter, to_chroma_where
from vectorstore.chroma import ChromaStore, collection_name, make_client


def _chunk(doc: str, i: int, *, year: int, doc_type: str = "letter", lang: str = "nl") -> Chunk:
    return Chunk(
        chunk_id=make_chunk_id(doc * 4, i, i + 1),
        doc_id=doc,
        source=f"{doc}.txt",
        title=f"Title {doc}",
        text=f"text {doc} {i}",
        start=i * 10,
        end=i * 10 + 9,
        ordinal=i,
        page=i + 1,
        heading_path=("H1", "H2"),
        doc_type=doc_type,
        language=lang,
        date=f"{year}-06-01",
    )


CHUNKS = [
    _chunk("aaa", 0, year=2015),
    _chunk("aaa", 1, year=2015),
    _chunk("bbb", 0, year=2024, doc_type="report", lang="en"),
]
VECTORS = np.array([[1, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 1, 0, 0]], dtype=np.float32)
VECTORS /= np.linalg.norm(VECTORS, axis=1, keepdims=True)


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChromaStore]:
    if request.param == "embedded":
        client = make_client(path=tmp_path / "chroma")
    else:
        host, port = request.getfixturevalue("chroma_server")
        client = make_client(host=host, port=port)
    name = collection_name("t", f"m-{tmp_path.name}", 4)
    yield ChromaStore(client, name, model_id="m", dimension=4)
    client.delete_collection(name)


def test_store_roundtrip_query_filters_and_delete(store: ChromaStore) -> None:
    assert isinstance(store, ChunkStore)
    store.add(CHUNKS, VECTORS)
    store.add(CHUNKS[:1], VECTORS[:1])  # upsert: same id replaces, never duplicates
    assert store.count() == 3
    hits = store.query(np.array([1, 0, 0, 0], dtype=np.float32), k=2)
    assert [h.chunk.chunk_id for h in hits] == [CHUNKS[0].chunk_id, CHUNKS[1].chunk_id]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5) and hits[0].rank == 1
    back = hits[0].chunk
    assert (back.page, back.heading_path, back.date, back.title) == (
        1,
        ("H1", "H2"),
        "2015-06-01",
        "Title aaa",
    )

    only_2024 = store.query(np.array([1, 0, 0, 0], dtype=np.float32), k=3, flt=SearchFilter(year_from=2020))
    assert [h.chunk.doc_id for h in only_2024] == ["bbb"]
    only_letters_nl = SearchFilter(doc_types=("letter",), languages=("nl",), year_to=2016)
    assert {h.chunk.doc_id for h in store.query(VECTORS[2], k=3, flt=only_letters_nl)} == {"aaa"}

    assert sorted(store.ids("aaa")) == sorted(c.chunk_id for c in CHUNKS[:2])
    assert [c.chunk_id for c in store.get([CHUNKS[2].chunk_id])] == [CHUNKS[2].chunk_id]
    store.delete([c.chunk_id for c in CHUNKS[:2]])
    assert store.ids() == [CHUNKS[2].chunk_id]


def test_store_refuses_vectors_of_the_wrong_dimension(store: ChromaStore) -> None:
    from assistant.core.errors import StoreError

    with pytest.raises(StoreError, match="expects 4"):
        store.add(CHUNKS[:1], np.ones((1, 8), dtype=np.float32))


def test_collection_names_separate_models_and_dimensions() -> None:
    a = collection_name("beleid", "embeddinggemma-300m", 768)
    b = collection_name("beleid", "embeddinggemma-300m", 256)
    c = collection_name("beleid", "multilingual-e5-small-q4", 384)
    assert len({a, b, c}) == 3
    assert collection_name("x", "a/b c:d", 8) == "x-a-b-c-d-8"


def test_filter_translation_and_python_rule_agree() -> None:
    flt = SearchFilter(doc_types=("report",), year_from=2020)
    assert to_chroma_where(flt) == {"$and": [{"doc_type": {"$in": ["report"]}}, {"year": {"$gte": 2020}}]}
    assert to_chroma_where(SearchFilter()) is None
    assert [flt.matches(c) for c in CHUNKS] == [False, False, True]


def _hnsw(store: ChromaStore) -> dict[str, object]:
    return dict(store._col.configuration_json["hnsw"])  # what Chroma reports for the open collection


@pytest.mark.parametrize("mode", ["embedded", pytest.param("server", marks=pytest.mark.server)])
def test_sparse_graph_is_rebuilt_from_stored_vectors(mode: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from vectorstore.chroma import CHROMA_DEFAULT_HNSW, HNSW

    if mode == "embedded":
        client = make_client(path=tmp_path / "chroma")
    else:
        host, port = request.getfixturevalue("chroma_server")
        client = make_client(host=host, port=port)
    name = collection_name("t", f"rb-{tmp_path.name}", 4)
    old = ChromaStore(client, name, model_id="m", dimension=4, hnsw=CHROMA_DEFAULT_HNSW)
    old.add(CHUNKS, VECTORS)
    assert _hnsw(old)["max_neighbors"] == 16
    # Opened with the tuned parameters: same chunks, texts and metadata, denser graph, no re-embedding.
    new = ChromaStore(client, name, model_id="m", dimension=4)
    assert _hnsw(new)["max_neighbors"] == HNSW["max_neighbors"]
    assert sorted(new.ids()) == sorted(c.chunk_id for c in CHUNKS)
    assert new.get([CHUNKS[2].chunk_id]) == [CHUNKS[2]]
    assert new.query(np.array([0, 1, 0, 0], dtype=np.float32), k=1)[0].chunk.chunk_id == CHUNKS[2].chunk_id
    assert f"{name}-hnsw" not in {getattr(c, "name", c) for c in client.list_collections()}
    # A run killed between dropping the old collection and renaming the copy is finished at the next open.
    client.get_collection(name).modify(name=f"{name}-hnsw")
    again = ChromaStore(client, name, model_id="m", dimension=4)
    assert again.count() == 3
    client.delete_collection(name)
