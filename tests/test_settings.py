"""Settings in nested sections, read by the flat names they always had (issue #19): `ASSISTANT_<FIELD>` from
the environment and `.env`, constructor keywords, the same precedence, and the same index keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from assistant.core.config import (
    Settings,
    TestSettings,
    describe_settings,
    load_settings,
    setting_fields,
    setting_value,
)
from assistant.core.errors import ConfigurationError
from assistant.embedding.embedders import embedder_identity
from eval.runner import corpus_index_settings
from vectorstore.chroma import collection_name

# Every setting by the flat name it had before the sections: a value to put in `ASSISTANT_<NAME>` (none is its
# default) and what the setting then holds. A new setting must be added here, under a name no other one has.
ENV: dict[str, tuple[str, Any]] = {
    "profile": ("test", "test"),
    "log_level": ("DEBUG", "DEBUG"),
    "data_dir": ("/srv/a/data", Path("/srv/a/data")),
    "models_dir": ("/srv/a/models", Path("/srv/a/models")),
    "wheel_cache_dir": ("/srv/a/wheels", Path("/srv/a/wheels")),
    "chroma_host": ("chroma.local", "chroma.local"),
    "chroma_port": ("9000", 9000),
    "chroma_ssl": ("true", True),
    "collection_prefix": ("other", "other"),
    "embedding_backend": ("onnx-int8", "onnx-int8"),
    "embedding_model": ("all-minilm-l6-v2", "all-minilm-l6-v2"),
    "embedding_dim": ("256", 256),
    "embedding_batch_size": ("8", 8),
    "embedding_threads": ("3", 3),
    "embedding_url": ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    "embedding_api_key": ("sk-emb", SecretStr("sk-emb")),
    "embedding_timeout_s": ("5", 5.0),
    "embedding_query_prompt": ("q: ", "q: "),
    "embedding_document_prompt": ("d: ", "d: "),
    "corpus_dir": ("/srv/a/corpus", Path("/srv/a/corpus")),
    "chunk_size": ("800", 800),
    "chunk_overlap": ("100", 100),
    "ingest_threads": ("2", 2),
    "precompute_answer_vectors": ("true", True),
    "ocr_language": ("eng", "eng"),
    "max_file_mb": ("7", 7),
    "retrieval": ("dense", "dense"),
    "top_k": ("8", 8),
    "fusion": ("rrf", "rrf"),
    "dense_weight": ("0.6", 0.6),
    "lexical_weight": ("0.4", 0.4),
    "retrieval_candidates": ("40", 40),
    "keep_run_leaders": ("false", False),
    "max_chunks_per_doc": ("2", 2),
    "rerank": ("sentence", "sentence"),
    "ranker": ("learned", "learned"),
    "ranker_model": ("/srv/a/ranker.json", Path("/srv/a/ranker.json")),
    "cross_encoder_path": ("/srv/a/ce", Path("/srv/a/ce")),
    "rerank_weight": ("0.25", 0.25),
    "rerank_top": ("10", 10),
    "answer_type_weight": ("0.1", 0.1),
    "history_weight": ("0.5", 0.5),
    "query_rewriter": ("history", "history"),
    "llm_backend": ("ollama", "ollama"),
    "llm_base_url": ("http://127.0.0.1:11434", "http://127.0.0.1:11434"),
    "llm_api_key": ("sk-llm", SecretStr("sk-llm")),
    "llm_model": ("qwen", "qwen"),
    "llm_temperature": ("0.2", 0.2),
    "llm_max_tokens": ("256", 256),
    "llm_timeout_s": ("30", 30.0),
    "llm_model_path": ("/srv/a/m.gguf", Path("/srv/a/m.gguf")),
    "overview_passages": ("12", 12),
    "verify_threshold": ("0.6", 0.6),
    "verify_mode": ("remove", "remove"),
    "user_groups": ("a,b", "a,b"),
    "users_file": ("/srv/a/users.json", Path("/srv/a/users.json")),
    "oidc_groups": ('{"@x.nl": ["a"]}', {"@x.nl": ["a"]}),
    "oidc_groups_claim": ("groups", "groups"),
    "oidc_roles": ('{"an@x.nl": "admin"}', {"an@x.nl": "admin"}),
    "oidc_roles_claim": ("roles", "roles"),
    "audit_max_mb": ("2", 2.0),
    "audit_backups": ("3", 3),
}

SECTIONS = {"storage", "embedding", "ingest", "search", "answering", "access"}


def _plain(value: Any) -> Any:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def test_every_old_env_name_sets_its_nested_field(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(ENV) == set(setting_fields(Settings))  # the same names as the flat class had, no more, no less
    for name, (raw, _) in ENV.items():
        monkeypatch.setenv(f"ASSISTANT_{name.upper()}", raw)
    settings = load_settings(_env_file=None)
    assert isinstance(settings, TestSettings)  # ASSISTANT_PROFILE=test picks the profile class, as before
    for name, (_, expected) in ENV.items():
        assert _plain(setting_value(settings, name)) == _plain(expected), name
    assert settings.search.dense_weight == 0.6 and settings.search.max_chunks_per_doc == 2
    assert settings.answering.llm_backend == "ollama" and settings.embedding.embedding_threads == 3
    assert settings.storage.data_dir == Path("/srv/a/data") and settings.access.oidc_roles == {"an@x.nl": "admin"}


def test_names_are_case_insensitive_and_empty_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("assistant_top_k", "4")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_THREADS", "")
    monkeypatch.setenv("ASSISTANT_CHROMA_HOST", "")
    settings = load_settings(profile="test", _env_file=None)
    assert settings.search.top_k == 4
    assert settings.embedding.embedding_threads is None and settings.storage.chroma_host is None


def test_the_env_file_sets_nested_fields_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "ASSISTANT_DENSE_WEIGHT=0.4\nASSISTANT_TOP_K=7\nASSISTANT_LLM_BACKEND=openai\n"
        'ASSISTANT_OIDC_GROUPS={"@x.nl": ["a"]}\nASSISTANT_EMBEDDING_BACKEND=onnx\nUNRELATED=1\nASSISTANT_NO_SUCH=2\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # `.env` in the working directory, as in use
    from_file = load_settings(profile="test")
    assert (from_file.search.dense_weight, from_file.search.top_k) == (0.4, 7)
    assert from_file.answering.llm_backend == "openai" and from_file.access.oidc_groups == {"@x.nl": ["a"]}
    assert from_file.embedding.embedding_backend == "onnx"  # `.env` over the test profile's 'fake'

    monkeypatch.setenv("ASSISTANT_TOP_K", "9")  # the environment over `.env`, field by field
    both = load_settings(profile="test")
    assert (both.search.top_k, both.search.dense_weight) == (9, 0.4)
    assert load_settings(profile="test", top_k=3).search.top_k == 3  # constructor keywords over both
    assert load_settings(profile="test", _env_file=None).search.dense_weight == 0.7  # without the file


def test_profile_defaults_sit_under_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    test = load_settings(profile="test", _env_file=None)
    assert (test.profile, test.embedding.embedding_backend, test.embedding.embedding_batch_size) == ("test", "fake", 64)
    default = load_settings(profile="default", _env_file=None)
    assert (default.embedding.embedding_backend, default.embedding.embedding_batch_size) == ("onnx", 16)
    monkeypatch.setenv("ASSISTANT_EMBEDDING_THREADS", "2")  # another field of the section keeps the profile's
    partial = load_settings(profile="test", _env_file=None)
    assert (partial.embedding.embedding_backend, partial.embedding.embedding_threads) == ("fake", 2)
    monkeypatch.setenv("ASSISTANT_EMBEDDING_BACKEND", "onnx")
    assert load_settings(profile="test", _env_file=None).embedding.embedding_backend == "onnx"


def test_errors_name_the_flat_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_DENSE_WEIGHT", "2")
    with pytest.raises(ConfigurationError, match="ASSISTANT_DENSE_WEIGHT"):
        load_settings(profile="test", _env_file=None)
    monkeypatch.delenv("ASSISTANT_DENSE_WEIGHT")
    with pytest.raises(ConfigurationError, match="ASSISTANT_CHUNK_OVERLAP"):
        load_settings(profile="test", chunk_overlap=2000, _env_file=None)


def test_every_field_is_described_and_has_a_unique_env_name() -> None:
    fields = setting_fields(Settings)
    assert {section for section, _ in fields.values() if section} == SECTIONS
    for name in SECTIONS:
        assert Settings.model_fields[name].description, name
    env_names = [f"ASSISTANT_{name.upper()}" for name in fields]
    assert len(set(env_names)) == len(env_names) == 62
    assert not {n.upper() for n in fields} & {s.upper() for s in SECTIONS}  # no env name shadows a section's
    for name, (section, info) in fields.items():
        assert info.description, name
        assert section in SECTIONS or (section is None and name in ("profile", "log_level")), name
    names = [row[0] for row in describe_settings(TestSettings(_env_file=None))]  # type: ignore[call-arg]
    assert sorted(names) == sorted(ENV)


def test_updated_changes_sections_by_flat_name() -> None:
    base = TestSettings(_env_file=None)  # type: ignore[call-arg]
    copy = base.updated(top_k=2, data_dir=Path("/x"), profile="default")
    assert (copy.search.top_k, copy.storage.data_dir, copy.profile) == (2, Path("/x"), "default")
    assert (base.search.top_k, base.profile) == (5, "test") and base.storage.data_dir != Path("/x")
    assert copy.embedding is base.embedding and type(copy) is TestSettings  # untouched sections are shared
    with pytest.raises(ValueError, match="unknown setting"):
        base.updated(topk=3)
    with pytest.raises(ValidationError):
        base.search.top_k = 9  # type: ignore[misc]  # sections are frozen: a shared one never changes


# Computed with the flat settings class (the commit before the sections), for the same effective values: the
# evaluation index folder and collection, and the store's collection, must not change, or indexes are rebuilt.
KEYS = {
    ("default", "/work/shared/corpus", 0): "409490741da3",
    ("default", "/work/shared/corpus", 200): "f7ed35d4eeb6",
    ("default", "/work/shared/testdata/pdfs", 0): "8fd566ab4ebe",
    ("default", "/work/shared/testdata/pdfs", 200): "45f48b304233",
    ("default", "/srv/beleid/corpus", 0): "6b4b48b4b28c",
    ("test", "/work/shared/corpus", 0): "54128a50c248",
    ("test", "/work/shared/testdata/pdfs", 0): "a4ecbb18c9cf",
    ("test", "/srv/beleid/corpus", 200): "bb74656f95f0",
}


@pytest.mark.parametrize(("profile", "corpus", "distractors"), sorted(KEYS))
def test_index_keys_are_unchanged(profile: str, corpus: str, distractors: int, tmp_path: Path) -> None:
    settings = load_settings(profile=profile, data_dir=tmp_path / "data", _env_file=None)
    identity = embedder_identity(settings)
    assert identity is not None
    model = {"default": "embeddinggemma-300m-768", "test": "fake-hash-256"}[profile]
    assert collection_name(settings.storage.collection_prefix, *identity) == f"beleid-{model}"
    ev = corpus_index_settings(settings, Path(corpus), distractors)
    key = KEYS[(profile, corpus, distractors)]
    assert ev.storage.data_dir == tmp_path / "data" / "eval" / key
    assert collection_name(ev.storage.collection_prefix, *identity) == f"eval{key}-{model}"
    assert ev.search == settings.search and ev.embedding == settings.embedding  # only where the index lives
