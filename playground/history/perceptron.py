"""Rosenblatt's perceptron (1958) and its learning rule, on the logic gates.

    y = step(w·x + b)           w ← w + η (t − y) x,   b ← b + η (t − y)

The rule changes the weights only on mistakes. If a line separates the two classes it finds one
in a finite number of steps (the perceptron convergence theorem); for XOR no line exists, so it
keeps making mistakes and cycles for ever (Minsky & Papert, 1969).

Example:

    train_perceptron("AND").converged   # -> True
    train_perceptron("XOR").converged   # -> False
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
GATES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "XOR": np.array([0, 1, 1, 0]),
}


@dataclass(frozen=True)
class PerceptronRun:
    gate: str
    lines: np.ndarray  # (epochs + 1, 3): w1, w2, b before training and after each epoch
    mistakes: np.ndarray  # mistakes made during each epoch
    converged: bool  # an epoch went by without a mistake

    def predictions(self) -> np.ndarray:
        w1, w2, b = self.lines[-1]
        return (INPUTS @ np.array([w1, w2]) + b > 0).astype(int)


def train_perceptron(
    gate: str, epochs: int = 20, learning_rate: float = 0.5, start: tuple[float, float, float] = (0.2, -0.1, 0.05)
) -> PerceptronRun:
    if gate not in GATES:
        raise ValueError(f"Unknown gate '{gate}'; choose one of {', '.join(GATES)}.")
    targets = GATES[gate]
    w = np.array(start[:2], dtype=float)
    b = float(start[2])
    lines, mistakes = [(w[0], w[1], b)], []
    converged = False
    for _ in range(epochs):
        wrong = 0
        for x, t in zip(INPUTS, targets):
            y = int(w @ x + b > 0)
            if y != t:
                w += learning_rate * (t - y) * x
                b += learning_rate * (t - y)
                wrong += 1
        lines.append((w[0], w[1], b))
        mistakes.append(wrong)
        if wrong == 0:
            converged = True
            break
    return PerceptronRun(gate, np.array(lines), np.array(mistakes), converged)
