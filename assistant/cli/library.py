"""The library commands: `assistant ingest` and `assistant status`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli.context import (
    _print_json,
    _progress_bar,
    _State,
    app,
    err,
    out,
    scoped,
    settings,
)
from assistant.core.config import describe_settings, setting_fields
from ingest.pipeline import FileResult, IngestMeter, IngestState


class _IngestTicker:
    """Ingest progress on the bar: files done of found, chunks embedded, chunks/s and the ETA (by files)."""

    def __init__(self, bar: Any, results: list[FileResult]) -> None:
        self.bar = bar
        self.results = results
        self.task = bar.add_task("", total=None)
        self.warm_task: Any = None
        self.meter = IngestMeter()

    def planned(self, files: int) -> None:
        self.meter.planned = files
        self.bar.update(self.task, total=files)

    def warming(self, documents_done: int, documents_total: int) -> None:
        if self.warm_task is None:
            self.warm_task = self.bar.add_task("answer vectors (documents are searchable already)", total=None)
        self.bar.update(self.warm_task, completed=documents_done, total=documents_total)

    def __call__(self, result: FileResult) -> None:
        self.results.append(result)
        self.meter.add(result)
        text = f"{self.meter.chunks} chunks · {self.meter.chunks_per_s:.1f} chunks/s · {result.source[-40:]}"
        self.bar.update(self.task, advance=1, description=escape(text))


# --- ingest ----------------------------------------------------------------------------------------------

_STATUS_STYLE = {
    "ingested": "green",
    "updated": "green",
    "unchanged": "dim",
    "duplicate": "cyan",
    "removed": "yellow",
    "skipped": "yellow",
    "failed": "red",
}


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders. Default: the configured corpus folder.")
    ] = None,
    sync: Annotated[bool, typer.Option("--sync", help="Remove documents whose files are gone.")] = False,
    reread: Annotated[
        bool,
        typer.Option(
            "--reread",
            help="Read unchanged files again too, after an upgrade that reads documents better: a document whose "
            "text comes out the same keeps its vectors; one whose text changed is embedded again.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the per-file report as JSON.")] = False,
    answer_vectors: Annotated[
        bool | None,
        typer.Option(
            "--answer-vectors/--no-answer-vectors",
            help="Also embed every answer sentence now (first answers faster, ingest about twice as long). "
            "Default: the setting precompute_answer_vectors.",
        ),
    ] = None,
) -> None:
    """Read, clean, chunk and embed documents into the store (incremental: unchanged files are skipped)."""
    targets = paths or [settings().ingest.corpus_dir]
    update: dict[str, object] = {}
    if _State.assistant is None and settings().ingest.ingest_threads:
        # This process only ingests: its embedder may use the cores a serving process leaves to questions.
        update["embedding_threads"] = settings().ingest.ingest_threads
    if _State.assistant is None and answer_vectors is not None:
        update["precompute_answer_vectors"] = answer_vectors
    if update:
        _State.settings = settings().updated(**update)
    a = scoped()
    results: list[FileResult] = []
    if as_json:
        report = a.ingest(targets, sync=sync, reread=reread)
    else:
        with _progress_bar("ingest", eta=True) as bar:
            report = a.ingest(targets, sync=sync, reread=reread, progress=_IngestTicker(bar, results))
    if as_json:
        _print_json(
            {
                "summary": report.summary(),
                "seconds": round(report.seconds, 3),
                "answer_units": report.answer_units,
                "answer_vectors_seconds": round(report.answer_vectors_seconds, 3),
                "recovered_chunks": report.recovered,
                "files": [asdict(r) for r in report.results],
            }
        )
    else:
        table = Table(title=f"Ingest ({report.seconds:.1f} s)", show_lines=False)
        for col in ("status", "file", "chunks", "details"):
            table.add_column(col)
        for r in report.results:
            if r.status == "unchanged" and len(report.results) > 30:
                continue
            details = r.error or "; ".join(([r.reason] if r.reason else []) + list(r.warnings)) or (r.title or "")
            style = _STATUS_STYLE.get(r.status, "")
            table.add_row(f"[{style}]{r.status}[/]", escape(r.source), str(r.chunks or ""), escape(details[:160]))
        out.print(table)
        summary = ", ".join(f"{v} {k}" for k, v in report.summary().items() if v)
        out.print(f"[bold]{summary or 'nothing to do'}[/]")
        # Why stored documents were read again unasked (a newer reader, a changed chunk size): said once each.
        for reason, n in report.read_again().items():
            out.print(f"{n} stored document(s) {reason}")
        if report.answer_units:
            out.print(
                f"answer vectors: {report.answer_units} sentences and lists embedded in "
                f"{report.answer_vectors_seconds:.1f} s (answers need no embedding at question time)"
            )
    if report.failed:
        raise typer.Exit(code=4)


# --- status ----------------------------------------------------------------------------------------------


def _print_ingest_state(state: IngestState) -> None:
    import datetime as dt

    since = dt.datetime.fromtimestamp(state.started).strftime("%Y-%m-%d %H:%M") if state.started else "?"
    counted = f": {state.done} of {state.planned} files, {state.chunks} chunks" if state.planned is not None else ""
    if state.running:
        out.print(f"[bold yellow]Ingest running[/] since {since}{counted}")
    elif state.interrupted:
        err.print(
            f"[yellow]The ingest started {since} was interrupted{counted}; run `assistant ingest` again to finish "
            "it (documents already stored are kept, half-written ones are removed)[/]"
        )


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    show_settings: Annotated[bool, typer.Option("--settings", help="Also list every setting.")] = False,
) -> None:
    """Documents, chunks, warnings, models and store."""
    from assistant.embedding.models import list_models

    a = scoped()
    st = a.status()
    docs = a.manifest.documents()
    failed = [f for f in a.manifest.files() if f.status == "failed"]
    models = list_models(settings())
    if as_json:
        _print_json(
            {
                "store": asdict(st),
                "documents": [asdict(d) for d in docs],
                "failed_files": [asdict(f) for f in failed],
                "models": models,
                "ingest": asdict(a.ingest_state()),
                "settings": {n: v for n, v, _ in describe_settings(settings())} if show_settings else None,
            }
        )
        return
    out.print(f"[bold]Store[/]: {escape(st.store_mode)} · collection {escape(st.collection)}")
    out.print(f"[bold]Embedding[/]: {escape(st.embedding)}")
    out.print(
        f"[bold]Documents[/]: {st.documents} · chunks {st.chunks} (store holds {st.store_chunks}) · "
        f"with warnings {st.with_warnings} · failed files {st.failed}"
    )
    _print_ingest_state(a.ingest_state())
    if st.chunks != st.store_chunks:
        err.print("[yellow]manifest and store disagree; the next `assistant ingest` repairs this[/]")
    for reason, n in st.out_of_date.items():
        # Said before anyone ingests: reading a large library again takes as long as its first ingest.
        err.print(f"[yellow]{n} stored document(s) to be {escape(reason)} by the next `assistant ingest`[/]")
    if docs:
        table = Table(title="Documents")
        for col in ("title", "file", "type", "date", "lang", "pages", "chunks", "warnings"):
            table.add_column(col)
        for d in docs:
            table.add_row(
                escape(d.title[:60]),
                escape(d.source),
                d.doc_type,
                d.date or "",
                d.language,
                str(d.pages),
                str(d.chunk_count),
                escape("; ".join(d.warnings)[:80]),
            )
        out.print(table)
    for f in failed:
        out.print(f"[red]failed[/] {escape(f.source)}: {escape(f.error or '')}")
    mt = Table(title="Models")
    for col in ("name", "dim", "installed", "active", "description"):
        mt.add_column(col)
    for m in models:
        mt.add_row(m["name"], m["dimension"], m["installed"], m["active"], m["description"])
    out.print(mt)
    if show_settings:
        stt = Table(title="Settings (ASSISTANT_<NAME> to override, whatever the section)")
        for col in ("section", "name", "value", "description"):
            stt.add_column(col)
        fields = setting_fields(type(settings()))
        for name, value, desc in describe_settings(settings()):
            stt.add_row(fields[name][0] or "", name, escape(value), escape(desc))
        out.print(stt)
