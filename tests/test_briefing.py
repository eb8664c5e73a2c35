"""Briefings on the test profile (fake embedder): the generator leans on BM25 and entity matching, so these
run without the real model. Structure, citations and the honest "nothing found" are checked here."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.answering.generative import SYSTEM_PROMPT, GenerativeAnswerer
from assistant.answering.llm import LLMError, Message
from assistant.briefing import (
    SECTION_TITLES,
    Briefing,
    BriefingGenerator,
    all_quotes_verbatim,
    briefing_answer,
    format_date,
    near_duplicate_groups,
    to_docx,
    to_markdown,
    token_jaccard,
)
from assistant.briefing.writer import SECTION_EXAMPLE, SECTION_TASKS, section_passages
from assistant.composition import Assistant, build_assistant
from assistant.core.config import BUNDLED_CORPUS, TestSettings
from assistant.core.records import Chunk
from assistant.embedding.embedders import FakeEmbedder
from assistant.language.citations import split_sentences
from assistant.language.entities import find_dates


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


def _briefing_over(tmp_path: Path, files: dict[str, str], topic: str) -> Briefing:
    """The briefing on `topic` over a test-profile index of `files` (name → text)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    a = build_assistant(TestSettings(data_dir=tmp_path / "data", _env_file=None))  # type: ignore[call-arg]
    assert not a.ingest([corpus]).failed
    return BriefingGenerator(a).generate(topic)


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
    # Dated, oldest first: each label starts with its date ("15 juni 2023", "20–22 maart 2024").
    contacts = [line.label for s in b.sections if s.key == "contacts" for line in s.lines]
    dates = [day for label in contacts if (found := find_dates(label)) and (day := found[0].date)]
    assert len(dates) == len(contacts) >= 3
    assert dates == sorted(dates), contacts
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
    from assistant.cli import context

    monkeypatch.setattr(context._State, "assistant", indexed)
    runner = CliRunner()
    md, docx = tmp_path / "b.md", tmp_path / "b.docx"
    assert runner.invoke(cli.app, ["briefing", "EFUS", "--out", str(md)]).exit_code == 0
    assert runner.invoke(cli.app, ["briefing", "EFUS", "--out", str(docx)]).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("# Briefing: EFUS")
    assert docx.read_bytes()[:2] == b"PK"


