"""Sentence-transformers models on ONNX Runtime, in float32 or with 8-bit weights.

The graph is exported once from the local, verified model folder (never from a model hub) and cached next to
the model (`models_dir/<model>-onnx/`). It holds the whole sentence-transformers pipeline (transformer, pooling,
dense layers, normalisation), so embedding at run time needs ONNX Runtime and the tokenizer, not torch.

Why our own export instead of `SentenceTransformer(..., backend="onnx")`: that path needs optimum-onnx, which
pins transformers < 4.58 and so would downgrade the transformers this project runs EmbeddingGemma with; and its
tracer cannot follow the vmap-built attention masks of transformers 5. We pass the masks in ourselves (plain
tensor ops), which traces cleanly, and check every export against the torch model before it is used.

Prompts, tokenization, truncation and batching copy `SentenceTransformer.encode` (the text is prompt + text,
optionally lower-cased, truncated to the model's max_seq_length), so a float32 export gives the
torch vectors to within float rounding (measured: max abs difference ~1e-7 on EmbeddingGemma).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from assistant.core.errors import DependencyMissingError, ModelError

Vectors = Any  # numpy float32 matrix; kept loose here to avoid a cycle with assistant.embedding.embedders
OnnxPrecision = Literal["fp32", "int8", "int8-dynamic", "int8-mixed"]
Progress = Callable[[str], None]

# Bump when the export procedure changes, so cached exports are redone.
EXPORT_VERSION = 1
MODEL_FILES = {
    "fp32": "model.onnx",
    "int8": "model-int8.onnx",
    "int8-dynamic": "model-int8-dynamic.onnx",
    "int8-mixed": "model-int8-mixed.onnx",
}
META = "export.json"
# Least cosine between torch and the float32 export on the probe texts for the export to be accepted.
MIN_EXPORT_COSINE = 0.9999
_PROBES = (
    "Wat is het veiligheidsbeleid van de gemeente?",
    "De burgemeester bezocht Brussel in 2019 met een delegatie van de afdeling Internationale Zaken. " * 30,
    "Kort.",
)
_SOURCE_FILES = ("model.safetensors", "pytorch_model.bin", "config.json", "modules.json", "tokenizer.json")


def onnx_cache_dir(models_dir: Path, source: Path, model_id: str) -> Path:
    """Where the export of `source` is kept: beside the verified model in models_dir."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in model_id)
    return models_dir / f"{safe}-onnx"


def _source_state(source: Path) -> dict[str, list[int]]:
    state: dict[str, list[int]] = {}
    for path in sorted(source.rglob("*")):
        if path.is_file() and (path.name in _SOURCE_FILES or path.suffix in (".safetensors", ".json")):
            st = path.stat()
            state[str(path.relative_to(source))] = [st.st_size, int(st.st_mtime)]
    return state


