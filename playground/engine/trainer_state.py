"""The states of a training run, shared by `Trainer`, `WorkerTrainer`, a population's members,
saved runs and the pages.

    READY → RUNNING ⇄ PAUSED → FINISHED | STOPPED | DIVERGED;  FAILED if the model cannot train;
    RESETTING while a reset is under way.

A `StrEnum`, so a state is also its plain word ("running") in JSON, in the run store and in the
live stream's status.
"""

from __future__ import annotations

from enum import StrEnum


class TrainerState(StrEnum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    RESETTING = "resetting"
    FINISHED = "finished"
    STOPPED = "stopped"
    DIVERGED = "diverged"
    FAILED = "failed"


END_STATES = (TrainerState.FINISHED, TrainerState.STOPPED, TrainerState.DIVERGED)
"""A run in one of these has ended, and is saved."""

SETTLED_STATES = (*END_STATES, TrainerState.FAILED)
"""Nothing more happens to a run in one of these until it is reset."""

RESTING_STATES = (TrainerState.PAUSED, *SETTLED_STATES)
"""No steps run in these: what a page waits for after a command."""