def test_briefing_page_renders_sections_and_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page through AppTest: an example button makes a briefing; sections, sources and downloads appear."""
    from streamlit.testing.v1 import AppTest

    from assistant.core.config import load_settings
    from assistant.ui.i18n import TEXTS

    monkeypatch.setenv("ASSISTANT_PROFILE", "test")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    a = build_assistant(load_settings())
    a.ingest([a.settings.ingest.corpus_dir])
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
    # An empty subject says what to do instead of doing nothing.
    at.text_input(key="briefing_topic").set_value("  ")
    next(b for b in at.button if b.label == "Briefing maken").click().run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [TEXTS["nl"]["briefing.empty"]]


# --- duplicates -------------------------------------------------------------------------------------------


def test_near_duplicate_groups_merge_the_same_fact_but_never_different_numbers() -> None:
    texts = [
        "Efus werd opgericht in 1987 en verenigt bijna 250 steden [1].",
        "EFUS werd in 1987 opgericht en verenigt bijna 250 steden.",  # same words, other order and case
        "De 250 leden komen uit 16 landen.",
        "De 250 leden komen uit 17 landen.",  # a conflict, not a duplicate
        "Het netwerk organiseert een jaarlijkse conferentie.",
    ]
    assert token_jaccard(texts[0], texts[1]) == 1.0
    assert near_duplicate_groups(texts) == [[0, 1], [2], [3], [4]]
    # Borderline wording (Jaccard 0.5-0.8): merged only when sentence vectors agree.
    pair = [
        "De delegatie bezocht op 3 maart 2023 het stadhuis van Gent.",
        "Op 3 maart 2023 bezocht een delegatie Gent.",
    ]
    assert 0.5 <= token_jaccard(*pair) < 0.8
    assert near_duplicate_groups(pair) == [[0], [1]]
    same = np.array([[1.0, 0.0], [0.99, 0.05]])
    assert near_duplicate_groups(pair, vectors=same) == [[0, 1]]
    assert near_duplicate_groups(pair, vectors=np.array([[1.0, 0.0], [0.0, 1.0]])) == [[0], [1]]
    # Vectors alone never merge sentences that share few words.
    assert near_duplicate_groups([texts[0], texts[4]], vectors=np.array([[1.0, 0.0], [1.0, 0.0]])) == [[0], [1]]


def test_a_fact_stated_by_two_documents_is_shown_once_with_both_citations(tmp_path: Path) -> None:
    files = {
        "verslag.txt": "Verslag werkbezoek Gent\n\nOp 3 maart 2023 bezocht een delegatie van de directie Veiligheid "
        "het stadhuis van Gent voor overleg over drugsbeleid.\n\nDe gesprekken gingen over preventie en nachtleven.\n",
        "nieuwsbrief.txt": "Nieuwsbrief internationaal\n\nOp 3 maart 2023 bezocht een delegatie van de directie "
        "Veiligheid het stadhuis van Gent voor overleg over het drugsbeleid.\n\nVerder werkt de stad aan een nieuwe "
        "website.\n",
    }
    b = _briefing_over(tmp_path, files, "Gent")
    lines = [line for s in b.sections if s.key == "contacts" for line in s.lines if "3 maart 2023" in line.label]
    assert len(lines) == 1, lines
    cited_docs = {c.source for c in b.citations if c.n in lines[0].citations}
    assert cited_docs == {"verslag.txt", "nieuwsbrief.txt"}
    assert re.search(r"\[\d+, \d+\]$", lines[0].text)


# --- general rules on a made-up corpus ---------------------------------------------------------------------


def test_request_without_a_known_name_and_general_cue_lists(tmp_path: Path) -> None:
    """A subject no gazetteer knows is read from the request by a general rule (what is left after function
    words and request words; a capitalised word is the name), and the follow-up and theme sections work from
    the general cue lists (assistant/data/lexicons): an agreement verb, two policy themes."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "verslag.txt").write_text(
        "Verslag werkbezoek Ooltgensplaat\n\nOp 3 maart 2023 bezocht een delegatie van de directie Veiligheid het "
        "dorpshuis van Ooltgensplaat.\n\nDe partners in Ooltgensplaat zijn overeengekomen om in het najaar een "
        "gezamenlijk plan op te stellen.\n\nIn Ooltgensplaat gingen de gesprekken over verkeersveiligheid en "
        "crisisbeheersing in de polder.\n",
        encoding="utf-8",
    )
    (corpus / "ander.txt").write_text(
        "Nieuwsbrief\n\nOp 5 mei 2023 opende de wethouder een nieuw zwembad in Zwolle.\n", encoding="utf-8"
    )
    settings = TestSettings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    a = build_assistant(settings)
    assert not a.ingest([corpus]).failed
    generator = BriefingGenerator(a)
    for request in (
        "Maak een korte briefing over de samenwerking met Ooltgensplaat op het gebied van veiligheid",
        "Prepare a briefing note on the visit to Ooltgensplaat",
    ):
        b = generator.generate(request)
        assert b.found and b.focus == ("ooltgensplaat",), (request, b.focus)
        assert "zwembad" not in to_markdown(b)
    assert "overeengekomen" in _section(b, "followups")
    themes = next(s for s in b.sections if s.key == "themes")
    # Themes are named, in the order the sentence mentions them, not listed as the words that matched.
    assert [line.label for line in themes.lines] == ["Fysieke veiligheid · Openbare orde en crisisbeheersing"]
    assert all_quotes_verbatim(b)


# --- LLM-written sections (scripted fake chat model) ------------------------------------------------------


