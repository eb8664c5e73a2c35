"""Second stage with a cross-encoder: a tiny real BERT cross-encoder (random weights) built in a temp folder,
loaded through sentence-transformers from the folder only, with outbound traffic refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

from assistant.composition import build_assistant
from assistant.core.config import SearchSettings, Settings, TestSettings, load_settings
from assistant.core.errors import ConfigurationError
from assistant.core.records import Chunk, Hit
from assistant.retrieval.cross_encoder import CrossEncoderReranker, passage_text
from assistant.retrieval.hybrid import HybridRetriever
from assistant.retrieval.learned import LearnedReranker
from assistant.retrieval.rerank import Reranker, mix_scores
from tests.netguard.netguard import NetGuard

WORDS = ("de", "het", "een", "en", "van", "in", "is", "op", "voor", "wie", "wat", "parkeren", "vergunning", "gemeente")
QUERY = "Wie geeft een vergunning voor parkeren?"
TEXTS = [
    "De gemeente geeft de vergunning voor parkeren in het centrum.",
    "Een subsidie aanvraag gaat via het loket van de gemeente.",
    "Regels voor evenementen op straat en in parken.",
    "Wie parkeert zonder vergunning krijgt een boete.",
    "Het college besluit over de begroting van volgend jaar.",
    "Afval wordt op dinsdag opgehaald in de wijk.",
]


def _save_tiny_model(folder: Path, *, num_labels: int = 1) -> Path:
    folder.mkdir(parents=True)
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, *letters, *(f"##{c}" for c in letters), ".", "?"]
    # Built with `tokenizers` itself: transformers 4 and 5 disagree on how a Bert tokenizer takes its vocabulary.
    wordpiece = Tokenizer(WordPiece({token: i for i, token in enumerate(vocab)}, unk_token="[UNK]"))
    wordpiece.normalizer = normalizers.BertNormalizer(lowercase=True)
    wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wordpiece.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=wordpiece,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    ).save_pretrained(folder)
    config = BertConfig(  # type: ignore[call-arg]  # num_labels: a PretrainedConfig keyword
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
        num_labels=num_labels,
        initializer_range=0.5,  # random weights that still tell texts apart clearly
    )
    with torch.random.fork_rng():
        torch.manual_seed(7)
        BertForSequenceClassification(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _save_tiny_model(tmp_path_factory.mktemp("xenc") / "tiny-cross-encoder")


def _logits(folder: Path, query: str, hits: list[Hit]) -> list[float]:
    """The model's own scores, computed with plain transformers, one pair at a time."""
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = BertForSequenceClassification.from_pretrained(folder, local_files_only=True)  # in eval mode
    with torch.inference_mode():
        return [
            float(model(**tokenizer(query, passage_text(h), truncation=True, return_tensors="pt")).logits[0, 0])
            for h in hits
        ]


def _hit(i: int, text: str, score: float) -> Hit:
    chunk = Chunk(
        chunk_id=f"c{i}", doc_id=f"d{i}", source=f"{i}.txt", title=f"Doc {i}", text=text, start=0, end=len(text),
        ordinal=0, heading_path=("Parkeren",) if i % 2 else (),
    )  # fmt: skip
    return Hit(chunk=chunk, score=score, rank=i + 1, scores={"dense": score, "bm25": score / 2})


def _hits(scores: list[float]) -> list[Hit]:
    return [_hit(i, TEXTS[i], s) for i, s in enumerate(scores)]


def _ids(hits: list[Hit]) -> list[str]:
    return [h.chunk.chunk_id for h in hits]


