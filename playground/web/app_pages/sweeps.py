"""Sweeps: a grid of hyperparameters or a smart search over a base experiment, run in the
background, compared; sweeps saved and loaded as files."""

from __future__ import annotations

import dataclasses

import streamlit as st

from playground.figures.chart_images import chart_config
from playground.figures.run_charts import overlaid_curves, parallel_coordinates, sweep_heatmap, sweep_heatmap_1d
from playground.figures.search_charts import parameter_importance, parameter_slices, search_history
from playground.learning_rates import LEARNING_RATE_LADDER
from playground.presets import DEFAULT_PRESET, PRESETS
from playground.runs.run_comparison import HIGHER_IS_BETTER, METRICS, best_run, heatmap_grid, sweep_table
from playground.runs.sweep_file import SweepPlan
from playground.runs.sweep_grid import SWEEP_PARAMETERS
from playground.runs.sweep_registry import SweepRefused, size_problem, sweep_registry
from playground.runs.sweep_runner import worker_count
from playground.web.widgets import session
from playground.web.widgets.run_saving import run_store, show_store_errors, store_warning
from playground.web.widgets.running_sweeps import running_sweeps
from playground.web.widgets.safe_text import plain
from playground.web.widgets.sweep_editor import sweep_editor

BUILT_IN_EPOCHS = 50
MAX_HEATMAP_VALUES = 12

session.init()
state = st.session_state
store = run_store()
owner = session.owner()
st.title("Sweeps")
st.write(
    "What does the learning rate, the batch size or the depth do? Pick values and run every combination, or give "
    "ranges and let a smart search choose, in the background; then compare. Each run is saved on the Runs page as "
    "it finishes."
)
store_warning()


def start(plan: SweepPlan, workers: int) -> bool:
    """Hands the sweep to the server's registry (it trains in a training worker, whatever this tab
    does next); False, with the reason shown, when the server refuses it."""
    try:
        sweep = sweep_registry().submit(store, owner, plan, workers)
    except SweepRefused as refusal:
        st.error(plain(refusal.message))
        return False
    state.sweep = sweep
    state.shown_sweep = sweep.id
    return True


def search_figures(sweep_id: str) -> None:
    """The smart search's own figures, while the server still lists the search (an hour after it ended)."""
    search = sweep_registry().find(owner, sweep_id)
    study = search.study if search is not None else None
    if study is None:
        return
    tabs = st.tabs(["Search history", "Which settings mattered", "Each setting"])
    for tab, figure, key in zip(
        tabs,
        (search_history, parameter_importance, parameter_slices),
        ("search_history", "search_importance", "search_slices"),
    ):
        chart = figure(study)
        if chart is None:
            tab.caption(
                "Not enough finished runs yet for this figure (importance needs two parameters and two finished runs)."
            )
        else:
            tab.plotly_chart(chart, width="stretch", key=key, config=chart_config(key))


def learning_rate_sweep(running: bool) -> None:
    """The lecture's sweep, one click away: the default experiment at every rate of the ladder."""
    with st.container(border=True):
        st.subheader("Lecture-ready: the learning rate")
        st.write(
            f"TF Playground's default experiment trained at each of its {len(LEARNING_RATE_LADDER)} learning rates "
            f"({', '.join(f'{r:g}' for r in LEARNING_RATE_LADDER)}): too small barely moves, a good one converges, "
            "too large bounces or diverges."
        )
        st.number_input("Epochs per run", 5, 1000, BUILT_IN_EPOCHS, key="builtin_epochs")
        if st.button("Run the learning-rate sweep", type="primary", key="sweep_builtin", disabled=running):
            base = PRESETS[DEFAULT_PRESET].spec
            base = base.replace(
                training=dataclasses.replace(base.training, epochs=int(state.get("builtin_epochs", BUILT_IN_EPOCHS)))
            )
            if start(
                SweepPlan(base, grid={"learning_rate": list(LEARNING_RATE_LADDER)}, name="learning rate ladder"),
                worker_count(2),
            ):
                st.rerun()


def own_sweep(running: bool) -> None:
    """A grid or a search over the current playground experiment."""
    with st.container(border=True):
        st.subheader("Your own sweep")
        base = session.spec()
        st.caption(
            f"Base experiment: **{plain(base.title) if base.title else 'the current playground experiment'}** "
            "(change it on the Playground page)."
        )
        plan = sweep_editor(base)
        workers = st.slider(
            "Runs at once",
            1,
            worker_count(64),
            worker_count(2),
            key="sweep_workers",
            help="Groups of runs trained at the same time, bounded by this machine's CPU count. Runs that differ only "
            "in learning rate, seed, regularization rate or schedule train together as one, and so do "
            "playground-sized networks (up to 6 layers of 8 neurons on 2-D data) of any widths and activations.",
        )
        epochs = plan.base.training.epochs if plan else 0
        count = (plan.budget if plan.mode == "search" else len(plan.runs())) if plan else 0
        label = (
            f"{'Search' if plan and plan.mode == 'search' else 'Run'} {count} run{'s' if count != 1 else ''} of "
            f"{epochs} epoch{'s' if epochs != 1 else ''}"
        )
        too_large = size_problem(plan) if plan else None
        if too_large:
            st.error(plain(too_large))
        if (
            st.button(label, disabled=plan is None or running or bool(too_large), key="sweep_start", type="primary")
            and plan
            and start(plan, workers)
        ):
            st.rerun()


