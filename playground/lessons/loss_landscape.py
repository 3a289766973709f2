"""The loss around trained weights, along filter-normalised random directions (Li et al., 2018).

A direction d has one random Gaussian entry per weight; each filter of d (a Dense unit's column
of incoming weights, a conv filter) is rescaled to the norm of the same filter in the trained
weights w*, and bias directions are zero. Without this, a layer with small weights would look
flat or sharp only because of its scale. The slices are

    1-D:  L(w* + α d₁)          2-D:  L(w* + α d₁ + β d₂)

Random directions in many dimensions are almost orthogonal to the path training took, so the
projected trajectory stays near the centre; `directions="pca"` uses instead the two main
directions of the trajectory itself (the paper's way of showing the path).

Example:

    result = train_and_map(ExperimentSpec(), epochs=50)
    result.surface.shape    # -> (21, 21)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from playground.spec import ExperimentSpec

if TYPE_CHECKING:
    from playground.training_data import TrainingData

MAX_EVAL_SAMPLES = 512
MAX_TRAJECTORY_POINTS = 60


@dataclass(frozen=True)
class Landscape:
    alphas: np.ndarray  # coordinates along each direction, centred on the trained weights
    line: np.ndarray  # loss along d₁
    surface: np.ndarray  # surface[i, j] = L(w* + alphas[j] d₁ + alphas[i] d₂)
    trajectory: np.ndarray  # (points, 2) the recorded weights projected onto (d₁, d₂)
    trajectory_loss: np.ndarray  # the true loss at each recorded weight
    center_loss: float
    directions: str
    epochs: np.ndarray  # the epoch of each trajectory point


def filter_normalized_direction(weights: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    direction = []
    for w in weights:
        if w.ndim <= 1:
            direction.append(np.zeros_like(w))
            continue
        d = rng.normal(size=w.shape).astype(w.dtype)
        # The last axis indexes filters (Dense: output units; Conv2D: output channels).
        d_norm = np.sqrt(np.sum(d**2, axis=tuple(range(w.ndim - 1)), keepdims=True))
        w_norm = np.sqrt(np.sum(w**2, axis=tuple(range(w.ndim - 1)), keepdims=True))
        direction.append(d * w_norm / np.maximum(d_norm, 1e-12))
    return direction


def flatten(tensors: Iterable[npt.ArrayLike]) -> np.ndarray:
    return np.concatenate([np.ravel(t) for t in tensors]).astype("float64")


def unflatten(vector: np.ndarray, like: list[np.ndarray]) -> list[np.ndarray]:
    parts, start = [], 0
    for t in like:
        parts.append(vector[start : start + t.size].reshape(t.shape).astype(t.dtype))
        start += t.size
    return parts


def pca_directions(trajectory: np.ndarray, center: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two principal directions of (w_t − w*), scaled to the spread of the path."""
    offsets = trajectory - center
    _, singular, components = np.linalg.svd(offsets, full_matrices=False)
    scale = singular[:2] / np.sqrt(max(len(offsets), 1))
    return components[0] * max(scale[0], 1e-6) * 2, components[1] * max(scale[1] if len(scale) > 1 else 0, 1e-6) * 2


