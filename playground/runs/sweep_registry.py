"""The server's sweeps: one per owner, a few at once, the rest waiting in line, each bounded.

Every sweep the pages start goes through the app's `SweepRegistry` (`sweep_registry()`), not
through the tab that started it: closing the tab leaves the sweep to finish, and any tab of the
same browser (the same owner) sees it, with its progress or its place in line, and can cancel it.

- Each owner has at most one sweep running or waiting; a second is refused with a message.
- At most `MAX_SWEEPS` sweeps train at once; the others wait in line, first come first served,
  and start as running ones end. At most `MAX_WAITING_SWEEPS` wait: past that a new sweep is
  refused (each fresh browser is a new owner, so the line itself needs a bound).
- A sweep's runs times its epochs per run is at most `MAX_SWEEP_EPOCHS`. A larger sweep is
  refused before anything runs, with what to lower.
The bounds are settings (`playground/limits.py`).

The sweeps train in the app's training workers (`runs.worker_sweep`), or in this process when
there are none (`PLAYGROUND_TRAINING_WORKERS=0`, as the tests run). A sweep that ended stays
listed for its owner for `ENDED_KEPT_SECONDS`, or until they start the next.

Example:

    registry = sweep_registry()
    sweep = registry.submit(store, owner="abc", plan=plan, workers=2)    # SweepRefused says why not
    registry.place(sweep)                   # 1 while first in line, None once it runs
    registry.sweeps_of("abc")               # the owner's sweeps, newest first
    registry.cancel("abc", sweep.id)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from playground.limits import MAX_SWEEP_EPOCHS, MAX_SWEEPS, MAX_WAITING_SWEEPS
from playground.runs.sweep_file import SweepPlan
from playground.runs.sweep_grid import run_count
from playground.runs.sweep_runner import Progress, SweepRunner, SweepState, new_sweep_id

if TYPE_CHECKING:
    from playground.runs.run_store import RunStore, UnavailableStore
    from playground.runs.worker_sweep import WorkerSweep

log = logging.getLogger(__name__)


ENDED_KEPT_SECONDS = 3600.0


class SweepRun(Protocol):
    """What the registry needs of a running sweep: a `SweepRunner` here, or a `WorkerSweep`."""

    @property
    def errors(self) -> list[str]: ...

    def progress(self) -> Progress: ...

    def wait(self, timeout: float | None = None) -> bool: ...

    def cancel(self) -> None: ...


class SweepRefused(ValueError):
    """A sweep the server will not run; `message` says why and what to do, in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def run_total(plan: SweepPlan) -> int:
    """How many runs the plan trains: a grid's combinations, or a search's budget."""
    return plan.budget if plan.mode == "search" else run_count(plan.grid)


def size_problem(plan: SweepPlan, max_epochs: int | None = None) -> str | None:
    """Why `plan` trains too much for this server (runs x epochs over the limit), or None."""
    limit = MAX_SWEEP_EPOCHS if max_epochs is None else max_epochs
    runs, epochs = run_total(plan), plan.base.training.epochs
    if runs * epochs <= limit:
        return None
    return (
        f"This sweep trains {runs:,} run{'s' if runs != 1 else ''} of {epochs:,} epochs, {runs * epochs:,} epochs in "
        f"all; this server trains at most {limit:,} per sweep. Lower the epochs per run to {limit // runs:,} or "
        f"fewer, or try fewer runs (at most {max(1, limit // epochs):,} at {epochs:,} epochs)."
    )


def _sweeps(count: int) -> str:
    return f"{count} sweep{'s' if count != 1 else ''}"


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def start_sweep(
    store: RunStore | UnavailableStore, owner: str, plan: SweepPlan, workers: int, sweep_id: str
) -> SweepRunner | WorkerSweep:
    """Starts `plan` in a training worker (in this process when there are none); the runner."""
    from playground.engine.training_workers import training_workers

    pool = training_workers()
    sweep: SweepRunner | WorkerSweep
    if pool is not None:
        sweep = pool.sweep(store, owner, plan, workers, sweep_id)
    elif plan.mode == "search":
        from playground.runs.search_runner import SearchRunner

        sweep = SearchRunner(store, owner, plan, workers=workers, sweep_id=sweep_id)
    else:
        sweep = SweepRunner(store, owner, plan.runs(), workers=workers, name=plan.name, sweep_id=sweep_id)
    sweep.start()
    return sweep


