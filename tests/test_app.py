"""The Streamlit app through `streamlit.testing.v1.AppTest`: what a user sees on each page.

The test profile (fake deterministic embedder) keeps this fast; retrieval quality is poor, but the bundled
corpus still yields cited answers for the questions used here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.composition import build_assistant
from assistant.core.config import TestSettings, load_settings
from assistant.ui import about, i18n, library, render
from assistant.ui.feedback import FeedbackStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
CORPUS_TITLES = (
    "Verslag dienstreis Parijs van 24 juni-27 juni 2015",
    "Sociale cohesie versterken om de veiligheid in steden te verbeteren",
    "Aanbieding ontwerp regionaal beleidsplan 'Coalitie voor veiligheid 2023 -2026'",
    "Verslag buitenlandse dienstreis Oslo",
    "Kennisuitwisseling tussen Belgische en Nederlandse Directies op het gebied van veiligheid en preventie",
)
EFUS = "In welk jaar is de gemeente Den Haag lid geworden van EFUS?"
ABSENT = "Wat is het budget voor ruimtevaart op Mars?"
PAGES = {
    "documents": "assistant/ui/pages/library.py",
    "eval": "eval/pages/evaluation.py",
    "about": "assistant/ui/pages/about.py",
}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A test-profile index with the bundled corpus, selected through the environment like `make run` does."""
    data = tmp_path / "data"
    monkeypatch.setenv("ASSISTANT_PROFILE", "test")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data))
    assistant = build_assistant(load_settings())
    report = assistant.ingest([assistant.settings.ingest.corpus_dir])
    assert all(r.status == "ingested" for r in report.results)
    return data


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(PAGES[page]).run()
    assert not at.exception, at.exception
    return at


def assistant_texts(at: AppTest) -> list[str]:
    return [m.value for msg in at.chat_message if msg.name == "assistant" for m in msg.markdown]


def source_labels(at: AppTest) -> list[str]:
    """The titles of the source cards under the answers ("**\\[1\\] Verslag … · p. 1**")."""
    return [line for text in assistant_texts(at) for line in text.splitlines() if line.startswith("**\\[")]


def table_text(at: AppTest, index: int = 0) -> str:
    return at.dataframe[index].value.to_csv()


# ------------------------------------------------------------------------------------------------- chat


def test_chat_answer_has_citation_marker_and_source(data_dir: Path) -> None:
    at = ask(start(), EFUS)
    text = "\n".join(assistant_texts(at))
    assert "[1]" in text and "2015" in text
    assert any("Verslag dienstreis Parijs" in t and t.startswith("**\\[1\\]") for t in text.splitlines()), text
    # The answer's [1] links to its card, whose anchor comes right before it.
    link = next(line for line in text.splitlines() if "(#bron-" in line)
    anchor = link.split("(#")[1].split(")")[0]
    blocks = [h.value for h in at.get("html")]
    assert f'<div id="{anchor}"></div>' in blocks
    passage = next(b for b in blocks if "<mark" in b)
    assert "lid geworden van EFUS" in passage
    assert any("p. 1" in b.label for b in at.download_button), [b.label for b in at.download_button]
    # Export buttons appear once there is something to export.
    assert {"Markdown (.md)", "Word (.docx)"} <= {b.label for b in at.download_button}


def test_a_briefing_typed_in_the_chat_is_answered_with_its_sources(data_dir: Path) -> None:
    at = ask(start(), "Stel een briefing op over EFUS")
    text = "\n".join(assistant_texts(at))
    assert "Briefing: EFUS" in text and "Samenvatting" in text and "[1]" in text
    assert "Bronnen" not in text.split("**Bronnen**")[0]  # the sources follow as cards, not in the text
    briefed = [c.value for c in at.caption if "Briefing over" in c.value]
    assert len(briefed) == 1 and "EFUS" in briefed[0], [c.value for c in at.caption]
    labels = source_labels(at)
    assert len(labels) >= 2 and any("EFUS" in label or "Parijs" in label for label in labels), labels
    assert any("<mark" in h.value for h in at.get("html"))
    assert {"Markdown (.md)", "Word (.docx)"} <= {b.label for b in at.download_button}
    # The conversation goes on with an ordinary question.
    at = ask(at, EFUS)
    last = at.chat_message[-1]
    assert last.name == "assistant" and "2015" in "\n".join(m.value for m in last.markdown)


