"""The reading commands: `assistant search`, `ask`, `briefing` and `chat`."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from assistant.cli.context import (
    _print_json,
    app,
    assistant,
    err,
    out,
    scoped,
)
from assistant.core.records import Answer
from vectorstore.base import SearchFilter

# --- search ----------------------------------------------------------------------------------------------


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in Dutch or English.")],
    k: Annotated[int, typer.Option("-k", "--top-k", help="Number of passages.", min=1, max=100)] = 5,
    doc: Annotated[list[str] | None, typer.Option("--doc", help="Only this document id (repeatable).")] = None,
    doc_type: Annotated[list[str] | None, typer.Option("--type", help="Only this document type.")] = None,
    lang: Annotated[list[str] | None, typer.Option("--lang", help="Only this language (nl, en).")] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="Documents dated from this year.")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="Documents dated up to this year.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Top-k passages for a query: score, document, page, heading, text."""
    flt = SearchFilter(
        doc_ids=tuple(doc or ()),
        doc_types=tuple(doc_type or ()),
        languages=tuple(lang or ()),
        year_from=year_from,
        year_to=year_to,
    )
    hits = scoped().search(query, k, flt)
    if as_json:
        _print_json(
            [
                {
                    "rank": h.rank,
                    "score": round(h.score, 4),
                    "chunk_id": h.chunk.chunk_id,
                    "doc_id": h.chunk.doc_id,
                    "title": h.chunk.title,
                    "source": h.chunk.source,
                    "page": h.chunk.page,
                    "heading": " > ".join(h.chunk.heading_path),
                    "text": h.chunk.text,
                }
                for h in hits
            ]
        )
        return
    if not hits:
        out.print("No passages found. Is anything ingested? Try `assistant status`.")
    for h in hits:
        c = h.chunk
        where = f"{c.source}, p. {c.page}" if c.page else c.source
        heading = " > ".join(c.heading_path)
        out.print(f"[bold]{h.rank}. {h.score:.3f}[/] [cyan]{escape(c.title)}[/] ({escape(where)})")
        if heading:
            out.print(f"   [dim]{escape(heading)}[/]")
        text = " ".join(c.text.split())
        out.print(f"   {escape(text[:400])}{'…' if len(text) > 400 else ''}\n")


# --- ask -------------------------------------------------------------------------------------------------


def _answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "answer": answer.text,
        "abstained": answer.abstained,
        "abstain_reason": answer.abstain_reason,
        "query": answer.query,
        "citations": [asdict(c) for c in answer.citations],
        "timings_ms": {k: round(v, 1) for k, v in answer.timings_ms.items()},
        "verification": dict(answer.verification),
    }


def _print_answer(answer: Answer) -> None:
    style = "yellow" if answer.abstained else ""
    out.print(f"[{style}]{escape(answer.text)}[/]" if style else escape(answer.text))
    if answer.citations:
        out.print("\n[bold]Bronnen[/]")
        for c in answer.citations:
            page = f", p. {c.page}" if c.page else ""
            out.print(f"  [{c.n}] [cyan]{escape(c.title)}[/] ({escape(c.source)}{page})")
            out.print(f"      [dim]„{escape(c.quote[:300])}”[/]")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Dutch or English.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer with citations as JSON.")] = False,
) -> None:
    """Answer one question from the documents, with numbered citations."""
    answer = scoped().ask(question)
    if as_json:
        _print_json(_answer_json(answer))
    else:
        _print_answer(answer)


# --- briefing --------------------------------------------------------------------------------------------


@app.command()
def briefing(
    topic: Annotated[str, typer.Argument(help='Destination, network, organisation or visit, e.g. "Brussel".')],
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the briefing to FILE.docx or FILE.md.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the briefing with citations as JSON.")] = False,
    extractive: Annotated[
        bool, typer.Option("--extractive", help="Quote passages only, even when an LLM backend is configured.")
    ] = False,
) -> None:
    """A delegation briefing: earlier contacts, agreements, people, themes, upcoming moments and coverage.
    With an LLM backend configured, sections 1-6 are written by the model and verified like chat answers."""
    from assistant.access.audit import documents_of_citations
    from assistant.briefing import to_dict, to_docx, to_markdown
    from assistant.language.citations import markdown_file_safe

    if out_file is not None and out_file.suffix.lower() not in (".docx", ".md", ".markdown"):
        raise typer.BadParameter("--out must end in .docx or .md")
    a = scoped()
    result = a.briefing(topic, progress=lambda msg: err.print(f"[dim]{escape(msg)}[/]"), extractive=extractive)
    if out_file is not None:
        if out_file.suffix.lower() == ".docx":
            out_file.write_bytes(to_docx(result))
        else:
            out_file.write_text(markdown_file_safe(to_markdown(result)), encoding="utf-8")
        a.audit("export", kind="briefing", file=str(out_file.resolve()), cited=documents_of_citations(result.citations))
        err.print(f"written: {escape(str(out_file))} ({result.timings_ms.get('total', 0.0) / 1000:.1f} s)")
    if as_json:
        _print_json(to_dict(result))
    elif out_file is None:
        out.print(escape(to_markdown(result)), highlight=False)


@app.command()
def chat() -> None:
    """Interactive conversation in the terminal: answers stream in, sources are listed under each answer.
    Follow-up questions use the conversation. Empty line, `exit` or Ctrl-D ends; `nieuw` starts over."""
    from assistant.answering.answerer import Turn

    a = scoped()
    assistant().warm_in_background()  # a conversation lasts: between questions, embed the answer sentences
    history: list[Turn] = []
    err.print("[dim]Stel uw vraag (leeg, 'exit' of Ctrl-D om te stoppen; 'nieuw' voor een nieuw gesprek).[/]")
    while True:
        try:
            question = input("\nvraag> ").strip()
        except EOFError:
            break
        if question.lower() in ("", "exit", "quit", "stop"):
            break
        if question.lower() in ("nieuw", "new"):
            history.clear()
            err.print("[dim]nieuw gesprek[/]")
            continue
        pieces, finish = a.stream(question, history)
        for piece in pieces:
            if a.settings.answering.llm_backend != "none":  # extractive answers arrive whole and are printed below
                sys.stdout.write(piece)
                sys.stdout.flush()
        answer = finish()
        if a.settings.answering.llm_backend != "none":
            sys.stdout.write("\n\n")
        _print_answer(answer)
        cited = tuple(dict.fromkeys(c.doc_id for c in answer.citations))
        history += [Turn("user", question), Turn("assistant", answer.text, cited)]
