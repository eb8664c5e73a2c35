"""A briefing typed in the chat: `ScopedAssistant.ask` and `.stream` route an explicit briefing request to
the briefing generator and return the briefing as a cited `Answer`, audited as a briefing; other questions
stay with the answer chain. Test profile (fake embedder) on the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.access.audit import read_entries
from assistant.access.principal import Principal
from assistant.access.scoped import chat_briefing_answer
from assistant.composition import Assistant, build_assistant
from assistant.core.config import Settings
from assistant.core.records import Answer
from vectorstore.base import SearchFilter

REQUEST = "Stel een briefing op over EFUS"
QUESTION = "In welk jaar is de gemeente Den Haag lid geworden van EFUS?"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    from assistant.core.config import TestSettings

    settings: Settings = TestSettings(data_dir=tmp_path_factory.mktemp("chat-briefing"), _env_file=None)  # type: ignore[call-arg]
    assistant = build_assistant(settings)
    assistant.ingest([settings.ingest.corpus_dir])
    return assistant


def _is_cited_briefing(answer: Answer, topic: str) -> None:
    assert answer.text.startswith(f"### Briefing: {topic}"), answer.text[:200]
    assert "#### Samenvatting" in answer.text and "[1]" in answer.text
    assert not answer.abstained and answer.query == topic
    assert answer.citations and {c.chunk_id for c in answer.citations} <= {h.chunk.chunk_id for h in answer.hits}
    # The numbered sources are shown (and exported) under the answer by the chat: not repeated in the text.
    assert "Bronnen" not in answer.text


def test_a_briefing_request_is_answered_by_the_briefing_generator_and_audited_as_one(indexed: Assistant) -> None:
    view = indexed.scoped(Principal.operator("beheer"))
    answer = view.ask(REQUEST)
    _is_cited_briefing(answer, "EFUS")
    last = read_entries(indexed.settings.audit_path)[-1]
    assert last["action"] == "briefing" and last["topic"] == "EFUS" and last["question"] == REQUEST
    assert {c["doc_id"] for c in last["cited"]} == {c.doc_id for c in answer.citations}


def test_streaming_a_briefing_request_gives_the_same_briefing(indexed: Assistant) -> None:
    view = indexed.scoped(Principal.operator("beheer"))
    before = len(read_entries(indexed.settings.audit_path))
    pieces, finish = view.stream("Prepare a briefing on EFUS for the delegation")
    streamed = "".join(pieces)
    answer = finish()
    _is_cited_briefing(answer, "EFUS")
    assert streamed == answer.text
    entries = read_entries(indexed.settings.audit_path)[before:]
    assert [e["action"] for e in entries] == ["briefing"]  # once, as a briefing (not also as a question)


def test_other_questions_stay_with_the_answer_chain(indexed: Assistant) -> None:
    view = indexed.scoped(Principal.operator("beheer"))
    for question in (QUESTION, "Zet op een rij wat de documenten zeggen over EFUS"):
        answer = view.ask(question)
        assert "Briefing:" not in answer.text
        assert read_entries(indexed.settings.audit_path)[-1]["action"] == "ask"


def test_the_chat_filters_limit_what_a_briefing_reads(indexed: Assistant) -> None:
    view = indexed.scoped(Principal.operator("beheer"), audited=False)
    everything = view.ask(REQUEST)
    documents = {c.doc_id for c in everything.citations}
    assert len(documents) >= 2  # EFUS is in several documents: the filter can make a difference
    one = sorted(documents)[0]
    narrowed = view.ask(REQUEST, flt=SearchFilter(doc_ids=(one,)))
    assert narrowed.citations and {c.doc_id for c in narrowed.citations} == {one}
    assert {h.chunk.doc_id for h in narrowed.hits} == {one}


def test_a_topic_the_documents_do_not_mention_abstains(indexed: Assistant) -> None:
    answer = indexed.scoped(Principal.operator("beheer"), audited=False).ask("Maak een briefing over Ulaanbaatar")
    assert answer.abstained and not answer.citations


def test_briefing_answer_text_keeps_the_sections_and_drops_the_source_list(indexed: Assistant) -> None:
    from assistant.briefing import to_markdown

    b = indexed.scoped(Principal.operator("beheer"), audited=False).briefing("EFUS")
    answer = chat_briefing_answer(b)
    assert answer.citations == b.citations
    full = to_markdown(b)
    body = full.split("## Bronnen")[0].strip()
    # Same lines, headings two levels down.
    assert answer.text.replace("### ", "# ", 1).replace("#### ", "## ") == body


def test_export_of_a_conversation_with_a_briefing(indexed: Assistant, tmp_path: Path) -> None:
    import io
    import zipfile

    from assistant.ui.export import conversation_docx, conversation_markdown
    from assistant.ui.state import ChatTurn

    answer = indexed.scoped(Principal.operator("beheer"), audited=False).ask(REQUEST)
    turns = [ChatTurn(question=REQUEST, answer=answer)]
    md = conversation_markdown(turns)
    assert "## Vraag 1: Stel een briefing op over EFUS" in md and "### Briefing: EFUS" in md
    assert md.count("**Bronnen**") == 1 and "[1] " in md.split("**Bronnen**")[1]
    assert md.index("## Vraag 1") < md.index("### Briefing") < md.index("#### Samenvatting")
    xml = zipfile.ZipFile(io.BytesIO(conversation_docx(turns))).read("word/document.xml").decode()
    assert "Briefing: EFUS" in xml and "Samenvatting" in xml and answer.citations[0].title[:20] in xml