def test_chat_abstains_with_explicit_message(data_dir: Path) -> None:
    at = ask(start(), ABSENT)
    shown = [i.value for i in at.info]
    assert any("Dit staat niet in de documenten" in s for s in shown), shown
    assert not source_labels(at) and not at.get("html")  # no sources for a non-answer


def test_abstention_message_names_closest_documents() -> None:
    def script() -> None:
        from assistant.core.records import Answer, Chunk, Hit
        from assistant.ui.render import render_answer_text

        chunk = Chunk("c1", "d1", "a.txt", "Nota <b>veiligheid</b>", "tekst", 0, 5, 0, page=4)
        render_answer_text(Answer("Dit staat niet...", hits=(Hit(chunk, 0.3, 1),), abstained=True), stream=False)

    at = AppTest.from_function(script, default_timeout=30).run()
    message = at.info[0].value
    assert "Dit staat niet in de documenten." in message
    assert "Nota &lt;b&gt;veiligheid&lt;/b&gt; (p. 4)" in message


def test_follow_up_keeps_conversation_and_new_conversation_clears_it(data_dir: Path) -> None:
    at = ask(ask(start(), EFUS), "Wat was het thema van de EFUS-conferentie in Parijs in juni 2015?")
    assert len([m for m in at.chat_message if m.name == "user"]) == 2
    assert not [c for c in at.caption if "gezocht als" in c.value]  # standalone: searched as asked
    at = ask(at, "En wie waren daar?")
    searched = [c.value for c in at.caption if "gezocht als" in c.value]
    assert len(searched) == 1 and "efus" in searched[0].lower(), searched
    at.button(key="chat_new").click().run()
    assert not at.chat_message
    assert at.button(key="example-0")  # the welcome examples are back


def test_example_question_button_asks_it(data_dir: Path) -> None:
    at = start()
    at.button(key="example-0").click().run()
    assert [m.markdown[0].value for m in at.chat_message if m.name == "user"] == [EFUS]
    assert "[1]" in "\n".join(assistant_texts(at))


def test_two_sessions_do_not_share_conversations(data_dir: Path) -> None:
    first = ask(start(), EFUS)
    second = start()
    assert first.chat_message and not second.chat_message
    ask(second, ABSENT)
    users = [m.markdown[0].value for m in first.run().chat_message if m.name == "user"]
    assert users == [EFUS]


def test_document_filter_restricts_the_search(data_dir: Path) -> None:
    at = start()
    oslo = next(d for d in build_assistant(load_settings()).manifest.documents() if "Oslo" in d.title)
    at.multiselect(key="flt_docs").set_value([oslo.doc_id]).run()
    # a question the other reports answer better ("lid" of a network, a conference), so only the filter keeps
    # them out; the EFUS-year question is declined over the Oslo report alone, which gives no year for it
    ask(at, "Bij welk netwerk is Den Haag lid en welke conferentie werd bezocht?")
    labels = source_labels(at)
    assert labels and all("Oslo" in label for label in labels), labels


def test_feedback_is_stored(data_dir: Path) -> None:
    at = ask(start(), EFUS)
    at.feedback[0].set_value(0).run()  # thumbs down
    at.text_input[0].set_value("Bron klopt, maar graag korter").run()
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("fb-send-"))).click().run()
    rows = FeedbackStore(data_dir / "feedback.sqlite3").all()
    assert len(rows) == 1
    assert rows[0].rating == -1 and rows[0].question == EFUS and rows[0].comment == "Bron klopt, maar graag korter"
    assert rows[0].sources and "Verslag dienstreis Parijs" in rows[0].sources[0]
    assert any("Bedankt" in c.value for c in at.caption)


def test_english_toggle_translates_the_interface(data_dir: Path) -> None:
    at = start()
    at.toggle(key=i18n.SESSION_KEY).set_value(True).run()
    assert at.title[0].value == "Policy assistant"
    ask(at, ABSENT)
    assert any("The documents do not contain this." in i.value for i in at.info)


# -------------------------------------------------------------------------------------------- documents


