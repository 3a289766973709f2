"""Learning-rate schedules, as a function of the epoch. Adding one is one entry in `SCHEDULES`.

The engine sets the optimizer's learning rate at the start of each epoch, so a schedule and a
learning rate changed by hand mid-run work the same way.

Example:

    learning_rate_at(ScheduleSpec("step", factor=0.5, every=10), 0.1, epoch=25, epochs=100)  # -> 0.025
"""

from __future__ import annotations

import math

from playground.spec import ScheduleSpec

SCHEDULES = {
    "constant": ("Constant", lambda s, epoch, epochs: 1.0),
    "step": ("Step decay", lambda s, epoch, epochs: s.factor ** (epoch // max(s.every, 1))),
    "exponential": ("Exponential decay", lambda s, epoch, epochs: s.factor**epoch),
    "cosine": ("Cosine to zero", lambda s, epoch, epochs: 0.5 * (1 + math.cos(math.pi * min(epoch, epochs) / max(epochs, 1)))),
}


def learning_rate_at(schedule: ScheduleSpec, base_rate: float, epoch: int, epochs: int) -> float:
    """The learning rate in force during `epoch` (counted from 0)."""
    return base_rate * SCHEDULES[schedule.kind][1](schedule, epoch, epochs)
