"""Softmax: logits to probabilities, with a temperature, naive and numerically stable.

    softmax(z)_i = exp(z_i / T) / Σ_j exp(z_j / T)

The naive form overflows once a logit passes ~710 (float64) or ~88 (float32): exp gives inf
and inf/inf is NaN. Subtracting the largest logit first changes nothing mathematically (the
factor exp(-max) cancels) and keeps every exponent ≤ 0.

Example:

    softmax([1.0, 2.0, 3.0])            # -> [0.090, 0.245, 0.665]
    naive_softmax([1000.0, 0.0])        # -> [nan, 0.0]
    softmax([1000.0, 0.0])              # -> [1.0, 0.0]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def naive_softmax(logits: npt.ArrayLike, temperature: float = 1.0, dtype: str = "float32") -> np.ndarray:
    z = np.asarray(logits, dtype) / dtype_scalar(temperature, dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        exponentials = np.exp(z)
        return exponentials / exponentials.sum()


def softmax(logits: npt.ArrayLike, temperature: float = 1.0, dtype: str = "float32") -> np.ndarray:
    z = np.asarray(logits, dtype) / dtype_scalar(temperature, dtype)
    exponentials = np.exp(z - z.max())
    return exponentials / exponentials.sum()


def tensorflow_softmax(logits: npt.ArrayLike, temperature: float = 1.0) -> np.ndarray:
    """The same through `tf.nn.softmax`, which is stable too."""
    import tensorflow as tf

    return tf.nn.softmax(tf.constant(np.asarray(logits, "float32") / temperature)).numpy()


def dtype_scalar(value: float, dtype: str) -> np.generic:
    if value <= 0:
        raise ValueError(f"The temperature must be positive; received {value}.")
    return np.dtype(dtype).type(value)


def overflow_limit(dtype: str = "float32") -> float:
    """The largest z for which exp(z) is still finite."""
    return float(np.log(np.finfo(dtype).max))
