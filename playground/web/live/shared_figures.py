"""The page's heavier figures, built once for every session that shows the same thing.

A page run builds its charts from the experiment and its trainer's snapshot, through Plotly's
validation: most of a page run's time. Thirty students given the same push (the same experiment
and seed, so the same first snapshot), or one page that runs again with nothing in its charts
changed, would build the same figures over and over; so would every student's page that redraws
its detail views off screen (the snapshot they last showed: in a class of 32, a sixth of the app
process's interpreter went to confusion matrices nobody saw, `bench/classroom.py` under py-spy).
Each function here returns a figure as its JSON, with Streamlit's look applied (what `live_chart`
sends), cached in the server process by its arguments: `st.cache_data` hashes them (arrays by
their bytes), so the same arguments build the figure once, and a session that asks while another
builds it waits for that one.
"""

from __future__ import annotations

import streamlit as st

from playground.datasets.dataset import Dataset, DatasetKind
from playground.figures.confusion import confusion_matrix
from playground.figures.dataset_preview import dataset_preview
from playground.figures.decision_boundary import decision_boundary
from playground.figures.histograms import weight_histograms
from playground.figures.network_drawing import DrawnLayer, network_drawing
from playground.figures.softmax_bars import softmax_bars
from playground.figures.style import streamlit_look

# Per kind of figure. A network drawing's JSON is about 100 kB, the others less: at most about
# 13 MB per kind, for the figures of the last several distinct experiments and snapshots.
MAX_FIGURES = 128


def _styled(figure, text_scale: float) -> str:
    return streamlit_look(figure, text_scale).to_json()


@st.cache_data(max_entries=MAX_FIGURES, show_spinner=False)
def boundary_figure(*args, text_scale: float = 1.0, **kwargs) -> str:
    """`decision_boundary(*args, **kwargs)`, styled."""
    return _styled(decision_boundary(*args, **kwargs), text_scale)


@st.cache_data(max_entries=MAX_FIGURES, show_spinner=False)
def network_figure(columns: tuple[DrawnLayer, ...], *args, **kwargs) -> str:
    """`network_drawing(list(columns), *args, **kwargs)`, styled."""
    return _styled(network_drawing(list(columns), *args, **kwargs), 1.0)


def preview_figure(dataset: Dataset, count: int, height: int, columns: int):
    """`dataset_preview`'s figure: for points in the plane, the shared decision boundary without a
    grid (the same figure); other data's preview is built each time (hashing an image dataset's
    arrays would cost more than the preview)."""
    if dataset.kind == DatasetKind.PLANE:
        return boundary_figure(
            None, dataset.bounds, dataset.x_train, dataset.y_train, dataset.task, dataset.num_classes, height=height
        )
    return dataset_preview(dataset, count=count, height=height, columns=columns)


@st.cache_data(max_entries=MAX_FIGURES, show_spinner=False)
def histograms_figure(*args, **kwargs) -> str:
    """`weight_histograms(*args, **kwargs)`, styled."""
    return _styled(weight_histograms(*args, **kwargs), 1.0)


@st.cache_data(max_entries=MAX_FIGURES, show_spinner=False)
def confusion_figure(*args, **kwargs) -> str:
    """`confusion_matrix(*args, **kwargs)`, styled."""
    return _styled(confusion_matrix(*args, **kwargs), 1.0)


@st.cache_data(max_entries=MAX_FIGURES, show_spinner=False)
def softmax_figure(*args, **kwargs) -> str:
    """`softmax_bars(*args, **kwargs)`, styled."""
    return _styled(softmax_bars(*args, **kwargs), 1.0)
