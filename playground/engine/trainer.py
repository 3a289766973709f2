"""The per-user training engine: one Keras model, its data and a worker thread.

The page (or the CLI) sends commands; the worker trains in compiled chunks of about 0.1 s, so
pause and stop take effect quickly and the page is never blocked. Each finished epoch adds a
row to the history. Snapshots for the live views are published a few times per second when
training as fast as possible; at a set pace (the page's default "watch" speed) the worker trains
one display frame's worth of steps per chunk and, when a page waits for a frame, publishes a
frame snapshot after the chunk (the decision boundary and neuron maps anew, the heavier views
twice a second).

States: "ready" → "running" ⇄ "paused" → "finished" | "stopped" | "diverged"; "failed" if the
worker meets an unexpected error (its message says which).

Example:

    trainer = Trainer(ExperimentSpec())
    trainer.run_to_end()           # headless: trains on the worker thread, waits until the run ends
    trainer.history[-1]["test_accuracy"]
    trainer.close()
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection

import numpy as np
import numpy.typing as npt

from playground.datasets.dataset import Task
from playground.engine.change_signal import ChangeSignal
from playground.engine.envelope_loop import live_loop
from playground.engine.history_readings import HistoryReadings
from playground.engine.live_population import LivePopulations
from playground.engine.live_settings import LiveSettings
from playground.engine.live_trainer import LiveTrainer
from playground.engine.snapshot_maker import SnapshotMaker
from playground.engine.snapshots import SnapshotBuffer
from playground.engine.trainer_state import END_STATES, RESTING_STATES, SETTLED_STATES, TrainerState
from playground.engine.training_loop import TrainingLoop
from playground.learning_rates import divergence_message
from playground.model_builder import build_model
from playground.model_files import model_bytes
from playground.spec import ExperimentSpec
from playground.training_data import training_data
from playground.validation import validate

log = logging.getLogger(__name__)

CHUNK_SECONDS = 0.1
CLOSE_WAIT_SECONDS = 5.0  # how long `close` waits for a chunk to end (then the worker thread frees the model later)
FRAME_SECONDS = 1 / 40  # at a set pace, a chunk is one frame long: one epoch at the watch speed
MIN_SNAPSHOT_INTERVAL = 0.15
# At a set pace the frames redraw the plane views every epoch, so the full snapshot (histograms,
# class probabilities, gradient norms: several milliseconds of CPU each) comes less often: a class
# of trainers in one server would otherwise spend most of its CPU on them.
PACED_SNAPSHOT_INTERVAL = 0.5
# On 2-D data the frames carry everything the page's first screen draws, so while nothing shows what
# only full snapshots carry (`want_details`), they come less often still: a detail redraw every 5 s
# finds one at most this old.
QUIET_SNAPSHOT_INTERVAL = 2.5
WATCH_EPOCHS_PER_SECOND = 40  # the page's default pace: learning unfolds epoch by epoch, as in TF Playground
SNAPSHOT_SHARE = 0.08  # snapshots may take at most this share of the time


class InvalidSpec(ValueError):
    """The spec has problems; `problems` holds them (see `playground.validation`)."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))


