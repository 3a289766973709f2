"""The activation functions a layer can use, with their maths for the lecture pages.

`ACTIVATIONS` maps each name to its description, a NumPy function and its derivative (used to
plot them). Keras knows all of them by name except arctan, which we register as a serializable
Keras function so that a saved `.keras` model that uses it loads again.

Example:

    import numpy as np
    ACTIVATIONS["arctan"].function(np.array([0.0]))   # -> [0.0]
    keras_activation("arctan")                          # the registered Keras function
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Activation:
    """One activation: its formula (LaTeX), a NumPy version and its derivative."""

    label: str
    latex: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    output_range: str


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softplus(z):
    return np.logaddexp(0.0, z)


def _erf(z):
    return np.vectorize(math.erf, otypes=[float])(z)


def _gelu(z):
    return 0.5 * z * (1.0 + _erf(z / math.sqrt(2.0)))


def _gelu_derivative(z):
    pdf = np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi)
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0))) + z * pdf


def _softmax_row(z):
    # Shown for one logit among others fixed at 0: softmax reduces to a sigmoid of z - log(k-1).
    return _sigmoid(z)


LEAKY_SLOPE = 0.2  # Keras' default negative slope for leaky_relu

ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("ReLU", r"\max(0, z)", lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float), "[0, ∞)"),
    "sigmoid": Activation("sigmoid", r"\frac{1}{1 + e^{-z}}", _sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z)), "(0, 1)"),
    "tanh": Activation("tanh", r"\tanh z", np.tanh, lambda z: 1 - np.tanh(z) ** 2, "(-1, 1)"),
    "arctan": Activation("arctan", r"\arctan z", np.arctan, lambda z: 1 / (1 + z**2), "(-π/2, π/2)"),
    "linear": Activation("linear", r"z", lambda z: np.asarray(z, float), lambda z: np.ones_like(z, float), "(-∞, ∞)"),
    "softmax": Activation("softmax", r"\frac{e^{z_i}}{\sum_j e^{z_j}}", _softmax_row, lambda z: _sigmoid(z) * (1 - _sigmoid(z)), "(0, 1), sums to 1"),
    "elu": Activation("ELU", r"z \text{ if } z>0 \text{ else } e^{z}-1", lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))), lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))), "(-1, ∞)"),
    "gelu": Activation("GELU", r"z\,\Phi(z)", _gelu, _gelu_derivative, "(≈-0.17, ∞)"),
    "swish": Activation("swish", r"z\,\sigma(z)", lambda z: z * _sigmoid(z), lambda z: _sigmoid(z) + z * _sigmoid(z) * (1 - _sigmoid(z)), "(≈-0.28, ∞)"),
    "leaky_relu": Activation("leaky ReLU", rf"\max({LEAKY_SLOPE}z, z)", lambda z: np.where(z > 0, z, LEAKY_SLOPE * z), lambda z: np.where(z > 0, 1.0, LEAKY_SLOPE), "(-∞, ∞)"),
    "softplus": Activation("softplus", r"\log(1 + e^{z})", _softplus, _sigmoid, "(0, ∞)"),
}


_registered = {}


def keras_activation(name: str):
    """The Keras activation for `name`: a string Keras knows, or our registered arctan."""
    if name != "arctan":
        return name
    if "arctan" not in _registered:
        import keras

        @keras.saving.register_keras_serializable(package="playground", name="arctan")
        def arctan(x):
            return keras.ops.arctan(x)

        _registered["arctan"] = arctan
    return _registered["arctan"]
