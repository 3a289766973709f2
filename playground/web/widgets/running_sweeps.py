"""The owner's sweeps on this server: each one's progress or place in line, and a button to cancel.

The Sweeps and Runs pages show it. Sweeps belong to the owner, not to the tab that started them
(`playground.runs.sweep_registry`), so a new tab of the same browser finds its sweep here and can
cancel it. The panel ticks once a second while a sweep waits or runs (a fragment), and reruns the
whole page once when a sweep it watched ends, so its runs appear. Sweep names come from the user
or from a loaded sweep file: they are shown as text.

Example:

    running_sweeps()                    # Sweeps page: also the sweep that just ended
    running_sweeps(show_ended=False)    # Runs page: only waiting and running ones
"""

from __future__ import annotations

import streamlit as st

from playground.runs.sweep_registry import ScheduledSweep, ordinal, sweep_registry
from playground.web.page_turns import in_turn
from playground.web.widgets import session
from playground.web.widgets.safe_text import plain

TICK_SECONDS = 1.0


def running_sweeps(show_ended: bool = True) -> None:
    """Draws the owner's sweeps (nothing when they have none)."""
    active = any(sweep.active for sweep in sweep_registry().sweeps_of(session.owner()))
    st.fragment(run_every=TICK_SECONDS if active else None)(in_turn(_panel))(
        show_ended
    )  # ticks only while one is active


def _panel(show_ended: bool) -> None:
    state = st.session_state
    watched = state.setdefault("sweeps_watched", set())
    for sweep in sweep_registry().sweeps_of(session.owner()):
        if sweep.active:
            watched.add(sweep.id)
            _active(sweep)
            continue
        if show_ended:
            _ended(sweep)
        if sweep.id in watched:  # it ended while this page watched: draw its runs once
            watched.discard(sweep.id)
            st.rerun(scope="app")


def _label(sweep: ScheduledSweep) -> str:
    return f"Sweep '{plain(sweep.name or 'unnamed')}'"


def _active(sweep: ScheduledSweep) -> None:
    registry = sweep_registry()
    progress = sweep.progress()
    if progress.state == "waiting":
        place = registry.place(sweep)
        where = (
            f"waiting: {ordinal(place)} in line (this server trains {registry.max_running} sweeps at once)"
            if place is not None
            else "starting"
        )
        st.progress(0.0, text=f"{_label(sweep)}, {sweep.total} runs: {where}.")
    else:
        label = f"{_label(sweep)}: {progress.done} of {progress.total} runs saved"
        if progress.failed:
            label += f", {progress.failed} failed"
        eta = f", about {progress.eta_seconds:.0f} s left" if progress.eta_seconds is not None else ""
        st.progress(progress.fraction, text=f"{label}; {progress.running} running{eta}.")
    if st.button("Cancel the sweep", key="sweep_cancel", help="Runs already finished stay saved."):
        registry.cancel(session.owner(), sweep.id)
        st.rerun(scope="app")


def _ended(sweep: ScheduledSweep) -> None:
    progress = sweep.progress()
    label = f"{_label(sweep)}: {progress.done} of {progress.total} runs saved"
    if progress.failed:
        label += f", {progress.failed} failed"
    ending = {
        "cancelled": "Cancelled: the finished runs are kept.",
        "failed": "Stopped early: the finished runs are kept.",
    }.get(progress.state, "Done")
    st.progress(progress.fraction, text=f"{label}. {ending} ({progress.elapsed:.1f} s).")
    errors = sweep.errors
    if progress.state == "failed" and errors:
        st.error(plain(errors[-1]))  # why it stopped (said last)
        errors = errors[:-1]
    for error in errors[:3]:
        st.error(plain(f"A run failed: {error}"))
