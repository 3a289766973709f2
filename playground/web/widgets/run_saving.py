"""Saving runs from the pages: the shared run store, and the hook that saves a session's runs."""

from __future__ import annotations

import threading
import time

import streamlit as st

from playground.engine.live_trainer import LiveTrainer
from playground.runs.run_recorder import RunRecorder
from playground.runs.run_store import StoreError, UnavailableStore, open_store
from playground.web.widgets import session
from playground.web.widgets.safe_text import plain

RETRY_SECONDS = 5.0


@st.cache_resource
def _opened() -> dict:
    return {"store": None, "at": 0.0, "lock": threading.Lock()}


def run_store():
    """One store for every session (it opens a connection per operation, so threads may share it).

    While the database cannot be used, opening it is tried again every few seconds, so the app
    saves again once the problem is fixed, without a restart.
    """
    opened = _opened()
    with opened["lock"]:
        store = opened["store"]
        if store is None or (isinstance(store, UnavailableStore) and time.monotonic() - opened["at"] > RETRY_SECONDS):
            opened["store"], opened["at"] = open_store(), time.monotonic()
        return opened["store"]


def store_warning() -> None:
    store = run_store()
    if isinstance(store, UnavailableStore):
        st.warning(plain(store.message))


def show_store_errors(function):
    """Runs a page's body; a database failure on the way is shown as a message, not a traceback."""
    try:
        function()
    except StoreError as error:
        st.error(plain(error))


def save_runs_of(trainer: LiveTrainer) -> None:
    """Makes the trainer save each run that ends to the store, as this session's run."""
    recorder = trainer.on_end
    if not isinstance(recorder, RunRecorder) or recorder.owner != session.owner() or recorder.store is not run_store():
        recorder = trainer.on_end = RunRecorder(run_store(), session.owner())
    recorder.keep_model = bool(st.session_state.get("keep_models", False))
