"""Second stage with a cross-encoder: a model that reads the question and a passage together and scores the
pair, instead of comparing two vectors made apart. Slower (one model call per candidate and question), so it
only re-scores the top fused candidates, and only when a local cross-encoder folder is configured
(`ASSISTANT_RERANK=cross-encoder`, `ASSISTANT_CROSS_ENCODER_PATH`).

The folder is checked when the reranker is built, so a wrong setting fails before the first question; the
model itself (torch, through sentence-transformers) loads on the first question, from the folder only.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.errors import ConfigurationError, DependencyMissingError
from assistant.core.records import Hit
from assistant.retrieval.rerank import mix_scores, with_tail

# Passages are about 1,000 characters (~250 tokens); a bigger window only adds cost. Models that accept
# 8k tokens (bge-reranker-v2-m3) would otherwise pad every batch to the longest table.
MAX_TOKENS = 512
MAX_PASSAGE_CHARS = 2500
TOKENIZER_FILES = (
    "tokenizer.json",
    "vocab.txt",
    "vocab.json",
    "sentencepiece.bpe.model",
    "spiece.model",
    "spm.model",
    "tokenizer.model",
)
_HINT = (
    "set ASSISTANT_CROSS_ENCODER_PATH to a local cross-encoder folder (config.json, weights, tokenizer), "
    "or ASSISTANT_RERANK=none"
)


def check_cross_encoder_folder(folder: Path) -> None:
    """Refuse a folder that cannot be a cross-encoder. An embedding model's folder would load as one (with a
    randomly initialised scoring head), and a folder without tokenizer files would load with a tokenizer that
    knows only its special tokens: both silently give noise, so they are caught here."""
    setting = f"cross_encoder_path '{folder}'"
    if not folder.is_dir():
        raise ConfigurationError(f"{setting} is not an existing folder", hint=_HINT)
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"{setting} is not a cross-encoder folder: no readable config.json", hint=_HINT
        ) from exc
    architectures = config.get("architectures") if isinstance(config, dict) else None
    names = architectures if isinstance(architectures, list) else []
    if not any(str(a).endswith("ForSequenceClassification") for a in names):
        raise ConfigurationError(
            f"{setting} is not a cross-encoder folder: config.json names no …ForSequenceClassification "
            f"architecture (found {architectures})",
            hint=_HINT,
        )
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise ConfigurationError(f"{setting} has no tokenizer files ({', '.join(TOKENIZER_FILES)})", hint=_HINT)


def passage_text(hit: Hit) -> str:
    """What the cross-encoder reads: title and heading, then the text (the same as the embedder), cut at a
    word boundary; the tokenizer cuts to MAX_TOKENS anyway, this only spares it very long tables."""
    text = hit.chunk.embed_text
    if len(text) <= MAX_PASSAGE_CHARS:
        return text
    cut = text[:MAX_PASSAGE_CHARS]
    space = cut.rfind(" ")
    return cut[:space] if space > MAX_PASSAGE_CHARS // 2 else cut


class CrossEncoderReranker:
    """Re-scores the top candidates with a local cross-encoder (sentence-transformers `CrossEncoder`)."""

    def __init__(
        self,
        folder: Path,
        *,
        weight: float = 0.5,
        top: int = 20,
        threads: int | None = None,
        batch_size: int = 16,
    ) -> None:
        check_cross_encoder_folder(folder)
        self.folder = folder
        self.weight = weight
        self.top = top
        self.threads = threads
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        try:
            import torch
            from sentence_transformers import CrossEncoder
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise DependencyMissingError.for_package("The cross-encoder reranker", "sentence-transformers") from exc
        if self.threads:
            # Process-wide in torch: the embedder's limit, which a torch embedder already set (same setting).
            torch.set_num_threads(self.threads)
        try:
            model: Any = CrossEncoder(str(self.folder), device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"cross_encoder_path '{self.folder}' could not be loaded as a cross-encoder: {exc}", hint=_HINT
            ) from exc
        if model.num_labels != 1:
            raise ConfigurationError(
                f"cross_encoder_path '{self.folder}' has {model.num_labels} output labels; a relevance "
                "cross-encoder has one score per pair",
                hint=_HINT,
            )
        model.max_seq_length = min(model.max_seq_length or MAX_TOKENS, MAX_TOKENS)
        return model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def scores(self, query: str, hits: Sequence[Hit]) -> list[float]:
        """The model's raw score (logit) for each (query, passage) pair."""
        if not hits:
            return []
        import torch

        # Raw logits, not the model's sigmoid: the scores are min-max normalised over the candidates next, and a
        # sigmoid would squash the differences among the strong candidates that the second stage is there to
        # tell apart.
        out = self.model.predict(
            [(query, passage_text(h)) for h in hits],
            batch_size=self.batch_size,
            activation_fn=torch.nn.Identity(),
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [float(s) for s in np.asarray(out, dtype=np.float64).reshape(len(hits))]

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        head, tail = list(hits[: self.top]), list(hits[self.top :])
        if len(head) < 2 or self.weight <= 0:
            return list(hits)
        return with_tail(mix_scores(head, self.scores(query, head), self.weight, "cross"), tail)