class Trainer(HistoryReadings):
    """Trains one experiment, live.

    Args:
        spec: the experiment; it is validated first (`InvalidSpec` lists the problems).
        warm_up: compile the training program in the background right away, so the first
            press of Train starts at once.
        jit: compile the loop with XLA (fast per step, slow to compile: short headless runs
            are quicker without it).
        snapshots: publish live views; headless runs (sweeps, the CLI) need only the history.
        envelope: train on the envelope's program when the network fits and that program is
            compiled, and the network's own is not (`envelope_loop.live_loop`): a live trainer's
            edited network then trains at once.
        population: at a set pace, train each epoch together with the other trainers of this
            process that share its program (`live_population`): one compiled call for all.
    """

    def __init__(
        self,
        spec: ExperimentSpec,
        warm_up: bool = True,
        jit: bool = True,
        snapshots: bool = True,
        envelope: bool = False,
        population: LivePopulations | None = None,
    ):
        problems = validate(spec)
        if problems:
            raise InvalidSpec(problems)
        self.spec = spec
        self.data = training_data(spec)
        self.model = build_model(spec, self.data)
        if envelope and jit:
            self.loop = live_loop(self.model, self.data, spec)
        else:
            self.loop = TrainingLoop(self.model, self.data, spec.training, jit=jit)
        self.population = population
        self._snapshots_on = snapshots
        self.snapshot_maker = SnapshotMaker(self.model, self.data, spec.network.features, self.loop)
        self.snapshots = SnapshotBuffer()
        self.live = LiveSettings.of(spec)
        self._initial = [v.numpy() for v in self.loop.state]
        self._lock = threading.Condition()
        self._history: list[dict] = []
        self._state = TrainerState.READY
        self._epoch = self._batch = 0
        self._pending_steps = 0
        self._busy = False
        self._pausing = False  # a pause asked for while a chunk trains: it takes effect when the chunk ends
        self._message = ""
        self._elapsed = 0.0
        self._closed = False
        self._worker_done = False  # the worker thread has returned: the model is no longer used
        self._freed = False
        self.changes = ChangeSignal()  # what the live stream waits on
        self._seconds_per_step: float | None = None
        self._snapshot_cost = 0.0
        self._last_snapshot = 0.0
        # The (epoch, batch) whose weights the model and the newest full snapshot hold at rest (None: none yet).
        self._rested_at: tuple[int, int] | None = (0, 0)
        self._next_chunk_at = 0.0
        self._frame_wanted = False
        self._details_wanted = True  # whether the page shows what only full snapshots carry (`want_details`)
        self._ready = threading.Event()
        # Called once (from whichever thread ends it) when a run finishes, is stopped or diverges.
        self.on_end: Callable[[LiveTrainer], None] | None = None  # called when a run ends (the run recorder)
        self.started_at: float | None = None
        self._reported = False
        self._thread = threading.Thread(target=self._work, name="playground-trainer", daemon=True)
        self._warm_up = warm_up
        self._thread.start()

    # Reading state (cheap, never blocks for long).
    @property
    def state(self) -> str:
        return self._state

    @property
    def message(self) -> str:
        return self._message

    @property
    def position(self) -> tuple[int, int]:
        return self._epoch, self._batch

    @property
    def elapsed(self) -> float:
        return self._elapsed

    @property
    def batches_per_epoch(self) -> int:
        return self.loop.batches_per_epoch

    def predict(self, inputs: npt.ArrayLike) -> np.ndarray:
        """The model's outputs for model-ready inputs (a drawn digit, say), with the current weights."""
        self.loop.sync()
        return np.asarray(self.model(np.asarray(inputs, "float32"), training=False))

    def model_bytes(self) -> bytes:
        """The trained model as the bytes of a `.keras` file (to store with a run or download)."""
        self.loop.sync()
        return model_bytes(self.model)

    # Commands.
    def start(self) -> None:
        with self._lock:
            self._pausing = False  # a Resume right after a Pause: it keeps running
            if self._state in END_STATES:
                self._reset_locked()
            if self._state == TrainerState.FAILED:
                return
            if self._state in (TrainerState.READY, TrainerState.PAUSED):
                self._state = TrainerState.RUNNING
                self.started_at = self.started_at or time.time()
                self._changed()

    resume = start

    def pause(self) -> None:
        """Pauses; a chunk in flight finishes first, and only then does the state say "paused" (so a
        page that shows "paused" shows the last epoch, which moves no more)."""
        with self._lock:
            if self._state != TrainerState.RUNNING:
                return
            if self._busy:
                self._pausing = True
            else:
                self._state = TrainerState.PAUSED
                self._changed()

    def stop(self) -> None:
        with self._lock:
            if self._state in (TrainerState.RUNNING, TrainerState.PAUSED, TrainerState.READY):
                self._state = TrainerState.STOPPED
                self._pending_steps = 0
                self._changed()
        self._report_end()  # if the worker is mid-chunk, it reports when the chunk is done

    def step_batch(self) -> None:
        self._request_steps(1)

    def step_epoch(self) -> None:
        self._request_steps(self.loop.batches_per_epoch - self._batch)

    def _request_steps(self, steps: int) -> None:
        with self._lock:
            if self._state in END_STATES:
                return
            if self._state != TrainerState.RUNNING:
                self._state = TrainerState.PAUSED
                self.started_at = self.started_at or time.time()
                self._pending_steps += max(steps, 1)
                self._changed()

    def reset(self) -> None:
        """Back to the initial weights (the same seed gives the same start) and an empty history."""
        with self._lock:
            self._state = TrainerState.RESETTING
            self._changed()
            while self._state == TrainerState.RESETTING and not self._closed:
                self._lock.wait(0.05)

    def _reset_locked(self) -> None:
        self.loop.restore(self._initial)
        self._history.clear()
        self._epoch = self._batch = 0
        self._pending_steps = 0
        self._elapsed = 0.0
        self._message = ""
        self.snapshots.clear()
        self._rested_at = None  # the page shows the initial weights again
        self._state = TrainerState.READY
        self.started_at = None
        self._reported = False

    def want_frame(self) -> None:
        """A page has drawn its last frame and waits for the next (the live stream says so): the
        next chunk publishes a frame snapshot. With no page asking, none are made."""
        self._frame_wanted = True

    def want_details(self, wanted: bool) -> None:
        """Whether the page shows what only full snapshots carry: its detail views on screen, as
        they are until its stream says otherwise. At a set pace on 2-D data, full snapshots come
        every `PACED_SNAPSHOT_INTERVAL` while it does, else every `QUIET_SNAPSHOT_INTERVAL` (the
        frames keep the first screen live, and a class board's tile too)."""
        self._details_wanted = wanted

    def set_learning_rate(self, rate: float) -> None:
        """Takes effect from the next chunk of steps; the schedule still applies on top of it."""
        self.live = self.live.replace(learning_rate=float(rate))

    def set_speed(self, epochs_per_second: float | None) -> None:
        """None trains as fast as possible; a number caps the pace, for watching slowly."""
        self.live = self.live.replace(epochs_per_second=epochs_per_second)

    def set_epochs(self, epochs: int) -> None:
        with self._lock:
            self.live = self.live.replace(epochs=int(epochs))
            if self._state == TrainerState.FINISHED and self._epoch < self.epochs:
                self._state = TrainerState.PAUSED
                self._reported = False  # the run goes on; its new end is saved again
                self._changed()

    @property
    def idle(self) -> bool:
        """No steps running or due (the state alone may say "paused" while steps are still to run)."""
        return self._pending_steps == 0 and not self._busy

    @property
    def is_ready(self) -> bool:
        """True once the training program is compiled (in the background, right after building)."""
        return self._ready.is_set()

    def wait_until_ready(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def wait(self, states: Collection[str] = RESTING_STATES, timeout: float = 60.0) -> str:
        """Blocks until the trainer is in one of `states` and idle (for tests and the CLI)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not (self._state in states and self.idle):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(min(left, 0.05))
            return self._state

    def wait_for_first_epoch(self, timeout: float = 0.5) -> bool:
        """While running, waits (briefly) until the history has a row: a page drawn right after
        Train then already shows the first point of the loss curve."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self._history and self._state == TrainerState.RUNNING and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(min(left, 0.02))
            return bool(self._history)

    @property
    def closed(self) -> bool:
        return self._closed

    def abandon(self) -> None:
        """The user went away (their page's connection closed): stop and free everything, saving
        nothing that had not finished already (a finished run was saved when it finished)."""
        with self._lock:
            self.on_end = None
        self.close()

    def close(self) -> None:
        """Stops the worker and lets the model be freed. Safe to call twice, and from any thread.

        The worker thread frees the model itself when it returns, after the chunk it may be
        training: however long that chunk takes, nothing is taken from under it. `close` waits
        for that at most `CLOSE_WAIT_SECONDS`, so the memory is usually freed when it returns."""
        with self._lock:
            self._closed = True
            self._changed()
            free_now = self._worker_done
        if free_now:
            self._free()
        elif threading.current_thread() is not self._thread:
            self._thread.join(timeout=CLOSE_WAIT_SECONDS)

    def _free(self) -> None:
        """Lets the model and its programs go (once the trainer is closed and its worker returned)."""
        with self._lock:
            if self._freed:
                return
            self._freed = True
        self.model = self.loop = self.snapshot_maker = None  # type: ignore[assignment]  # a closed trainer reads none of them
        self.snapshots.clear()

    def run_to_end(self, timeout: float = 3600.0) -> str:
        """Starts training (on the trainer's worker thread, as the page's Train does) and blocks the
        calling thread until the run settles or `timeout` seconds pass; returns the state then. The
        headless path used by the CLI."""
        self.start()
        return self.wait(SETTLED_STATES, timeout)

    def _changed(self) -> None:
        """Wakes whoever waits for the trainer to change: its own threads (call with the lock
        held) and the live stream's connections."""
        self._lock.notify_all()
        self.changes.notify()

    # The worker.
    def _work(self) -> None:
        try:
            self._work_loop()
        except Exception as error:  # never die silently: the page shows what happened, the log has the traceback
            log.exception("Training %r failed", self.spec.title or self.spec.dataset.name)
            with self._lock:
                self._state = TrainerState.FAILED
                self._message = (
                    f"Training failed: {type(error).__name__}: {error}. Reset the experiment or change the network."
                )
                self._busy = False
                self._pending_steps = 0
                self._changed()
            self._ready.set()
        finally:
            with self._lock:
                self._worker_done = True
                free_now = self._closed
                self._changed()
            if free_now:
                self._free()

    def _work_loop(self) -> None:
        if self._warm_up:
            self.loop.run(0, 0, 0, [self.learning_rate(0)])
            self._maybe_snapshot(force=True)  # compiles the snapshot functions; the page shows epoch 0
            self._snapshot_cost = 0.0
        self._ready.set()
        with self._lock:
            self._changed()
        while True:
            with self._lock:
                if self._pause_asked():  # asked for after the last chunk's end
                    self._changed()
                moving = self._state in (TrainerState.RUNNING, TrainerState.RESETTING) or self._pending_steps
                resting = not self._closed and not moving
            if resting:
                self._come_to_rest()  # paused (or stopped) while the pace waited between two chunks
            with self._lock:
                while (
                    not self._closed
                    and self._state not in (TrainerState.RUNNING, TrainerState.RESETTING)
                    and self._pending_steps == 0
                ):
                    self._lock.wait()
                if self._closed:
                    return
                if self._state == TrainerState.RESETTING:
                    self._reset_locked()
                    self._changed()
                    continue
                stepping = self._state != TrainerState.RUNNING
                steps = self._pending_steps if stepping else self._chunk_steps()
                self._pending_steps = 0
                self._busy = True
            if steps > 0:
                self._train(steps)
            with self._lock:
                self._pause_asked()
                if self._state in (TrainerState.RUNNING, TrainerState.PAUSED) and self._epoch >= self.epochs:
                    self._state = TrainerState.FINISHED
                idle = self._state != TrainerState.RUNNING
            # Saved first, then the last snapshot: the page may show "finished" as soon as the state
            # says so, and a user who then opens the Runs page must find the run there.
            self._report_end(from_worker=True)  # before going idle, so whoever waits for the end sees it saved
            if idle:
                self._come_to_rest()
            else:
                self._maybe_snapshot(force=stepping)
            self._go_idle()
            if not stepping:
                self._pace()

    def _come_to_rest(self) -> None:
        """What training leaves behind when it rests, whether it came to rest at a chunk's end or
        between two chunks (a pause or stop while the pace waited): the Keras model holds the
        weights, and the newest full snapshot is of the epoch it rests at, not the frames' last
        (which keep an older full snapshot's maps and histograms)."""
        position = (self._epoch, self._batch)
        if position == self._rested_at:
            return
        self.loop.sync()
        self._maybe_snapshot(force=True)
        self._rested_at = position
        with self._lock:
            self._changed()

    def _pause_asked(self) -> bool:
        """Carries out a pause asked for while a chunk trained (call with the lock held); True if it paused."""
        pausing, self._pausing = self._pausing, False
        if pausing and self._state == TrainerState.RUNNING:
            self._state = TrainerState.PAUSED
            return True
        return False

    def _go_idle(self) -> None:
        """Clears `busy`, unless a stop came in since the report above: `stop()` left that run to
        this thread, which saves it first. Checked and cleared under one lock, so no stop is missed."""
        while True:
            with self._lock:
                if not self._report_due():
                    self._busy = False
                    self._changed()
                    return
            self._report_end(from_worker=True)

    def _chunk_steps(self) -> int:
        per_epoch = self.loop.batches_per_epoch
        remaining = (self.epochs - self._epoch) * per_epoch - self._batch
        if self.epochs_per_second:
            target = max(1, int(round(self.epochs_per_second * per_epoch * FRAME_SECONDS)))
        elif self._seconds_per_step is None:
            target = per_epoch
        else:
            target = max(1, int(CHUNK_SECONDS / self._seconds_per_step))
        return int(max(0, min(target, remaining, self.loop.epochs_per_call * per_epoch)))

    def _train(self, steps: int) -> None:
        if self.epochs_per_second:  # the pace: this chunk's steps are due this long after the last chunk's
            now = time.monotonic()
            interval = steps / (self.epochs_per_second * self.loop.batches_per_epoch)
            due = max(self._next_chunk_at, now - CHUNK_SECONDS) + interval
            if self.population is not None:  # on the clock's grid of the interval: the process's trainers
                due = round(due / interval) * interval  # at one pace ask at the same moments, and step together
            self._next_chunk_at = due
        start = time.perf_counter()
        epoch, batch = self._epoch, self._batch
        reached = min(self.loop.epochs_per_call, (batch + steps) // self.loop.batches_per_epoch) + 1
        rates = [self.learning_rate(epoch + i) for i in range(reached + 1)]  # the epochs this chunk reaches
        result = None
        if self.population is not None and self.epochs_per_second:  # at a pace: with the others of the tick
            result = self.population.run(self.loop, epoch, batch, steps, rates)
        if result is None:
            result = self.loop.run(epoch, batch, steps, rates)
        seconds = time.perf_counter() - start
        if result.steps_done:
            per_step = seconds / result.steps_done
            self._seconds_per_step = (
                per_step if self._seconds_per_step is None else 0.7 * self._seconds_per_step + 0.3 * per_step
            )
        rows = []
        for i in range(result.epochs_done):
            train_loss, test_loss, train_accuracy, test_accuracy = (float(v) for v in result.metrics[i])
            regression = self.data.dataset.task == Task.REGRESSION
            rows.append(
                {
                    "epoch": epoch + i + 1,
                    "train_loss": train_loss,
                    "test_loss": test_loss,
                    "train_accuracy": None if regression else train_accuracy,
                    "test_accuracy": None if regression else test_accuracy,
                    "learning_rate": rates[i],
                }
            )
        with self._lock:
            self._history.extend(rows)
            self._epoch, self._batch = result.epoch, result.batch
            self._elapsed += seconds
            if result.diverged_at is not None:
                self._state = TrainerState.DIVERGED
                self._message = divergence_message(
                    self.learning_rate(result.diverged_at[0]), *result.diverged_at, base_rate=self.base_learning_rate
                )

    def _report_due(self) -> bool:
        """Whether the run has ended and is still to be reported (call with the lock held). A run
        stopped before it ever trained has nothing to keep."""
        ended = self._state in END_STATES
        return (
            ended
            and not self._reported
            and self.on_end is not None
            and bool(self._history or self.started_at is not None)
        )

    def _report_end(self, from_worker: bool = False) -> None:
        with self._lock:
            if not self._report_due() or (self._busy and not from_worker):
                return  # while the worker is busy, it reports (see `_go_idle`)
            self._reported = True
        on_end = self.on_end
        if on_end is None:
            return
        try:
            on_end(self)
        except Exception as error:  # saving must never break training; the page shows the message
            log.exception("A finished run could not be saved")
            with self._lock:
                self._message = (self._message + " " if self._message else "") + f"The run could not be saved: {error}"

    def _maybe_snapshot(self, force: bool = False) -> None:
        """Publishes a full snapshot at a bounded rate; in between, at a set pace, a frame snapshot
        (the plane views anew, the rest kept) after a chunk when a page waits for a frame."""
        if not self._snapshots_on:  # headless runs (sweeps) need only the history
            return
        now = time.monotonic()
        shortest = MIN_SNAPSHOT_INTERVAL
        if self.epochs_per_second:
            quiet = not self._details_wanted and self.snapshot_maker.draws_the_first_screen
            shortest = QUIET_SNAPSHOT_INTERVAL if quiet else PACED_SNAPSHOT_INTERVAL
        interval = max(shortest, self._snapshot_cost / SNAPSHOT_SHARE)
        if force or now - self._last_snapshot >= interval:
            with self._lock:  # a full snapshot takes a while: the epochs just trained show first
                self._changed()
            start = time.perf_counter()
            snapshot = self.snapshot_maker.make(self._epoch, self._batch)
            self._snapshot_cost = 0.5 * self._snapshot_cost + 0.5 * (time.perf_counter() - start)
            self._last_snapshot = time.monotonic()
            self.snapshots.publish(snapshot)
            return
        _, last = self.snapshots.latest()
        if self.epochs_per_second and self._frame_wanted and last is not None:
            self._frame_wanted = False
            frame = self.snapshot_maker.make_frame(self._epoch, self._batch, last)
            if frame is not None:
                self.snapshots.publish(frame, histograms=False)

    def _pace(self) -> None:
        """With a speed limit, sleeps until the next chunk is due (waking at once for commands)."""
        if not self.epochs_per_second or self._state != TrainerState.RUNNING:
            return
        with self._lock:
            while self._state == TrainerState.RUNNING and not self._closed:
                left = self._next_chunk_at - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
