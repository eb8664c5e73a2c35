"""Answer-unit vectors embedded at ingest: questions then need no sentence embedding, and the cache survives
a restart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.composition import build_assistant
from assistant.core.config import Settings
from assistant.core.embedder import Vectors
from assistant.embedding.cache import VectorCache
from assistant.embedding.embedders import FakeEmbedder


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__(256)
        self.document_texts = 0

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        self.document_texts += len(texts)
        return super().embed_documents(texts)

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = FakeEmbedder.embed_documents(self, [text])[0]  # queries are not sentences: not counted
        return vector


def test_cache_roundtrip_is_keyed_by_model(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "v.sqlite3", "model-a")
    vec = np.linspace(-1, 1, 8).astype(np.float32)
    cache.put_many({"zin": vec})
    assert np.allclose(cache.get_many(["zin", "andere"])["zin"], vec, atol=1e-3)
    assert VectorCache(tmp_path / "v.sqlite3", "model-b").get_many(["zin"]) == {}


def test_by_default_a_question_embeds_only_the_units_it_scores_once(test_settings: Settings, corpus_dir: Path) -> None:
    embedder = CountingEmbedder()
    a = build_assistant(test_settings, embedder=embedder)
    report = a.ingest([corpus_dir])
    assert report.answer_units == 0 and a.vector_cache.warmed() == set()
    assert embedder.document_texts == a.store.count()  # the passages only
    question = "In welk jaar is de gemeente Den Haag lid geworden van EFUS?"
    before = embedder.document_texts
    first = a.ask(question)
    embedded = embedder.document_texts - before
    assert 0 < embedded <= a.extractive.embed_top
    # The same question again, and in a new process: the vectors are kept, nothing is embedded.
    assert a.ask(question).text == first.text
    assert embedder.document_texts == before + embedded
    again = CountingEmbedder()
    assert build_assistant(test_settings, embedder=again).ask(question).text == first.text
    assert again.document_texts == 0


def test_ingest_with_answer_vectors_lets_questions_embed_no_sentences(
    test_settings: Settings, corpus_dir: Path
) -> None:
    embedder = CountingEmbedder()
    a = build_assistant(test_settings.updated(precompute_answer_vectors=True), embedder=embedder)
    a.ingest([corpus_dir])
    assert len(a.vector_cache) > a.store.count()  # several units per chunk
    before = embedder.document_texts
    answer = a.ask("In welk jaar is de gemeente Den Haag lid geworden van EFUS?")
    assert answer.text
    assert embedder.document_texts == before

    # A new process finds the vectors on disk.
    again = CountingEmbedder()
    b = build_assistant(test_settings, embedder=again)
    b.ask("Welke locaties zijn bezocht tijdens de dienstreis naar Oslo?")
    assert again.document_texts == 0


def test_a_long_running_process_warms_answer_vectors_in_the_background(
    test_settings: Settings, corpus_dir: Path
) -> None:
    embedder = CountingEmbedder()
    a = build_assistant(test_settings, embedder=embedder)
    a.ingest([corpus_dir])
    assert a.vector_cache.warmed() == set()
    a.warm_in_background()
    a.warm_in_background()  # a second request during the run: one more run, which finds nothing left
    assert a.background_warmer.wait(timeout=60)
    assert a.vector_cache.warmed() == {d.doc_id for d in a.manifest.documents()}
    before = embedder.document_texts
    a.ask("Welke locaties zijn bezocht tijdens de dienstreis naar Oslo?")
    assert embedder.document_texts == before  # every sentence it scores was embedded already
