"""The settings a run takes while it trains, without building a new model: the one owner of them.

A trainer holds one `LiveSettings`. The page changes the learning rate and the epoch count of a
running trainer (and its pace), so the spec the trainer was built from goes stale on those two
fields: `current_spec` is the spec as it is being trained, and `model_spec` is the part of a spec
that decides the model, which is what a page compares to know whether a new trainer is needed.

Example:

    live = LiveSettings.of(spec)
    live = live.replace(learning_rate=0.1)
    live.current_spec(spec).training.learning_rate   # -> 0.1
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from playground.spec import ExperimentSpec, TrainingSpec


@dataclass(frozen=True)
class LiveSettings:
    """Args:
    learning_rate: the base rate (the schedule applies on top of it).
    epochs: the epoch the run ends at.
    epochs_per_second: the pace; None trains as fast as possible.
    """

    learning_rate: float
    epochs: int
    epochs_per_second: float | None = None

    @classmethod
    def of(cls, spec: ExperimentSpec) -> LiveSettings:
        return cls(float(spec.training.learning_rate), int(spec.training.epochs))

    def replace(self, **changes: Any) -> LiveSettings:
        return dataclasses.replace(self, **changes)

    def current_spec(self, spec: ExperimentSpec) -> ExperimentSpec:
        """`spec` with these settings: the experiment as it is being trained."""
        return spec.replace(
            training=dataclasses.replace(spec.training, learning_rate=self.learning_rate, epochs=self.epochs)
        )


def model_spec(spec: ExperimentSpec) -> ExperimentSpec:
    """What decides the model and its data: `spec` less its live settings and its words (title,
    description). Two specs with the same `model_spec` can share one trainer."""
    fixed = TrainingSpec()
    training = dataclasses.replace(spec.training, learning_rate=fixed.learning_rate, epochs=fixed.epochs)
    return spec.replace(training=training, title="", description="")