def _read_meta(cache: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((cache / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def export_is_current(cache: Path, source: Path) -> bool:
    meta = _read_meta(cache)
    return bool(
        meta
        and meta.get("version") == EXPORT_VERSION
        and meta.get("source") == str(source)
        and meta.get("source_state") == _source_state(source)
        and (cache / MODEL_FILES["fp32"]).is_file()
    )


def _require_onnx(*, runtime_only: bool = False) -> None:
    """onnxruntime to run a model; also onnx to export or quantise one (importing onnx costs about a second
    that a process which only embeds questions need not pay)."""
    try:
        import onnxruntime  # noqa: F401

        if not runtime_only:
            import onnx  # noqa: F401
    except ImportError as exc:
        raise DependencyMissingError.for_package(
            "The ONNX embedding backend", "onnx onnxruntime onnx-ir", extra="onnx"
        ) from exc


def _pipeline_module(model: Any) -> Any:
    """The whole sentence-transformers pipeline as one torch module taking (input_ids, attention_mask)."""
    import torch

    modules = list(model)
    transformer = modules[0]
    if type(transformer).__name__ != "Transformer" or not hasattr(transformer, "auto_model"):
        raise ModelError("ONNX export supports sentence-transformers models whose first module is a Transformer")
    for module in modules[1:]:
        if type(module).__name__ not in ("Pooling", "Dense", "Normalize"):
            raise ModelError(
                f"ONNX export does not support the sentence-transformers module {type(module).__name__}",
                hint="use ASSISTANT_EMBEDDING_BACKEND=sentence-transformers for this model",
            )
    config = transformer.auto_model.config
    layer_types = set(getattr(config, "layer_types", None) or [])
    window = getattr(config, "sliding_window", None)
    bidirectional = getattr(config, "use_bidirectional_attention", not layer_types)
    if getattr(config, "is_decoder", False) or not bidirectional:
        raise ModelError("ONNX export supports encoder (bidirectional) embedding models only")

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer.auto_model
            self.rest = torch.nn.ModuleList(modules[1:])

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            # transformers 5 builds attention masks with vmap, which the ONNX tracer cannot follow; a ready 4-d
            # boolean mask (True = attend) is used as given. Bidirectional sliding-window layers (EmbeddingGemma)
            # see keys within |i - j| < window; the others see every non-padding token.
            length = input_ids.shape[1]
            keys = attention_mask.bool()[:, None, None, :].expand(-1, 1, length, length)
            mask: Any = keys
            if "sliding_attention" in layer_types and window:
                pos = torch.arange(length, device=input_ids.device)
                near = ((pos[:, None] - pos[None, :]).abs() < window)[None, None, :, :]
                mask = {"full_attention": keys, "sliding_attention": keys & near}
            out = self.transformer(input_ids=input_ids, attention_mask=mask, use_cache=False)
            features = {"token_embeddings": out[0], "attention_mask": attention_mask}
            for module in self.rest:
                features = module(features)
            return features["sentence_embedding"]

    return Pipeline().eval()


def export_onnx(source: Path, cache: Path, *, progress: Progress = print) -> None:
    """Export `source` (a local sentence-transformers folder) to `cache/model.onnx`, checked against torch.
    Written to a temporary folder and renamed, so an interrupted export never looks usable."""
    _require_onnx()
    import torch
    from sentence_transformers import SentenceTransformer

    progress(f"exporting {source.name} to ONNX (once; about a minute)")
    model = SentenceTransformer(str(source), device="cpu", local_files_only=True)
    pipeline = _pipeline_module(model)
    transformer = model[0]
    prompts = dict(getattr(model, "prompts", {}) or {})
    dim_fn = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    cache.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache.parent, prefix=f".{cache.name}-") as tmp:
        staging = Path(tmp) / "export"
        staging.mkdir()
        sample = model.tokenizer(["kort", "een iets langere zin"], padding=True, return_tensors="pt")
        with torch.no_grad(), warnings.catch_warnings():
            # The tracer warns about Python branches on shapes; the check against torch below is what counts.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                pipeline,
                (sample["input_ids"], sample["attention_mask"]),
                str(staging / MODEL_FILES["fp32"]),
                dynamo=False,
                input_names=["input_ids", "attention_mask"],
                output_names=["sentence_embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "sequence"},
                    "attention_mask": {0: "batch", 1: "sequence"},
                    "sentence_embedding": {0: "batch"},
                },
                opset_version=17,
            )
        meta: dict[str, Any] = {
            "version": EXPORT_VERSION,
            "source": str(source),
            "source_state": _source_state(source),
            "dimension": int(dim_fn() or 0),
            "max_seq_length": int(model.max_seq_length),
            "do_lower_case": bool(getattr(transformer, "do_lower_case", False)),
            "prompts": {k: prompts[k] for k in ("query", "document") if k in prompts},
            "torch": torch.__version__,
        }
        # End-to-end check (our tokenization + prompts + graph) against SentenceTransformer.encode.
        doc_prompt = meta["prompts"].get("document")
        reference = _unit(np.asarray(model.encode(list(_PROBES), prompt=doc_prompt), dtype=np.float32))
        session = _session(staging / MODEL_FILES["fp32"], threads=None)
        got = _unit(_encode(session, _tokenizer(source, staging, meta), meta, list(_PROBES), doc_prompt or "", 8))
        cosine = float(np.min(np.sum(reference * got, axis=1)))
        meta["probe_min_cosine_fp32"] = round(cosine, 7)
        if cosine < MIN_EXPORT_COSINE:
            raise ModelError(
                f"the ONNX export of {source} differs from the torch model (cosine {cosine:.5f})",
                hint="use ASSISTANT_EMBEDDING_BACKEND=sentence-transformers for this model",
            )
        (staging / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if cache.exists():
            shutil.rmtree(cache)
        os.replace(staging, cache)
    progress(f"ONNX export checked against torch (least cosine {cosine:.6f}) and saved in {cache}")


def quantize(cache: Path, precision: OnnxPrecision, *, progress: Progress = print) -> Path:
    """8-bit variants of the float32 export, made once and kept beside it.

    'int8': weight-only, blockwise (MatMulNBits, 8 bits, blocks of 32, symmetric) with int8 compute that
    quantises activations per block as well; 'int8-dynamic': ONNX Runtime's classic dynamic quantisation
    (per-channel int8 weights, one scale per activation tensor), what sentence-transformers'
    `export_dynamic_quantized_onnx_model` produces. Measured on EmbeddingGemma, the dynamic variant loses a
    lot of quality (Gemma's activations have large outliers; one scale per tensor cannot hold them): see
    bench/results/embedding_options.md."""
    target = cache / MODEL_FILES[precision]
    if precision == "fp32" or target.is_file():
        return target
    _require_onnx()
    source = cache / MODEL_FILES["fp32"]
    progress(f"quantising {source} to {precision} (once)")
    partial = target.with_suffix(".partial")
    # ONNX Runtime's quantisers log one INFO line per graph node on the root logger (and set it up on import).
    import onnxruntime.quantization.matmul_nbits_quantizer  # noqa: F401

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)
    try:
        _quantize_file(source, partial, precision)
    finally:
        root.setLevel(level)
    os.replace(partial, target)
    return target


def _quantize_file(source: Path, partial: Path, precision: OnnxPrecision) -> None:
    if precision == "int8":
        import onnx
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

        quantizer = MatMulNBitsQuantizer(
            onnx.load(str(source)), bits=8, block_size=32, is_symmetric=True, accuracy_level=4
        )
        quantizer.process()
        quantizer.model.save_model_to_file(str(partial), use_external_data_format=False)
    else:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

        exclude: list[str] = []
        if precision == "int8-mixed":
            # The MLP down-projections and the dense head see the largest activation outliers; keep them float.
            graph = onnx.load(str(source), load_external_data=False).graph
            exclude = [
                n.name
                for n in graph.node
                if n.op_type == "MatMul" and ("down_proj" in n.name or n.name.startswith("/rest"))
            ]
        quantize_dynamic(
            str(source),
            str(partial),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=exclude,
        )


def ensure_onnx_model(
    source: Path, cache: Path, precision: OnnxPrecision = "fp32", *, progress: Progress = print
) -> Path:
    """The model file for `precision`, exporting and quantising first when the cache is missing or stale."""
    if not export_is_current(cache, source):
        export_onnx(source, cache, progress=progress)
    return quantize(cache, precision, progress=progress)


def _unit(vectors: Any) -> Any:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


Tokenize = Callable[[list[str]], tuple[Any, Any]]  # texts -> (input ids, attention mask), padded and truncated
# Texts on which the two tokenizers must agree exactly (padding, truncation, special tokens, odd characters).
_TOKENIZER_PROBES = (*_PROBES, "", "  spaties  ", "Ünïcødé ß æ — “aanhalingstekens” 😀", "x" * 9000)


def _transformers_tokenizer(source: Path, max_length: int) -> Tokenize:
    try:
        from transformers import AutoTokenizer
    except ImportError as exc:  # pragma: no cover - transformers is a core dependency
        raise DependencyMissingError.for_package("The ONNX embedding backend", "transformers") from exc
    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
    lock = threading.Lock()  # transformers sets truncation on its fast tokenizer per call: one call at a time

    def tokenize(texts: list[str]) -> tuple[Any, Any]:
        with lock:
            enc = tokenizer(texts, padding=True, truncation="longest_first", max_length=max_length, return_tensors="np")
        return enc["input_ids"], enc["attention_mask"]

    return tokenize


def _fast_tokenizer(source: Path, max_length: int) -> Tokenize | None:
    """The model's tokenizer.json through the `tokenizers` library alone: about 1 s to load instead of about 5
    for transformers' (most of it importing transformers), which every process that embeds a question pays."""
    file, config_file = source / "tokenizer.json", source / "tokenizer_config.json"
    if not file.is_file() or not config_file.is_file():
        return None
    try:
        from tokenizers import Tokenizer
    except ImportError:  # pragma: no cover - installed with transformers
        return None
    config = json.loads(config_file.read_text(encoding="utf-8"))
    pad_token = config.get("pad_token")
    pad_token = pad_token.get("content") if isinstance(pad_token, dict) else pad_token
    tokenizer = Tokenizer.from_file(str(file))
    pad_id = tokenizer.token_to_id(pad_token) if isinstance(pad_token, str) else None
    if pad_id is None:
        return None
    tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token, direction=config.get("padding_side", "right"))
    # Set once: changing it per call while another thread encodes fails ("Already borrowed").
    tokenizer.enable_truncation(max_length=max_length)

    def tokenize(texts: list[str]) -> tuple[Any, Any]:
        encodings = tokenizer.encode_batch(texts)
        return np.array([e.ids for e in encodings]), np.array([e.attention_mask for e in encodings])

    return tokenize


