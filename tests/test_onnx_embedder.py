"""ONNX export and runtime, on a real (small) sentence-transformers model: all-MiniLM-L6-v2 from the baseline
package. The same code exports EmbeddingGemma; that run is measured in bench/embedding_options.py and covered by
the slow test at the end."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.core.config import TestSettings
from assistant.core.errors import ModelError
from assistant.embedding.embedders import SentenceTransformerEmbedder, build_embedder

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("onnx") is None or importlib.util.find_spec("onnx_ir") is None,
    reason="the onnx extra is not installed (pip install -e '.[onnx]')",
)

DOCS = [
    "De gemeente Rotterdam werkt samen met Brussel aan veiligheid in de wijken.",
    "Het Strong Cities Network verbindt steden die radicalisering tegengaan. " * 12,
    "Kort.",
]
QUERY = "Welke steden werken samen aan veiligheid?"


@pytest.fixture(scope="module")
def minilm_folder() -> Path:
    from assistant.embedding.models import resolve_model_folder

    try:
        folder, _ = resolve_model_folder(TestSettings(embedding_model="all-minilm-l6-v2"))
    except ModelError as exc:
        pytest.skip(f"MiniLM is not installed: {exc}")
    return folder


@pytest.fixture(scope="module")
def export(minilm_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A private copy of the model (so the test may touch it) and its export, made once for the module."""
    from assistant.embedding.onnx import export_onnx, onnx_cache_dir

    root = tmp_path_factory.mktemp("onnx")
    source = root / "minilm"
    shutil.copytree(minilm_folder, source)
    cache = onnx_cache_dir(root / "models", source, "minilm")
    export_onnx(source, cache, progress=lambda _m: None)
    return source, cache


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1)


def test_fp32_export_gives_the_torch_vectors(export: tuple[Path, Path]) -> None:
    from assistant.embedding.onnx import OnnxEmbedder

    source, cache = export
    torch_model = SentenceTransformerEmbedder(source, model_id="minilm")
    onnx_model = OnnxEmbedder(source, cache, model_id="minilm", batch_size=2, progress=lambda _m: None)
    ref, got = torch_model.embed_documents(DOCS), onnx_model.embed_documents(DOCS)
    assert got.shape == ref.shape == (3, 384) and got.dtype == np.float32
    # Batches of 2 with padding and a text longer than the model's 256-token limit: still the same vectors.
    assert float(np.max(np.abs(got - ref))) < 1e-4
    assert _cos(onnx_model.embed_query(QUERY), torch_model.embed_query(QUERY)) > 0.99999
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_the_fast_tokenizer_is_used_only_once_it_agreed_with_transformers(export: tuple[Path, Path]) -> None:
    import json

    from assistant.embedding.onnx import META, OnnxEmbedder

    source, cache = export
    meta_file = cache / META
    assert json.loads(meta_file.read_text())["fast_tokenizer"] is True  # checked at export
    fast = OnnxEmbedder(source, cache, model_id="minilm", batch_size=2, progress=lambda _m: None)
    # An export made before the check: the first process checks it and records the verdict.
    meta = json.loads(meta_file.read_text())
    del meta["fast_tokenizer"]
    meta_file.write_text(json.dumps(meta))
    checked = OnnxEmbedder(source, cache, model_id="minilm", batch_size=2, progress=lambda _m: None)
    assert json.loads(meta_file.read_text())["fast_tokenizer"] is True
    # A verdict against it: transformers' tokenizer, the same vectors.
    meta["fast_tokenizer"] = False
    meta_file.write_text(json.dumps(meta))
    slow = OnnxEmbedder(source, cache, model_id="minilm", batch_size=2, progress=lambda _m: None)
    meta["fast_tokenizer"] = True
    meta_file.write_text(json.dumps(meta))
    vectors = [m.embed_documents(DOCS) for m in (fast, checked, slow)]
    assert all(float(np.max(np.abs(v - vectors[2]))) < 1e-6 for v in vectors)