def test_documents_page_lists_the_corpus(data_dir: Path) -> None:
    at = goto(start(), "documents")
    table = table_text(at)
    for title in CORPUS_TITLES:
        assert title in table
    assert any("5 documenten" in c.value for c in at.caption)
    assert "reisverslag" in table and "trip report" not in table  # types in the UI's language


def test_upload_txt_is_ingested_and_exe_refused(data_dir: Path) -> None:
    at = goto(start(), "documents")
    at.file_uploader[0].upload("notitie.txt", b"Notitie cameratoezicht\n\nHet cameratoezicht loopt tot 2027.\n")
    at.button(key="docs_upload_go").click().run()
    assert not at.error, [e.value for e in at.error]
    assert (data_dir / "uploads" / "notitie.txt").is_file()
    assert "notitie.txt" in table_text(at)

    at.file_uploader[0].upload("setup.exe", b"MZ\x90\x00binary", "application/octet-stream")
    at.button(key="docs_upload_go").click().run()
    errors = [e.value for e in at.error]
    assert any("setup.exe" in e and "niet ondersteund" in e for e in errors), errors
    assert not (data_dir / "uploads" / "setup.exe").exists()
    # Both actions are in the audit log, marked with this browser session.
    from assistant.access.audit import read_entries

    entries = read_entries(data_dir / "audit.jsonl")
    refused = [e for e in entries if e["action"] == "upload_refused"]
    ingested = [e for e in entries if e["action"] == "ingest"]
    assert refused and refused[-1]["file"] == "setup.exe" and refused[-1]["reason"] == "docs.upload.bad_type"
    assert ingested and refused[-1]["session"] == ingested[-1]["session"] and len(refused[-1]["session"]) == 16


def test_upload_limit_is_the_settings_and_an_unreadable_upload_is_not_kept(data_dir: Path) -> None:
    at = goto(start(), "documents")
    limit = load_settings().ingest.max_file_mb
    assert at.file_uploader[0].proto.max_upload_size_mb == limit  # the browser refuses larger files itself
    assert f"{limit} MB" in at.file_uploader[0].label
    at.file_uploader[0].upload("kapot.pdf", b"%PDF-1.4 dit is geen echte pdf", "application/pdf")
    at.button(key="docs_upload_go").click().run()
    assert not at.exception
    assert any("kapot.pdf" in w.value and "niet bewaard" in w.value for w in at.warning), [w.value for w in at.warning]
    assert not (data_dir / "uploads" / "kapot.pdf").exists()
    assert not any("kapot.pdf" in table.value.to_csv() for table in at.dataframe)  # nor listed as failed


def test_delete_asks_for_confirmation(data_dir: Path) -> None:
    at = goto(start(), "documents")
    oslo = next(d for d in build_assistant(load_settings()).manifest.documents() if "Oslo" in d.title)
    assert at.selectbox(key="docs_delete_pick").value is None  # nothing is chosen for deletion by default
    assert at.button(key="docs_delete_go").disabled
    at.selectbox(key="docs_delete_pick").set_value(oslo.doc_id).run()
    at.button(key="docs_delete_go").click().run()
    assert any("Weet u zeker" in w.value for w in at.warning)
    assert "Verslag buitenlandse dienstreis Oslo" in table_text(at)  # nothing deleted yet
    at.button(key="docs_delete_yes").click().run()
    assert "Verslag buitenlandse dienstreis Oslo" not in table_text(at)
    assert any("verwijderd" in s.value for s in at.success)


def test_search_preview_and_reindex(data_dir: Path) -> None:
    at = goto(start(), "documents")
    at.text_input(key="docs_search").set_value("EFUS lidmaatschap Den Haag").run()
    passages = [h.value for h in at.get("html")]
    assert len(passages) == 5 and all("<mark" in p for p in passages)  # the searched words are marked
    assert any(
        '<mark style="background: #fff1a8; padding: 0 2px; border-radius: 2px;">EFUS</mark>' in p for p in passages
    )
    at.button(key="docs_reindex").click().run()
    assert not at.error
    assert any(
        "Klaar: 0 nieuw of bijgewerkt, 5 ongewijzigd, 0 mislukt." in s.label for s in at.get("status")
    )  # all 5 unchanged
    assert at.get("progress")[0].text == "Inlezen: 5 van 5"
    at.checkbox(key="docs_reread").check().run()  # every file read again, found the same
    at.button(key="docs_reindex").click().run()
    assert not at.error
    assert any("Klaar: 0 nieuw of bijgewerkt, 5 ongewijzigd, 0 mislukt." in s.label for s in at.get("status"))
    from assistant.access.audit import read_entries

    runs = [e for e in read_entries(data_dir / "audit.jsonl") if e["action"] == "ingest"]
    assert [e["reread"] for e in runs[-2:]] == [False, True]


