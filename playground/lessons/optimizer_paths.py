"""The path an optimiser takes over a 2-D loss surface, with a verdict on the learning rate.

Real Keras optimisers (SGD, SGD with momentum, Adam) update two variables with gradients from
`tf.GradientTape`; the run stops early once the weights blow up.

Example:

    path = optimizer_path("bowl", "sgd", learning_rate=0.1, steps=50)
    path.points.shape, path.verdict      # -> (51, 2), "good"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from playground.lessons.loss_surfaces import SURFACES
from playground.optimizers import OPTIMIZERS

PATH_OPTIMIZERS = ("sgd", "momentum", "adam")  # names in `OPTIMIZERS`: the lesson compares these three
BLOW_UP = 1e4  # weights this large count as diverged, and the path stops there


@dataclass(frozen=True)
class OptimizerPath:
    optimizer: str
    learning_rate: float
    points: np.ndarray  # (steps + 1, 2); stops early when the loss blows up
    losses: np.ndarray
    verdict: str  # "slow", "good", "oscillating", "diverging"; on a saddle "stalled" or "escaped"


def optimizer_path(
    surface: str,
    optimizer: str,
    learning_rate: float,
    steps: int | None = None,
    start: Sequence[float] | np.ndarray | None = None,
) -> OptimizerPath:
    import tensorflow as tf

    loss_surface = SURFACES[surface]
    start = np.asarray(start if start is not None else loss_surface.start, "float64")
    steps = steps or loss_surface.steps
    weights = tf.Variable(start, dtype=tf.float64)
    keras_optimizer = OPTIMIZERS[optimizer].build(learning_rate)
    keras_optimizer.build([weights])

    visited = [start]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = loss_surface.value(weights[0], weights[1])
        keras_optimizer.apply_gradients([(tape.gradient(loss, weights), weights)])
        visited.append(weights.numpy())
        if not np.isfinite(visited[-1]).all() or np.abs(visited[-1]).max() > BLOW_UP:
            break
    points = np.array(visited)
    with np.errstate(over="ignore", invalid="ignore"):
        losses = loss_surface.value(points[:, 0], points[:, 1])
    return OptimizerPath(optimizer, learning_rate, points, losses, verdict(points, losses, loss_surface.minimum))


def verdict(points: np.ndarray, losses: np.ndarray, minimum: tuple[float, float] | None) -> str:
    """Reads a run like a lecturer would: diverging, oscillating, slow or good."""
    if minimum is None:  # a saddle: the question is whether the run gets away from it
        return "escaped" if abs(points[-1][1]) > 1.0 else "stalled"
    if not np.isfinite(losses).all() or losses[-1] > losses[0] * 1.5 + 1e-9 or np.abs(points[-1]).max() > BLOW_UP:
        return "diverging"
    distance = np.linalg.norm(points - np.asarray(minimum), axis=1)
    steps = np.diff(points, axis=0)
    # Oscillation: successive steps mostly point in opposite directions.
    turns = np.sum(steps[1:] * steps[:-1], axis=1) < 0
    if len(turns) and turns.mean() > 0.5:
        return "oscillating"
    return "good" if distance[-1] < 0.05 * max(distance[0], 1e-9) else "slow"
