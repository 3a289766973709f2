"""Input features for 2-D datasets, as in TF Playground: each maps the point (x1, x2) to one number.

Each entry of `FEATURES` holds its formula once, as NumPy code of the (n, 2) point array `p`; the
app evaluates that code and an exported script contains it, so the two cannot drift apart.
Adding a feature is one entry in `FEATURES`.

Example:

    import numpy as np
    points = np.array([[1.0, 2.0]])
    feature_matrix(points, ["x1", "x1x2"])   # -> [[1.0, 2.0]]
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import CodeType

import numpy as np

from playground.registry import Code, Entry, Registry


@dataclass(frozen=True)
class Feature(Entry):
    """One input feature.

    Args:
        formula: NumPy code of the point array `p` (shape (n, 2)), giving one number per point.
        javascript: the same of one point (`x1`, `x2`) as a JavaScript expression, for the browser,
            which draws the plane views from a frame's weights (`web/live/plane_views.js`).
    """

    formula: str = field(kw_only=True)
    javascript: str = field(kw_only=True)

    @functools.cached_property
    def _compiled(self) -> CodeType:
        return compile(self.formula, f"<feature {self.name}>", "eval")

    def build(self, points: np.ndarray) -> np.ndarray:
        """The feature's column for (n, 2) points."""
        return eval(self._compiled, {"np": np}, {"p": points})  # the registry's own formula, never user input

    def code(self) -> Code:
        return Code(self.formula)


FEATURES: Registry[Feature] = Registry(
    "Input feature",
    key="feature",
    entries=[
        Feature("x1", "x₁", "The first coordinate.", formula="p[:, 0]", javascript="x1"),
        Feature("x2", "x₂", "The second coordinate.", formula="p[:, 1]", javascript="x2"),
        Feature("x1^2", "x₁²", "The first coordinate squared.", formula="p[:, 0] ** 2", javascript="x1 * x1"),
        Feature("x2^2", "x₂²", "The second coordinate squared.", formula="p[:, 1] ** 2", javascript="x2 * x2"),
        Feature("x1x2", "x₁·x₂", "The product of the coordinates.", formula="p[:, 0] * p[:, 1]", javascript="x1 * x2"),
        Feature(
            "sin_x1",
            "sin x₁",
            "The sine of the first coordinate.",
            formula="np.sin(p[:, 0])",
            javascript="Math.sin(x1)",
        ),
        Feature(
            "sin_x2",
            "sin x₂",
            "The sine of the second coordinate.",
            formula="np.sin(p[:, 1])",
            javascript="Math.sin(x2)",
        ),
    ],
)


def feature_matrix(points: np.ndarray, features: Iterable[str]) -> np.ndarray:
    """Stacks the chosen features of (n, 2) points into an (n, len(features)) float32 array."""
    columns = [FEATURES[name].build(points) for name in features]
    return np.stack(columns, axis=1).astype("float32")
