"""Training without the page: one call from an experiment to its history.

Example:

    history = train(load_preset("xor"), epochs=50)
    history["test_accuracy"].iloc[-1]
"""

from __future__ import annotations

import dataclasses
from typing import Any

from playground.spec import ExperimentSpec


def train(experiment: ExperimentSpec | str, *, epochs: int | None = None) -> Any:
    """Trains `experiment` (a spec, or a preset's name) to the end: on a trainer's worker thread,
    while the call waits for it.

    Args:
        experiment: an `ExperimentSpec`, or the name of a preset ("xor", "tfp-default", ...).
        epochs: overrides the spec's number of epochs. Default: the spec's.

    Returns:
        A pandas DataFrame with one row per epoch: `epoch`, `train_loss`, `test_loss`,
        `train_accuracy` and `test_accuracy` (None for regression) and `learning_rate`.
        Its `attrs["state"]` says how the run ended ("finished" or "diverged").

    Raises:
        playground.engine.trainer.InvalidSpec: listing every problem with the experiment.
    """
    import pandas as pd

    from playground.engine.trainer import Trainer
    from playground.presets import load_preset

    spec = load_preset(experiment) if isinstance(experiment, str) else experiment
    if epochs is not None:
        spec = spec.replace(training=dataclasses.replace(spec.training, epochs=epochs))
    trainer = Trainer(spec, warm_up=False, snapshots=False)
    try:
        state = trainer.run_to_end()
        history = pd.DataFrame(trainer.history)
        history.attrs["state"] = state
        return history
    finally:
        trainer.close()
