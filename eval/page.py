"""The evaluation page: run a question set through the chat's chain, read the scores, compare runs.

An app page of the eval plugin (eval.plugin); it draws with the app's toolkit (assistant.ui) like its other pages.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import streamlit as st

from assistant.access.principal import Principal
from assistant.core.config import PROJECT_ROOT, Settings
from assistant.core.errors import AssistantError
from assistant.ui import state
from assistant.ui.i18n import t
from assistant.ui.library import safe_filename
from assistant.ui.render import escape_label, escape_markdown
from eval.compare import Comparison, compare_runs
from eval.metrics import is_latency
from eval.report import failure_reasons, format_value, read_results

DEV_SET = PROJECT_ROOT.parent / "shared" / "eval" / "questions-dev.jsonl"
KEY_METRICS = (
    "retrieval.evidence_recall@5",
    "retrieval.mrr",
    "retrieval.fact_recall@5",
    "answer.fact_recall",
    "answer.all_facts",
    "citation.precision",
    "abstention.accuracy",
    "abstention.false_rate",
    "latency.p50_ms",
)
TYPE_METRICS = ("retrieval.evidence_recall@5", "answer.fact_recall", "answer.all_facts", "citation.precision")
RUN_KEY = "eval_selected_run"
PICK_KEY = "eval_pick"


def uploads_dir(settings: Settings, principal: Principal) -> Path:
    """Where `principal`'s uploaded question sets live: a folder per user, so sets (whose facts may be
    confidential) are private and two users' sets of the same name never replace each other."""
    return settings.storage.data_dir / "eval-uploads" / safe_filename(principal.name or "anoniem")


def question_sets(settings: Settings, principal: Principal) -> list[Path]:
    """The dev set (when present), every *.jsonl in the project's eval/ folder, and the principal's own
    uploaded sets (the operator's view: everyone's)."""
    found: list[Path] = []
    if DEV_SET.is_file():
        found.append(DEV_SET)
    found += sorted((PROJECT_ROOT / "eval").glob("*.jsonl"))
    root = settings.storage.data_dir / "eval-uploads"
    if principal.all_groups:  # with the sets uploaded before they were per user
        found += sorted([*root.glob("*/*.jsonl"), *root.glob("*.jsonl")])
    else:
        found += sorted(uploads_dir(settings, principal).glob("*.jsonl"))
    return found


