"""A trainer that trains in a worker process, seen from the page server as a `Trainer`.

The page, its live stream and the run recorder use it exactly as they use a `Trainer` (the same
properties and commands). Reading is local: the worker sends every change (state, position, new
history rows, the snapshot's changed fields) and this copy keeps them, so the page and its stream
never wait for the worker. Nor does the page wait while the worker builds a new trainer (an edit
draws the new network at once; its first update and the live stream bring the weights). Commands
that change what the page shows (start, pause, stop, step, reset, epochs) wait for the worker's
answer, which comes after the worker's update, so a page drawn right after a command shows it
(given while the trainer is built, they wait for it); the learning rate, the speed and a frame
request are sent without waiting.

When a run ends, the worker says so and this side calls `on_end` (the run recorder), on a thread
of its own since saving may ask the worker for the model; `wait` returns only once it is saved.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import weakref
from collections.abc import Callable, Collection
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from playground.engine.change_signal import ChangeSignal
from playground.engine.history_readings import HistoryReadings
from playground.engine.live_settings import LiveSettings
from playground.engine.live_trainer import LiveTrainer
from playground.engine.snapshots import Snapshot, SnapshotBuffer
from playground.engine.trainer import InvalidSpec
from playground.engine.trainer_state import RESTING_STATES, SETTLED_STATES, TrainerState
from playground.spec import ExperimentSpec
from playground.training_data import TrainingData, training_data
from playground.validation import validate

log = logging.getLogger(__name__)


WORKER_STOPPED = "The training worker stopped. Reload the page to train again."


class WorkerGone(RuntimeError):
    """The worker process holding a trainer stopped or stopped answering."""


class WorkerTrainer(HistoryReadings):
    """A `Trainer` in a worker process (made by `TrainingWorkers.trainer`).

    Args:
        worker: the `WorkerConnection` of the process it trains in.
        trainer_id: its number in that worker.
        spec, warm_up: as for `Trainer`.
    """

    def __init__(self, worker, trainer_id: int, spec: ExperimentSpec, warm_up: bool = True):
        problems = validate(spec)
        if problems:
            raise InvalidSpec(problems)
        self.worker, self.id, self.spec = worker, trainer_id, spec
        self.snapshots = SnapshotBuffer()
        self.live = LiveSettings.of(spec)
        self.on_end: Callable[[LiveTrainer], None] | None = None
        self._lock = threading.Condition()
        self._history: list[dict] = []
        self._status: dict[str, Any] = {
            "state": TrainerState.READY,
            "message": "",
            "epoch": 0,
            "batch": 0,
            "elapsed": 0.0,
            "started_at": None,
            "ready": False,
            "idle": True,
        }
        self._snapshot: Snapshot | None = None
        self._details_wanted = True  # as last sent to the worker (`Trainer.want_details`)
        self._saving = False
        self._unsaved = ""  # why the last ended run could not be saved (said with the message)
        self._closed = False
        self.changes = ChangeSignal()  # what the live stream waits on: every update from the worker
        self.batches_per_epoch = -(-len(self.data.x_train) // int(spec.training.batch_size))
        # Commands that need no answer, given while the worker builds the trainer: sent once it is
        # built, in order (None from then on). A command that waits for its answer waits for the build.
        self._early: list[tuple[str, tuple]] | None = []
        self._built = threading.Event()
        self._finalizer: weakref.finalize | None = None
        self._in_worker = False  # built there (and not closed since)
        worker.trainers[trainer_id] = self
        threading.Thread(
            target=self._build, args=(spec.to_json(), warm_up), name="playground-trainer-build", daemon=True
        ).start()

    def _build(self, spec_json: str, warm_up: bool) -> None:
        """Has the worker build the trainer (the page that made this one does not wait: it draws the
        new network at once, and the worker's first update and the live stream bring its weights),
        then sends the commands given meanwhile. A trainer that cannot be built fails, saying why."""
        try:
            self.worker.send("create", self.id, (spec_json, warm_up))
            built = True
        except WorkerGone as error:
            self._worker_gone(str(error))
            built = False
        except InvalidSpec as error:  # the data changed on disk since the page checked the spec
            self._fail(" ".join(problem.message for problem in error.problems))
            built = False
        except Exception as error:
            log.exception("A trainer could not be built in its worker")
            self._fail(f"The trainer could not be built: {error}")
            built = False
        with self._lock:
            early, self._early = self._early or [], None
            self._in_worker = built
            if built:
                for name, argument in early:
                    self._send(name, argument)
                if not self._closed:  # dropped without `close` (its page's session went away): closed in the worker
                    self._finalizer = weakref.finalize(self, _close_in_worker, self.worker, self.id)
            self._built.set()

    # Reading: the local copy.
    @cached_property
    def data(self) -> TrainingData:
        """The arrays trained on, built here too: the page draws the dataset and its samples."""
        return training_data(self.spec)

    @property
    def state(self) -> str:
        return self._status["state"]

    @property
    def message(self) -> str:
        message, unsaved = self._status["message"], self._unsaved
        return f"{message} {unsaved}" if message and unsaved else message or unsaved

    @property
    def elapsed(self) -> float:
        return self._status["elapsed"]

    @property
    def started_at(self) -> float | None:
        return self._status["started_at"]

    @property
    def position(self) -> tuple[int, int]:
        status = self._status
        return status["epoch"], status["batch"]

    @property
    def idle(self) -> bool:
        return self._status["idle"] and not self._saving

    @property
    def is_ready(self) -> bool:
        return self._status["ready"]

    @property
    def closed(self) -> bool:
        return self._closed

    def wait_until_ready(self, timeout: float | None = None) -> bool:
        return self._wait_for(lambda: self.is_ready or self._closed, timeout) and self.is_ready

    def wait(self, states: Collection[str] = RESTING_STATES, timeout: float = 60.0) -> str:
        """Blocks until the trainer is in one of `states`, idle and its ended run saved."""
        self._wait_for(lambda: (self.state in states and self.idle) or self._closed, timeout)
        return self.state

    def wait_for_first_epoch(self, timeout: float = 0.5) -> bool:
        self._wait_for(lambda: self._history or self.state != TrainerState.RUNNING or self._closed, timeout)
        return bool(self._history)

    def _wait_for(self, condition, timeout: float | None) -> bool:
        with self._lock:
            return self._lock.wait_for(condition, timeout)

    # Questions the worker answers.
    def predict(self, inputs: npt.ArrayLike) -> np.ndarray:
        self._built.wait()  # the build ends within the worker's answer time, built or not
        return self.worker.send("predict", self.id, (np.asarray(inputs, "float32"),))

    def model_bytes(self) -> bytes:
        """The trained model as the bytes of a `.keras` file."""
        self._built.wait()  # the build ends within the worker's answer time, built or not
        return self.worker.send("model_bytes", self.id)

    # Commands.
    def start(self) -> None:
        self._command("start")

    resume = start

    def pause(self) -> None:
        self._command("pause")

    def stop(self) -> None:
        """Stops; a run that had trained is saved (by `on_end`) before this returns."""
        self._command("stop")
        self._wait_for(lambda: self.idle or self._closed, 10.0)

    def step_batch(self) -> None:
        self._command("step_batch")

    def step_epoch(self) -> None:
        self._command("step_epoch")

    def reset(self) -> None:
        self._command("reset")

    def set_epochs(self, epochs: int) -> None:
        if int(epochs) != self.epochs:
            self.live = self.live.replace(epochs=int(epochs))
            self._command("set_epochs", self.epochs)

    def set_learning_rate(self, rate: float) -> None:
        if float(rate) != self.base_learning_rate:
            self.live = self.live.replace(learning_rate=float(rate))
            self._command("set_learning_rate", self.base_learning_rate, answer=False)

    def set_speed(self, epochs_per_second: float | None) -> None:
        if epochs_per_second != self.epochs_per_second:
            self.live = self.live.replace(epochs_per_second=epochs_per_second)
            self._command("set_speed", epochs_per_second, answer=False)

    def want_frame(self) -> None:
        self._command("want_frame", answer=False)

    def want_details(self, wanted: bool) -> None:
        if self._details_wanted != wanted:
            self._details_wanted = wanted
            self._command("want_details", wanted, answer=False)

    def run_to_end(self, timeout: float = 3600.0) -> str:
        self.start()
        return self.wait(SETTLED_STATES, timeout)

    def abandon(self) -> None:
        """The page went away: stop and free the trainer in its worker, saving nothing more."""
        self.on_end = None
        self._shut("abandon")

    def close(self) -> None:
        self._shut("close")

    def _shut(self, command: str) -> None:
        if self._closed:
            return
        with self._lock:
            self._closed = True
            self._changed()
            early = self._early
            if early is not None:  # closed in the worker once built
                early.append((command, ()))
        if self._finalizer is not None:
            self._finalizer.detach()
        self.worker.trainers.pop(self.id, None)
        self.snapshots.clear()
        if early is None and self._in_worker:
            self._send(command, ())

    def _command(self, name: str, *argument, answer: bool = True) -> None:
        if self._closed:
            return
        if not answer:
            with self._lock:
                if self._early is not None:
                    self._early.append((name, argument))
                    return
            self._send(name, argument)
            return
        self._built.wait()  # the build ends within the worker's answer time, built or not
        if self._closed:
            return
        try:
            self.worker.send(name, self.id, argument)
        except WorkerGone as error:
            self._worker_gone(str(error))

    def _send(self, name: str, argument: tuple) -> None:
        """Sends a command that wants no answer."""
        try:
            self.worker.send(name, self.id, argument, answer=False)
        except (WorkerGone, OSError):
            pass  # nothing left to tell: the worker is gone, and the page hears it from its updates

    # What the worker sends (called on the connection's receiving thread).
    def _apply_update(self, update: dict) -> None:
        change = update.get("snapshot", False)
        if change is None:
            self._snapshot = None
            self.snapshots.clear()
        elif change:
            fields = change["fields"]
            self._snapshot = (
                Snapshot(**fields) if self._snapshot is None else dataclasses.replace(self._snapshot, **fields)
            )
            self.snapshots.publish(self._snapshot, histograms=change["full"])
        with self._lock:
            if update.get("restart"):
                self._history.clear()
                self._unsaved = ""
            self._history.extend(update.get("rows", ()))
            self._status = update["status"]
            self._changed()

    def _changed(self) -> None:
        """Wakes whoever waits for a change (call with the lock held): `wait` and the live stream."""
        self._lock.notify_all()
        self.changes.notify()

    def _ended(self) -> None:
        recorder = self.on_end
        if recorder is None:
            return
        with self._lock:
            self._saving = True
        threading.Thread(target=self._save, args=(recorder,), name="playground-run-saver", daemon=True).start()

    def _save(self, recorder) -> None:
        try:
            recorder(self)
        except Exception as error:  # saving must never break training; the page shows the message
            log.exception("A finished run could not be saved")
            self._unsaved = f"The run could not be saved: {error}"
        finally:
            with self._lock:
                self._saving = False
                self._changed()

    def _fail(self, message: str, closed: bool = False) -> None:
        """The trainer failed, saying `message`; `closed`: and nothing is left of it to command."""
        with self._lock:
            self._status = dict(self._status, state=TrainerState.FAILED, message=message, idle=True)
            self._closed = self._closed or closed
            self._changed()

    def _worker_gone(self, message: str = WORKER_STOPPED) -> None:
        self._fail(message, closed=True)


def _close_in_worker(worker, trainer_id: int) -> None:
    """A trainer dropped without `close` (its page's session went away) is closed in its worker."""
    try:
        worker.send("close", trainer_id, answer=False)
    except (WorkerGone, OSError):
        pass
