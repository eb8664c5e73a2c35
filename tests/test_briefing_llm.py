"""An LLM-written briefing against a REAL llama-cpp-python server with Qwen2.5-Coder-1.5B (marked `llm`,
deselected by default; skips with the reason when the package or the model is missing):

    scripts/llm_setup.sh all && .venv/bin/pytest -m llm tests/test_briefing_llm.py

Retrieval uses the test profile's fake embedder (the run measures writing and verification, not retrieval).
Six model calls: several minutes on two CPU cores."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.briefing import BriefingGenerator, all_quotes_verbatim, to_markdown
from assistant.briefing.writer import SECTION_TASKS
from assistant.composition import build_assistant
from assistant.core.config import BUNDLED_CORPUS, TestSettings
from tests.test_llm_server import llm_server  # noqa: F401  (the fixture: starts and stops the server)


@pytest.mark.llm
@pytest.mark.timeout(1800)
def test_real_llm_writes_a_verified_briefing(llm_server: str, tmp_path: Path) -> None:  # noqa: F811
    settings = TestSettings(  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        llm_backend="openai",
        llm_base_url=llm_server,
        llm_max_tokens=200,
        llm_timeout_s=900,
        verify_mode="mark",
        _env_file=None,
    )
    assistant = build_assistant(settings)
    assistant.ingest([BUNDLED_CORPUS])
    b = BriefingGenerator(assistant).generate("Brussel")
    written = [s for s in b.sections if s.key in SECTION_TASKS]
    # Every section went through the model and the verifier: written (llm) or, failing that, quotes.
    assert written and all(s.mode in ("llm", "fallback") for s in written)
    assert all({"sentences", "supported", "invalid_citations_dropped"} <= set(s.verification) for s in written)
    assert any(s.mode == "llm" for s in written), [(s.key, s.verification) for s in written]
    for s in written:
        if s.mode == "llm":
            # Shown unmarked means supported; a line with ⚠ is what the verifier flagged.
            unmarked = [line for line in s.lines if not line.text.startswith("⚠")]
            assert all(line.citations for line in unmarked), s
    # Global numbering, every quote verbatim from its passage, every number used.
    assert [c.n for c in b.citations] == list(range(1, len(b.citations) + 1))
    assert all_quotes_verbatim(b)
    used = {n for s in b.sections for line in s.lines for n in line.citations}
    assert used == {c.n for c in b.citations}
    assert "taalmodel" in to_markdown(b)
