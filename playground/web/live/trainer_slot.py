"""Holds a browser session's trainer and closes it when the session goes away.

The page keeps one `TrainerSlot` in its session state. Its trainer trains in one of the app's
worker processes (`training_workers`), or in the page's own process when there are none
(`PLAYGROUND_TRAINING_WORKERS=0`). When Streamlit drops the session, the slot is
garbage-collected and its finalizer stops the trainer and frees the model.
"""

from __future__ import annotations

import os
import threading
import weakref

from playground.engine.live_population import LIVE_POPULATIONS
from playground.engine.live_settings import model_spec
from playground.engine.live_trainer import LiveTrainer
from playground.engine.trainer import Trainer
from playground.engine.training_workers import training_workers
from playground.spec import ExperimentSpec


class TrainerSlot:
    def __init__(self, compile_ahead: bool | None = None):
        """`compile_ahead`: compile each new trainer's program in the background at once (the
        default; `PLAYGROUND_COMPILE_AHEAD=0` turns it off, and the program then compiles when
        training first starts; the in-process page tests use that, as they mostly never train)."""
        if compile_ahead is None:
            compile_ahead = os.environ.get("PLAYGROUND_COMPILE_AHEAD", "1") != "0"
        self.compile_ahead = compile_ahead
        self.trainer: LiveTrainer | None = None
        self.key: ExperimentSpec | None = None
        self._finalizer: weakref.finalize | None = None

    def get(self, spec: ExperimentSpec) -> LiveTrainer:
        """The trainer for `spec`: kept when only the learning rate or epochs changed, else rebuilt
        (also when it was closed: its page's stream went away and came back too late)."""
        key = model_spec(spec)
        if self.trainer is None or key != self.key or self.trainer.closed:
            self.close(wait=False)  # an edit draws the new network at once: the old trainer goes away meanwhile
            workers = training_workers()
            if workers:
                trainer: LiveTrainer = workers.trainer(spec, self.compile_ahead)
            else:
                trainer = Trainer(spec, warm_up=self.compile_ahead, envelope=True, population=LIVE_POPULATIONS)
            self.trainer, self.key = trainer, key
            self._finalizer = weakref.finalize(self, _close, trainer)
        self.trainer.set_learning_rate(spec.training.learning_rate)
        self.trainer.set_epochs(spec.training.epochs)
        return self.trainer

    def close(self, wait: bool = True) -> None:
        """Closes the trainer. `wait=False` closes it on a thread of its own: a trainer in this
        process waits for the chunk or compilation it is in the middle of before it frees its model."""
        finalizer = self._finalizer
        self.trainer, self.key, self._finalizer = None, None, None
        if finalizer is None:
            return
        if wait:
            finalizer()
        else:
            threading.Thread(target=finalizer, name="playground-close", daemon=True).start()


def _close(trainer: LiveTrainer) -> None:
    """The slot's finalizer: holds no reference to the slot, so the slot can be collected."""
    trainer.close()
