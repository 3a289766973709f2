"""A deep belief net (Hinton, Osindero & Teh, 2006): restricted Boltzmann machines stacked and
trained one layer at a time without labels, then fine-tuned as a classifier.

An RBM has visible units v and hidden units h with energy E(v, h) = −vᵀWh − aᵀv − bᵀh and no
connections within a layer, so p(h=1 | v) = σ(Wᵀv + b) and p(v=1 | h) = σ(Wh + a). Contrastive
divergence (CD-1) nudges W towards the data and away from the model's one-step reconstruction:

    ΔW = η (v₀ h₀ᵀ − v₁ h₁ᵀ) / batch

Each trained layer's hidden probabilities become the next layer's data. The stack's weights then
initialise a sigmoid network with a softmax output, trained with labels as usual, and compared
with the same network started from random weights.

Example:

    run = train_deep_belief_net()
    run.reconstruction_errors[0][-1] < run.reconstruction_errors[0][0]   # -> True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LAYERS = (100, 50)


@dataclass(frozen=True)
class RBM:
    weights: np.ndarray  # (visible, hidden)
    visible_bias: np.ndarray
    hidden_bias: np.ndarray

    def hidden_probabilities(self, v: np.ndarray) -> np.ndarray:
        return _sigmoid(v @ self.weights + self.hidden_bias)

    def visible_probabilities(self, h: np.ndarray) -> np.ndarray:
        return _sigmoid(h @ self.weights.T + self.visible_bias)


@dataclass(frozen=True)
class DeepBeliefRun:
    rbms: list[RBM]
    reconstruction_errors: list[np.ndarray]  # per layer, mean squared error after each epoch (index 0: before)
    pretrained_accuracy: np.ndarray  # test accuracy after each fine-tuning epoch
    random_accuracy: np.ndarray  # the same network from random weights
    samples: np.ndarray  # (n, 8, 8) images dreamed by the first RBM (Gibbs sampling)
    seconds: float


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def digits_split(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    order = np.random.default_rng(seed).permutation(len(x))
    cut = len(x) * 2 // 3
    return x[order[:cut]], digits.target[order[:cut]], x[order[cut:]], digits.target[order[cut:]]


def train_rbm(
    data: np.ndarray, hidden: int, epochs: int = 15, learning_rate: float = 0.05, batch_size: int = 20, seed: int = 0
) -> tuple[RBM, np.ndarray]:
    rng = np.random.default_rng(seed)
    visible = data.shape[1]
    weights = rng.normal(0.0, 0.01, (visible, hidden))
    visible_bias = np.zeros(visible)
    hidden_bias = np.zeros(hidden)

    def reconstruction_error() -> float:
        h = _sigmoid(data @ weights + hidden_bias)
        return float(np.mean((data - _sigmoid(h @ weights.T + visible_bias)) ** 2))

    errors = [reconstruction_error()]
    for _ in range(epochs):
        for start in range(0, len(data), batch_size):
            v0 = data[start : start + batch_size]
            h0 = _sigmoid(v0 @ weights + hidden_bias)
            h_sample = (rng.random(h0.shape) < h0).astype(float)
            v1 = _sigmoid(h_sample @ weights.T + visible_bias)
            h1 = _sigmoid(v1 @ weights + hidden_bias)
            weights += learning_rate * (v0.T @ h0 - v1.T @ h1) / len(v0)
            visible_bias += learning_rate * (v0 - v1).mean(axis=0)
            hidden_bias += learning_rate * (h0 - h1).mean(axis=0)
        errors.append(reconstruction_error())
    return RBM(weights, visible_bias, hidden_bias), np.array(errors)


def dream(rbm: RBM, count: int = 10, steps: int = 200, seed: int = 0) -> np.ndarray:
    """Images the RBM believes in: Gibbs sampling v → h → v from random noise."""
    rng = np.random.default_rng(seed)
    v = rng.random((count, rbm.weights.shape[0]))
    for _ in range(steps):
        h = (rng.random((count, rbm.weights.shape[1])) < rbm.hidden_probabilities(v)).astype(float)
        v = rbm.visible_probabilities(h)
        if _ < steps - 1:
            v = (rng.random(v.shape) < v).astype(float)
    return v


def classifier(rbms: list[RBM] | None, layer_sizes: Sequence[int], seed: int) -> Any:
    import keras

    layers = [keras.Input((64,))]
    for index, units in enumerate(layer_sizes):
        layers.append(
            keras.layers.Dense(
                units, activation="sigmoid", kernel_initializer=keras.initializers.GlorotUniform(seed + index)
            )
        )
    layers.append(
        keras.layers.Dense(10, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed + 99))
    )
    model = keras.Sequential(layers)
    if rbms:
        for layer, rbm in zip(model.layers, rbms):
            layer.set_weights([rbm.weights.astype("float32"), rbm.hidden_bias.astype("float32")])
    return model


def fine_tune(
    model: Any,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    epochs: int,
    learning_rate: float,
    seed: int,
) -> np.ndarray:
    import keras

    keras.utils.set_random_seed(seed)
    model.compile(
        keras.optimizers.SGD(learning_rate, momentum=0.9), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(
        x_train, y_train, batch_size=32, epochs=epochs, validation_data=(x_test, y_test), verbose=0, shuffle=True
    )
    return np.array(history.history["val_accuracy"])


def train_deep_belief_net(
    layer_sizes: Sequence[int] = LAYERS,
    rbm_epochs: int = 15,
    fine_tune_epochs: int = 8,
    learning_rate: float = 0.05,
    fine_tune_rate: float = 0.05,
    seed: int = 0,
) -> DeepBeliefRun:
    import time

    began = time.perf_counter()
    x_train, y_train, x_test, y_test = digits_split(seed)
    rbms, errors, data = [], [], x_train
    for index, hidden in enumerate(layer_sizes):
        rbm, error = train_rbm(data, hidden, rbm_epochs, learning_rate, seed=seed + index)
        rbms.append(rbm)
        errors.append(error)
        data = rbm.hidden_probabilities(data)
    pretrained = fine_tune(
        classifier(rbms, layer_sizes, seed), x_train, y_train, x_test, y_test, fine_tune_epochs, fine_tune_rate, seed
    )
    random = fine_tune(
        classifier(None, layer_sizes, seed), x_train, y_train, x_test, y_test, fine_tune_epochs, fine_tune_rate, seed
    )
    samples = dream(rbms[0], seed=seed).reshape(-1, 8, 8)
    return DeepBeliefRun(rbms, errors, pretrained, random, samples, time.perf_counter() - began)
