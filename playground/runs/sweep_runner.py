"""Runs a sweep in the background, each run saved the moment it ends. Progress, an ETA and cancel.

Runs that can share a compiled program train together as one `Population`: runs that differ only
in learning rate, seed, regularization rate or schedule (equal `population_key`), and
playground-scale networks of any widths, depths and activations (`population_groups`). A run
with no partner, or a convolutional one, trains alone through the engine's `Trainer`. At most
`workers` groups train at a time (bounded by the CPU count).

Cancel stops the runs in progress and skips the rest; every run already finished stays saved.

Example:

    sweep = SweepRunner(store, owner="abc", runs=expand(base, grid), workers=2)
    sweep.start()
    sweep.progress()     # Progress(done=3, total=11, running=8, fraction=0.6, eta_seconds=0.4, state="running", ...)
    sweep.cancel()
"""

from __future__ import annotations

import collections
import contextlib
import functools
import logging
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from playground.engine.population import Population, envelope_population_key, population_key
from playground.engine.trainer_state import TrainerState
from playground.runs.run_record import RunRecord
from playground.runs.run_recorder import record_of

if TYPE_CHECKING:
    from playground.spec import ExperimentSpec

log = logging.getLogger(__name__)

# XLA compiles for about a second more than a plain graph but runs tiny steps several times
# faster: only worth it for long runs.
XLA_WORTH_IT_STEPS = 20_000


