"""The sweep being built on the Sweeps page: a grid of values or a smart search over ranges, on
the current experiment, with the sweep file's download and upload.

Loading a sweep file makes its base the current experiment and fills these controls from it,
so what runs is what the user sees. A file with problems is refused with every problem listed,
and the controls keep what they held.
"""

from __future__ import annotations

import dataclasses
import re

import streamlit as st

from playground.runs.sweep_file import SearchRange, SweepFileError, SweepPlan, check_search_space
from playground.runs.sweep_grid import (
    MAX_RUNS,
    SWEEP_PARAMETERS,
    SweepError,
    check_value,
    expand,
    parse_values,
    run_count,
)
from playground.validation import validate
from playground.web.widgets import session
from playground.web.widgets.safe_text import plain

MODES = {"grid": "Grid: every combination of the values", "search": "Smart search: Optuna picks runs within ranges"}
DEFAULT_VALUES = {
    "learning_rate": "0.001, 0.01, 0.03, 0.1, 0.3, 1",
    "batch_size": "1, 10, 30",
    "optimizer": "sgd, momentum, adam",
    "activation": "relu, tanh, sigmoid",
    "layers": "0, 1, 2, 3",
    "units": "2, 4, 8",
    "regularization_rate": "0, 0.001, 0.01, 0.1",
    "seed": "0, 1, 2",
}
DEFAULT_RANGES = {
    "learning_rate": SearchRange(0.0001, 1.0, log=True),
    "batch_size": SearchRange(1, 50, log=True),
    "optimizer": SearchRange(choices=("sgd", "momentum", "adam")),
    "activation": SearchRange(choices=("relu", "tanh", "sigmoid")),
    "layers": SearchRange(1, 4),
    "units": SearchRange(2, 8),
    "regularization_rate": SearchRange(0.0, 0.01),
    "seed": SearchRange(0, 9),
}
DEFAULT_BUDGET = 30


def _label(name: str) -> str:
    return SWEEP_PARAMETERS[name].label.capitalize()


def _load_file() -> None:
    """The uploader's callback: a readable sweep file replaces the experiment and the controls."""
    state = st.session_state
    upload = state.get("sweep_file")
    if upload is None:
        return
    try:
        plan = SweepPlan.from_json(upload.getvalue())
    except SweepFileError as error:
        state.sweep_file_problems = error.problems
        return
    state.pop("sweep_file_problems", None)
    session.load(plan.base, rerun=False)
    state.sweep_mode = plan.mode
    state.sweep_name = plan.name
    state.sweep_epochs = plan.base.training.epochs
    chosen = list(plan.search or plan.grid)
    state.sweep_parameters = chosen
    for name in chosen:
        if plan.mode == "grid":
            state[f"sweep_values_{name}"] = ", ".join(
                f"{v:g}" if isinstance(v, float) else str(v) for v in plan.grid[name]
            )
        else:
            entry = plan.search[name]
            if entry.choices:
                state[f"sweep_choices_{name}"] = list(entry.choices)
            else:
                state[f"sweep_low_{name}"], state[f"sweep_high_{name}"] = f"{entry.low:g}", f"{entry.high:g}"
                state[f"sweep_log_{name}"] = entry.log
    if plan.mode == "search":
        state.sweep_budget, state.sweep_seed = plan.budget, plan.seed
    state.sweep_loaded = plan.name or "the sweep file"


def _grid(chosen: list[str], problems: list[str]) -> dict:
    grid = {}
    for name in chosen:
        parameter = SWEEP_PARAMETERS[name]
        hint = f" ({parameter.help})" if parameter.help else ""
        options = f" Options: {', '.join(parameter.choices)}." if parameter.choices else ""
        text = st.text_input(
            f"{_label(name)}{hint}",
            DEFAULT_VALUES[name],
            key=f"sweep_values_{name}",
            help=f"Values separated by commas.{options}",
        )
        try:
            grid[name] = parse_values(name, text)
        except SweepError as error:
            problems.append(f"{_label(name)}: {error.message}")
    return grid


