"""The learning rates the playground offers, and what to suggest when one is too high.

`LEARNING_RATE_LADDER` is TF Playground's list of rates (its dropdown, and the built-in sweep).
After a divergence the message and the page's "lower the rate" button both use `safer_rate`.

Example:

    safer_rate(10)     # 0.1
    divergence_message(10, epoch=3, batch=0)
"""

from __future__ import annotations

LEARNING_RATE_LADDER = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
SAFER_FACTOR = 100  # a diverged rate is usually far too high: step down two orders of magnitude


def safer_rate(rate: float) -> float:
    """The largest ladder rate at most `rate / SAFER_FACTOR` (the smallest one if none is)."""
    lower = [r for r in LEARNING_RATE_LADDER if r <= rate / SAFER_FACTOR]
    return lower[-1] if lower else LEARNING_RATE_LADDER[0]


def divergence_message(rate: float, epoch: int, batch: int, base_rate: float | None = None) -> str:
    """What to tell the user when the loss stopped being finite at (epoch, batch), counted from 0.

    `rate` is the rate in force then; `base_rate` the one the user set (a schedule scales it),
    which the suggestion lowers, as the page's button does: `safer_rate(base_rate)`."""
    suggestion = safer_rate(rate if base_rate is None else base_rate)
    return (
        f"Loss became infinite or NaN at epoch {epoch + 1}, batch {batch + 1}: a learning rate of {rate:g} is too "
        f"high for this network; try {suggestion:g} or lower. Training stopped and kept the last weights that gave "
        "a finite loss."
    )
