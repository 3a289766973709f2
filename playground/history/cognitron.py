"""Self-organisation without labels, after Fukushima's cognitron (1975).

A layer of units on a small grid sees each digit image. A unit's response is the match between
its weights (its receptive field) and the image. Fukushima's reinforcement rule: "the synapse
from x to y is reinforced when x fires, provided no neuron near y fires more strongly than y".
So only units that win in their neighbourhood learn, and they move towards the active pixels;
each field is then renormalised (the cognitron's inhibitory inputs kept activity bounded).
Fields start as faint, noisy copies of random digits (half noise), so that neighbours start out
different; training sharpens them until units prefer different shapes, without ever seeing a
label.

Example:

    run = train_cognitron(epochs=3)
    run.fields.shape         # -> (16, 8, 8): one receptive field per unit
    run.prototype_match() > run.prototype_match(initial=True)   # noise gone, digit shapes grown
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CognitronRun:
    fields: np.ndarray  # (units, 8, 8) receptive fields after training
    initial_fields: np.ndarray
    wins: np.ndarray  # (units, 10) how often each unit responds most strongly, per digit class
    initial_wins: np.ndarray
    grid: int

    @property
    def purity(self) -> float:
        return purity(self.wins)

    @property
    def initial_purity(self) -> float:
        return purity(self.initial_wins)

    def prototype_match(self, initial: bool = False) -> float:
        """Mean over units of the best cosine similarity between the field and a digit class's average image."""
        images, labels = digit_images()
        means = np.stack([images[labels == k].mean(axis=0) for k in range(10)])
        means /= np.linalg.norm(means, axis=1, keepdims=True)
        fields = (self.initial_fields if initial else self.fields).reshape(len(self.fields), -1)
        fields = fields / np.linalg.norm(fields, axis=1, keepdims=True)
        return float(np.mean(np.max(fields @ means.T, axis=1)))


def purity(wins: np.ndarray) -> float:
    """Share of each unit's wins that belong to its most frequent class, averaged over units that win."""
    totals = wins.sum(axis=1)
    active = totals > 0
    return float(np.mean(wins[active].max(axis=1) / totals[active]))


def class_wins(fields: np.ndarray, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    wins = np.zeros((len(fields), 10), dtype=int)
    np.add.at(wins, (np.argmax(images @ fields.T, axis=1), labels), 1)
    return wins


def digit_images() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.data / 16.0).astype("float64"), digits.target


def _neighbours(grid: int, radius: int) -> np.ndarray:
    """neighbours[k] lists the units within `radius` of unit k on the grid (itself included)."""
    rows, cols = np.divmod(np.arange(grid * grid), grid)
    near = (np.abs(rows[:, None] - rows[None]) <= radius) & (np.abs(cols[:, None] - cols[None]) <= radius)
    return near


def local_winners(responses: np.ndarray, near: np.ndarray) -> np.ndarray:
    """True for each unit that no neighbour out-fires (the condition for reinforcement)."""
    neighbourhood_max = np.where(near, responses[None, :], -np.inf).max(axis=1)
    return responses >= neighbourhood_max


def train_cognitron(
    epochs: int = 3, grid: int = 4, radius: int = 1, learning_rate: float = 0.05, seed: int = 0
) -> CognitronRun:
    images, labels = digit_images()
    rng = np.random.default_rng(seed)
    starts = images[rng.choice(len(images), grid * grid, replace=False)]
    fields = 0.5 * starts + 0.5 * rng.uniform(0.0, 1.0, starts.shape)
    fields /= np.linalg.norm(fields, axis=1, keepdims=True)
    initial = fields.copy()
    near = _neighbours(grid, radius)
    for _ in range(epochs):
        for index in rng.permutation(len(images)):
            x = images[index]
            winners = local_winners(fields @ x, near)
            fields[winners] += learning_rate * x  # reinforce the synapses from the firing inputs
            fields[winners] /= np.linalg.norm(fields[winners], axis=1, keepdims=True)
    return CognitronRun(
        fields.reshape(-1, 8, 8),
        initial.reshape(-1, 8, 8),
        class_wins(fields, images, labels),
        class_wins(initial, images, labels),
        grid,
    )
