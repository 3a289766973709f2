"""The activation functions a layer can use, with their maths for the lecture pages.

Each entry of `ACTIVATIONS` has its formula, a NumPy function and its derivative (the lecture
pages plot them). Keras knows most of them by name. One it does not know (arctan) names its
`keras_function`: it is registered as a serializable Keras function when first built, so that a
saved `.keras` model that uses it loads again, and an exported script carries its source.

Adding an activation is one entry in `ACTIVATIONS`.

Example:

    import numpy as np
    ACTIVATIONS["arctan"].function(np.array([0.0]))   # -> [0.0]
    keras_activation("arctan")                          # the registered Keras function
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from playground.registry import Code, Entry, Registry

if TYPE_CHECKING:
    import keras

KERAS_PACKAGE = "playground"  # where custom activations are registered: "playground>arctan"

_registered: dict[str, Callable] = {}


@dataclass(frozen=True)
class Activation(Entry):
    """One activation: its formula (LaTeX), a NumPy version, its derivative and its Keras form.

    Args:
        latex: the formula, shown in the lecture pages.
        function, derivative: NumPy versions, for the plots.
        output_range: the values it gives, in words.
        keras_function: for an activation Keras has no name for, its Keras function of a tensor
            (its source goes into exported scripts); None when Keras knows `name`.
        keras_aliases: other names Keras writes it as in a saved model (swish is saved as "silu").
        javascript: the activation of one neuron's input `z` as a JavaScript expression, for the
            browser, which draws the plane views from a frame's weights (`web/live/plane_views.js`);
            it may use `top`, the largest input of the layer, and `erf`.
        sums_to_one: the layer's outputs are divided by their sum (softmax).
    """

    latex: str = field(kw_only=True)
    function: Callable[[np.ndarray], np.ndarray] = field(kw_only=True)
    derivative: Callable[[np.ndarray], np.ndarray] = field(kw_only=True)
    output_range: str = field(kw_only=True)
    javascript: str = field(kw_only=True)
    sums_to_one: bool = field(default=False, kw_only=True)
    keras_function: Callable | None = None
    keras_aliases: tuple[str, ...] = ()

    def build(self) -> Any:
        """What Keras takes as `activation=`: the name, or the registered custom function."""
        if self.keras_function is None:
            return self.name
        if self.name not in _registered:
            import keras

            register = keras.saving.register_keras_serializable(package=KERAS_PACKAGE, name=self.name)
            _registered[self.name] = register(self.keras_function)
        return _registered[self.name]

    def code(self) -> Code:
        """The activation as an exported script writes it: the name, or the defined function."""
        return Code(repr(self.name) if self.keras_function is None else self.keras_function.__name__)

    def definition_code(self) -> str:
        """The lines a script needs before `code()` works (a custom function's definition), or ""."""
        if self.keras_function is None:
            return ""
        return (
            f"@keras.saving.register_keras_serializable(package={KERAS_PACKAGE!r}, name={self.name!r})\n"
            + inspect.getsource(self.keras_function)
        )


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


def keras_arctan(x: keras.KerasTensor) -> keras.KerasTensor:
    """arctan as a Keras function (Keras has no activation of that name)."""
    import keras

    return keras.ops.arctan(x)


def _softmax_row(z):
    # Shown for one logit among others fixed at 0: softmax reduces to a sigmoid of z - log(k-1).
    return _sigmoid(z)


LEAKY_SLOPE = 0.2  # Keras' default negative slope for leaky_relu

ACTIVATIONS: Registry[Activation] = Registry(
    "Activation",
    key="activation",
    entries=[
        Activation(
            "relu",
            "ReLU",
            "Outputs [0, ∞).",
            latex=r"\max(0, z)",
            function=lambda z: np.maximum(z, 0.0),
            derivative=lambda z: (z > 0).astype(float),
            output_range="[0, ∞)",
            javascript="Math.max(z, 0)",
        ),
        Activation(
            "sigmoid",
            "sigmoid",
            "Outputs (0, 1).",
            latex=r"\frac{1}{1 + e^{-z}}",
            function=_sigmoid,
            derivative=lambda z: _sigmoid(z) * (1 - _sigmoid(z)),
            output_range="(0, 1)",
            javascript="1 / (1 + Math.exp(-z))",
        ),
        Activation(
            "tanh",
            "tanh",
            "Outputs (-1, 1).",
            latex=r"\tanh z",
            function=np.tanh,
            derivative=lambda z: 1 - np.tanh(z) ** 2,
            output_range="(-1, 1)",
            javascript="Math.tanh(z)",
        ),
        Activation(
            "arctan",
            "arctan",
            "Outputs (-π/2, π/2).",
            latex=r"\arctan z",
            function=np.arctan,
            derivative=lambda z: 1 / (1 + z**2),
            output_range="(-π/2, π/2)",
            javascript="Math.atan(z)",
            keras_function=keras_arctan,
        ),
        Activation(
            "linear",
            "linear",
            "Outputs (-∞, ∞).",
            latex=r"z",
            function=lambda z: np.asarray(z, float),
            derivative=lambda z: np.ones_like(z, float),
            output_range="(-∞, ∞)",
            javascript="z",
        ),
        Activation(
            "softmax",
            "softmax",
            "Outputs (0, 1), sums to 1.",
            latex=r"\frac{e^{z_i}}{\sum_j e^{z_j}}",
            function=_softmax_row,
            derivative=lambda z: _sigmoid(z) * (1 - _sigmoid(z)),
            output_range="(0, 1), sums to 1",
            javascript="Math.exp(z - top)",
            sums_to_one=True,
        ),
        Activation(
            "elu",
            "ELU",
            "Outputs (-1, ∞).",
            latex=r"z \text{ if } z>0 \text{ else } e^{z}-1",
            function=lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
            derivative=lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))),
            output_range="(-1, ∞)",
            javascript="z > 0 ? z : Math.expm1(z)",
        ),
        Activation(
            "gelu",
            "GELU",
            "Outputs (≈-0.17, ∞).",
            latex=r"z\,\Phi(z)",
            function=_gelu,
            derivative=_gelu_derivative,
            output_range="(≈-0.17, ∞)",
            javascript="0.5 * z * (1 + erf(z / Math.SQRT2))",
        ),
        Activation(
            "swish",
            "swish",
            "Outputs (≈-0.28, ∞).",
            latex=r"z\,\sigma(z)",
            function=lambda z: z * _sigmoid(z),
            derivative=lambda z: _sigmoid(z) + z * _sigmoid(z) * (1 - _sigmoid(z)),
            output_range="(≈-0.28, ∞)",
            javascript="z / (1 + Math.exp(-z))",
            keras_aliases=("silu",),
        ),
        Activation(
            "leaky_relu",
            "leaky ReLU",
            "Outputs (-∞, ∞).",
            latex=rf"\max({LEAKY_SLOPE}z, z)",
            function=lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
            derivative=lambda z: np.where(z > 0, 1.0, LEAKY_SLOPE),
            output_range="(-∞, ∞)",
            javascript=f"z > 0 ? z : {LEAKY_SLOPE} * z",
        ),
        Activation(
            "softplus",
            "softplus",
            "Outputs (0, ∞).",
            latex=r"\log(1 + e^{z})",
            function=_softplus,
            derivative=_sigmoid,
            output_range="(0, ∞)",
            javascript="Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))",
        ),
    ],
)


def activation_name(saved: Any) -> Any:
    """Our name for an activation as a saved Keras model writes it ("silu" -> "swish"); other values as they are."""
    return next((name for name, entry in ACTIVATIONS.items() if saved in entry.keras_aliases), saved)


def keras_activation(name: str) -> Any:
    """The Keras activation for `name`: a string Keras knows, or our registered custom function."""
    return ACTIVATIONS[name].build()
