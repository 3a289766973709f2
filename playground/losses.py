"""How the task (two classes, many classes, regression) decides the output layer and the loss.

"auto" pairs each task with its natural output and loss: sigmoid + binary cross-entropy for two
classes, softmax + cross-entropy for more, linear + mean squared error for regression.
"mse" uses mean squared error whatever the task (on one-hot targets for many classes).

Example:

    output_for("binary", 2, "auto")   # -> OutputPlan(units=1, activation="sigmoid", loss="binary_crossentropy", ...)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.datasets.dataset import Task
from playground.registry import Entry, Registry


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

    def predicted_classes(self, outputs: Any, ops: Any = np) -> Any:
        """The class each row of outputs predicts: above the threshold for a single output, else the
        largest output. `ops` is `np` for arrays, or `tf` inside the compiled training loop."""
        if self.units == 1:
            return outputs[:, 0] > self.threshold
        return ops.argmax(outputs, axis=-1)

    def true_classes(self, targets: Any, ops: Any = np) -> Any:
        """The class of each row of targets as the loss takes them (one-hot, signed or class indices),
        comparable with `predicted_classes`."""
        if self.units == 1:
            return ops.reshape(targets, [-1]) > self.threshold
        if self.one_hot:
            return ops.argmax(targets, axis=-1)
        return ops.reshape(targets, [-1])

    def accuracy_code(self, outputs: str, targets: str) -> str:
        """`predicted_classes == true_classes`, averaged, as an exported script computes it."""
        if self.units == 1:
            return f"float(np.mean(({outputs}[:, 0] > {self.threshold}) == ({targets}.reshape(-1) > {self.threshold})))"
        truth = f"np.argmax({targets}, axis=-1)" if self.one_hot else f"{targets}.reshape(-1)"
        return f"float(np.mean(np.argmax({outputs}, axis=-1) == {truth}))"


@dataclass(frozen=True)
class Loss(Entry):
    """One loss choice: how it pairs with each task's output layer."""

    def plan(self, task: str, num_classes: int, output_activation: str = "auto") -> OutputPlan:
        """The output layer and Keras loss for `task` with this choice."""
        cross_entropy = self.name == "auto"
        if task == Task.REGRESSION:
            return OutputPlan(1, "linear" if output_activation == "auto" else output_activation, "mse")
        if task == Task.BINARY:
            activation = "sigmoid" if output_activation == "auto" else output_activation
            if cross_entropy:
                return OutputPlan(1, activation, "binary_crossentropy")
            return OutputPlan(1, activation, "mse", signed_targets=activation == "tanh")
        activation = "softmax" if output_activation == "auto" else output_activation
        if cross_entropy:
            return OutputPlan(num_classes, activation, "sparse_categorical_crossentropy")
        return OutputPlan(num_classes, activation, "mse", one_hot=True)


LOSSES: Registry[Loss] = Registry(
    "Loss",
    key="loss",
    entries=[
        Loss("auto", "Cross-entropy (auto)", "Cross-entropy for classes, mean squared error for regression."),
        Loss("mse", "Mean squared error", "Mean squared error between the outputs and the targets."),
    ],
)


def output_for(task: str, num_classes: int, loss: str, output_activation: str = "auto") -> OutputPlan:
    """The output plan for `task` with the loss named `loss` ("auto" when it is not a known one)."""
    return (LOSSES.lookup(loss) or LOSSES["auto"]).plan(task, num_classes, output_activation)
