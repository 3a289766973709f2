"""Mini-batch SGD: one model trained with batches of 1, 10 and the whole set, step by step.

The model is logistic regression, p = σ(w·x + b), on two overlapping Gaussian clouds, trained
with binary cross-entropy by plain TensorFlow (`tf.GradientTape` in one `tf.function`). The loss
on the whole training set is recorded after every step, so the curves show both sides of the
trade-off: small batches take many cheap, noisy steps per epoch; the full batch takes one exact
step per epoch.

`gradient_spread` shows why: the gradients of the mini-batches of one epoch scatter around the
full gradient (their mean is exactly the full gradient), and the scatter shrinks like 1/B.

Example:

    data = two_clouds()
    run = train_with_batch_size(data, batch_size=10, epochs=5, learning_rate=0.5)
    run.losses.shape    # -> (101,): the loss before training and after each of 5 * 20 steps
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

INITIAL_WEIGHTS = (-1.5, 1.0)
INITIAL_BIAS = 1.0


@dataclass(frozen=True)
class Clouds:
    x: np.ndarray  # (n, 2) float32
    y: np.ndarray  # (n,) float32, 0 or 1


@dataclass(frozen=True)
class BatchRun:
    batch_size: int
    steps_per_epoch: int
    losses: np.ndarray  # whole-set loss before training and after every step

    @property
    def epochs(self) -> np.ndarray:
        return np.arange(len(self.losses)) / self.steps_per_epoch


@dataclass(frozen=True)
class GradientSpread:
    batch_size: int
    batch_gradients: np.ndarray  # (batches, 2): dL/dw1, dL/dw2 of each mini-batch in one epoch
    full_gradient: np.ndarray  # (2,)

    @property
    def mean_squared_deviation(self) -> float:
        return float(np.mean(np.sum((self.batch_gradients - self.full_gradient) ** 2, axis=1)))


def two_clouds(samples: int = 200, spread: float = 1.2, seed: int = 0) -> Clouds:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, samples)
    centres = np.where(labels[:, None] == 1, 1.0, -1.0) * np.array([1.0, 1.0])
    points = centres + rng.normal(0.0, spread, (samples, 2))
    return Clouds(points.astype("float32"), labels.astype("float32"))


def _loss(x, y, w, b):
    import tensorflow as tf

    logits = tf.linalg.matvec(x, w) + b
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))


_compiled: dict[str, Any] = {}


def _run_function():
    import tensorflow as tf

    if "run" not in _compiled:

        @tf.function(reduce_retracing=True)
        def run(x: Any, y: Any, orders: Any, w: Any, b: Any, learning_rate: Any) -> Any:
            losses = tf.TensorArray(tf.float32, size=tf.shape(orders)[0] + 1)
            losses = losses.write(0, _loss(x, y, w, b))
            for step in tf.range(tf.shape(orders)[0]):
                batch = orders[step]
                with tf.GradientTape() as tape:
                    tape.watch([w, b])
                    loss = _loss(tf.gather(x, batch), tf.gather(y, batch), w, b)
                grad_w, grad_b = tape.gradient(loss, [w, b])
                w = w - learning_rate * grad_w
                b = b - learning_rate * grad_b
                losses = losses.write(step + 1, _loss(x, y, w, b))
            return losses.stack()

        _compiled["run"] = run
    return _compiled["run"]


def batch_orders(samples: int, batch_size: int, epochs: int, seed: int = 0) -> np.ndarray:
    """(steps, batch_size) example indices: each epoch a fresh shuffle cut into equal batches."""
    if samples % batch_size:
        raise ValueError(
            f"The batch size {batch_size} must divide the {samples} samples so every batch has the same size."
        )
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.permutation(samples).reshape(-1, batch_size) for _ in range(epochs)]).astype("int32")


def train_with_batch_size(
    data: Clouds, batch_size: int, epochs: int = 5, learning_rate: float = 0.5, seed: int = 0
) -> BatchRun:
    import tensorflow as tf

    orders = batch_orders(len(data.x), batch_size, epochs, seed)
    losses = _run_function()(
        tf.constant(data.x),
        tf.constant(data.y),
        tf.constant(orders),
        tf.constant(INITIAL_WEIGHTS, tf.float32),
        tf.constant(INITIAL_BIAS, tf.float32),
        tf.constant(learning_rate, tf.float32),
    )
    return BatchRun(batch_size, len(data.x) // batch_size, losses.numpy())


def gradient_spread(
    data: Clouds,
    batch_size: int,
    seed: int = 0,
    weights: Sequence[float] | np.ndarray = INITIAL_WEIGHTS,
    bias: float = INITIAL_BIAS,
) -> GradientSpread:
    """The weight gradients of every mini-batch of one epoch, and of the whole set, at fixed weights."""
    import tensorflow as tf

    w = tf.constant(weights, tf.float32)
    b = tf.constant(bias, tf.float32)

    def gradient(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        with tf.GradientTape() as tape:
            tape.watch(w)
            loss = _loss(tf.constant(x), tf.constant(y), w, b)
        return tape.gradient(loss, w).numpy()

    orders = batch_orders(len(data.x), batch_size, 1, seed)
    if batch_size == 1:  # per-example gradients in one vectorised call instead of n tapes
        x, y = tf.constant(data.x), tf.constant(data.y)
        with tf.GradientTape() as tape:
            tape.watch(w)
            per_example = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=tf.linalg.matvec(x, w) + b)
        batch_gradients = tape.jacobian(per_example, w).numpy()[orders[:, 0]]
    else:
        batch_gradients = np.array([gradient(data.x[batch], data.y[batch]) for batch in orders])
    return GradientSpread(batch_size, batch_gradients, gradient(data.x, data.y))
