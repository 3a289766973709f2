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
from widgets.keras_state import keep_keras_state

OWNER_COOKIE = "playground_owner"


def init() -> None:
    keep_keras_state()  # also when a page runs on its own (tests), not through app.py
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
    if "owner" not in state:
        state.owner = st.query_params.get("owner") or _cookie(OWNER_COOKIE) or secrets.token_urlsafe(9)
    if _cookie(OWNER_COOKIE) != state.owner and not state.get("owner_cookie_sent"):
        # Who the saved runs belong to, kept in a cookie so a reload (a new session) finds them again.
        st.html(f"<script>document.cookie = '{OWNER_COOKIE}={state.owner}; path=/; max-age=31536000; SameSite=Lax';</script>",
                unsafe_allow_javascript=True)
        state.owner_cookie_sent = True
    if "slot" not in state:
        state.slot = TrainerSlot()


def _cookie(name: str) -> str | None:
    try:
        value = st.context.cookies.get(name)
    except Exception:  # bare runs have no browser cookies
        return None
    return value if isinstance(value, str) else None  # AppTest answers with a stand-in object


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
