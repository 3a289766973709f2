"""The class's results as one table: a row per student, their scores, and the settings that
varied between them. The board's leaderboard and roll-up chart are drawn from it: in effect,
the class ran a sweep.

Example:

    table, varied = class_results(members)
    table.sort_values("test_loss")            # the leaderboard
    varied                                    # ["training.learning_rate", ...]: the roll-up's choices
"""

from __future__ import annotations

import pandas as pd

from playground.classes.class_store import Member
from playground.runs.run_comparison import flat_config

SCORES = ["test_loss", "test_accuracy", "parameters", "epoch"]
PREFERRED = ["training.learning_rate", "network.hidden layers", "training.batch_size", "training.optimizer"]


def _number_or_text(values: list[str]) -> list:
    try:
        return [float(v) for v in values]
    except ValueError:
        return values


def class_results(members: list[Member]) -> tuple[pd.DataFrame, list[str]]:
    """The table (columns: member, name, architecture, the SCORES, then each varied setting) and the
    varied settings' names, the most telling first (the learning rate, the depth, ...)."""
    configs = [flat_config(m.spec) if m.spec is not None else {} for m in members]
    names = sorted({name for config in configs for name in config} - {"title"})
    varied = [name for name in names if len({config.get(name, "") for config in configs}) > 1]
    varied.sort(key=lambda name: (PREFERRED.index(name) if name in PREFERRED else len(PREFERRED), name))
    table = pd.DataFrame(
        {
            "member": [m.id for m in members],
            "name": [m.name for m in members],
            "architecture": [m.tile.architecture for m in members],
            "test_loss": [m.tile.test_loss for m in members],
            "test_accuracy": [m.tile.test_accuracy for m in members],
            "parameters": [m.tile.parameters for m in members],
            "epoch": [m.tile.epoch for m in members],
        }
    )
    for name in varied:
        table[name] = _number_or_text([config.get(name, "") for config in configs])
    return table, varied
