"""Backpropagation by the chain rule on a 2-2-1 network with concrete numbers.

    hidden j:  net_j = w_j1 x1 + w_j2 x2 + b_j,   h_j = f(net_j)
    output:    net_o = v_1 h_1 + v_2 h_2 + c,     o = f(net_o)
    loss:      E = ½ (o − t)²

Backward, each factor is one link of the chain rule:

    δ_o = ∂E/∂net_o = (o − t) · f'(net_o)
    ∂E/∂v_j = δ_o · h_j,  ∂E/∂c = δ_o
    δ_j = ∂E/∂net_j = δ_o · v_j · f'(net_j)
    ∂E/∂w_ji = δ_j · x_i,  ∂E/∂b_j = δ_j

and the update is w ← w − η ∂E/∂w. `tensorflow_gradients` computes the same gradients with
`tf.GradientTape` in float64; `check` compares them.

Example:

    net = TinyNetwork()
    trace = backpropagate(net)
    check(net, trace).max_difference   # -> ~1e-17
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from playground.activations import ACTIVATIONS, keras_activation

STEP_ACTIVATIONS = ["sigmoid", "tanh", "arctan", "relu"]
PARAMETERS = ["w11", "w12", "w21", "w22", "b1", "b2", "v1", "v2", "c"]


@dataclass(frozen=True)
class TinyNetwork:
    """A 2-2-1 network; w_ji is the weight from input i to hidden unit j."""

    x1: float = 0.35
    x2: float = 0.9
    target: float = 0.5
    w11: float = 0.1
    w12: float = 0.8
    w21: float = 0.4
    w22: float = 0.6
    b1: float = 0.0
    b2: float = 0.0
    v1: float = 0.3
    v2: float = 0.9
    c: float = 0.0
    activation: str = "sigmoid"
    learning_rate: float = 1.0

    def parameters(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in PARAMETERS}


@dataclass(frozen=True)
class Trace:
    """Every number of one forward and backward pass, and the updated network."""

    net: dict[str, float]  # total input of h1, h2, o
    out: dict[str, float]  # output of h1, h2, o
    loss: float
    delta: dict[str, float]  # ∂E/∂net for o, h1, h2
    derivative: dict[str, float]  # f'(net) for o, h1, h2
    gradients: dict[str, float]  # ∂E/∂parameter
    updated: TinyNetwork
    updated_loss: float


@dataclass(frozen=True)
class GradientCheck:
    tensorflow: dict[str, float]
    differences: dict[str, float] = field(default_factory=dict)

    @property
    def max_difference(self) -> float:
        return max(self.differences.values())

    def matches(self, tolerance: float = 1e-6) -> bool:
        return self.max_difference <= tolerance


def forward(net: TinyNetwork) -> tuple[dict, dict, float]:
    f = ACTIVATIONS[net.activation].function
    total = {
        "h1": net.w11 * net.x1 + net.w12 * net.x2 + net.b1,
        "h2": net.w21 * net.x1 + net.w22 * net.x2 + net.b2,
    }
    out = {name: float(f(np.asarray(value, float))) for name, value in total.items()}
    total["o"] = net.v1 * out["h1"] + net.v2 * out["h2"] + net.c
    out["o"] = float(f(np.asarray(total["o"], float)))
    loss = 0.5 * (out["o"] - net.target) ** 2
    return total, out, loss


def backpropagate(net: TinyNetwork) -> Trace:
    derivative_of = ACTIVATIONS[net.activation].derivative
    total, out, loss = forward(net)
    derivative = {name: float(derivative_of(np.asarray(value, float))) for name, value in total.items()}
    delta = {"o": (out["o"] - net.target) * derivative["o"]}
    delta["h1"] = delta["o"] * net.v1 * derivative["h1"]
    delta["h2"] = delta["o"] * net.v2 * derivative["h2"]
    gradients = {
        "w11": delta["h1"] * net.x1,
        "w12": delta["h1"] * net.x2,
        "b1": delta["h1"],
        "w21": delta["h2"] * net.x1,
        "w22": delta["h2"] * net.x2,
        "b2": delta["h2"],
        "v1": delta["o"] * out["h1"],
        "v2": delta["o"] * out["h2"],
        "c": delta["o"],
    }
    updated = replace(net, **{name: getattr(net, name) - net.learning_rate * gradients[name] for name in PARAMETERS})
    return Trace(total, out, loss, delta, derivative, gradients, updated, forward(updated)[2])


def tensorflow_gradients(net: TinyNetwork) -> dict[str, float]:
    """∂E/∂parameter by automatic differentiation of the same network, in float64."""
    import keras
    import tensorflow as tf

    f = keras.activations.get(keras_activation(net.activation))
    p = {name: tf.Variable(value, dtype=tf.float64) for name, value in net.parameters().items()}
    x = tf.constant([[net.x1, net.x2]], tf.float64)
    with tf.GradientTape() as tape:
        hidden = f(x @ tf.stack([[p["w11"], p["w21"]], [p["w12"], p["w22"]]]) + tf.stack([p["b1"], p["b2"]]))
        output = f(hidden @ tf.reshape(tf.stack([p["v1"], p["v2"]]), (2, 1)) + p["c"])
        loss = 0.5 * tf.reduce_sum((output - net.target) ** 2)
    gradients = tape.gradient(loss, p)
    return {name: float(gradients[name].numpy()) for name in PARAMETERS}


def check(net: TinyNetwork, trace: Trace | None = None) -> GradientCheck:
    trace = trace or backpropagate(net)
    reference = tensorflow_gradients(net)
    return GradientCheck(reference, {name: abs(reference[name] - trace.gradients[name]) for name in PARAMETERS})
