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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playground.activations import ACTIVATIONS
from playground.datasets.dataset import Dataset, DatasetKind

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
