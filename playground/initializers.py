"""Weight initialisations. Adding one is one entry in `INITIALIZERS`.

"zeros" is there on purpose: every neuron of a layer then computes the same thing and gets the
same gradient, so they never become different (the symmetry problem).

Example:

    init = INITIALIZERS["tfp_uniform"].build(seed=3)   # keras.initializers.RandomUniform(-0.5, 0.5, seed=3)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playground.registry import Code, Entry, Registry, call_code


@dataclass(frozen=True)
class Initializer(Entry):
    """One weight initialisation: a Keras initializer class and its arguments.

    Args:
        keras_class: the class's name in `keras.initializers`.
        arguments: its positional arguments.
        seeded: whether it takes a seed (random ones do).
    """

    keras_class: str = field(kw_only=True)
    arguments: tuple[Any, ...] = field(default=())
    seeded: bool = True

    def _keywords(self, seed: int) -> dict[str, Any]:
        return {"seed": seed} if self.seeded else {}

    def build(self, seed: int) -> Any:
        import keras

        return getattr(keras.initializers, self.keras_class)(*self.arguments, **self._keywords(seed))

    def code(self, seed: int) -> Code:
        return call_code(f"keras.initializers.{self.keras_class}", self.arguments, self._keywords(seed))


INITIALIZERS: Registry[Initializer] = Registry(
    "Weight init",
    key="initializer",
    entries=[
        Initializer(
            "glorot_uniform",
            "Glorot uniform",
            "Keras' default: variance scaled by fan-in plus fan-out.",
            keras_class="GlorotUniform",
        ),
        Initializer("he_normal", "He normal", "Variance 2/fan-in, suited to ReLU layers.", keras_class="HeNormal"),
        Initializer(
            "tfp_uniform",
            "Uniform ±0.5",
            "TF Playground's choice: U(-0.5, 0.5).",
            keras_class="RandomUniform",
            arguments=(-0.5, 0.5),
        ),
        Initializer(
            "zeros", "Zeros", "All weights zero: shows why symmetry must be broken.", keras_class="Zeros", seeded=False
        ),
    ],
)
