"""The page's shared figures (`playground/web/live/shared_figures.py`): the same arguments build a
figure once for every session, as `live_chart` would send it; any changed argument builds anew."""

from __future__ import annotations

import numpy as np

from playground.figures.confusion import confusion_matrix
from playground.figures.decision_boundary import decision_boundary
from playground.figures.network_drawing import drawn_layers
from playground.figures.style import streamlit_look
from playground.presets import PRESETS
from playground.web.live import shared_figures
from playground.web.live.shared_figures import boundary_figure, confusion_figure, network_figure


def _counting(monkeypatch, name: str) -> list:
    calls = []
    builder = getattr(shared_figures, name)

    def counted(*args, **kwargs):
        calls.append(True)
        return builder(*args, **kwargs)

    monkeypatch.setattr(shared_figures, name, counted)
    return calls


def test_a_boundary_is_built_once_for_the_same_arguments_and_anew_for_others(monkeypatch):
    calls = _counting(monkeypatch, "decision_boundary")
    rng = np.random.default_rng(17)
    grid, points, labels = rng.random((20, 20)), rng.normal(size=(40, 2)), rng.integers(0, 2, 40)
    first = boundary_figure(grid, (-6.0, 6.0), points, labels, "binary", 2, height=300)
    again = boundary_figure(grid.copy(), (-6.0, 6.0), points.copy(), labels.copy(), "binary", 2, height=300)
    assert first == again and len(calls) == 1  # another session's equal arrays: no second build
    assert (
        first == streamlit_look(decision_boundary(grid, (-6.0, 6.0), points, labels, "binary", 2, height=300)).to_json()
    )
    grid[3, 4] += 0.25  # one cell of the next snapshot
    changed = boundary_figure(grid, (-6.0, 6.0), points, labels, "binary", 2, height=300)
    assert changed != first and len(calls) == 2
    larger = boundary_figure(grid, (-6.0, 6.0), points, labels, "binary", 2, height=300, text_scale=1.5)
    assert larger != changed and len(calls) == 3


def test_a_network_drawing_is_shared_until_a_weight_changes(monkeypatch):
    calls = _counting(monkeypatch, "network_drawing")
    network = PRESETS["tfp-default"].spec.network
    columns = tuple(drawn_layers(network, ["x1", "x2"], 1))
    rng = np.random.default_rng(29)
    weights = [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in [(2, 4), (4, 2), (2, 1)]]
    first = network_figure(columns, weights, height=300)
    assert network_figure(columns, [(w.copy(), b.copy()) for w, b in weights], height=300) == first
    assert len(calls) == 1
    weights[1][0][0, 0] += 1.0
    assert network_figure(columns, weights, height=300) != first and len(calls) == 2


def test_a_confusion_matrix_is_built_once_for_the_same_counts(monkeypatch):
    calls = _counting(monkeypatch, "confusion_matrix")
    counts = np.random.default_rng(5).integers(0, 100, (3, 3))
    first = confusion_figure(counts, ["a", "b", "c"])
    assert confusion_figure(counts.copy(), ["a", "b", "c"]) == first and len(calls) == 1
    assert first == streamlit_look(confusion_matrix(counts, ["a", "b", "c"])).to_json()
    assert confusion_figure(counts + 1, ["a", "b", "c"]) != first and len(calls) == 2
