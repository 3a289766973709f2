"""The page's heavier figures, built once for every session that shows the same thing.

A page run builds its charts from the experiment and its trainer's snapshot, through Plotly's
validation: most of a page run's time. Thirty students given the same push (the same experiment
and seed, so the same first snapshot), or one page that runs again with nothing in its charts
changed, would build the same figures over and over. Each function here returns a figure as its
JSON, with Streamlit's look applied (what `live_chart` sends), cached in the server process by its
arguments: `st.cache_data` hashes them (arrays by their bytes), so the same arguments build the
figure once, and a session that asks while another builds it waits for that one.

"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from playground.datasets.dataset import Dataset, DatasetKind
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
def boundary_figure(
    grid: np.ndarray | None,
    bounds: tuple[float, float],
    points: np.ndarray,
    labels: np.ndarray,
    task: str,
    num_classes: int,
    test_points: np.ndarray | None = None,
    test_labels: np.ndarray | None = None,
    threshold: float = 0.5,
    height: int = 420,
    watched: np.ndarray | None = None,
    text_scale: float = 1.0,
) -> str:
    """`decision_boundary`'s figure, styled."""
    figure = decision_boundary(
        grid,
        bounds,
        points,
        labels,
        task,
        num_classes,
        test_points=test_points,
        test_labels=test_labels,
        threshold=threshold,
        height=height,
        watched=watched,
    )
    return _styled(figure, text_scale)


@st.cache_data(max_entries=MAX_FIGURES, show_spinner=False)
def network_figure(
    columns: tuple[DrawnLayer, ...],
    weights: list | None,
    neuron_grids: list | None,
    input_grids: list | None,
    map_size: int,
    height: int,
) -> str:
    """`network_drawing`'s figure, styled."""
    figure = network_drawing(
        list(columns), weights, neuron_grids=neuron_grids, input_grids=input_grids, map_size=map_size, height=height
    )
    return _styled(figure, 1.0)


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
def histograms_figure(histograms: list[dict]) -> str:
    """`weight_histograms`' figure, styled."""
    return _styled(weight_histograms(histograms), 1.0)


@st.cache_data(max_entries=MAX_FIGURES, show_spinner=False)
def softmax_figure(
    outputs: np.ndarray, truths: np.ndarray, class_names: Sequence[str], threshold: float, numbered: bool
) -> str:
    """`softmax_bars`' figure, styled."""
    return _styled(softmax_bars(outputs, truths, class_names, threshold, numbered=numbered), 1.0)
