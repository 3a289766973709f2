"""The decision boundary computed in NumPy from a snapshot's weights (`PlaneModel.boundary`, which
draws a class board's tiles from a frame's weights) is the snapshot maker's grid of the same
weights: every activation, every feature, many classes and regression."""

import warnings

import numpy as np
import pytest

from playground.engine.plane_model import PlaneModel
from playground.engine.snapshots import GRID_SIZE
from tests.plane_networks import NETWORKS, trained_snapshot


@pytest.mark.parametrize(("dataset", "features", "activations", "output"), NETWORKS)
def test_the_boundary_computed_from_the_weights_is_the_snapshots_grid(dataset, features, activations, output):
    snapshot = trained_snapshot(dataset, features, activations, output)
    grid = snapshot.plane.boundary(snapshot.weights, GRID_SIZE)
    assert grid.shape == snapshot.grid.shape
    if dataset == "spiral-multi":  # the winning class: the same but where two classes nearly tie
        assert np.mean(grid != snapshot.grid) < 0.002
    else:
        assert np.allclose(grid, snapshot.grid, atol=1e-4 * max(float(np.abs(snapshot.grid).max()), 1.0))


@pytest.mark.parametrize("activations", [("sigmoid", "sigmoid"), ("softmax", "softmax"), ("gelu", "tanh")])
def test_a_diverged_networks_boundary_is_computed_quietly(activations):
    """A student whose learning rate is far too high: the weights grow huge, then infinite and NaN.
    Their tile is drawn every half second, so no warning may come with it."""
    plane = PlaneModel(("x1", "x2"), (3, 2), activations, (-6.0, 6.0))
    for scale in (1e3, 1e300, np.inf, np.nan):
        weights = [(np.full((2, 3), scale), np.full(3, -scale)), (np.full((3, 2), -scale), np.full(2, scale))]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            grid = plane.boundary(weights, 25)
        assert grid.shape == (25, 25)
