"""`assistant eval`: run a question set or a BEIR benchmark, compare two runs.

Added to the CLI by eval.plugin. The CLI lends its settings, user, assistant, progress bar and consoles
(assistant.plugins.CliServices), so these commands run as its own do, and errors end as its one-line messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from assistant.plugins import CliServices


def eval_app(cli: CliServices) -> typer.Typer:
    """The `eval` command group, bound to the CLI's services."""
    app = typer.Typer(help="Evaluate with a question set or a BEIR benchmark; compare runs.")

    @app.callback(invoke_without_command=True)
    def eval_run(
        ctx: typer.Context,
        questions: Annotated[Path | None, typer.Option("--questions", help="Question set (JSON lines).")] = None,
        beir: Annotated[Path | None, typer.Option("--beir", help="BEIR folder (corpus/queries/qrels).")] = None,
        corpus: Annotated[Path | None, typer.Option("--corpus", help="Corpus folder (default: bundled).")] = None,
        out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder (default: runs/<time>).")] = None,
        distractors: Annotated[int, typer.Option("--distractors", help="Mix in N laws as distractors.", min=0)] = 0,
        distractor_chars: Annotated[
            int | None,
            typer.Option("--distractor-chars", help="Cut each distractor law to its first N characters.", min=200),
        ] = None,
        distractor_source: Annotated[
            Path | None, typer.Option("--distractor-source", help="JSONL(.gz) of distractor documents.")
        ] = None,
        pipeline: Annotated[str, typer.Option("--pipeline", help="default | baseline (tutorial floor).")] = "default",
        fail_under: Annotated[
            list[str] | None, typer.Option("--fail-under", help="METRIC=VALUE; exit 1 when not met (repeatable).")
        ] = None,
    ) -> None:
        """Run a question set (same code path as the chat) or a BEIR benchmark, write metrics and reports."""
        if ctx.invoked_subcommand is not None:
            return
        from datetime import datetime

        from eval.compare import check_thresholds
        from eval.runner import DEFAULT_DISTRACTOR_SOURCE, run_beir, run_questions

        if (questions is None) == (beir is None):
            raise typer.BadParameter("give exactly one of --questions FILE or --beir DIR")
        if pipeline not in ("default", "baseline"):
            raise typer.BadParameter("--pipeline must be 'default' or 'baseline'")
        target = out_dir or Path("runs") / datetime.now().strftime("%Y%m%d-%H%M%S")
        with cli.progress_bar("eval") as bar:
            task = bar.add_task("indexing", total=None)

            def tick(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=escape(label))

            if questions is not None:
                run = run_questions(
                    cli.settings(),
                    questions,
                    out=target,
                    corpus=corpus,
                    distractors=distractors,
                    distractor_source=distractor_source or DEFAULT_DISTRACTOR_SOURCE,
                    distractor_chars=distractor_chars,
                    pipeline="baseline" if pipeline == "baseline" else "default",
                    progress=tick,
                    principal=cli.principal(),
                )
            elif beir is not None:
                run = run_beir(cli.settings(), beir, out=target, progress=tick)
        cli.assistant().audit.record(
            "eval",
            cli.principal().name,
            questions=str(questions) if questions else None,
            beir=str(beir) if beir else None,
            corpus=str(corpus) if corpus else None,
            pipeline=pipeline,
            out=str(target),
        )
        table = Table(title=f"{target} ({run.seconds:.1f} s{', interrupted' if run.interrupted else ''})")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for key, value in sorted(run.metrics.items()):
            if "." in key and not key.startswith(("by_type", "by_lang")):
                table.add_row(key, f"{value:.4g}")
        cli.out.print(table)
        cli.out.print(f"report: {target / 'report.html'}" if questions is not None else f"results: {target}")
        if run.unfound_evidence:
            ids = ", ".join(sorted(run.unfound_evidence))
            cli.err.print(
                f"[yellow]warning:[/] {len(run.unfound_evidence)} question(s) have evidence quotes no indexed passage "
                f"holds, so they count as retrieval misses: {escape(ids)}. Check those quotes (listed in the report)."
            )
        failures = check_thresholds(run.metrics, fail_under or [])
        for failure in failures:
            cli.err.print(f"[red]below threshold:[/] {escape(failure)}")
        if failures or run.interrupted:
            raise typer.Exit(code=1)

    @app.command("compare")
    def eval_compare(
        run_a: Annotated[Path, typer.Argument(help="Earlier run folder.")],
        run_b: Annotated[Path, typer.Argument(help="Later run folder.")],
    ) -> None:
        """Metric deltas and newly failing / newly passing questions between two runs."""
        from eval.compare import compare_runs, format_comparison

        cli.out.print(format_comparison(compare_runs(run_a, run_b)), markup=False, highlight=False)

    return app
