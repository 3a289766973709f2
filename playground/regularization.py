"""Weight penalties (TF Playground's L1 and L2). Adding one is one entry in `REGULARIZATIONS`.

Example:

    REGULARIZATIONS["l2"].build(0.001)   # keras.regularizers.L2(0.001)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playground.registry import Code, Entry, Registry, call_code
from playground.spec import RegularizationSpec, field_settings

RATE = field_settings(RegularizationSpec)["rate"]


@dataclass(frozen=True)
class Regularization(Entry):
    """One weight penalty.

    Args:
        keras_class: the class's name in `keras.regularizers`, taking the rate; None for no penalty.
    """

    keras_class: str | None = None

    def build(self, rate: float) -> Any:
        if self.keras_class is None or rate <= 0:
            return None
        import keras

        return getattr(keras.regularizers, self.keras_class)(rate)

    def code(self, rate: float) -> Code:
        if self.keras_class is None or rate <= 0:
            return Code("None")
        return call_code(f"keras.regularizers.{self.keras_class}", (rate,))


REGULARIZATIONS: Registry[Regularization] = Registry(
    "Regularization",
    key="regularization",
    entries=[
        Regularization("none", "None", "No penalty."),
        Regularization(
            "l1", "L1", "Adds rate·Σ|w|: pushes many weights to exactly zero.", keras_class="L1", settings=(RATE,)
        ),
        Regularization(
            "l2", "L2", "Adds rate·Σw²: keeps all weights small (weight decay).", keras_class="L2", settings=(RATE,)
        ),
    ],
)


def make_regularizer(spec: RegularizationSpec) -> Any:
    """The Keras regularizer for `spec`, or None."""
    return REGULARIZATIONS[spec.kind].build(spec.rate)