def test_int8_is_close_but_not_identical_and_cached(export: tuple[Path, Path]) -> None:
    from assistant.embedding.onnx import MODEL_FILES, OnnxEmbedder

    source, cache = export
    fp32 = OnnxEmbedder(source, cache, model_id="minilm", progress=lambda _m: None)
    said: list[str] = []
    int8 = OnnxEmbedder(source, cache, model_id="minilm-int8", precision="int8", progress=said.append)
    assert len(said) == 1 and "quantising" in said[0]  # quantised once, from the cached float32 export
    # Only the matrix multiplications get 8-bit weights (the token-embedding table stays float32).
    assert (cache / MODEL_FILES["int8"]).stat().st_size < 0.8 * (cache / MODEL_FILES["fp32"]).stat().st_size
    cos = _cos(int8.embed_documents(DOCS), fp32.embed_documents(DOCS))
    assert cos.min() > 0.99 and float(np.max(np.abs(cos - 1))) > 0  # close, yet not the float32 vectors
    again: list[str] = []
    OnnxEmbedder(source, cache, model_id="minilm-int8", precision="int8", progress=again.append)
    assert again == []  # nothing exported or quantised twice


def test_matryoshka_truncation_renormalises(export: tuple[Path, Path]) -> None:
    from assistant.embedding.onnx import OnnxEmbedder

    source, cache = export
    full = OnnxEmbedder(source, cache, model_id="minilm", progress=lambda _m: None).embed_documents(DOCS)
    cut = OnnxEmbedder(source, cache, model_id="minilm", truncate_dim=128, progress=lambda _m: None)
    got = cut.embed_documents(DOCS)
    assert cut.dimension == 128 and got.shape == (3, 128)
    expected = full[:, :128] / np.linalg.norm(full[:, :128], axis=1, keepdims=True)
    assert np.allclose(got, expected, atol=1e-5)


def test_a_changed_model_is_exported_again(export: tuple[Path, Path], tmp_path: Path) -> None:
    from assistant.embedding.onnx import export_is_current

    source, cache = export
    assert export_is_current(cache, source)
    copy = tmp_path / "minilm"
    shutil.copytree(source, copy)
    (copy / "config.json").write_text((copy / "config.json").read_text() + "\n")
    assert not export_is_current(cache, copy)  # another folder, and a changed file


def test_settings_select_onnx_and_name_the_collection(minilm_folder: Path, tmp_path: Path) -> None:
    base = TestSettings(embedding_model=str(minilm_folder), models_dir=tmp_path / "models")
    onnx = build_embedder(base.updated(embedding_backend="onnx"))
    int8 = build_embedder(base.updated(embedding_backend="onnx-int8", embedding_dim=256))
    # Float32 ONNX shares torch's collection; 8-bit vectors and another dimension get their own.
    assert (onnx.model_id, onnx.dimension) == (minilm_folder.name, 384)
    assert (int8.model_id, int8.dimension) == (f"{minilm_folder.name}-int8", 256)
    assert (tmp_path / "models" / f"{minilm_folder.name}-onnx" / "export.json").is_file()


@pytest.mark.slow
def test_embeddinggemma_onnx_matches_torch(real_settings_factory: object) -> None:
    settings = real_settings_factory()  # type: ignore[operator]
    torch_model = build_embedder(settings.updated(embedding_backend="sentence-transformers"))
    onnx_model = build_embedder(settings.updated(embedding_backend="onnx"))
    int8_model = build_embedder(settings.updated(embedding_backend="onnx-int8"))
    ref = torch_model.embed_documents(DOCS)
    assert float(np.max(np.abs(onnx_model.embed_documents(DOCS) - ref))) < 1e-4
    assert _cos(onnx_model.embed_query(QUERY), torch_model.embed_query(QUERY)) > 0.99999
    assert _cos(int8_model.embed_documents(DOCS), ref).min() > 0.995


def test_set_up_exports_the_configured_onnx_model_once(minilm_folder: Path, tmp_path: Path) -> None:
    from assistant.embedding.embedders import prepare_runtime

    settings = TestSettings(
        embedding_model=str(minilm_folder), models_dir=tmp_path / "models", embedding_backend="onnx"
    )
    said: list[str] = []
    prepare_runtime(settings, str(minilm_folder), progress=said.append)
    meta = tmp_path / "models" / f"{minilm_folder.name}-onnx" / "export.json"
    assert meta.is_file() and any("exporting" in line for line in said)
    said.clear()
    prepare_runtime(settings, str(minilm_folder), progress=said.append)  # already current: nothing exported
    assert not any("exporting" in line for line in said)
    # The torch backend needs no export.
    said.clear()
    torch_settings = settings.updated(embedding_backend="sentence-transformers")
    prepare_runtime(torch_settings, str(minilm_folder), progress=said.append)
    assert not said