def run_visible(run: Path, principal: Principal) -> bool:
    """A run belongs to the user who started it (the operator sees all). Runs of older versions, which did not
    record their user, are shown to those who may see everything the run could: runs without a recorded access
    (the CLI's operator) count as made with all groups."""
    if principal.all_groups:
        return True
    try:
        meta = json.loads((run / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(meta, dict):
        return False
    if "user" in meta:
        return bool(meta["user"] == principal.name)
    access = meta.get("access", "*")
    return isinstance(access, list) and set(access) <= principal.groups


def unfound_evidence(run: Path) -> dict[str, list[str]]:
    """The run's questions whose evidence quotes no indexed passage holds (`meta.json`; empty for older runs)."""
    try:
        meta = json.loads((run / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found = meta.get("evidence_unfound") if isinstance(meta, dict) else None
    return {str(k): list(v) for k, v in found.items()} if isinstance(found, dict) else {}


def new_run_folder(root: Path) -> Path:
    """A fresh folder name per run: the time, with a suffix when two runs start within the same second
    (otherwise the second run would overwrite the first)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out, n = root / stamp, 1
    while out.exists():
        n += 1
        out = root / f"{stamp}-{n}"
    return out


def list_runs(settings: Settings, principal: Principal | None = None) -> list[Path]:
    """Run folders with metrics that `principal` may read (default: public access), newest first."""
    root = state.runs_dir(settings)
    if not root.is_dir():
        return []
    who = principal or Principal.public()
    runs = (p for p in root.iterdir() if (p / "metrics.json").is_file() and run_visible(p, who))
    return sorted(runs, key=lambda p: p.name, reverse=True)


def load_metrics(run: Path) -> dict[str, float]:
    raw = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    return {str(k): float(v) for k, v in raw.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def by_type(metrics: dict[str, float], names: tuple[str, ...] = TYPE_METRICS) -> dict[str, dict[str, float]]:
    """{metric: {question type: value}} from the `by_type.<type>.<metric>` breakdowns."""
    out: dict[str, dict[str, float]] = {}
    for key, value in metrics.items():
        if not key.startswith("by_type."):
            continue
        qtype, _, metric = key[len("by_type.") :].partition(".")
        if metric in names:
            out.setdefault(metric, {})[qtype] = value
    return out


def _label(path: Path) -> str:
    if path.parent.parent.name == "eval-uploads":
        return f"{path.parent.name}: {path.name}"  # whose upload it is
    try:
        return str(path.relative_to(PROJECT_ROOT.parent))
    except ValueError:
        return path.name


def _run_section(settings: Settings, principal: Principal, audit: Any) -> None:
    sets = question_sets(settings, principal)
    choice = st.container()
    with st.expander(t("eval.upload"), expanded=False):
        uploaded = st.file_uploader(t("eval.upload"), type=["jsonl"], key="eval_upload", label_visibility="collapsed")
    if uploaded is not None:
        folder = uploads_dir(settings, principal)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / safe_filename(uploaded.name)
        target.write_bytes(uploaded.getvalue())
        if target not in sets:
            sets.append(target)
    if not sets:
        st.info(t("eval.none"))
        return
    chosen = choice.selectbox(
        t("eval.set"), options=sets, format_func=_label, key="eval_set", placeholder=t("ui.choose")
    )
    if not choice.button(t("eval.run"), key="eval_run", type="primary", icon=":material/play_arrow:"):
        return
    out = new_run_folder(state.runs_dir(settings))
    bar = st.progress(0.0, text=t("eval.progress", done=0, total="?", label=""))

    def progress(done: int, total: int, label: str) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=t("eval.progress", done=done, total=total, label=label))

    from eval.runner import run_questions

    try:
        with st.spinner(t("eval.run")):
            run = run_questions(settings, Path(chosen), out=out, progress=progress, principal=principal)
        audit("eval", questions=str(chosen), out=str(run.out))
    except AssistantError as exc:
        st.error(str(exc))
        return
    bar.progress(1.0, text=t("eval.done", seconds=run.seconds, out=run.out.name))
    st.session_state[RUN_KEY] = str(run.out)  # the results below show this run, not the one picked before


def _results_section(settings: Settings, principal: Principal) -> None:
    st.header(t("eval.results"))
    runs = list_runs(settings, principal)
    if not runs:
        st.info(t("eval.no_runs"))
        return
    # A run that just finished replaces the pick (the widget keeps its own value across reruns otherwise).
    finished = st.session_state.pop(RUN_KEY, None)
    if finished is not None:
        st.session_state[PICK_KEY] = next((r for r in runs if str(r) == finished), runs[0])
    elif st.session_state.get(PICK_KEY) not in runs:
        st.session_state.pop(PICK_KEY, None)
    run = st.selectbox(
        t("eval.pick_run"), options=runs, format_func=lambda p: p.name, key=PICK_KEY, placeholder=t("ui.choose")
    )
    try:
        metrics = load_metrics(run)
        results = read_results(run / "results.jsonl")
    except (AssistantError, OSError, ValueError) as exc:
        st.error(str(exc))
        return
    unfound = unfound_evidence(run)
    if unfound:
        st.warning(t("eval.unfound", n=len(unfound), ids=escape_markdown(", ".join(sorted(unfound)))))

    shown = [m for m in KEY_METRICS if m in metrics]
    for row in range(0, len(shown), 3):
        cols = st.columns(3)
        for col, name in zip(cols, shown[row : row + 3], strict=False):
            col.metric(metric_label(name), format_value(name, metrics[name]), help=metric_help(name), border=True)

    table = by_type(metrics)
    if table:
        st.subheader(t("eval.by_type"))
        metric = st.selectbox(
            t("eval.by_type.metric"),
            options=sorted(table),
            format_func=metric_label,
            key="eval_type_metric",
            placeholder=t("ui.choose"),
        )
        st.bar_chart(table[metric], x_label=t("eval.col.type"), y_label=metric_label(metric))

    st.subheader(t("eval.questions"))
    st.dataframe(
        [
            {
                t("eval.col.id"): r.get("id", ""),
                t("eval.col.type"): r.get("type", ""),
                t("eval.col.question"): r.get("question", ""),
                t("eval.col.ok"): "✅" if not failure_reasons(r) else "❌",
                t("eval.col.reasons"): "; ".join(failure_reasons(r)),
            }
            # Failing questions first: they are what a reader of a run looks for.
            for r in sorted(results, key=lambda r: not failure_reasons(r))
        ],
        hide_index=True,
        width="stretch",
    )
    _drill_down(results)


def _drill_down(results: list[dict[str, Any]]) -> None:
    if not results:
        return
    st.subheader(t("eval.drill"))
    by_id = {str(r.get("id")): r for r in results}
    qid = st.selectbox(t("eval.col.id"), options=list(by_id), key="eval_drill", placeholder=t("ui.choose"))
    record = by_id[qid]
    st.markdown(f"**{escape_markdown(str(record.get('question', '')))}**")
    st.markdown(f"*{t('eval.answer')}*")
    st.text(str(record.get("answer", "")))
    reasons = failure_reasons(record)
    if reasons:
        st.warning(escape_markdown("; ".join(reasons)))
    st.markdown(f"*{t('eval.hits')}*")
    for hit in record.get("hits") or []:
        page = f" · p. {hit.get('page')}" if hit.get("page") else ""
        with st.container(border=True):
            st.markdown(f"**{hit.get('rank')}.** {escape_label(str(hit.get('source', '')))}{page} · {hit.get('score')}")
            st.text(str(hit.get("text", "")))


def _compare_section(settings: Settings, principal: Principal) -> None:
    st.header(t("eval.compare"))
    runs = list_runs(settings, principal)
    if len(runs) < 2:
        st.caption(t("eval.compare.need_two"))
        return
    cols = st.columns(2)
    a, b = (
        col.selectbox(
            t(label), options=runs, index=index, format_func=lambda p: p.name, key=key, placeholder=t("ui.choose")
        )
        for col, label, index, key in ((cols[0], "eval.compare.a", 1, "cmp_a"), (cols[1], "eval.compare.b", 0, "cmp_b"))
    )
    if st.button(t("eval.compare.go"), key="cmp_go"):
        try:
            cmp = compare_runs(a, b)
        except AssistantError as exc:
            st.error(str(exc))
            return
        st.dataframe(comparison_rows(cmp), hide_index=True, width="stretch")
        st.caption(t("eval.compare.noise"))
        for heading, changes in (
            ("eval.compare.failing", cmp.newly_failing),
            ("eval.compare.passing", cmp.newly_passing),
        ):
            st.markdown(f"**{t(heading)}**")
            if not changes:
                st.caption(t("eval.compare.none"))
            for metric, ids in sorted(changes.items()):
                st.markdown(escape_markdown(f"- {metric_label(metric)}: {', '.join(ids)}"))
        if cmp.questions_only_in_a or cmp.questions_only_in_b:
            st.caption(
                t("eval.compare.questions_differ", a=len(cmp.questions_only_in_a), b=len(cmp.questions_only_in_b))
            )


def metric_label(name: str) -> str:
    """A metric's name for people ("Volledige antwoorden"); the key itself when it has none."""
    return t(f"metric.{name}")


def metric_help(name: str) -> str | None:
    key = f"metric.{name}.help"
    text = t(key)
    return None if text == key else text


def comparison_rows(cmp: Comparison) -> list[dict[str, str]]:
    """The top-level metrics of two runs with a noise-aware verdict; breakdowns per type and language only
    where they changed."""
    rows = []
    for d in cmp.deltas:
        if d.name.startswith("by_") and d.delta == 0:
            continue
        delta = f"{d.delta:+.0f} ms" if is_latency(d.name) else f"{d.delta:+.3f}"
        rows.append(
            {
                t("eval.compare.col.metric"): metric_label(d.name),
                "A": format_value(d.name, d.a),
                "B": format_value(d.name, d.b),
                t("eval.compare.col.delta"): delta,
                t("eval.compare.col.verdict"): t(f"eval.verdict.{d.verdict}"),
            }
        )
    return rows


def page() -> None:
    st.title(t("nav.eval"))
    st.caption(t("eval.caption"))
    assistant = state.assistant_or_error()
    if assistant is None:
        return
    _run_section(assistant.settings, assistant.principal, assistant.audit)
    _results_section(assistant.settings, assistant.principal)
    _compare_section(assistant.settings, assistant.principal)