def parameter_charts(table, parameters: list[str], metric: str) -> None:
    """The metric over the swept parameters: a heatmap over two (or a strip over one) with few
    values, and parallel coordinates over all."""
    better_high = metric in HIGHER_IS_BETTER
    gridded = [
        p for p in parameters if table[p].nunique() <= MAX_HEATMAP_VALUES
    ]  # a search's continuous values make no grid
    if len(gridded) >= 2:
        x_axis, y_axis = st.columns(2)
        x = x_axis.selectbox("Heatmap: across", gridded, index=0, key="sweep_x")
        y = y_axis.selectbox("Heatmap: down", [p for p in gridded if p != x], index=0, key="sweep_y")
        st.plotly_chart(
            sweep_heatmap(heatmap_grid(table, x, y, metric), x, y, METRICS[metric], better_high),
            width="stretch",
            key="sweep_heatmap",
            config=chart_config("sweep_heatmap"),
        )
    elif gridded:
        st.plotly_chart(
            sweep_heatmap_1d(table, gridded[0], metric, METRICS[metric]),
            width="stretch",
            key="sweep_heatmap",
            config=chart_config("sweep_heatmap"),
        )
    if parameters:
        st.plotly_chart(
            parallel_coordinates(table, parameters, metric, METRICS[metric], better_high),
            width="stretch",
            key="sweep_parallel",
            config=chart_config("sweep_parallel"),
        )


def results() -> None:
    """A finished sweep's table, heatmap, parallel coordinates and curves, and its best run."""
    run_counts = store.list_runs(owner)["sweep_id"].dropna().value_counts(sort=False)  # newest sweep first
    sweep_ids = [i for i in run_counts.index if i]
    if not sweep_ids:
        return
    st.header("Results")
    shown = state.get("shown_sweep") if state.get("shown_sweep") in sweep_ids else sweep_ids[0]
    sweep_id = st.selectbox(
        "Sweep",
        sweep_ids,
        index=sweep_ids.index(shown),
        key="sweep_choice",
        format_func=lambda i: f"{i} ({run_counts[i]} runs)",
    )
    table = sweep_table(store.list_runs(owner, sweep_id=sweep_id))
    parameters = [c for c in table.columns if c in SWEEP_PARAMETERS]
    metric = st.radio("Colour by", list(METRICS)[:2], format_func=METRICS.get, horizontal=True, key="sweep_metric")
    st.dataframe(table.drop(columns=["id"]), hide_index=True, width="stretch")
    best = best_run(table, metric)
    search_figures(sweep_id)
    parameter_charts(table, parameters, metric)
    histories = store.histories(list(table["id"]), owner)
    labels = {
        row["id"]: ", ".join(f"{p}={row[p]:.3g}" if isinstance(row[p], float) else f"{p}={row[p]}" for p in parameters)
        or row["id"]
        for _, row in table.iterrows()
    }
    best_label = labels.get(best["id"]) if best is not None else None
    st.plotly_chart(
        overlaid_curves({labels[i]: histories.get(i, []) for i in table["id"]}, highlight=best_label),
        width="stretch",
        key="sweep_curves",
        config=chart_config("sweep_curves"),
    )
    if best is not None:
        st.success(plain(f"Best run ({METRICS[metric]} {best[metric]:.4g}): {best_label}."))
        if st.button("Open the best run in the builder", type="primary", key="sweep_open_best"):
            record = store.load(best["id"], owner)
            if record is None or record.spec is None:
                st.error(plain(record.message if record else "That run is no longer saved."))
            else:
                session.load(record.spec, rerun=False)
                st.switch_page("app_pages/playground.py")
    else:
        st.warning("No run of this sweep finished without diverging.")


def page() -> None:
    running = any(sweep.active for sweep in sweep_registry().sweeps_of(owner))  # one sweep at a time per person
    if running:
        st.caption("Your sweep is below: one sweep at a time. Cancel it, or wait for it to end, to start another.")
    learning_rate_sweep(running)
    own_sweep(running)
    running_sweeps()
    results()


show_store_errors(page)
