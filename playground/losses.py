"""How the task (two classes, many classes, regression) decides the output layer and the loss.

"auto" pairs each task with its natural output and loss: sigmoid + binary cross-entropy for two
classes, softmax + cross-entropy for more, linear + mean squared error for regression.
"mse" uses mean squared error whatever the task (on one-hot targets for many classes).

Example:

    output_for("binary", 2, "auto")   # -> OutputPlan(units=1, activation="sigmoid", loss="binary_crossentropy", ...)
"""

from __future__ import annotations

from dataclasses import dataclass

LOSSES = {
    "auto": "Cross-entropy for classes, mean squared error for regression.",
    "mse": "Mean squared error between the outputs and the targets.",
}


@dataclass(frozen=True)
class OutputPlan:
    """The output layer and loss for a task.

    Args:
        units: neurons in the output layer.
        activation: its activation.
        loss: the Keras loss name.
        one_hot: whether the targets are one-hot encoded for the loss.
        signed_targets: whether 0/1 labels become -1/+1 (a tanh output trained with MSE).
    """

    units: int
    activation: str
    loss: str
    one_hot: bool = False
    signed_targets: bool = False

    @property
    def threshold(self) -> float:
        """Output value that separates class 0 from class 1 for a single-unit output."""
        return 0.0 if self.signed_targets else 0.5


def output_for(task: str, num_classes: int, loss: str, output_activation: str = "auto") -> OutputPlan:
    if task == "regression":
        return OutputPlan(1, "linear" if output_activation == "auto" else output_activation, "mse")
    if task == "binary":
        activation = "sigmoid" if output_activation == "auto" else output_activation
        if loss == "auto":
            return OutputPlan(1, activation, "binary_crossentropy")
        return OutputPlan(1, activation, "mse", signed_targets=activation == "tanh")
    activation = "softmax" if output_activation == "auto" else output_activation
    if loss == "auto":
        return OutputPlan(num_classes, activation, "sparse_categorical_crossentropy")
    return OutputPlan(num_classes, activation, "mse", one_hot=True)
