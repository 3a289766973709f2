"""One artificial neuron: output = f(w·x + b), evaluated by a real Keras Dense(1) layer.

Example:

    grid = neuron_grid(weights=(1.0, -0.5), bias=0.2, activation="sigmoid")
    grid.output.shape   # -> (81, 81): the neuron's output over the plane
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.activations import ACTIVATIONS, keras_activation

NEURON_ACTIVATIONS = ["sigmoid", "tanh", "relu", "arctan", "linear", "leaky_relu", "elu", "softplus"]


@dataclass(frozen=True)
class NeuronGrid:
    """The neuron's output on a square grid: `output[i, j]` at (x1=xs[j], x2=ys[i])."""

    xs: np.ndarray
    ys: np.ndarray
    output: np.ndarray


def neuron_output(
    weights: Sequence[float] | np.ndarray, bias: float, activation: str, points: np.ndarray
) -> np.ndarray:
    """f(w·x + b) for each row of `points`, in NumPy (the reference)."""
    total_input = np.asarray(points, float) @ np.asarray(weights, float) + bias
    return ACTIVATIONS[activation].function(total_input)


def keras_neuron(weights: Sequence[float] | np.ndarray, bias: float, activation: str) -> Any:
    """A Keras Dense layer with one unit, holding exactly these weights."""
    import keras

    layer = keras.layers.Dense(1, activation=keras_activation(activation))
    layer.build((None, len(weights)))
    layer.set_weights([np.asarray(weights, "float32").reshape(-1, 1), np.array([bias], "float32")])
    return layer


def neuron_grid(
    weights: Sequence[float] | np.ndarray, bias: float, activation: str, extent: float = 4.0, resolution: int = 81
) -> NeuronGrid:
    """The neuron's output over [-extent, extent]², computed by the Keras layer."""
    xs = np.linspace(-extent, extent, resolution)
    x1, x2 = np.meshgrid(xs, xs)
    points = np.stack([x1.ravel(), x2.ravel()], axis=1).astype("float32")
    output = np.asarray(keras_neuron(weights, bias, activation)(points)).reshape(resolution, resolution)
    return NeuronGrid(xs, xs.copy(), output)


def decision_line(
    weights: Sequence[float] | np.ndarray, bias: float, extent: float = 4.0
) -> tuple[np.ndarray, np.ndarray] | None:
    """Points of the line w·x + b = 0 inside the square [-extent, extent]², or None when none."""
    w1, w2 = float(weights[0]), float(weights[1])
    t = np.linspace(-extent, extent, 201)
    if abs(w2) >= abs(w1) and abs(w2) > 1e-9:
        xs, ys = t, -(w1 * t + bias) / w2
    elif abs(w1) > 1e-9:
        xs, ys = -(w2 * t + bias) / w1, t
    else:
        return None
    inside = (np.abs(xs) <= extent) & (np.abs(ys) <= extent)
    return (xs[inside], ys[inside]) if inside.any() else None
