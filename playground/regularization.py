"""Weight penalties (TF Playground's L1 and L2). Adding one is one entry in `REGULARIZATIONS`.

Example:

    make_regularizer(RegularizationSpec("l2", 0.001))   # keras.regularizers.L2(0.001)
"""

from __future__ import annotations

from playground.spec import RegularizationSpec

REGULARIZATIONS = {
    "none": "No penalty.",
    "l1": "Adds rate·Σ|w|: pushes many weights to exactly zero.",
    "l2": "Adds rate·Σw²: keeps all weights small (weight decay).",
}


def make_regularizer(spec: RegularizationSpec):
    import keras

    if spec.kind == "l1" and spec.rate > 0:
        return keras.regularizers.L1(spec.rate)
    if spec.kind == "l2" and spec.rate > 0:
        return keras.regularizers.L2(spec.rate)
    return None