class PassageModel:
    """A fake `ChatModel` that writes from the numbered passages in its prompt: `script(task, passages)`
    returns the reply. Records every (task, passages) it was given."""

    def __init__(self, script: Callable[[str, list[str]], str]) -> None:
        self.script = script
        self.calls: list[tuple[str, list[str]]] = []
        self.messages: list[list[Message]] = []

    def complete(self, messages: list[Message]) -> str:
        self.messages.append(messages)
        content = messages[-1]["content"]
        sources, task = content.split("Bronnen:\n\n", 1)[1].rsplit("\n\nVraag: ", 1)
        passages = [block.split("\n", 1)[1] for block in re.split(r"\n\n(?=\[\d+\] )", sources)]
        self.calls.append((task, passages))
        return self.script(task, passages)

    def stream(self, messages: list[Message]) -> Iterator[str]:
        yield self.complete(messages)


class BrokenModel(PassageModel):
    def complete(self, messages: list[Message]) -> str:
        self.messages.append(messages)
        raise LLMError("cannot reach the LLM server at http://127.0.0.1:9/v1 (ConnectError)")


def _sentence(passage: str, skip: int = 0) -> str:
    """A whole sentence of the passage (ends with a period, six words or more): what a faithful model copies."""
    found = [passage[s:e] for s, e in split_sentences(passage) if passage[s:e].endswith(".")]
    found = [f for f in found if len(f.split()) >= 6] or [passage.strip()]
    return " ".join(found[min(skip, len(found) - 1)].split())  # a model writes it on one line


def _faithful(task: str, passages: list[str]) -> str:
    return "\n".join(f"- {_sentence(p)} [{i}]" for i, p in enumerate(passages[:2], start=1))


FORGED = "Daarnaast is er een geheim akkoord met Tokio gesloten [9]."
UNSUPPORTED = "De burgemeester opende in 1999 een zwembad in Tokio [1]."


def _llm_briefing(
    indexed: Assistant, script: Callable[[str, list[str]], str], mode: str
) -> tuple[Briefing, PassageModel]:
    model = PassageModel(script)
    writer = GenerativeAnswerer(model, FakeEmbedder(), verify_mode=mode)  # type: ignore[arg-type]
    return BriefingGenerator(indexed, writer=writer).generate("Brussel"), model


def _chunk_texts(b: Briefing) -> dict[int, str]:
    chunks = {h.chunk.chunk_id: h.chunk.text for h in b.hits}
    return {c.n: chunks[c.chunk_id] for c in b.citations}


def test_llm_sections_keep_verified_text_with_citations_mapped_to_the_global_list(indexed: Assistant) -> None:
    b, model = _llm_briefing(indexed, _faithful, "remove")
    written = [s for s in b.sections if s.key in SECTION_TASKS]
    assert [s.mode for s in written] == ["llm"] * len(SECTION_TASKS)
    assert [s.mode for s in b.sections if s.key == "coverage"] == ["extractive"]  # stays computed
    # The chat's prompt: system prompt with its rules, the worked example, the section's task as the question.
    assert len(model.calls) == len(SECTION_TASKS)
    assert all(m[0]["content"] == SYSTEM_PROMPT for m in model.messages)
    assert all(m[-3:-1] == list(SECTION_EXAMPLE) for m in model.messages)  # a list answer, cited per item
    assert model.calls[1][0] == SECTION_TASKS["contacts"].format(subject="Brussel")
    texts = _chunk_texts(b)
    assert [c.n for c in b.citations] == list(range(1, len(b.citations) + 1))
    for s in written:
        assert s.lines and s.verification["supported"] == len(s.lines)
        for line in s.lines:
            # Local [1]/[2] of the section's prompt became global numbers of the chunk the sentence came from.
            sentence = line.text.rsplit(" [", 1)[0]
            assert line.citations and all(sentence in " ".join(texts[n].split()) for n in line.citations), line
    assert all_quotes_verbatim(b)
    # The 20-22 March 2024 conference, written by the model, still cited.
    _lines_with(b, "20 tot 22 maart 2024")
    assert "taalmodel" in to_markdown(b) and "verificatie: remove" in b.written_by


