"""Runs a sweep in the background: each run through the engine's `Trainer`, at most `workers` at
a time (bounded by the CPU count), each saved the moment it ends. Progress, an ETA and cancel.

Cancel stops the runs in progress and skips the rest; every run already finished stays saved.

Example:

    sweep = SweepRunner(store, owner="abc", runs=expand(base, grid), workers=2)
    sweep.start()
    sweep.progress()     # Progress(done=3, total=11, running=2, eta_seconds=4.1, state="running")
    sweep.cancel()
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from playground.runs.run_recorder import record_of

log = logging.getLogger(__name__)

# XLA compiles for about a second more than a plain graph but runs tiny steps several times
# faster: only worth it for long runs.
XLA_WORTH_IT_STEPS = 20_000


def total_steps(spec) -> int:
    from playground.datasets import load_dataset

    train_size = len(load_dataset(spec.dataset).x_train)
    return spec.training.epochs * -(-train_size // spec.training.batch_size)


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    running: int
    failed: int
    eta_seconds: float | None
    state: str  # "running", "finished" or "cancelled"
    elapsed: float

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


def worker_count(requested: int) -> int:
    return max(1, min(int(requested), os.cpu_count() or 1))


class SweepRunner:
    def __init__(self, store, owner: str, runs: list, workers: int = 2, name: str = ""):
        self.store, self.owner, self.runs = store, owner, list(runs)
        self.workers = worker_count(workers)
        self.id = uuid.uuid4().hex[:12]
        self.name = name
        self.saved_ids: list[str] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._active: set = set()
        self._durations: list[float] = []
        self._started = None
        self._finished_at = None
        self._executor: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._started = time.monotonic()
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="playground-sweep")
        futures = [self._executor.submit(self._run_one, parameters, spec) for parameters, spec in self.runs]

        def wait_all():
            for future in futures:
                future.exception()
            self._finished_at = time.monotonic()
            self._executor.shutdown(wait=False)

        self._thread = threading.Thread(target=wait_all, name="playground-sweep-wait", daemon=True)
        self._thread.start()

    def _run_one(self, parameters: dict, spec) -> None:
        from playground.engine.trainer import Trainer

        if self._cancel.is_set():
            return
        began = time.monotonic()
        trainer = None
        try:
            trainer = Trainer(spec, warm_up=False, jit=total_steps(spec) > XLA_WORTH_IT_STEPS, snapshots=False)
            with self._lock:
                self._active.add(trainer)
            if self._cancel.is_set():
                return
            state = trainer.run_to_end()
            if self._cancel.is_set() and state == "stopped":
                return  # cancelled mid-run: not a result
            record = record_of(trainer, self.owner, sweep_id=self.id, parameters=parameters)
            self.store.save(record)
            with self._lock:
                self.saved_ids.append(record.id)
                self._durations.append(time.monotonic() - began)
        except Exception as error:  # one bad run must not end the sweep
            log.exception("Sweep %s: the run %s failed", self.id, parameters)
            with self._lock:
                self.errors.append(f"{parameters}: {type(error).__name__}: {error}")
        finally:
            if trainer is not None:
                with self._lock:
                    self._active.discard(trainer)
                trainer.close()

    def cancel(self) -> None:
        self._cancel.set()
        with self._lock:
            active = list(self._active)
        for trainer in active:
            trainer.stop()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def progress(self) -> Progress:
        with self._lock:
            done, running, failed = len(self.saved_ids), len(self._active), len(self.errors)
            durations = list(self._durations)
        total = len(self.runs)
        finished = self._finished_at is not None
        state = "cancelled" if self._cancel.is_set() and finished else ("finished" if finished else "running")
        eta = None
        if durations and not finished:
            remaining = total - done - failed
            eta = sum(durations) / len(durations) * remaining / self.workers
        end = self._finished_at if finished else time.monotonic()
        return Progress(done, total, running, failed, eta, state, (end - self._started) if self._started else 0.0)
