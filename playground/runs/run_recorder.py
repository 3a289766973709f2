"""Turns a trainer's finished, stopped or diverged run into a saved `RunRecord`.

Hooked to `Trainer.on_end`, so it runs the moment a run ends (on the trainer's thread, or for a
trainer in a worker process on a thread of the page server), whether or not the page is looking.

Example:

    trainer.on_end = RunRecorder(store, owner="abc")
    trainer.on_end.keep_model = True    # the page's "save the model too" switch
"""

from __future__ import annotations

import logging
import time
from typing import Any

from playground.engine.live_trainer import LiveTrainer
from playground.runs.run_record import RunRecord

log = logging.getLogger(__name__)


def record_of(trainer: LiveTrainer, owner: str, keep_model: bool = False, **extra: Any) -> RunRecord:
    return RunRecord.new(
        owner=owner,
        spec=trainer.current_spec(),
        history=trainer.history,
        state=trainer.state,
        started_at=trainer.started_at or time.time(),
        duration=trainer.elapsed,
        message=trainer.message,
        model=trainer.model_bytes() if keep_model and not trainer.closed else None,
        **extra,
    )


class RunRecorder:
    """Args:
    store: a `RunStore` (or `UnavailableStore`).
    owner: the browser session's owner token.
    keep_model: also store the trained model's `.keras` bytes. A plain attribute, not a
        callback into the page: it is read on the trainer's thread.
    """

    def __init__(self, store, owner: str, keep_model: bool = False):
        self.store, self.owner, self.keep_model = store, owner, keep_model
        self.last_saved: str | None = None

    def __call__(self, trainer) -> None:
        self.last_saved = self.store.save(record_of(trainer, self.owner, self.keep_model))
        log.info("Saved run %s (%s, %d epochs)", self.last_saved, trainer.state, len(trainer.history))
