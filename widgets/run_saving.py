"""Saving runs from the pages: the shared run store, and the hook that saves a session's runs."""

from __future__ import annotations

import streamlit as st

from playground.engine.trainer import Trainer
from playground.runs.run_recorder import RunRecorder
from playground.runs.run_store import StoreError, UnavailableStore, open_store
from widgets import session


@st.cache_resource
def run_store():
    """One store for every session (it opens a connection per operation, so threads may share it)."""
    return open_store()


def store_warning() -> None:
    store = run_store()
    if isinstance(store, UnavailableStore):
        st.warning(store.message)


def show_store_errors(function):
    """Runs a page's body; a database failure on the way is shown as a message, not a traceback."""
    try:
        function()
    except StoreError as error:
        st.error(str(error))


def save_runs_of(trainer: Trainer) -> None:
    """Makes the trainer save each run that ends to the store, as this session's run."""
    recorder = trainer.on_end
    if not isinstance(recorder, RunRecorder) or recorder.owner != session.owner():
        recorder = trainer.on_end = RunRecorder(run_store(), session.owner())
    recorder.keep_model = bool(st.session_state.get("keep_models", False))