def test_reindex_after_a_chunk_size_change_says_why_documents_were_read_again(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_CHUNK_SIZE", "400")
    monkeypatch.setenv("ASSISTANT_CHUNK_OVERLAP", "60")
    at = goto(start(), "documents")
    warned = [w.value for w in at.warning if "verouderd" in w.value]  # said before the re-index
    assert len(warned) == 1 and "5 opgeslagen document(en)" in warned[0] and "1000/150 → 400/60" in warned[0]
    at.button(key="docs_reindex").click().run()
    assert not at.error
    assert not [w.value for w in at.warning if "verouderd" in w.value]
    said = [i.value for i in at.info if "opnieuw gelezen" in i.value]
    assert len(said) == 1 and "chunk size/overlap 1000/150 → 400/60" in said[0], [i.value for i in at.info]


def test_script_in_a_document_is_shown_as_text(data_dir: Path) -> None:
    at = goto(start(), "documents")
    body = (
        "Kluisbeheer gemeentehuis\n\nDe sleutel van de kluis in het gemeentehuis ligt bij de portier. "
        "<script>alert(1)</script> De portier bewaart de kluissleutel in een verzegelde envelop.\n"
    )
    at.file_uploader[0].upload("kluis.txt", body.encode(), "text/plain")
    at.button(key="docs_upload_go").click().run()
    at.switch_page("assistant/ui/pages/chat.py").run()
    ask(at, "Waar ligt de sleutel van de kluis in het gemeentehuis?")
    answer = "\n".join(assistant_texts(at))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer and "<script>" not in answer
    passages = [h.value for h in at.get("html")]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in p for p in passages), passages
    assert not any("<script>" in p for p in passages)


# --------------------------------------------------------------------------------------- evaluation


def test_evaluation_runs_an_uploaded_question_set(data_dir: Path) -> None:
    at = goto(start(), "eval")
    questions = [
        {"id": "q1", "type": "factoid", "lang": "nl", "question": EFUS, "answer": "2015", "facts": [["2015"]],
         "sources": ["000_c0ed1ecefa30b148.txt"], "evidence": ["In 2015 is de gemeente Den Haag officieel lid"]},
        {"id": "q2", "type": "unanswerable", "lang": "nl", "question": ABSENT},
        {"id": "q3", "type": "factoid", "lang": "nl", "question": EFUS, "facts": [["2015"]],
         "evidence": ["In 2016 is de gemeente Den Haag officieel lid"]},  # edited: no passage holds it
    ]  # fmt: skip
    body = "\n".join(json.dumps(q) for q in questions).encode()
    at.file_uploader(key="eval_upload").upload("mini.jsonl", body, "application/json").run()
    at.selectbox(key="eval_set").set_value(data_dir / "eval-uploads" / "lokaal" / "mini.jsonl").run()
    at.button(key="eval_run").click().run()
    assert not at.error, [e.value for e in at.error]
    assert [w.value for w in at.warning if "q3" in w.value and "q1" not in w.value]
    labels = {m.label for m in at.metric}  # named for people, explained in a tooltip
    assert "Genoemde feiten" in labels and "Terecht geweigerd" in labels and "answer.fact_recall" not in labels
    assert all(m.help for m in at.metric)
    ids = at.dataframe[0].value.iloc[:, 0].tolist()
    assert sorted(ids) == ["q1", "q2", "q3"]
    at.selectbox(key="eval_drill").set_value("q1").run()
    assert any("EFUS" in t.value for t in at.text)
    first = at.selectbox(key="eval_pick").value
    # A second run is shown as soon as it ends, and makes the comparison available.
    at.button(key="eval_run").click().run()
    second = at.selectbox(key="eval_pick").value
    assert second.name > first.name  # run folders are named by their start time
    at.button(key="cmp_go").click().run()
    table = at.dataframe[-1].value
    verdicts = dict(zip(table["Maat"], table["Oordeel"], strict=True))
    assert verdicts["Genoemde feiten"] == "gelijk"  # the same answers twice
    assert set(verdicts.values()) <= {"beter", "slechter", "gelijk"}
    assert not any("/" in m.value and "Comparison" in m.value for m in at.markdown)  # no server paths as a heading


