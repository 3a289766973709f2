"""The test samples whose class probabilities the page shows: eight picked at random (seeded)
until the user chooses others.

The choice is kept under a key of its own, not the multiselect's: a widget's state goes when the
widget is not drawn (presenter mode hides the picker), and a browser that draws the picker anew
sends back its default, so the default is always the choice."""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground.engine.live_trainer import LiveTrainer
from playground.engine.snapshots import PROBE_COUNT, Snapshot


def _key(trainer: LiveTrainer) -> str:
    dataset = trainer.data.dataset
    return f"watched_{trainer.spec.dataset.name}_{len(dataset.y_test)}"  # a new test set starts from its own defaults


def watched(trainer: LiveTrainer, snapshot: Snapshot) -> np.ndarray:
    """The chosen test indices (the default probes until the user picks)."""
    chosen = st.session_state.get(_key(trainer))
    return np.asarray(snapshot.probe_indices if chosen is None else chosen, int)


def sample_picker(trainer: LiveTrainer, snapshot: Snapshot) -> np.ndarray:
    """A multiselect of test samples, labelled by index and true class; returns the chosen indices."""
    dataset = trainer.data.dataset
    key = _key(trainer)
    chosen = [int(i) for i in watched(trainer, snapshot)]
    labels = st.session_state.get(key + "_labels")
    if labels is None:  # made once per test set, not on every refresh of the live views
        labels = st.session_state[key + "_labels"] = [
            f"#{i} · {dataset.class_names[int(y)]}" for i, y in enumerate(dataset.y_test)
        ]
    st.multiselect(
        f"Test samples to watch (up to {PROBE_COUNT})",
        range(len(labels)),
        default=chosen,
        key=key + "_picker",
        on_change=_keep_choice,
        args=(key,),
        max_selections=PROBE_COUNT,
        format_func=labels.__getitem__,
        help="Each sample's class probabilities are shown beside it and follow the training. Type a number or a class "
        "to find one.",
    )
    return watched(trainer, snapshot)


def _keep_choice(key: str) -> None:
    st.session_state[key] = list(st.session_state[key + "_picker"])