def _agree(a: Tokenize, b: Tokenize) -> bool:
    texts = list(_TOKENIZER_PROBES)
    (ids_a, mask_a), (ids_b, mask_b) = a(texts), b(texts)
    return bool(ids_a.shape == ids_b.shape and (ids_a == ids_b).all() and (mask_a == mask_b).all())


def _tokenizer(source: Path, cache: Path, meta: dict[str, Any]) -> Tokenize:
    """The fast tokenizer when it was once found to give transformers' ids exactly (recorded in the export's
    meta file), else transformers'."""
    verdict, max_length = meta.get("fast_tokenizer"), int(meta["max_seq_length"])
    if verdict is False:
        return _transformers_tokenizer(source, max_length)
    fast = _fast_tokenizer(source, max_length)
    if fast is not None and verdict is True:
        return fast
    slow = _transformers_tokenizer(source, max_length)
    agreed = fast is not None and _agree(fast, slow)
    meta["fast_tokenizer"] = agreed
    if (cache / META).is_file():
        partial = cache / f"{META}.{os.getpid()}.partial"  # processes starting together each write whole
        partial.write_text(json.dumps(meta, indent=1), encoding="utf-8")
        os.replace(partial, cache / META)
    return fast if agreed and fast is not None else slow


def _session(model_file: Path, threads: int | None) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    # 0 lets ONNX Runtime use every core; a fixed number keeps a busy machine from being oversubscribed.
    options.intra_op_num_threads = threads or 0
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])