class ScheduledSweep:
    """One owner's sweep in the registry: waiting in line, then running, then ended.

    Its `progress()`, `wait()`, `errors` and `study` are those of the runner once it runs.
    """

    def __init__(self, store, owner: str, plan: SweepPlan, workers: int):
        self.id = new_sweep_id()
        self.store, self.owner, self.plan, self.workers = store, owner, plan, workers
        self.name = plan.name
        self.total = run_total(plan)
        self.runner: SweepRun | None = None
        self.started = False  # taken from the line (the runner may still be starting)
        self.cancelled = False
        self.ended_at: float | None = None
        self.start_error = ""
        self._ended = threading.Event()

    @property
    def active(self) -> bool:
        """Waiting or running."""
        return self.ended_at is None

    def progress(self) -> Progress:
        if self.runner is not None:
            return self.runner.progress()
        state: SweepState = "failed" if self.start_error else "cancelled" if self.cancelled else "waiting"
        return Progress(0, self.total, 0, 0, 0.0, None, state, 0.0)

    @property
    def errors(self) -> list[str]:
        errors = list(self.runner.errors) if self.runner is not None else []
        return errors + ([self.start_error] if self.start_error else [])

    @property
    def study(self) -> Any:
        """A smart search's Optuna study (None for a grid, or before it runs)."""
        return getattr(self.runner, "study", None) if self.plan.mode == "search" else None

    def wait(self, timeout: float | None = None) -> bool:
        """Waits until the sweep has ended (its runs saved); False if `timeout` passed first."""
        return self._ended.wait(timeout)


