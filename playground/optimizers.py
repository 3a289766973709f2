"""The optimizers a user can pick. Adding one is one entry in `OPTIMIZERS`.

`make_optimizer` and `optimizer_code` turn a spec's training settings into the Keras optimizer
and into the code an exported script makes it with: the one place that knows which settings an
optimizer takes, for the model builder, the envelope program and the script exporter.

Example:

    optimizer = OPTIMIZERS["momentum"].build(0.01)   # keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playground.registry import Code, Entry, Registry, call_code
from playground.spec import TrainingSpec


@dataclass(frozen=True)
class Optimizer(Entry):
    """One optimizer: a Keras optimizer class and its fixed arguments besides the learning rate.

    Args:
        keras_class: the class's name in `keras.optimizers`.
        arguments: its keyword arguments other than the learning rate.
    """

    keras_class: str = field(kw_only=True)
    arguments: dict[str, Any] = field(default_factory=dict)

    def build(self, learning_rate: float) -> Any:
        import keras

        return getattr(keras.optimizers, self.keras_class)(learning_rate=float(learning_rate), **self.arguments)

    def code(self, learning_rate: float) -> Code:
        return call_code(
            f"keras.optimizers.{self.keras_class}", (), {"learning_rate": float(learning_rate), **self.arguments}
        )


OPTIMIZERS: Registry[Optimizer] = Registry(
    "Optimizer",
    key="optimizer",
    entries=[
        Optimizer("sgd", "SGD", "Plain mini-batch gradient descent: w ← w − η·∇L.", keras_class="SGD"),
        Optimizer(
            "momentum",
            "SGD with momentum",
            "Keeps a running velocity of past gradients (momentum 0.9).",
            keras_class="SGD",
            arguments={"momentum": 0.9},
        ),
        Optimizer(
            "adam",
            "Adam",
            "Adapts a step size per weight from running means of the gradient and its square.",
            keras_class="Adam",
        ),
        Optimizer(
            "rmsprop",
            "RMSprop",
            "Divides each step by a running root-mean-square of recent gradients.",
            keras_class="RMSprop",
        ),
    ],
)


def make_optimizer(training: TrainingSpec) -> Any:
    """The Keras optimizer `training` asks for."""
    return OPTIMIZERS[training.optimizer].build(training.learning_rate)


def optimizer_code(training: TrainingSpec) -> Code:
    """The code an exported script makes the same optimizer with."""
    return OPTIMIZERS[training.optimizer].code(training.learning_rate)