def test_llm_forged_citation_is_dropped_and_unsupported_sentence_removed(indexed: Assistant) -> None:
    b, _model = _llm_briefing(indexed, lambda t, p: f"{_faithful(t, p)}\n{FORGED} {UNSUPPORTED}", "remove")
    text = to_markdown(b)
    assert "Tokio" not in text and "zwembad" not in text
    assert max(c.n for c in b.citations) == len(b.citations)
    for s in b.sections:
        if s.key in SECTION_TASKS:
            assert s.mode == "llm"
            assert s.verification["invalid_citations_dropped"] == 1  # the forged [9]
            assert s.verification["unsupported"] == 1 and s.verification["removed"] == 2
            assert any("zwembad" in c for c in s.caught) and any("akkoord met Tokio" in c for c in s.caught)


def test_llm_mark_mode_keeps_unverified_sentences_visibly_marked(indexed: Assistant) -> None:
    b, _model = _llm_briefing(indexed, lambda t, p: f"{_faithful(t, p)}\n{FORGED}", "mark")
    summary = next(s for s in b.sections if s.key == "summary")
    marked = [line for line in summary.lines if line.text.startswith("⚠ ")]
    assert [line.text for line in marked] == ["⚠ Daarnaast is er een geheim akkoord met Tokio gesloten."]
    assert marked[0].citations == ()  # [9] pointed at nothing: dropped, so the sentence is uncited


def test_llm_section_that_fails_verification_falls_back_to_quotes(indexed: Assistant) -> None:
    def script(task: str, passages: list[str]) -> str:
        if task == SECTION_TASKS["people"].format(subject="Brussel"):
            return UNSUPPORTED  # nothing in it is supported: the section must not show it
        return _faithful(task, passages)

    b, _model = _llm_briefing(indexed, script, "mark")
    people = next(s for s in b.sections if s.key == "people")
    assert people.mode == "fallback" and people.verification["supported"] == 0
    assert people.lines[0].label == "Let op" and "niet door de bronnen gestaafd" in people.lines[0].text
    assert any("Sophie Lavaux" in line.label for line in people.lines[1:])  # the extractive lines, cited
    assert all(line.citations for line in people.lines[1:])
    assert "zwembad" not in to_markdown(b)
    assert {s.mode for s in b.sections if s.key in SECTION_TASKS and s.key != "people"} == {"llm"}


def test_unreachable_llm_falls_back_everywhere_after_one_try(indexed: Assistant) -> None:
    model = BrokenModel(_faithful)
    writer = GenerativeAnswerer(model, FakeEmbedder())  # type: ignore[arg-type]
    b = BriefingGenerator(indexed, writer=writer).generate("EFUS")
    assert len(model.messages) == 1
    modes = {s.key: s.mode for s in b.sections}
    assert all(modes[k] == "fallback" for k in SECTION_TASKS if k in modes and modes[k] != "extractive")
    assert "taalmodel niet bereikbaar" in to_markdown(b)
    _lines_with(b, "LIAISE")  # the extractive content is all there


