"""Learning-rate schedules, as a function of the epoch. Adding one is one entry in `SCHEDULES`.

Each entry holds its factor once, as Python code of `epoch`, `epochs` and the schedule's own
settings (`factor`, `every`); the engine evaluates it and an exported script contains it. The
engine sets the optimizer's learning rate at the start of each epoch, so a schedule and a
learning rate changed by hand mid-run work the same way.

Example:

    learning_rate_at(ScheduleSpec("step", factor=0.5, every=10), 0.1, epoch=25, epochs=100)  # -> 0.025
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from types import CodeType

from playground.registry import Code, Entry, Registry
from playground.spec import ScheduleSpec, field_settings

FACTOR = field_settings(ScheduleSpec)["factor"]
EVERY = field_settings(ScheduleSpec)["every"]


@dataclass(frozen=True)
class Schedule(Entry):
    """One schedule.

    Args:
        formula: the factor the base rate is multiplied by, as Python code of `epoch` (from 0),
            `epochs`, `math` and the names of the entry's settings.
    """

    formula: str = field(kw_only=True)

    @functools.cached_property
    def _compiled(self) -> CodeType:
        return compile(self.formula, f"<schedule {self.name}>", "eval")

    def _names(self, schedule: ScheduleSpec, epochs: int) -> dict:
        return {"epochs": epochs, **{setting.name: getattr(schedule, setting.name) for setting in self.settings}}

    def factor(self, schedule: ScheduleSpec, epoch: int, epochs: int) -> float:
        return float(
            eval(self._compiled, {"math": math}, {"epoch": epoch, **self._names(schedule, epochs)})
        )  # the registry's own formula

    def code(self, schedule: ScheduleSpec, base_rate: float, epochs: int) -> str:
        """`learning_rate_at(epoch)` as a script defines it."""
        constants = "".join(f"    {name} = {value!r}\n" for name, value in self._names(schedule, epochs).items())
        return Code(f"def learning_rate_at(epoch):\n{constants}    return {base_rate!r} * ({self.formula})\n")


SCHEDULES: Registry[Schedule] = Registry(
    "Learning-rate schedule",
    key="schedule",
    entries=[
        Schedule("constant", "Constant", "The same rate every epoch.", formula="1.0"),
        Schedule(
            "step",
            "Step decay",
            "Multiplies the rate by the factor every N epochs.",
            formula="factor ** (epoch // every)",
            settings=(FACTOR, EVERY),
        ),
        Schedule(
            "exponential",
            "Exponential decay",
            "Multiplies the rate by the factor every epoch.",
            formula="factor ** epoch",
            settings=(FACTOR,),
        ),
        Schedule(
            "cosine",
            "Cosine to zero",
            "Lowers the rate along half a cosine, to zero at the last epoch.",
            formula="0.5 * (1 + math.cos(math.pi * min(epoch, epochs) / max(epochs, 1)))",
        ),
    ],
)


def learning_rate_at(schedule: ScheduleSpec, base_rate: float, epoch: int, epochs: int) -> float:
    """The learning rate in force during `epoch` (counted from 0)."""
    return base_rate * SCHEDULES[schedule.kind].factor(schedule, epoch, epochs)
