"""Pins: what a pushed experiment lets the class change. Everything else stays as the lecturer
pushed it, so that the class's results differ only in what was left free (a class-sourced
sweep: "everyone pick a learning rate").

Each freedom is one entry: its label for the lecturer, and how to carry a student's choice of it
over to the pushed experiment.

Example:

    pinned(my_spec, pushed_spec, free=["learning_rate"])   # pushed_spec with my learning rate
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import NamedTuple

from playground.spec import ExperimentSpec


class Freedom(NamedTuple):
    label: str
    carry: Callable[[ExperimentSpec, ExperimentSpec], ExperimentSpec]  # (pushed, mine) -> pushed with my choice


def _training(**names: str) -> Callable[[ExperimentSpec, ExperimentSpec], ExperimentSpec]:
    def carry(pushed: ExperimentSpec, mine: ExperimentSpec) -> ExperimentSpec:
        values = {name: getattr(mine.training, name) for name in names}
        return pushed.replace(training=dataclasses.replace(pushed.training, **values))

    return carry


def _network(*names: str) -> Callable[[ExperimentSpec, ExperimentSpec], ExperimentSpec]:
    def carry(pushed: ExperimentSpec, mine: ExperimentSpec) -> ExperimentSpec:
        values = {name: getattr(mine.network, name) for name in names}
        return pushed.replace(network=dataclasses.replace(pushed.network, **values))

    return carry


FREEDOMS: dict[str, Freedom] = {
    "learning_rate": Freedom("learning rate and its schedule", _training(learning_rate="", schedule="")),
    "batch_size": Freedom("batch size", _training(batch_size="")),
    "optimizer": Freedom("optimizer", _training(optimizer="")),
    "regularization": Freedom("regularization", _training(regularization="")),
    "network": Freedom("layers, neurons and activations", _network("layers")),
    "features": Freedom("input features", _network("features")),
    "dataset": Freedom("dataset and its noise", lambda pushed, mine: pushed.replace(dataset=mine.dataset)),
    "training_length": Freedom("epochs and seed", _training(epochs="", seed="")),
}


def free_names(free: object) -> list[str] | None:
    """The known freedoms in `free` (as stored: a list of names), or None for "everything is free"."""
    if not isinstance(free, list):
        return None
    return [name for name in FREEDOMS if name in free]


def pinned(mine: ExperimentSpec, pushed: ExperimentSpec, free: Iterable[str]) -> ExperimentSpec:
    """The pushed experiment with the student's choices of what is `free`, and nothing else of theirs."""
    spec = pushed
    for name in free:
        if name in FREEDOMS:
            spec = FREEDOMS[name].carry(spec, mine)
    return spec.replace(title=pushed.title, description=pushed.description)