class SweepRegistry:
    """The sweeps of every owner on this server.

    Args:
        max_running: sweeps training at once (default `MAX_SWEEPS`).
        max_epochs: the bound on a sweep's runs x epochs (default `MAX_SWEEP_EPOCHS`).
        max_waiting: sweeps that may wait in line (default `MAX_WAITING_SWEEPS`).
        start: starts a sweep and returns its runner (default `start_sweep`; tests replace it).
    """

    def __init__(
        self,
        max_running: int | None = None,
        max_epochs: int | None = None,
        max_waiting: int | None = None,
        start: Callable[..., SweepRun] = start_sweep,
    ):
        self.max_running = MAX_SWEEPS if max_running is None else max(1, int(max_running))
        self.max_epochs = MAX_SWEEP_EPOCHS if max_epochs is None else int(max_epochs)
        self.max_waiting = MAX_WAITING_SWEEPS if max_waiting is None else int(max_waiting)
        self._start = start
        self._lock = threading.Lock()
        self._sweeps: list[ScheduledSweep] = []  # oldest first
        self._line: list[ScheduledSweep] = []

    def submit(self, store: RunStore | UnavailableStore, owner: str, plan: SweepPlan, workers: int) -> ScheduledSweep:
        """Puts the owner's sweep in line (it starts at once while fewer than `max_running` run).
        Raises `SweepRefused` when it is too large, the owner already has one or the line is full."""
        problem = size_problem(plan, self.max_epochs)
        if problem:
            raise SweepRefused(problem)
        sweep = ScheduledSweep(store, owner, plan, workers)
        with self._lock:
            self._forget_ended(owner)
            mine = next((s for s in self._sweeps if s.owner == owner and s.active), None)
            if mine is not None:
                place = self._place(mine)
                where = f"waiting, {ordinal(place)} in line" if place is not None else "running"
                raise SweepRefused(
                    f"Your sweep '{mine.name or 'unnamed'}' is still {where}: each person runs one sweep at a time. "
                    "Wait for it to end, or cancel it, then start this one."
                )
            if len(self._line) >= self.max_waiting and self._running() >= self.max_running:
                raise SweepRefused(
                    f"The server is busy: {_sweeps(self._running())} training and {_sweeps(len(self._line))} "
                    "waiting, as many as it takes. Try again in a few minutes, or train single runs on the "
                    "Playground page meanwhile."
                )
            self._sweeps.append(sweep)
            self._line.append(sweep)
        self._start_next()
        return sweep

    def sweeps_of(self, owner: str) -> list[ScheduledSweep]:
        """The owner's sweeps (waiting, running, or ended a short while ago), newest first."""
        with self._lock:
            self._forget_ended(None)
            return [s for s in reversed(self._sweeps) if s.owner == owner]

    def find(self, owner: str, sweep_id: str) -> ScheduledSweep | None:
        return next((s for s in self.sweeps_of(owner) if s.id == sweep_id), None)

    def place(self, sweep: ScheduledSweep) -> int | None:
        """The sweep's place in line (1 is next), or None once it was taken from the line."""
        with self._lock:
            return self._place(sweep)

    def running(self) -> int:
        with self._lock:
            return self._running()

    def cancel(self, owner: str, sweep_id: str) -> bool:
        """Cancels the owner's sweep: one in line leaves it, a running one stops (its finished runs
        stay saved). False if the owner has no such sweep."""
        with self._lock:
            sweep = next((s for s in self._sweeps if s.id == sweep_id and s.owner == owner), None)
            if sweep is None or not sweep.active:
                return False
            sweep.cancelled = True
            runner = sweep.runner
            if not sweep.started:
                self._line.remove(sweep)
                self._end(sweep)
        if runner is not None:
            runner.cancel()  # a runner still starting is cancelled by `_run` once it has started
        return True

    def _place(self, sweep: ScheduledSweep) -> int | None:
        return self._line.index(sweep) + 1 if sweep in self._line else None

    def _running(self) -> int:
        return sum(s.started and s.active for s in self._sweeps)

    def _start_next(self) -> None:
        """Takes sweeps from the line while fewer than `max_running` run."""
        with self._lock:
            starting = []
            while self._line and self._running() < self.max_running:
                sweep = self._line.pop(0)
                sweep.started = True
                starting.append(sweep)
        for sweep in starting:
            threading.Thread(target=self._run, args=(sweep,), name="playground-sweep-registry", daemon=True).start()

    def _run(self, sweep: ScheduledSweep) -> None:
        """Starts the sweep, waits for it to end, then lets the next in line start."""
        try:
            runner = self._start(sweep.store, sweep.owner, sweep.plan, sweep.workers, sweep.id)
        except Exception as error:  # said on the page as the sweep's error
            log.exception("Sweep %s could not start", sweep.id)
            sweep.start_error = f"The sweep could not start: {error}"
        else:
            with self._lock:
                sweep.runner = runner
                cancelled = sweep.cancelled
            if cancelled:
                runner.cancel()
            runner.wait()
        with self._lock:
            self._end(sweep)
        self._start_next()

    def _end(self, sweep: ScheduledSweep) -> None:
        sweep.ended_at = time.monotonic()
        sweep._ended.set()

    def _forget_ended(self, owner: str | None) -> None:
        """Drops sweeps that ended long ago, and (when `owner` is given) that owner's ended ones."""
        now = time.monotonic()
        self._sweeps = [
            s
            for s in self._sweeps
            if s.ended_at is None or (now - s.ended_at < ENDED_KEPT_SECONDS and (owner is None or s.owner != owner))
        ]


_REGISTRY: SweepRegistry | None = None
_REGISTRY_LOCK = threading.Lock()


def sweep_registry() -> SweepRegistry:
    """The app's registry (one per server process), made on first use."""
    global _REGISTRY
    with _REGISTRY_LOCK:
        if _REGISTRY is None:
            _REGISTRY = SweepRegistry()
        return _REGISTRY
