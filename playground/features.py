"""Input features for 2-D datasets, as in TF Playground: each maps the point (x1, x2) to one number.

Adding a feature is one entry in `FEATURES`.

Example:

    import numpy as np
    points = np.array([[1.0, 2.0]])
    feature_matrix(points, ["x1", "x1x2"])   # -> [[1.0, 2.0]]
"""

from __future__ import annotations

import numpy as np

# name -> (label shown in the page, function of the (n, 2) point array)
FEATURES = {
    "x1": ("x₁", lambda p: p[:, 0]),
    "x2": ("x₂", lambda p: p[:, 1]),
    "x1^2": ("x₁²", lambda p: p[:, 0] ** 2),
    "x2^2": ("x₂²", lambda p: p[:, 1] ** 2),
    "x1x2": ("x₁·x₂", lambda p: p[:, 0] * p[:, 1]),
    "sin_x1": ("sin x₁", lambda p: np.sin(p[:, 0])),
    "sin_x2": ("sin x₂", lambda p: np.sin(p[:, 1])),
}


def feature_matrix(points: np.ndarray, features) -> np.ndarray:
    """Stacks the chosen features of (n, 2) points into an (n, len(features)) float32 array."""
    columns = [FEATURES[name][1](points) for name in features]
    return np.stack(columns, axis=1).astype("float32")