def total_steps(spec: ExperimentSpec) -> int:
    from playground.datasets import load_dataset

    train_size = len(load_dataset(spec.dataset).x_train)
    return spec.training.epochs * -(-train_size // spec.training.batch_size)


def population_groups(runs: list) -> list[list]:
    """The sweep's (parameters, spec) pairs in groups that train together, in the order their
    first run was listed.

    Runs of one architecture (equal `population_key`) form a group on their own program, the
    quickest to compile and to run. Where at least `MIN_ENVELOPE_NETWORKS` such groups hold
    playground-scale networks that the envelope's program trains (equal `envelope_population_key`:
    a sweep over widths, depths or activations), they merge into one group on it: one compile
    instead of one per network, though each epoch costs more (bench/sweep.py). A spec without
    either key is a group of its own.
    """
    groups: dict = {}
    for index, (parameters, spec) in enumerate(runs):
        key = population_key(spec)
        groups.setdefault(key if key is not None else ("alone", index), []).append((parameters, spec))
    envelopes = {
        key: envelope_population_key(group[0][1]) if isinstance(key, str) else None for key, group in groups.items()
    }
    networks = collections.Counter(envelope for envelope in envelopes.values() if envelope is not None)
    merged: dict = {}  # by envelope key: the group its networks train in, listed where its first run was
    ordered = []
    for key, group in groups.items():
        envelope = envelopes[key]
        if envelope is None or networks[envelope] < MIN_ENVELOPE_NETWORKS:
            ordered.append(group)
        elif envelope in merged:
            merged[envelope].extend(group)
        else:
            merged[envelope] = list(group)
            ordered.append(merged[envelope])
    return ordered


MIN_ENVELOPE_NETWORKS = 8  # fewer networks compile their own programs sooner than the envelope's (on 2 workers)

SweepState = Literal["waiting", "running", "finished", "cancelled", "failed"]  # waiting: in the server's line


@dataclass(frozen=True)
class Progress:
    done: int  # runs saved
    total: int
    running: int  # runs training now
    failed: int
    fraction: float  # of the sweep's epochs trained (saved runs count in full)
    eta_seconds: float | None
    state: SweepState
    elapsed: float


def new_sweep_id() -> str:
    return uuid.uuid4().hex[:12]


def worker_count(requested: int) -> int:
    return max(1, min(int(requested), os.cpu_count() or 1))


class SweepRunner:
    """Args:
    store: the `RunStore` every finished run is saved to.
    owner: whose runs they are.
    runs: (parameters, spec) pairs, as `sweep_grid.expand` makes them.
    workers: groups trained at once (at most the CPU count).
    name: shown with the progress.
    together: train runs that can share a program as populations; False trains every run
        alone (the reference `bench/sweep.py` compares against).
    sweep_id: the id its runs are saved under (default: a new one).
    """

    def __init__(
        self,
        store,
        owner: str,
        runs: list,
        workers: int = 2,
        name: str = "",
        together: bool = True,
        sweep_id: str | None = None,
    ):
        self.store, self.owner, self.runs = store, owner, list(runs)
        self.together = together
        self.total = len(self.runs)
        self.workers = worker_count(workers)
        self.id = sweep_id or new_sweep_id()
        self.name = name
        self.saved_ids: list[str] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._active: dict = {}  # the Trainers and Populations training now: how many runs each holds
        self._started: float | None = None
        self._finished_at: float | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._started = time.monotonic()
        executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="playground-sweep")
        self._executor = executor
        futures = [executor.submit(task) for task in self._tasks()]

        def wait_all() -> None:
            for future in futures:
                future.exception()
            self._finished_at = time.monotonic()
            executor.shutdown(wait=False)

        self._thread = threading.Thread(target=wait_all, name="playground-sweep-wait", daemon=True)
        self._thread.start()

    def _tasks(self) -> list:
        """What the workers do: train each group."""
        groups = population_groups(self.runs) if self.together else [[run] for run in self.runs]
        return [functools.partial(self._run_group, group) for group in groups]

    def _run_group(self, group: list) -> None:
        if self._cancel.is_set():
            return
        if len(group) == 1:
            self._run_alone(*group[0])
            return
        try:
            self._run_population(group)
        except Exception as error:  # one bad group must not end the sweep
            log.exception("Sweep %s: a group of %d runs failed", self.id, len(group))
            with self._lock:
                self.errors.extend(f"{parameters}: {type(error).__name__}: {error}" for parameters, _ in group)

    def _run_population(self, group: list) -> None:
        started_at = time.time()
        population = Population([spec for _, spec in group])
        with self._training(population, population.size):
            results = population.train(should_stop=self._cancel.is_set)  # a cancel before `_training` listed it
        for (parameters, _), result in zip(group, results):
            if result.state != TrainerState.STOPPED:  # a stopped one was cancelled mid-run: not a result
                self._save_member(population, result, parameters, started_at)

    def _save_member(
        self, population: Population, result, parameters: dict, started_at: float, state: str | None = None
    ) -> None:
        """Saves one member's run; its duration is its share of the population's training time."""
        self._save(
            RunRecord.new(
                owner=self.owner,
                spec=result.spec,
                history=result.history,
                state=state or result.state,
                started_at=started_at,
                duration=population.elapsed / population.size,
                message=result.message,
                sweep_id=self.id,
                parameters=parameters,
                source="sweep",
            )
        )

    def _save(self, record: RunRecord) -> None:
        self.store.save(record)
        with self._lock:
            self.saved_ids.append(record.id)

    @contextlib.contextmanager
    def _training(self, item, runs: int):
        """Counts `item` (a Trainer or a Population holding `runs` runs) as training while inside."""
        with self._lock:
            self._active[item] = runs
        try:
            yield item
        finally:
            with self._lock:
                self._active.pop(item, None)

    def _run_alone(self, parameters: dict, spec) -> RunRecord | None:
        """Trains one run with its own `Trainer`; the saved record, or None (cancelled or failed)."""
        from playground.engine.trainer import Trainer

        trainer = None
        try:
            trainer = Trainer(spec, warm_up=False, jit=total_steps(spec) > XLA_WORTH_IT_STEPS, snapshots=False)
            with self._training(trainer, 1):
                if self._cancel.is_set():
                    return None
                state = trainer.run_to_end()
            if self._cancel.is_set() and state == TrainerState.STOPPED:
                return None  # cancelled mid-run: not a result
            record = record_of(trainer, self.owner, sweep_id=self.id, parameters=parameters, source="sweep")
            self._save(record)
            return record
        except Exception as error:  # one bad run must not end the sweep
            log.exception("Sweep %s: the run %s failed", self.id, parameters)
            with self._lock:
                self.errors.append(f"{parameters}: {type(error).__name__}: {error}")
            return None
        finally:
            if trainer is not None:
                trainer.close()

    def cancel(self) -> None:
        self._cancel.set()
        with self._lock:
            active = list(self._active)
        for trainer in active:  # a Trainer stops within its chunk, a Population at its next call
            trainer.stop()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def progress(self) -> Progress:
        with self._lock:
            done, failed = len(self.saved_ids), len(self.errors)
            active = dict(self._active)
        running = sum(active.values())
        in_progress = sum(runs * min(1.0, item.position[0] / max(1, item.epochs)) for item, runs in active.items())
        total = self.total
        fraction = min(1.0, (done + failed + in_progress) / total) if total else 1.0
        finished = self._finished_at is not None
        state: SweepState = (
            "cancelled" if self._cancel.is_set() and finished else ("finished" if finished else "running")
        )
        end = self._finished_at if self._finished_at is not None else time.monotonic()
        elapsed = (end - self._started) if self._started else 0.0
        eta = elapsed * (1 - fraction) / fraction if 0 < fraction < 1 and not finished else None
        return Progress(
            done, total, running, failed, 1.0 if finished and state == "finished" else fraction, eta, state, elapsed
        )
