"""Two-parameter loss surfaces for watching optimisers move (the Gradient descent page).

Each formula uses only + - * and powers, so the same function runs on NumPy arrays (for the
contour plot) and on TensorFlow tensors (for the gradient the optimiser follows).

Example:

    SURFACES["bowl"].value(np.array(1.0), np.array(2.0))   # -> 5.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LossSurface:
    label: str
    latex: str
    value: Callable
    extent: tuple[float, float, float, float]  # x min, x max, y min, y max
    start: tuple[float, float]
    learning_rate: float  # a good default for plain SGD
    steps: int
    minimum: tuple[float, float] | None
    note: str


SURFACES: dict[str, LossSurface] = {
    "bowl": LossSurface(
        "Bowl",
        r"L(w_1, w_2) = w_1^2 + w_2^2",
        lambda x, y: x**2 + y**2,
        (-3, 3, -3, 3),
        (-2.5, 2.0),
        0.1,
        50,
        (0.0, 0.0),
        "Round and convex: the gradient points straight at the minimum. Plain SGD converges for any rate below 1 "
        "and diverges above it.",
    ),
    "valley": LossSurface(
        "Elongated valley",
        r"L(w_1, w_2) = 0.1\,w_1^2 + 2\,w_2^2",
        lambda x, y: 0.1 * x**2 + 2.0 * y**2,
        (-5, 5, -2.5, 2.5),
        (-4.5, 1.5),
        0.3,
        80,
        (0.0, 0.0),
        "Steep across, shallow along: a rate large enough to move along the valley makes SGD bounce across it. "
        "Momentum and Adam help.",
    ),
    "rosenbrock": LossSurface(
        "Rosenbrock",
        r"L(w_1, w_2) = (1 - w_1)^2 + 100\,(w_2 - w_1^2)^2",
        lambda x, y: (1 - x) ** 2 + 100.0 * (y - x**2) ** 2,
        (-2, 2, -1, 3),
        (-1.5, 2.0),
        0.001,
        200,
        (1.0, 1.0),
        "A curved banana-shaped valley: easy to fall into, slow to follow to the minimum at (1, 1).",
    ),
    "saddle": LossSurface(
        "Saddle",
        r"L(w_1, w_2) = w_1^2 - w_2^2",
        lambda x, y: x**2 - y**2,
        (-3, 3, -3, 3),
        (-2.5, 0.01),
        0.05,
        80,
        None,
        "A minimum along w₁ and a maximum along w₂: the gradient is almost zero near the middle, so training stalls "
        "before it escapes.",
    ),
}