def project(points: np.ndarray, center: np.ndarray, d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Least-squares coordinates (α, β) of each point − center in the plane of d₁ and d₂."""
    basis = np.stack([d1, d2], axis=1)
    coordinates, *_ = np.linalg.lstsq(basis, (points - center).T, rcond=None)
    return coordinates.T


class LossFunction:
    """L(weights) on a fixed sample of the training set, compiled once for a model."""

    def __init__(self, model: Any, x: np.ndarray, y: np.ndarray, loss_name: str):
        import keras
        import tensorflow as tf

        self.model = model
        self.shapes = [tuple(v.shape) for v in model.trainable_variables]
        self.non_trainable = [v.value for v in model.non_trainable_variables]
        per_sample = keras.losses.get(loss_name)
        x, y = tf.constant(x), tf.constant(y)

        @tf.function(reduce_retracing=True)
        def loss_at(center: Any, d1: Any, d2: Any, alpha: Any, beta: Any) -> Any:
            flat = center + alpha * d1 + beta * d2
            values, start = [], 0
            for shape in self.shapes:
                size = int(np.prod(shape))
                values.append(tf.reshape(flat[start : start + size], shape))
                start += size
            outputs, _ = model.stateless_call(values, self.non_trainable, x, training=False)
            return tf.reduce_mean(per_sample(y, outputs))

        self._loss_at = loss_at

    def along(
        self,
        center: np.ndarray,
        d1: np.ndarray,
        d2: np.ndarray,
        alphas: Sequence[float] | np.ndarray,
        betas: Sequence[float] | np.ndarray,
    ) -> np.ndarray:
        import tensorflow as tf

        c, a, b = (tf.constant(v, tf.float32) for v in (center, d1, d2))
        return np.array(
            [
                float(self._loss_at(c, a, b, tf.constant(alpha, tf.float32), tf.constant(beta, tf.float32)))
                for alpha, beta in zip(alphas, betas)
            ]
        )


def train_with_trajectory(spec: ExperimentSpec, epochs: int) -> tuple[Any, TrainingData, np.ndarray, np.ndarray]:
    """Trains `spec` for `epochs` epochs with the engine's loop, recording the weights as it goes:
    the Keras model, its data, the recorded weights (one flat row each) and their epochs."""
    from playground.engine.training_loop import TrainingLoop
    from playground.model_builder import build_model
    from playground.schedules import learning_rate_at
    from playground.training_data import training_data

    data = training_data(spec)
    model = build_model(spec, data)
    loop = TrainingLoop(model, data, spec.training)
    every = max(1, epochs // MAX_TRAJECTORY_POINTS)
    trajectory, recorded = [flatten(v.numpy() for v in model.trainable_variables)], [0]
    for epoch in range(epochs):
        rate = learning_rate_at(spec.training.schedule, spec.training.learning_rate, epoch, epochs)
        result = loop.run(epoch, 0, loop.batches_per_epoch, [rate])
        if result.diverged_at is not None:
            raise FloatingPointError(
                f"Training diverged in epoch {epoch + 1}; lower the learning rate to map its landscape."
            )
        if (epoch + 1) % every == 0 or epoch + 1 == epochs:
            loop.sync()  # the loop's newest weights into the model's variables, read below
            trajectory.append(flatten(v.numpy() for v in model.trainable_variables))
            recorded.append(epoch + 1)
    return model, data, np.array(trajectory), np.array(recorded)


def landscape(
    model: Any,
    data: TrainingData,
    trajectory: np.ndarray,
    epochs: np.ndarray,
    directions: str = "random",
    extent: float = 1.0,
    resolution: int = 21,
    seed: int = 0,
) -> Landscape:
    weights = [v.numpy() for v in model.trainable_variables]
    center = flatten(weights)
    if directions == "pca":
        d1, d2 = pca_directions(trajectory, center)
    else:
        rng = np.random.default_rng(seed)
        d1 = flatten(filter_normalized_direction(weights, rng))
        d2 = flatten(filter_normalized_direction(weights, rng))
    x, y = data.x_train, data.y_train
    if len(x) > MAX_EVAL_SAMPLES:
        chosen = np.sort(np.random.default_rng([seed, 7]).choice(len(x), MAX_EVAL_SAMPLES, replace=False))
        x, y = x[chosen], y[chosen]
    loss = LossFunction(model, x, y, data.plan.loss)
    path = project(trajectory, center, d1, d2)
    if directions == "pca":  # widen the view until the whole path fits
        extent = max(extent, 1.15 * float(np.abs(path).max()))
    alphas = np.linspace(-extent, extent, resolution)
    line = loss.along(center, d1, d2, alphas, np.zeros_like(alphas))
    grid_a, grid_b = np.meshgrid(alphas, alphas)
    surface = loss.along(center, d1, d2, grid_a.ravel(), grid_b.ravel()).reshape(resolution, resolution)
    zero = np.zeros(len(center))
    trajectory_loss = np.array([float(loss.along(point, zero, zero, [0.0], [0.0])[0]) for point in trajectory])
    return Landscape(
        alphas,
        line,
        surface,
        path,
        trajectory_loss,
        float(loss.along(center, zero, zero, [0.0], [0.0])[0]),
        directions,
        epochs,
    )


def train_and_map(
    spec: ExperimentSpec,
    epochs: int | None = None,
    directions: str = "random",
    extent: float = 1.0,
    resolution: int = 21,
    seed: int = 0,
) -> Landscape:
    model, data, trajectory, recorded = train_with_trajectory(spec, epochs or spec.training.epochs)
    return landscape(model, data, trajectory, recorded, directions, extent, resolution, seed)