def _search(chosen: list[str], problems: list[str]) -> dict:
    search = {}
    for name in chosen:
        parameter, default = SWEEP_PARAMETERS[name], DEFAULT_RANGES[name]
        if parameter.kind == "choice":
            picked = st.multiselect(
                f"{_label(name)}: choices to try",
                list(parameter.choices),
                default=list(default.choices),
                key=f"sweep_choices_{name}",
            )
            if picked:
                search[name] = SearchRange(choices=tuple(picked))
            else:
                problems.append(f"{_label(name)}: pick at least one choice to try.")
            continue
        low_box, high_box, log_box = st.columns([2, 2, 1], vertical_alignment="bottom")
        low = low_box.text_input(f"{_label(name)} from", f"{default.low:g}", key=f"sweep_low_{name}")
        high = high_box.text_input("to", f"{default.high:g}", key=f"sweep_high_{name}")
        log = log_box.checkbox(
            "log scale", default.log, key=f"sweep_log_{name}", help="Spread the tries evenly over orders of magnitude."
        )
        try:
            search[name] = SearchRange.from_dict(
                name, {"low": check_value(name, low.strip()), "high": check_value(name, high.strip()), "log": log}
            )
        except SweepError as error:
            problems.append(f"{_label(name)}: {error.message}")
    return search


def sweep_editor(base) -> SweepPlan | None:
    """Draws the editor over the experiment `base`; the plan it describes, or None (with the
    problems shown) while it cannot run."""
    state = st.session_state
    st.file_uploader(
        "Load a sweep file",
        type=None,  # Streamlit's own name check failed the page on a crafted name; the content is checked
        key="sweep_file",
        on_change=_load_file,
        help="A sweep downloaded from this page: its experiment becomes the current one.",
    )
    for problem in state.get("sweep_file_problems", [])[:8]:
        st.error(plain(f"This sweep file could not be loaded: {problem}"))
    if state.get("sweep_loaded"):
        st.success(plain(f"Loaded {state.sweep_loaded}: its experiment is now the current one."))
    mode = st.radio("How to explore", list(MODES), format_func=MODES.get, horizontal=True, key="sweep_mode")
    chosen = st.multiselect(
        "Parameters", list(SWEEP_PARAMETERS), default=["learning_rate"], format_func=_label, key="sweep_parameters"
    )
    problems: list[str] = []
    grid = _grid(chosen, problems) if mode == "grid" else {}
    search = _search(chosen, problems) if mode == "search" else {}
    columns = st.columns(3)
    epochs = columns[0].number_input("Epochs per run", 1, 100_000, min(base.training.epochs, 100), key="sweep_epochs")
    if mode == "grid":
        count = run_count(grid) if not problems else 0
        columns[1].metric("Runs in this grid", count)
        if count > MAX_RUNS:
            st.caption(f"At most {MAX_RUNS} runs per sweep.")
    else:
        count = columns[1].number_input(
            "Budget (runs)",
            1,
            MAX_RUNS,
            DEFAULT_BUDGET,
            key="sweep_budget",
            help="How many runs the search trains. Runs falling behind the others are stopped early (pruned).",
        )
        columns[2].number_input(
            "Search seed", 0, 2**31 - 1, 0, key="sweep_seed", help="The same seed makes the same choices."
        )
    if not chosen:
        problems.append("Pick at least one parameter.")
    for problem in problems:
        st.error(plain(problem))
    base_problems = validate(base)
    if base_problems:
        st.error(
            plain(
                "The base experiment has problems; fix them on the Playground page first: " + base_problems[0].message
            )
        )
    if problems or base_problems:
        return None
    base = base.replace(training=dataclasses.replace(base.training, epochs=int(epochs)))
    name = state.get("sweep_name") or ", ".join(chosen)
    plan = SweepPlan(
        base,
        grid=grid,
        search=search,
        budget=int(count) if mode == "search" else 0,
        name=name,
        seed=int(state.get("sweep_seed", 0)) if mode == "search" else 0,
    )
    try:
        if mode == "grid":
            expand(plan.base, plan.grid)
        else:
            check_search_space(plan.base, plan.search)
    except SweepError as error:
        st.error(
            plain(error.message if error.field in ("grid", "search") else f"{_label(error.field)}: {error.message}")
        )
        return None
    file_name = re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_")[:40] or "sweep"
    st.download_button(
        "Download this sweep",
        plan.to_json() + "\n",
        file_name=f"{file_name}.sweep.json",
        mime="application/json",
        key="sweep_download",
        help="A file to load here again, or to run headless: python -m playground sweep FILE",
        on_click="ignore",
    )
    return plan
