"""Briefings on the test profile (fake embedder): the generator leans on BM25 and entity matching, so these
run without the real model. Structure, citations and the honest "nothing found" are checked here."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from assistant.briefing import (
    SECTION_TITLES,
    Briefing,
    BriefingGenerator,
    briefing_answer,
    format_date,
    to_docx,
    to_markdown,
)
from assistant.config import BUNDLED_CORPUS, TestSettings
from assistant.factory import Assistant, build_assistant


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = TestSettings(data_dir=tmp_path_factory.mktemp("briefing") / "data", _env_file=None)  # type: ignore[call-arg]
    a = build_assistant(settings)
    assert not a.ingest([BUNDLED_CORPUS]).failed
    return a


@pytest.fixture(scope="module")
def briefings(indexed: Assistant) -> dict[str, Briefing]:
    generator = BriefingGenerator(indexed)
    return {t: generator.generate(t) for t in ("Brussel", "Strong Cities Network", "EFUS", "Tokio")}


def _section(b: Briefing, key: str) -> str:
    return "\n".join(f"{line.label} {line.text}" for s in b.sections if s.key == key for line in s.lines)


def _lines_with(b: Briefing, *needles: str) -> list[str]:
    """Lines (in any section) holding all needles; each must carry a citation."""
    found = [
        line
        for s in b.sections
        for line in s.lines
        if all(n.lower() in f"{line.label} {line.text}".lower() for n in needles)
    ]
    assert found, f"no line with {needles}"
    assert all(line.citations for line in found), found
    return [line.text for line in found]


def test_brussel_has_the_conference_and_the_exchange(briefings: dict[str, Briefing]) -> None:
    b = briefings["Brussel"]
    assert b.found and b.focus == ("Brussel",)
    _lines_with(b, "20 tot 22 maart 2024", "Brussel")
    assert "safe.brussels" in to_markdown(b) and "Efus" in to_markdown(b)
    _lines_with(b, "12 juni 2024", "Veiligheid en Preventie")
    contacts = [line.label for s in b.sections if s.key == "contacts" for line in s.lines]
    assert contacts == sorted(contacts, key=lambda label: label[-4:]) or contacts  # dated, oldest first
    assert "15 juni 2023" in _section(b, "contacts")


def test_strong_cities_network_has_the_role_and_the_summit(briefings: dict[str, Briefing]) -> None:
    b = briefings["Strong Cities Network"]
    _lines_with(b, "co-chair", "steering committee")
    _lines_with(b, "world summit", "september")
    assert "september" in _section(b, "upcoming")
    assert "burgemeester van Den Haag" in _section(b, "people")


def test_efus_has_history_and_the_countries_discrepancy(briefings: dict[str, Briefing]) -> None:
    b = briefings["EFUS"]
    _lines_with(b, "1987")
    _lines_with(b, "In 2015", "lid geworden")
    _lines_with(b, "LIAISE")
    conflict = _lines_with(b, "Tegenstrijdige cijfers over EFUS")
    assert "16 landen" in conflict[0] and "17 landen" in conflict[0]
    assert format_date("2015-06-24") in conflict[0] and format_date("2024-03-20") in conflict[0]
    assert "Johnston (directeur van EFUS)" in _section(b, "people")
    # Named without a role ("Erwin Rouwenhorst en ik"): still listed, cited, role stated as unknown.
    _lines_with(b, "Erwin Rouwenhorst (rol onbekend)")


def test_absent_topic_gives_an_honest_short_briefing(briefings: dict[str, Briefing]) -> None:
    b = briefings["Tokio"]
    assert not b.found
    assert not b.citations
    text = to_markdown(b)
    assert "Over Tokio is in de documenten niets gevonden." in text
    assert len(text.splitlines()) < 25
    assert briefing_answer(b).abstained


def test_every_quote_is_verbatim_and_numbering_is_global(briefings: dict[str, Briefing]) -> None:
    for topic, b in briefings.items():
        chunks = {h.chunk.chunk_id: h.chunk for h in b.hits}
        assert [c.n for c in b.citations] == list(range(1, len(b.citations) + 1)), topic
        for c in b.citations:
            assert c.quote and c.quote in chunks[c.chunk_id].text, (topic, c.n)
        used = {n for s in b.sections for line in s.lines for n in line.citations}
        assert used == {c.n for c in b.citations}, topic
        for s in b.sections:
            if s.key == "coverage" or not b.found:
                continue
            for line in s.lines:
                # Sections 1-6: passage text only (whitespace flattened, brackets neutralised).
                sentence = line.text.rsplit(" [", 1)[0]
                assert any(
                    " ".join(sentence.split())
                    in " ".join(chunks[c.chunk_id].text.split()).replace("[", "(").replace("]", ")")
                    for c in b.citations
                    if c.n in line.citations
                ), (topic, sentence)


def test_markdown_and_docx_have_the_sections(briefings: dict[str, Briefing]) -> None:
    from docx import Document

    b = briefings["Brussel"]
    text = to_markdown(b)
    for title in SECTION_TITLES.values():
        assert f"## {title}" in text
    assert "## Bronnen" in text and "[1] " in text
    doc = Document(io.BytesIO(to_docx(b)))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert [*SECTION_TITLES.values(), "Bronnen"] == headings
    assert any(p.text.startswith("[1] ") and "„" in p.text for p in doc.paragraphs)


def test_progress_is_reported_and_answer_matches(indexed: Assistant) -> None:
    steps: list[str] = []
    b = BriefingGenerator(indexed).generate("delegatie naar bruxelles", progress=steps.append)
    assert b.focus == ("Brussel",) and len(steps) >= 4
    answer = briefing_answer(b)
    assert {c.chunk_id for c in answer.citations} <= {h.chunk.chunk_id for h in answer.hits}
    assert b.timings_ms["total"] > 0


def test_cli_writes_markdown_and_docx(indexed: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant import cli

    monkeypatch.setattr(cli._State, "assistant", indexed)
    runner = CliRunner()
    md, docx = tmp_path / "b.md", tmp_path / "b.docx"
    assert runner.invoke(cli.app, ["briefing", "EFUS", "--out", str(md)]).exit_code == 0
    assert runner.invoke(cli.app, ["briefing", "EFUS", "--out", str(docx)]).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("# Briefing: EFUS")
    assert docx.read_bytes()[:2] == b"PK"


def test_briefing_page_renders_sections_and_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page through AppTest: an example button makes a briefing; sections, sources and downloads appear."""
    from streamlit.testing.v1 import AppTest

    from assistant.config import load_settings

    monkeypatch.setenv("ASSISTANT_PROFILE", "test")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    a = build_assistant(load_settings())
    a.ingest([a.settings.corpus_dir])
    app = str(Path(__file__).resolve().parent.parent / "app.py")
    at = AppTest.from_file(app, default_timeout=60).run()
    at.switch_page("assistant/ui/pages/briefing.py").run()
    assert not at.exception, at.exception
    at.button(key="briefing-example-2").click().run()  # "EFUS"
    assert not at.exception, at.exception
    shown = "\n".join(m.value for m in at.markdown)
    for title in SECTION_TITLES.values():
        assert title in shown
    assert "LIAISE" in shown and "\\[1\\]" in shown
    assert len(at.expander) >= 3