def test_without_the_eval_plugin_the_app_says_so_and_works(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.plugins import BrokenPlugin, Plugins
    from assistant.ui import state

    broken = BrokenPlugin("eval", "eval.plugin", "ModuleNotFoundError: No module named 'eval'")
    monkeypatch.setattr(state, "plugins", lambda: Plugins(broken=(broken,)))
    at = ask(start(), EFUS)
    assert "2015" in "\n".join(assistant_texts(at))
    warnings = [w.value for w in at.sidebar.warning]
    assert warnings == ["Het onderdeel 'eval' kon niet worden geladen en ontbreekt; de rest werkt gewoon. "
                        "(ModuleNotFoundError: No module named 'eval')"]  # fmt: skip
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page(PAGES["eval"])  # the page is not registered
    goto(at, "documents")


# ------------------------------------------------------------------------------------------------ about


def test_about_page_shows_configuration_without_secrets(data_dir: Path) -> None:
    at = goto(start(), "about")
    shown = "\n".join(m.value for m in at.markdown)
    assert "geen (extractief)" in shown and "fake" in shown and "5 documenten" in shown
    table = at.dataframe[0].value
    names = table.iloc[:, 0].tolist()
    assert "embedding_backend" in names and "top_k" in names


def test_secret_looking_settings_are_masked() -> None:
    class WithSecrets(TestSettings):  # a later version's settings: top-level secret-looking fields too
        service_token: str = "tok-abc"
        chroma_password: str = "hunter2"

    settings = WithSecrets(
        chroma_host="https://admin:pw@chroma.local",
        llm_api_key="sk-live-123456",  # type: ignore[call-arg]
        _env_file=None,
    )
    rows = about.settings_rows(settings)
    values = "\n".join(v for _, v, _ in rows)
    for secret in ("sk-live-123456", "tok-abc", "hunter2", "admin:pw"):
        assert secret not in values
    assert dict((n, v) for n, v, _ in rows)["llm_api_key"] == about.MASK


# ---------------------------------------------------------------------------------------- pure helpers


def test_translations_have_the_same_keys() -> None:
    assert set(i18n.TEXTS["nl"]) == set(i18n.TEXTS["en"])
    assert i18n.translate("chat.page", "en", page=3) == "p. 3"
    assert i18n.translate("no.such.key", "en") == "no.such.key"


def test_highlight_escapes_the_passage_and_marks_the_quote() -> None:
    passage = "Intro <img src=x onerror=alert(1)>.\nDe raad   besloot\nin 2020 tot invoering. Slot & einde."
    out = render.highlight_html(passage, "De raad besloot in 2020 tot invoering.")
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "<mark" in out and "De raad   besloot\nin 2020 tot invoering.</mark>" in out
    assert "Slot &amp; einde." in out
    assert "<mark" not in render.highlight_html("abc", "xyz")


def test_word_chunks_reassemble_the_text() -> None:
    text = "Volgens de documenten:\n- In 2015 werd Den Haag lid. [1]"
    chunks = list(render.word_chunks(text, words=2))
    assert len(chunks) > 3 and "".join(chunks) == text


def test_unverified_sentences_are_marked() -> None:
    text = "Volgens de bronnen:\n- Den Haag werd lid in 2015. [1]\n- Het budget is 3 miljoen."
    assert render.mark_unverified(text, {}) == text
    marked = render.mark_unverified(text, {"sentences": 2, "unsupported": 1})
    assert "- ⚠ Het budget is 3 miljoen." in marked
    assert "- Den Haag werd lid in 2015. [1]" in marked and "⚠ Volgens" not in marked


def test_markdown_escaping_neutralises_html_and_latex() -> None:
    assert render.escape_markdown("<b>x</b> kost $5") == "&lt;b&gt;x&lt;/b&gt; kost \\$5"


def test_upload_checks() -> None:
    assert library.check_upload("nota.PDF", 10, 200) is None
    assert library.check_upload("setup.exe", 10, 200)[0] == "docs.upload.bad_type"  # type: ignore[index]
    assert library.check_upload("leeg.txt", 0, 200)[0] == "docs.upload.empty"  # type: ignore[index]
    assert library.check_upload("groot.pdf", 3 * 1024 * 1024, 2)[0] == "docs.upload.too_big"  # type: ignore[index]
    assert library.safe_filename("../../etc/passwd.txt") == "passwd.txt"
    assert library.safe_filename("..\\evil<>.md") == "evil_.md"
    assert library.safe_filename(".env") == "env"


def test_feedback_store_round_trip(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb" / "feedback.sqlite3")
    store.add("Vraag?", "Antwoord [1]", ["[1] Nota (nota.pdf, p. 2)"], 1, "  prima ")
    store.add("Vraag 2?", "Niets", [], -1, "")
    rows = store.all()
    assert [(r.rating, r.comment) for r in rows] == [(1, "prima"), (-1, "")]
    assert rows[0].sources == ("[1] Nota (nota.pdf, p. 2)",)
    with pytest.raises(ValueError):
        store.add("q", "a", [], 5, "")


def test_render_sources_shows_passage_quote_and_no_markup() -> None:
    def script() -> None:
        from assistant.core.records import Answer, Chunk, Citation, Hit
        from assistant.ui.render import render_sources

        text = "Begin. <script>alert(1)</script> Den Haag werd lid in 2015. Einde."
        chunk = Chunk("c1", "d1", "a.txt", "Titel *met* [link](x)", text, 0, len(text), 0, page=2, date="2015-06-24")
        cite = Citation(1, "c1", "d1", "Titel *met* [link](x)", "a.txt", 2, "Den Haag werd lid in 2015.")
        render_sources(Answer("Den Haag werd lid in 2015. [1]", (cite,), (Hit(chunk, 0.9, 1),)), {}, "k")

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    label = at.markdown[1].value  # after the "Bronnen" heading
    assert label.startswith("**\\[1\\]") and "2015-06-24" in label and "p. 2" in label and "\\*met\\*" in label
    anchor, html_value = (h.value for h in at.get("html"))
    assert anchor == '<div id="bron-k-1"></div>'
    assert "&lt;script&gt;" in html_value and "<script>" not in html_value
    assert "<mark" in html_value and "Den Haag werd lid in 2015.</mark>" in html_value
    assert not at.download_button  # the document is not in the manifest: no file to offer


def test_chat_with_unreachable_llm_server_says_what_to_do(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_LLM_BACKEND", "openai")
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT_S", "2")
    at = ask(start(), "In welk jaar is de gemeente Den Haag lid geworden van EFUS?")
    errors = " ".join(e.value for e in at.error)
    assert "127.0.0.1:9" in errors and "Traceback" not in errors


def test_two_runs_in_the_same_second_get_their_own_folders(tmp_path: Path) -> None:
    from eval.page import new_run_folder

    first = new_run_folder(tmp_path)
    first.mkdir()
    second = new_run_folder(tmp_path)
    assert second != first and not second.exists()


def test_passages_read_as_clean_text_and_originals_download_under_their_title() -> None:
    passage = "#### **Landelijke veiligheidsagenda**\n\nZie [de agenda](https://example.org) en `art. 3`."
    shown = render.passage_block(passage, "Zie de agenda en art. 3.")
    assert "####" not in shown and "**" not in shown and "https://example.org" not in shown
    assert "Landelijke veiligheidsagenda" in shown and "<mark" in shown  # the quote is still found and marked
    assert render.strip_markdown("bestand_naam_v2.pdf * voetnoot") == "bestand_naam_v2.pdf * voetnoot"
    stored = Path("uploads/003_145eaa7edb620ff2.txt")
    assert render.download_name("Verslag dienstreis: Parijs / EFUS", stored) == "Verslag dienstreis Parijs EFUS.txt"
    assert render.download_name("", stored) == "003_145eaa7edb620ff2.txt"


def test_search_terms_are_marked_with_their_inflections_and_never_as_markup() -> None:
    import re

    text = "De veiligheidsagenda <b>en</b> de agenda's van Den Haag."
    out = render.highlight_terms_html(text, "veiligheid agenda van Den Haag")
    # A compound starting with a term is marked; the function word "van" is not.
    assert re.findall(r"<mark[^>]*>(.*?)</mark>", out) == ["veiligheidsagenda", "agenda", "Den", "Haag"]
    assert "&lt;b&gt;" in out and "<b>" not in out


def test_citation_markers_link_to_their_cards_and_cards_show_the_quote_in_context() -> None:
    body = "Den Haag werd lid [1]. Het forum telt 16 landen [1, 2]. Zie ook artikel [7]."
    linked = render.link_markers(body, "t1", {1, 2})
    assert "\\[[1](#bron-t1-1)\\]" in linked
    assert "\\[[1](#bron-t1-1), [2](#bron-t1-2)\\]" in linked
    assert "artikel [7]" in linked  # not a citation of this answer: stays text
    assert render.source_anchor('a b"<x>', 3) == "bron-abx-3"
    passage = "Inleiding. " * 60 + "Den Haag werd lid in 2015." + " Slot." * 80
    excerpt = render.passage_excerpt(passage, "Den Haag werd lid in 2015.", context=50)
    assert excerpt.startswith("… ") and excerpt.endswith(" …") and "Den Haag werd lid in 2015." in excerpt
    assert len(excerpt) < 170
    assert render.passage_excerpt("Kort. Den Haag werd lid.", "Den Haag werd lid.") == "Kort. Den Haag werd lid."


def test_view_document_opens_the_whole_document_at_the_cited_page() -> None:
    def script() -> None:
        from assistant.core.records import Answer, Chunk, Citation, Hit
        from assistant.ui.render import render_sources
        from ingest.manifest import DocumentRow

        pages = ["Pagina een over de aanpak.", "Den Haag werd lid in 2015.", "Pagina drie met de evaluatie."]
        chunks, start = [], 0
        for i, text in enumerate(pages):
            chunks.append(Chunk(f"c{i}", "d1", "a.pdf", "Verslag", text, start, start + len(text), i, page=i + 1))
            start += len(text) + 2
        cite = Citation(1, "c1", "d1", "Verslag", "a.pdf", 2, "Den Haag werd lid in 2015.")
        row = DocumentRow("d1", "x", "a.pdf", "/nonexistent/a.pdf", "Verslag", "note", "nl", None, 3, 90, 3, "ok", ())
        render_sources(
            Answer("Den Haag werd lid in 2015. [1]", (cite,), (Hit(chunks[1], 0.9, 1),)),
            {"d1": row},
            "k",
            read_document=lambda doc_id: chunks if doc_id == "d1" else [],
        )

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    at.button(key="view-k-1").click().run()
    assert not at.exception
    page = at.selectbox(key="doc-part-c1-1")
    assert page.value == 1 and page.label == "Pagina (van 3)"  # opened at the cited page (index 1 = page 2)
    shown = [h.value for h in at.get("html")]
    assert any("<mark" in h and "Den Haag werd lid in 2015.</mark>" in h and "Pagina een" not in h for h in shown)

    def reader() -> None:  # the dialog's body alone: a page switch reruns only the dialog in a browser
        from assistant.core.records import Chunk, Citation
        from assistant.ui.render import render_document

        texts = ["Pagina een over de aanpak.", "Den Haag werd lid in 2015.", "Pagina drie met de evaluatie."]
        chunks = [
            Chunk(f"c{i}", "d1", "a.pdf", "Verslag", x, 40 * i, 40 * i + len(x), i, page=i + 1)
            for i, x in enumerate(texts)
        ]
        render_document(Citation(1, "c1", "d1", "Verslag", "a.pdf", 2, "Den Haag werd lid in 2015."), chunks)

    at = AppTest.from_function(reader, default_timeout=30).run()
    at.selectbox(key="doc-part-c1-1").set_value(2).run()
    assert not at.exception
    assert [h.value for h in at.get("html") if "Pagina drie met de evaluatie." in h.value and "<mark" not in h.value]
    assert not at.caption  # "the passage of source [1] is marked" only on its own page


def test_long_labels_are_cut_at_a_word_never_inside_one() -> None:
    label = "Kennisuitwisseling tussen Belgische en Nederlandse Directies op het gebied van veiligheid"
    cut = render.shorten(label, 40)
    assert cut == "Kennisuitwisseling tussen Belgische en…" and len(cut) <= 40
    assert render.shorten("Kort  label", 40) == "Kort label"
