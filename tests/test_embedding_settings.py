"""Embedding settings: thread default and the identity that names the collection."""

from __future__ import annotations

import pytest

from assistant.core import config
from assistant.core.config import TestSettings, load_settings
from assistant.embedding.embedders import embedder_identity


@pytest.mark.parametrize(("cores", "threads"), [(None, 1), (1, 1), (2, 1), (4, 2), (8, 4), (64, 4)])
def test_default_threads_are_half_the_cores_at_most_four(
    monkeypatch: pytest.MonkeyPatch, cores: int | None, threads: int
) -> None:
    monkeypatch.setattr(config.os, "cpu_count", lambda: cores)
    assert TestSettings().embedding.embedding_threads == threads


def test_empty_threads_lets_the_library_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDING_THREADS", "")
    assert load_settings(profile="test").embedding.embedding_threads is None
    monkeypatch.setenv("ASSISTANT_EMBEDDING_THREADS", "3")
    assert load_settings(profile="test").embedding.embedding_threads == 3


def test_identity_changes_with_precision_and_dimension() -> None:
    s = TestSettings(embedding_model="embeddinggemma-300m")
    ids = {
        embedder_identity(s.updated(embedding_backend=b, embedding_dim=d))
        for b in ("sentence-transformers", "onnx", "onnx-int8")
        for d in (None, 256)
    }
    assert ids == {
        ("embeddinggemma-300m", 768),
        ("embeddinggemma-300m", 256),
        ("embeddinggemma-300m-int8", 768),
        ("embeddinggemma-300m-int8", 256),
    }
