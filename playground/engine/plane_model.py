"""A small Dense network on the plane, described so that a browser can compute its plane views.

The decision boundary and the hidden neurons' maps are the network's outputs on a grid of points:
arithmetic the browser does in about a millisecond for a network of playground size, from the
weights alone. A live frame of such a network then carries its weights instead of the grids
(`web/live/frames.py`), and the server computes no plane view for it between full snapshots.
The browser's side is `web/live/plane_views.js`; the maths of each feature and activation come
from their registry entries (`javascript`), so a new entry works there too.

Example:

    plane = plane_model(model, dataset, ("x1", "x2"))   # None when the browser cannot draw it
    plane.parameters                                     # the numbers each frame sends
    plane.boundary(snapshot.weights, size=25)            # the decision boundary, computed here
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.activations import ACTIVATIONS
from playground.datasets.dataset import Dataset, DatasetKind
from playground.features import feature_matrix

# The most weights and biases whose plane views the browser computes: every TF Playground network fits.
BROWSER_PARAMETERS = 600


@dataclass(frozen=True)
class PlaneModel:
    """A Dense network on 2-D data as the browser computes it.

    Args:
        features: the input features (names in `FEATURES`), in the model's input order.
        units: each Dense layer's neurons, the output layer's last.
        activations: each Dense layer's activation (names in `ACTIVATIONS`).
        bounds: the plane's low and high coordinate on both axes, as the grids span it.
    """

    features: tuple[str, ...]
    units: tuple[int, ...]
    activations: tuple[str, ...]
    bounds: tuple[float, float]

    @property
    def parameters(self) -> int:
        """The weights and biases a frame carries: each layer's kernel, then its biases."""
        inputs = (len(self.features), *self.units[:-1])
        return sum((fan_in + 1) * units for fan_in, units in zip(inputs, self.units, strict=True))

    def boundary(self, weights: list[tuple[np.ndarray, np.ndarray]], size: int) -> np.ndarray:
        """The decision boundary of the network with `weights` ([(kernel, biases)] per layer, as a
        snapshot holds them) on a `size` x `size` grid over the plane, rows from the lowest x2: the
        output, or the winning class of many, as the snapshot's `grid` and the browser give it.
        NumPy, in microseconds for a network of playground size: a class board's tile is drawn
        from a frame's weights, with no full snapshot made for it. A diverged network's weights
        (huge, infinite or NaN) give NaN or saturated values, quietly, as the browser's do."""
        low, high = self.bounds
        axis = np.linspace(low, high, size)
        xx, yy = np.meshgrid(axis, axis)
        values = feature_matrix(np.stack([xx.ravel(), yy.ravel()], axis=1), self.features).astype("float64")
        with np.errstate(all="ignore"):
            for (kernel, biases), name in zip(weights, self.activations, strict=True):
                values = _activated(values @ kernel + biases, name)
        grid = values[:, 0] if values.shape[1] == 1 else np.argmax(values, axis=1).astype("float64")
        return grid.reshape(size, size)


def _activated(inputs: np.ndarray, name: str) -> np.ndarray:
    """One layer's `inputs` (points x neurons) through its activation, as the browser computes it."""
    activation = ACTIVATIONS[name]
    if activation.sums_to_one:
        exponentials = np.exp(inputs - inputs.max(axis=1, keepdims=True))
        return exponentials / exponentials.sum(axis=1, keepdims=True)
    return activation.function(inputs)


def plane_model(model: Any, dataset: Dataset, features: tuple[str, ...] | list[str]) -> PlaneModel | None:
    """The browser's description of `model`, or None when the browser cannot compute its plane
    views: data not on the plane, a layer other than Dense and Dropout (dropout does nothing
    outside training), an activation not in the registry, or more than `BROWSER_PARAMETERS`."""
    import keras

    if dataset.kind != DatasetKind.PLANE:
        return None
    names = {id(keras.activations.get(entry.build())): name for name, entry in ACTIVATIONS.items()}
    units, activations = [], []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Dropout":
            continue
        if kind != "Dense" or id(layer.activation) not in names:
            return None
        units.append(int(layer.units))
        activations.append(names[id(layer.activation)])
    low, high = dataset.bounds
    plane = PlaneModel(tuple(features), tuple(units), tuple(activations), (float(low), float(high)))
    return plane if units and plane.parameters <= BROWSER_PARAMETERS else None
