"""The user's work in `st.session_state`: the current spec, a widget generation and the trainer slot.

Widgets are keyed by the generation: loading a preset, a link or an edit of the stack's
structure bumps it, so every control shows the new values instead of its old state.
"""

from __future__ import annotations

import secrets

import streamlit as st

from playground.engine.trainer_slot import TrainerSlot
from playground.presets import DEFAULT_PRESET, PRESETS
from playground.spec import ExperimentSpec, SpecError


def init() -> None:
    state = st.session_state
    if "spec" not in state:
        state.spec = PRESETS[DEFAULT_PRESET].spec
        state.generation = 0
        link = st.query_params.get("x")
        if link:
            try:
                state.spec = ExperimentSpec.from_url(link)
            except SpecError as error:
                state.link_error = "This link does not hold a readable experiment, so the default is shown. " + " ".join(error.problems)
    state.setdefault("generation", 0)
    if "owner" not in state:  # who the saved runs belong to; the Runs page puts it in its URL to find them again
        state.owner = st.query_params.get("owner") or secrets.token_urlsafe(9)
    if "slot" not in state:
        state.slot = TrainerSlot()


def owner() -> str:
    return st.session_state.owner


def spec() -> ExperimentSpec:
    return st.session_state.spec


def key(name: str) -> str:
    return f"{name}_{st.session_state.generation}"


def load(new_spec: ExperimentSpec, rerun: bool = True) -> None:
    """Makes `new_spec` the user's experiment and redraws every control from it."""
    st.session_state.spec = new_spec
    st.session_state.generation += 1
    if rerun:
        st.rerun()
