"""Back-propagation as Rumelhart, Hinton & Williams showed it (1986): sigmoid networks, squared
error, full-batch gradient descent with momentum, on XOR and the 8-3-8 encoder.

XOR needs a hidden layer: no single line separates it (see `perceptron.py`). The 8-3-8 encoder
must squeeze eight one-hot patterns through three hidden units and rebuild them, so the hidden
units invent a (nearly) binary code for the eight patterns: 2³ = 8.

Example:

    run = train_xor()
    run.accuracy            # -> 1.0
    run = train_encoder()
    run.codes.round()       # (8, 3): a different 3-bit code for each pattern
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
XOR_TARGETS = np.array([[0], [1], [1], [0]], dtype="float32")
ENCODER_PATTERNS = np.eye(8, dtype="float32")


@dataclass(frozen=True)
class BackpropRun:
    inputs: np.ndarray
    targets: np.ndarray
    outputs: np.ndarray  # the network's outputs after training
    codes: np.ndarray  # hidden-unit activations for each input
    losses: np.ndarray  # mean squared error per epoch
    weights: list  # the trained Keras weights, layer by layer

    @property
    def accuracy(self) -> float:
        if self.targets.shape[1] == 1:
            return float(np.mean((self.outputs > 0.5) == (self.targets > 0.5)))
        return float(np.mean(np.argmax(self.outputs, axis=1) == np.argmax(self.targets, axis=1)))


def sigmoid_network(inputs: int, hidden: int, outputs: int, seed: int) -> Any:
    """A Keras `Sequential` of two sigmoid layers, weights drawn uniformly in [-1, 1]."""
    import keras

    init = keras.initializers.RandomUniform(-1.0, 1.0, seed=seed)
    return keras.Sequential(
        [
            keras.Input((inputs,)),
            keras.layers.Dense(
                hidden,
                activation="sigmoid",
                kernel_initializer=init,
                bias_initializer=keras.initializers.RandomUniform(-1.0, 1.0, seed=seed + 1),
                name="hidden",
            ),
            keras.layers.Dense(outputs, activation="sigmoid", kernel_initializer=init, name="output"),
        ]
    )


def train_full_batch(
    model: Any, x: np.ndarray, y: np.ndarray, epochs: int, learning_rate: float, momentum: float
) -> np.ndarray:
    """Gradient descent on the whole set each epoch, all epochs in one compiled TensorFlow loop."""
    import keras
    import tensorflow as tf

    optimizer = keras.optimizers.SGD(learning_rate, momentum=momentum)
    optimizer.build(model.trainable_variables)
    x, y = tf.constant(x), tf.constant(y)

    @tf.function
    def run() -> Any:
        losses = tf.TensorArray(tf.float32, size=epochs)
        for epoch in tf.range(epochs):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.reduce_sum((model(x) - y) ** 2, axis=1)) / 2
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
            losses = losses.write(epoch, loss)
        return losses.stack()

    return run().numpy()


def _train(x, y, hidden, epochs, learning_rate, momentum, seed) -> BackpropRun:
    import keras

    model = sigmoid_network(x.shape[1], hidden, y.shape[1], seed)
    losses = train_full_batch(model, x, y, epochs, learning_rate, momentum)
    codes = keras.Model(model.inputs[0], model.get_layer("hidden").output)(x)
    return BackpropRun(x, y, np.asarray(model(x)), np.asarray(codes), losses, model.get_weights())


def train_xor(
    hidden: int = 2, epochs: int = 2000, learning_rate: float = 0.5, momentum: float = 0.9, seed: int = 1
) -> BackpropRun:
    return _train(XOR_INPUTS, XOR_TARGETS, hidden, epochs, learning_rate, momentum, seed)


def train_encoder(
    hidden: int = 3, epochs: int = 3000, learning_rate: float = 1.0, momentum: float = 0.9, seed: int = 0
) -> BackpropRun:
    return _train(ENCODER_PATTERNS, ENCODER_PATTERNS, hidden, epochs, learning_rate, momentum, seed)
