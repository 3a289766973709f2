"""What is saved about one training run: its config, full history, final metrics, timing and
(on request) the trained model as `.keras` bytes.

Example:

    record = RunRecord.new(owner="abc", spec=ExperimentSpec(), history=rows, state="finished",
                           started_at=time.time(), duration=3.2)
    record.final["test_loss"]
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from playground.spec import ExperimentSpec

# What made a run: the app's playground page, `playground train`, a sweep (the Sweeps page or
# `playground sweep`), or a student's page, saved from the class board. Runs saved before sources
# were recorded read as "sweep" when they have a sweep, else "app".
SOURCES = ("app", "cli", "sweep", "class")


@dataclass(frozen=True)
class RunRecord:
    id: str
    owner: str
    spec: ExperimentSpec | None  # None for a stored run whose config this version cannot read (`message` says why)
    history: list[dict]
    state: str
    started_at: float  # seconds since the epoch
    duration: float  # seconds spent training
    message: str = ""
    model: bytes | None = None
    sweep_id: str | None = None
    parameters: dict = field(default_factory=dict)  # the swept values, for runs of a sweep
    share_token: str | None = None
    damaged: bool = False  # a stored run whose history could not be read (`history` is empty; `message` says so)
    source: str = "app"  # one of `SOURCES`

    @classmethod
    def new(
        cls,
        owner: str,
        spec: ExperimentSpec,
        history: list[dict],
        state: str,
        started_at: float,
        duration: float,
        **extra: Any,
    ) -> RunRecord:
        return cls(uuid.uuid4().hex[:12], owner, spec, list(history), state, started_at, duration, **extra)

    @property
    def final(self) -> dict:
        """The last epoch's metrics (empty when the run never finished an epoch)."""
        return dict(self.history[-1]) if self.history else {}

    @property
    def epochs(self) -> int:
        return int(self.history[-1]["epoch"]) if self.history else 0
