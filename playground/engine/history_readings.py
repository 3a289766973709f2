"""What a page reads of a trainer's history, the same for a `Trainer` and a `WorkerTrainer`.

Both keep the history rows in `self._history`, guarded by `self._lock`, and have a `spec`, their
`LiveSettings` in `self.live` and a `position`.
"""

from __future__ import annotations

import threading

from playground.engine.live_settings import LiveSettings
from playground.schedules import learning_rate_at
from playground.spec import ExperimentSpec


class HistoryReadings:
    live: LiveSettings
    spec: ExperimentSpec
    _lock: threading.Condition
    _history: list[dict]

    @property
    def position(self) -> tuple[int, int]:
        """(epoch, batch) reached; each trainer says."""
        raise NotImplementedError

    @property
    def base_learning_rate(self) -> float:
        return self.live.learning_rate

    @property
    def epochs(self) -> int:
        return self.live.epochs

    @property
    def epochs_per_second(self) -> float | None:
        return self.live.epochs_per_second

    def current_spec(self) -> ExperimentSpec:
        """The experiment as it is being trained: the spec with the live learning rate and epochs."""
        return self.live.current_spec(self.spec)

    @property
    def history(self) -> list[dict]:
        with self._lock:
            return list(self._history)

    @property
    def points(self) -> int:
        """Rows in the history (epochs finished)."""
        return len(self._history)

    def last_row(self) -> dict:
        """The newest history row ({} before the first epoch ends)."""
        with self._lock:
            return dict(self._history[-1]) if self._history else {}

    def history_since(self, start: int) -> tuple[list[dict], int]:
        """The rows from `start` on, and how many rows there are in all."""
        with self._lock:
            return self._history[start:], len(self._history)

    def learning_rate(self, epoch: int | None = None) -> float:
        """The rate for `epoch` (the current one by default): the base rate under the schedule."""
        epoch = self.position[0] if epoch is None else epoch
        return learning_rate_at(self.spec.training.schedule, self.base_learning_rate, epoch, self.epochs)