def _encode(
    session: Any, tokenizer: Tokenize, meta: dict[str, Any], texts: list[str], prompt: str, batch_size: int
) -> Vectors:
    prepared = [prompt + t for t in texts]  # as sentence-transformers 5: prompt prepended, nothing stripped
    if meta.get("do_lower_case"):
        prepared = [t.lower() for t in prepared]
    # Longest first, like SentenceTransformer.encode: batches of similar length waste little on padding.
    order = sorted(range(len(prepared)), key=lambda i: -len(prepared[i]))
    out = np.zeros((len(prepared), int(meta["dimension"])), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        input_ids, attention_mask = tokenizer([prepared[i] for i in rows])
        feeds = {"input_ids": input_ids.astype(np.int64), "attention_mask": attention_mask.astype(np.int64)}
        out[rows] = session.run(None, feeds)[0]
    return out


class OnnxEmbedder:
    """A sentence-transformers model exported to ONNX; same prompts and vectors as the torch embedder."""

    def __init__(
        self,
        source: Path,
        cache: Path,
        *,
        model_id: str,
        precision: OnnxPrecision = "fp32",
        truncate_dim: int | None = None,
        batch_size: int = 16,
        threads: int | None = None,
        progress: Progress = print,
    ) -> None:
        _require_onnx(runtime_only=True)
        model_file = ensure_onnx_model(source, cache, precision, progress=progress)
        meta = _read_meta(cache)
        if meta is None:
            raise ModelError(f"{cache / META} is missing or unreadable", hint=f"delete {cache} to export again")
        self._meta = meta
        self._session = _session(model_file, threads)
        self._tokenizer = _tokenizer(source, cache, meta)
        prompts = meta.get("prompts", {})
        self._query_prompt = str(prompts.get("query", ""))
        self._doc_prompt = str(prompts.get("document", ""))
        self._batch_size = batch_size
        self._truncate = truncate_dim
        self._dim = truncate_dim or int(meta["dimension"])
        self._id = model_id
        self.precision = precision

    @property
    def model_id(self) -> str:
        return self._id

    @property
    def dimension(self) -> int:
        return self._dim

    def _run(self, texts: Sequence[str], prompt: str) -> Vectors:
        vectors = _encode(self._session, self._tokenizer, self._meta, list(texts), prompt, self._batch_size)
        # Matryoshka truncation keeps the leading dimensions and re-normalises, as sentence-transformers does.
        out = _unit(vectors[:, : self._truncate] if self._truncate else vectors)
        return out.astype(np.float32)

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return self._run(texts, self._doc_prompt)

    def embed_query(self, text: str) -> Vectors:
        return self._run([text], self._query_prompt)[0]
