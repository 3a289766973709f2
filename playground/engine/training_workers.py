"""The pool of training worker processes that the app's trainers run in.

A class of students each training a model would otherwise share the page server's one Python
interpreter: its pages, its live streams and every trainer. The pool starts one worker process
per core (`PLAYGROUND_TRAINING_WORKERS`, 0 to train in the page's process as the CLI does), a
little below the app's priority (`background.TRAINING_NICENESS`); each new page trainer goes to
the worker with the fewest trainers, and the page gets a `WorkerTrainer` that behaves like a
`Trainer`.

Work that nobody watches epoch by epoch goes to a background worker instead, started on first
use, at a lower priority: big networks (`is_big_network`: dozens of layers, or millions of
multiply-adds per sample) and sweeps. Compiling a big network takes tens of seconds of Python
tracing, and a sweep trains flat out; in a shared worker either would halve the speed of every
other trainer there (one interpreter runs one thread at a time). Apart, they hold up only each
other, and get the cores the class leaves.

Example:

    workers = training_workers()                 # the app's pool (None when set to 0)
    trainer = workers.trainer(spec)              # a WorkerTrainer in the least busy worker
    trainer.start(); trainer.wait(("finished",))
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import os
import queue
import socket
import subprocess
import sys
import threading
import weakref
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import playground
from playground.engine.background import BACKGROUND_NICENESS, TRAINING_NICENESS
from playground.engine.worker_trainer import WORKER_STOPPED, WorkerGone, WorkerTrainer
from playground.spec import ExperimentSpec
from playground.validation import check_spec

if TYPE_CHECKING:
    from playground.runs.run_store import RunStore, UnavailableStore
    from playground.runs.sweep_file import SweepPlan
    from playground.runs.worker_sweep import WorkerSweep

log = logging.getLogger(__name__)

ANSWER_SECONDS = 60.0  # a worker that does not answer a command within this long is taken as stuck
BIG_NETWORK_LAYERS = 8  # more hidden layers than this make a big network (the presets have at most 8)
BIG_NETWORK_WORK = 2_000_000  # and so do more multiply-adds per sample than this (LeNet-5: about 400,000)


class WorkerConnection:
    """The server's end of one worker process: sends commands, routes what comes back.

    Commands are written to the pipe by a thread of its own, in the order they were given, so
    giving one never blocks: a page's live stream asks for frames from the server's event loop,
    which must not wait for a busy worker to read its pipe.

    Args:
        log_level: the worker's log level (its lines go to the server's standard error).
        niceness: the worker's scheduling niceness (0: as the server; higher yields to others).
        compile_default: compile the default experiment's program at start (a worker of the pages).
    """

    def __init__(self, log_level: str = "INFO", niceness: int = 0, compile_default: bool = True):
        # A fresh interpreter (TensorFlow does not survive a fork) that imports only the worker's
        # module, whatever the server's main module is, joined by a private socket pair.
        ours, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "playground.engine.worker_process",
                    str(theirs.fileno()),
                    log_level,
                    str(niceness),
                    "1" if compile_default else "0",
                ],
                pass_fds=[theirs.fileno()],
                env={**os.environ, "PYTHONPATH": _import_path()},
            )
        self._socket = ours
        self.connection = Connection(os.dup(ours.fileno()))
        self.trainers: weakref.WeakValueDictionary[int, WorkerTrainer] = weakref.WeakValueDictionary()
        self.sweeps: dict = {}  # number -> runs.worker_sweep.WorkerSweep, while it runs
        self._outgoing: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self._answers: dict[int, list] = {}
        self._answered = threading.Condition()
        self._sequence = itertools.count(1)
        self.alive = True
        threading.Thread(target=self._receive, name="playground-worker-receiver", daemon=True).start()
        threading.Thread(target=self._send_all, name="playground-worker-sender", daemon=True).start()

    def send(self, name: str, trainer_id: int, argument: tuple = (), answer: bool = True) -> Any:
        """Sends a command; with `answer`, waits for the worker's answer and returns it (raising
        what the worker raised)."""
        with self._answered:
            if not self.alive:
                raise WorkerGone(WORKER_STOPPED)
            sequence = next(self._sequence)
            if answer:
                self._answers[sequence] = []
        self._outgoing.put((name, trainer_id, sequence, argument))
        if not answer:
            return None
        with self._answered:
            if not self._answered.wait_for(lambda: self._answers[sequence] or not self.alive, ANSWER_SECONDS):
                raise WorkerGone(f"The training worker did not answer {name!r} within {ANSWER_SECONDS:.0f} s.")
            box = self._answers.pop(sequence)
        if not box:
            raise WorkerGone(WORKER_STOPPED)
        if isinstance(box[0], Exception):
            raise box[0]
        return box[0]

    def _send_all(self) -> None:
        """Writes the commands to the pipe, in order, until the connection closes (a worker that
        exited is noticed by the receiving thread, which fails the commands still waiting)."""
        while (message := self._outgoing.get()) is not None:
            try:
                self.connection.send(message)
            except OSError:
                return

    def _receive(self) -> None:
        while True:
            try:
                message = self.connection.recv()
            except (EOFError, OSError):
                self.connection.close()
                break
            kind, trainer_id = message[0], message[1]
            if kind == "answer":
                with self._answered:
                    if message[2] in self._answers:
                        self._answers[message[2]].append(message[3])
                    self._answered.notify_all()
                continue
            if kind in ("sweep_run", "sweep_progress"):
                sweep = self.sweeps.get(trainer_id)
                if sweep is not None:
                    sweep._receive(kind, message[2])
                continue
            trainer = self.trainers.get(trainer_id)
            if trainer is None:
                continue
            if kind == "update":
                trainer._apply_update(message[2])
            elif kind == "ended":
                trainer._ended()
        with self._answered:
            self.alive = False
            self._answered.notify_all()
        if self.process.poll() not in (None, 0):
            log.error("A training worker exited with code %s; its trainers are stopped", self.process.returncode)
        for trainer in list(self.trainers.values()):
            trainer._worker_gone()
        for sweep in list(self.sweeps.values()):
            sweep._worker_gone()

    def close(self) -> None:
        """Closes the pipe, which ends the worker (its trainers stop), and waits for it. The socket
        is shut down first: closing alone would wait for the receiving thread's read to return."""
        self._outgoing.put(None)
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()  # the receiving thread closes the connection when its read ends
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