def test_loads_from_the_folder_offline_and_orders_by_the_models_scores(model_dir: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    assert tokenizer.tokenize("Vergunning parkeren") == ["vergunning", "parkeren"]  # the words, not [UNK]
    probe = _hits([0.0] * 4)
    model_scores = _logits(model_dir, QUERY, probe)
    assert len(set(model_scores)) == 4
    # First-stage order opposite to the model's: with all weight on the model the head must turn around.
    by_model = sorted(range(4), key=lambda i: -model_scores[i])
    hits = [_hit(i, TEXTS[i], 1.0 - rank / 10) for rank, i in enumerate(reversed(by_model))]

    with NetGuard() as guard:
        reranker = CrossEncoderReranker(model_dir, weight=1.0, top=10)
        assert isinstance(reranker, Reranker) and not reranker.loaded
        out = reranker.rerank(QUERY, hits)
    assert guard.attempts == []
    assert reranker.loaded
    assert _ids(out) == [f"c{i}" for i in by_model] == _ids(hits)[::-1]
    assert [h.rank for h in out] == [1, 2, 3, 4]
    for h in out:
        assert h.scores["cross"] == pytest.approx(model_scores[int(h.chunk.chunk_id[1:])], abs=1e-4)
        assert {"dense", "bm25"} <= set(h.scores)


def test_mixes_with_the_first_stage_and_keeps_the_tail_below(model_dir: Path) -> None:
    hits = _hits([1.0, 0.9, 0.8, 0.7, 0.6, 0.5])
    reranker = CrossEncoderReranker(model_dir, weight=0.6, top=4)
    out = reranker.rerank(QUERY, hits)
    expected_head = mix_scores(hits[:4], _logits(model_dir, QUERY, hits[:4]), 0.6, "cross")
    assert _ids(out[:4]) == _ids(expected_head)
    assert [h.score for h in out[:4]] == pytest.approx([h.score for h in expected_head], abs=1e-4)
    assert _ids(out[4:]) == ["c4", "c5"]
    assert all("cross" not in h.scores for h in out[4:])
    assert [h.rank for h in out] == [1, 2, 3, 4, 5, 6]
    assert all(out[3].score >= h.score for h in out[4:])
    assert reranker.rerank(QUERY, hits) == out  # deterministic


def test_nothing_to_do_returns_the_input_without_loading(model_dir: Path) -> None:
    hits = _hits([1.0, 0.9, 0.8])
    off = CrossEncoderReranker(model_dir, weight=0.0, top=10)
    assert off.rerank(QUERY, hits) == hits
    single = CrossEncoderReranker(model_dir, weight=0.5, top=10)
    assert single.rerank(QUERY, hits[:1]) == hits[:1]
    assert single.rerank(QUERY, []) == []
    assert not off.loaded and not single.loaded


def test_long_passages_are_cut_and_still_scored(model_dir: Path) -> None:
    long_text = "De gemeente geeft de vergunning. " * 400
    hits = [_hit(0, long_text, 1.0), _hit(1, TEXTS[1], 0.9)]
    assert len(passage_text(hits[0])) <= 2500 and passage_text(hits[0]).startswith("Doc 0\n\n")
    out = CrossEncoderReranker(model_dir, weight=0.5, top=10).rerank(QUERY, hits)
    assert sorted(_ids(out)) == ["c0", "c1"] and all("cross" in h.scores for h in out)


def test_thread_limit_is_applied_at_load(model_dir: Path) -> None:
    before = torch.get_num_threads()
    try:
        CrossEncoderReranker(model_dir, weight=0.5, top=10, threads=1).rerank(QUERY, _hits([1.0, 0.5]))
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("kind", ["missing", "file", "empty", "random files", "embedding model", "no tokenizer"])
def test_a_folder_that_is_no_cross_encoder_is_refused_naming_it(model_dir: Path, tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "not-a-cross-encoder"
    if kind == "file":
        folder.write_text("x", encoding="utf-8")
    elif kind == "empty":
        folder.mkdir()
    elif kind == "random files":
        folder.mkdir()
        (folder / "notes.txt").write_text("geen model", encoding="utf-8")
        (folder / "config.json").write_bytes(b"\x00\xff not json")
    elif kind == "embedding model":  # what an embedding model's folder holds: weights without a scoring head
        shutil.copytree(model_dir, folder)
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        (folder / "config.json").write_text(json.dumps({**config, "architectures": ["BertModel"]}), encoding="utf-8")
    elif kind == "no tokenizer":
        folder.mkdir()
        for name in ("config.json", "model.safetensors"):
            shutil.copy(model_dir / name, folder / name)
    with pytest.raises(ConfigurationError, match="cross_encoder_path") as info:
        CrossEncoderReranker(folder)
    assert str(folder) in str(info.value) and "ASSISTANT_CROSS_ENCODER_PATH" in str(info.value)


def test_missing_weights_or_several_labels_are_refused_at_load(model_dir: Path, tmp_path: Path) -> None:
    no_weights = tmp_path / "no-weights"
    shutil.copytree(model_dir, no_weights)
    (no_weights / "model.safetensors").unlink()
    with pytest.raises(ConfigurationError, match="could not be loaded") as info:
        CrossEncoderReranker(no_weights).rerank(QUERY, _hits([1.0, 0.5]))
    assert str(no_weights) in str(info.value)

    two_labels = _save_tiny_model(tmp_path / "two-labels", num_labels=2)
    with pytest.raises(ConfigurationError, match="2 output labels") as info:
        CrossEncoderReranker(two_labels).rerank(QUERY, _hits([1.0, 0.5]))
    assert str(two_labels) in str(info.value)


def test_setting_without_a_folder_is_refused_when_the_retriever_is_built(test_settings: Settings) -> None:
    a = build_assistant(test_settings.updated(rerank="cross-encoder"))
    with pytest.raises(ConfigurationError, match="ASSISTANT_CROSS_ENCODER_PATH"):
        a.reranker_for(a.store)
    off = build_assistant(test_settings.updated(rerank="cross-encoder", rerank_weight=0.0, answer_type_weight=0.0))
    assert off.reranker_for(off.store) is None


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, model_dir: Path, tmp_path: Path) -> None:
    assert SearchSettings.model_fields["rerank"].default == "none"
    assert SearchSettings.model_fields["cross_encoder_path"].description
    monkeypatch.setenv("ASSISTANT_RERANK", "cross-encoder")
    monkeypatch.setenv("ASSISTANT_CROSS_ENCODER_PATH", "")
    assert load_settings(profile="test", _env_file=None).search.cross_encoder_path is None
    monkeypatch.setenv("ASSISTANT_CROSS_ENCODER_PATH", str(model_dir))
    monkeypatch.setenv("ASSISTANT_RERANK_TOP", "7")
    settings = load_settings(profile="test", data_dir=tmp_path / "data", _env_file=None)
    assert (settings.search.rerank, settings.search.cross_encoder_path) == ("cross-encoder", model_dir)

    retriever = build_assistant(settings).retriever
    assert isinstance(retriever, HybridRetriever)
    # The learned ranker runs first, then hands the re-ordered head to the cross-encoder.
    assert isinstance(retriever.reranker, LearnedReranker)
    cross = retriever.reranker.then
    assert isinstance(cross, CrossEncoderReranker)
    assert (cross.folder, cross.top) == (model_dir, 7)


def test_search_through_the_assistant_uses_the_cross_encoder(model_dir: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i, text in enumerate(TEXTS):
        (docs / f"{i}.txt").write_text(f"Notitie {i}\n\n{text}\n", encoding="utf-8")
    settings = TestSettings(  # type: ignore[call-arg]
        data_dir=tmp_path / "data", rerank="cross-encoder", cross_encoder_path=model_dir, _env_file=None
    )
    a = build_assistant(settings)
    a.ingest([docs])
    with NetGuard() as guard:
        hits = a.search(QUERY, k=5)
    assert guard.attempts == []
    assert len(hits) == 5 and all("cross" in h.scores for h in hits)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
