"""Each activation with its derivative, where it saturates, and what that does to gradients.

The derivative comes from `playground.activations` (NumPy, for plotting); `keras_derivative`
computes the same with `tf.GradientTape` on the real Keras activation, which the tests compare.

Example:

    saturated_intervals("sigmoid")          # -> [(-6.0, -2.94...), (2.94..., 6.0)]
    gradient_after_layers("sigmoid", 10)    # -> 0.25 ** 10: at best ~1e-6 after ten layers
"""

from __future__ import annotations

import numpy as np

from playground.activations import ACTIVATIONS, keras_activation

LECTURE_ACTIVATIONS = ["relu", "sigmoid", "tanh", "arctan", "elu", "gelu", "swish", "leaky_relu", "softplus", "linear"]
SATURATION_THRESHOLD = 0.05  # |f'(z)| below this counts as saturated: the gradient all but vanishes


def curve(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(f(z), f'(z))."""
    activation = ACTIVATIONS[name]
    return activation.function(z), activation.derivative(z)


def keras_derivative(name: str, z: np.ndarray) -> np.ndarray:
    """f'(z) by automatic differentiation of the Keras activation."""
    import keras
    import tensorflow as tf

    function = keras.activations.get(keras_activation(name))
    values = tf.constant(np.asarray(z, "float64"))
    with tf.GradientTape() as tape:
        tape.watch(values)
        output = function(values)
    return tape.gradient(output, values).numpy()


def saturated_intervals(
    name: str, low: float = -6.0, high: float = 6.0, threshold: float = SATURATION_THRESHOLD, points: int = 2401
) -> list[tuple[float, float]]:
    """The intervals of [low, high] where |f'(z)| < threshold, as (start, end) pairs."""
    z = np.linspace(low, high, points)
    flat = np.abs(ACTIVATIONS[name].derivative(z)) < threshold
    intervals, start = [], None
    for index, is_flat in enumerate(flat):
        if is_flat and start is None:
            start = z[index]
        if not is_flat and start is not None:
            intervals.append((float(start), float(z[index - 1])))
            start = None
    if start is not None:
        intervals.append((float(start), float(z[-1])))
    return intervals


def max_derivative(name: str) -> float:
    z = np.linspace(-6.0, 6.0, 2401)
    return float(np.max(np.abs(ACTIVATIONS[name].derivative(z))))


def gradient_after_layers(name: str, layers: int) -> float:
    """The most a gradient can keep through `layers` layers of unit weights: max|f'|^layers."""
    return max_derivative(name) ** layers