class TrainingWorkers:
    """Worker processes, started at once, and the trainers placed in them.

    Args:
        count: worker processes (at least 1).
    """

    def __init__(self, count: int, log_level: str | None = None):
        self.count = max(1, int(count))
        self.log_level = log_level or os.environ.get("PLAYGROUND_LOG_LEVEL", "INFO").upper()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.workers = [WorkerConnection(self.log_level, TRAINING_NICENESS) for _ in range(self.count)]
        self.background: WorkerConnection | None = None  # started for the first big network or sweep

    def trainer(self, spec: ExperimentSpec, warm_up: bool = True) -> WorkerTrainer:
        """A new trainer for `spec` in the worker with the fewest live trainers (a worker that
        stopped is replaced first), or in the background worker for a big network. Raises
        `InvalidSpec` as `Trainer` does."""
        big = is_big_network(spec)
        with self._lock:
            for index, worker in enumerate(self.workers):
                if not worker.alive:
                    self.workers[index] = WorkerConnection(self.log_level)
            if big:
                worker = self._background_worker()
            else:
                worker = min(self.workers, key=lambda w: sum(not t.closed for t in w.trainers.values()))
            trainer_id = next(self._ids)
        return WorkerTrainer(worker, trainer_id, spec, warm_up)

    def sweep(
        self, store: RunStore | UnavailableStore, owner: str, plan: SweepPlan, workers: int, sweep_id: str
    ) -> WorkerSweep:
        """A sweep of `plan` (a `SweepPlan`) in the background worker, its runs saved to `store`
        here (a `runs.worker_sweep.WorkerSweep`; call `start`)."""
        from playground.runs.worker_sweep import WorkerSweep

        with self._lock:
            worker = self._background_worker()
            number = next(self._ids)
        return WorkerSweep(worker, number, store, owner, plan, workers, sweep_id)

    def _background_worker(self) -> WorkerConnection:
        """The background worker (under `_lock`), started anew if it is not running."""
        if self.background is None or not self.background.alive:
            self.background = WorkerConnection(self.log_level, BACKGROUND_NICENESS, compile_default=False)
        return self.background

    def close(self) -> None:
        for worker in self.workers:
            worker.close()
        if self.background is not None:
            self.background.close()


def is_big_network(spec: ExperimentSpec) -> bool:
    """Whether `spec`'s network has more than `BIG_NETWORK_LAYERS` hidden layers (tracing its
    program takes a while per layer) or more than `BIG_NETWORK_WORK` multiply-adds per sample (a
    layer's parameters times the positions it is applied at: one for Dense, each pixel for Conv2D).
    A spec with problems is not (it goes nowhere: making its trainer raises `InvalidSpec`)."""
    check = check_spec(spec)
    if check.problems:
        return False
    work = sum(row.parameters * math.prod(row.output_shape[:-1]) for row in check.rows if row.output_shape)
    return len(spec.network.layers) > BIG_NETWORK_LAYERS or work > BIG_NETWORK_WORK


def _import_path() -> str:
    """PYTHONPATH for a worker: the folder holding this `playground` package first."""
    here = str(Path(playground.__file__).resolve().parents[1])
    return os.pathsep.join([here] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])


_POOL: TrainingWorkers | None = None
_POOL_LOCK = threading.Lock()


def worker_count() -> int:
    """`PLAYGROUND_TRAINING_WORKERS`, or one per core; 0 trains in the page's own process."""
    setting = os.environ.get("PLAYGROUND_TRAINING_WORKERS", "").strip()
    if not setting:
        return os.cpu_count() or 1
    try:
        return max(0, int(setting))
    except ValueError:
        raise ValueError(
            f"PLAYGROUND_TRAINING_WORKERS must be a whole number (0 trains in the page's process), not {setting!r}"
        ) from None


def training_workers() -> TrainingWorkers | None:
    """The app's pool, started on the first call (None when `PLAYGROUND_TRAINING_WORKERS=0`)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None and worker_count() > 0:
            _POOL = TrainingWorkers(worker_count())
        return _POOL