def test_configured_llm_backend_is_used_by_default(indexed: Assistant, tmp_path: Path) -> None:
    """`llm_backend` set: the generator writes with the assistant's GenerativeAnswerer (here a server that
    is not running: every section falls back, and says why)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = indexed.settings.updated(
        llm_backend="openai", llm_base_url=f"http://127.0.0.1:{port}/v1", llm_timeout_s=5
    )
    a = build_assistant(settings)
    b = BriefingGenerator(a).generate("EFUS")
    assert "taalmodel niet bereikbaar" in to_markdown(b)
    assert BriefingGenerator(a, writer=None).generate("EFUS").written_by == "extractive"
    # The edges (CLI, app, eval) go through the principal-scoped assistant: same behaviour there.
    from assistant.access.principal import Principal

    view = a.scoped(Principal.operator(), audited=False)
    assert "taalmodel niet bereikbaar" in to_markdown(view.briefing("EFUS"))
    assert view.briefing("EFUS", extractive=True).written_by == "extractive"


def test_section_passages_widen_by_a_sentence_and_stay_short() -> None:
    text = "Eerste zin hier. Tweede zin met het feit. Derde zin daarna. Vierde zin."
    chunk = Chunk(chunk_id="c", doc_id="d", source="s.txt", title="T", text=text, start=0, end=len(text), ordinal=0)
    s = text.index("Tweede")
    (passage,) = section_passages([(chunk, s, s + len("Tweede zin met het feit."))])
    assert passage.text == "Eerste zin hier. Tweede zin met het feit. Derde zin daarna."
    (short,) = section_passages([(chunk, s, s + 24)], max_chars=30)
    assert short.text == "Tweede zin met het feit."


# --- calls to action ---------------------------------------------------------------------------------------


def test_calls_to_action_and_questions_to_the_reader_are_not_content() -> None:
    from assistant.briefing.boilerplate import addresses_reader

    for line in (
        "Meld u nu aan voor het symposium over jeugdcriminaliteit.",
        "Lees verder op de website van de veiligheidsregio.",
        "Heb jij ideeën voor een veiligere wijk?",
        "Sign up for our newsletter on urban security.",
        "Are you working on crime prevention in your city?",
        "Dus schrijf je snel in, want vol is vol.",
    ):
        assert addresses_reader(line), line
    for line in (
        "Hierbij bied ik u het jaarverslag van de veiligheidsregio aan.",  # a letter addresses its reader formally
        "De wethouder meldt dat de inschrijving voor het symposium is gesloten.",
        "Wat heeft de delegatie in Gent gezien?",  # a report's own question heading
        "Downloads van de app stegen in maart.",
        "The delegation registered 40 participants.",
    ):
        assert not addresses_reader(line), line


def test_a_briefing_does_not_quote_a_web_page_s_calls_to_action(tmp_path: Path) -> None:
    page = (
        "Symposium over wijkveiligheid in Zwolle\n\n"
        "Op 14 oktober 2025 organiseert de gemeente Zwolle een symposium over wijkveiligheid en preventie.\n\n"
        "Werk je bij een gemeente in de regio Zwolle? Wil je meer weten over buurtpreventie?\n\n"
        "Meld je dan nu aan voor het symposium in Zwolle via het aanmeldformulier.\n\n"
        "In Zwolle daalde het aantal woninginbraken in 2024 met een vijfde door buurtpreventie.\n"
    )
    b = _briefing_over(tmp_path, {"nieuws.txt": page}, "Zwolle")
    lines = "\n".join(line.text for section in b.sections for line in section.lines)
    assert b.found and "woninginbraken" in lines
    assert "Meld je" not in lines and "Werk je" not in lines and "Wil je" not in lines


def test_a_briefing_line_opens_with_the_sentence_not_the_document_title() -> None:
    from assistant.briefing import without_title
    from assistant.language.units import Unit

    title = "Wijkgerichte aanpak van woninginbraken en overlast in de oude binnenstad"
    text = f"{title}\n\nIn maart 2025 besloot het college de aanpak uit te breiden naar twee wijken."
    glued = Unit(0, 0, len(text), text)
    line = without_title(glued, title)
    assert line.text == "In maart 2025 besloot het college de aanpak uit te breiden naar twee wijken."
    assert text[line.start : line.end] == line.text  # still a verbatim span of the passage
    sentence = Unit(0, 0, 30, "Wijkgerichte aanpak werkt goed.")
    assert without_title(sentence, title) is sentence  # a sentence that merely starts like the title stays


def test_the_summary_says_what_each_source_is_and_when() -> None:
    from assistant.briefing import source_kind

    trip = Chunk(
        "c", "d", "v.txt", "Verslag werkbezoek Gent van 3 maart-6 maart 2023", "x", 0, 1, 0, doc_type="trip report"
    )
    assert source_kind(trip, "2023-03-03") == "Reisverslag, 3–6 maart 2023 (4 dagen)"
    letter = Chunk("c", "d", "b.txt", "Aanbieding jaarplan", "x", 0, 1, 0, doc_type="letter")
    assert source_kind(letter, "2024-01-15") == "Brief, 15 januari 2024"
    assert source_kind(letter, None) == "Brief"


def test_summary_lines_carry_their_source_kind(briefings: dict[str, Briefing]) -> None:
    summary = next(s for s in briefings["EFUS"].sections if s.key == "summary")
    assert summary.lines and all(line.label for line in summary.lines)
    assert any(line.label.startswith("Reisverslag, ") for line in summary.lines), [x.label for x in summary.lines]
