"""A sweep that trains in a training worker process, seen from the page server as a `SweepRunner`.

The page server only serves pages; a sweep's runs train in one of the app's worker processes
(`engine.training_workers`), populations and all, as they would in the server. The two ends talk
over the worker's pipe:

- the server sends "sweep" (the `SweepPlan` as its JSON file, the owner, the sweep's id and the
  runs trained at once) and "sweep_cancel";
- the worker's `SweepHost` sends each run that ends ("sweep_run", its `RunRecord`: the server
  saves it, as it saves a page trainer's run) and the progress ("sweep_progress") whenever it
  changed, the last one once every run is sent.

On the server, `WorkerSweep` saves the runs and keeps the progress on a thread of its own, so the
pipe's reader never waits for the database; it counts as finished once every run is saved. A
smart search's Optuna trials come with the progress, so the page draws the search's figures
from a copy of its study.

Example:

    sweep = training_workers().sweep(store, owner="abc", plan=plan, workers=2, sweep_id="3f2a...")
    sweep.start()
    sweep.progress()     # as SweepRunner.progress()
    sweep.cancel()
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from playground.runs.run_record import RunRecord
from playground.runs.sweep_file import SweepPlan
from playground.runs.sweep_grid import run_count
from playground.runs.sweep_runner import Progress, SweepRunner

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 0.5  # how often the worker looks for a change of progress to send
WORKER_STOPPED = "The training worker stopped; the runs it had finished are saved."


class WorkerSweep:
    """The server's end of a sweep in a worker (made by `TrainingWorkers.sweep`).

    Args:
        worker: the `WorkerConnection` of the process it trains in.
        number: its number on that connection.
        store: the `RunStore` its runs are saved to, here in the server.
        owner, plan, workers, sweep_id: whose sweep, what it runs, groups trained at once, and
            the id its runs are saved under.
    """

    def __init__(self, worker, number: int, store, owner: str, plan: SweepPlan, workers: int, sweep_id: str):
        self.worker, self.number = worker, number
        self.store, self.owner, self.plan, self.workers = store, owner, plan, workers
        self.id, self.name = sweep_id, plan.name
        self.total = plan.budget if plan.mode == "search" else run_count(plan.grid)
        self.saved_ids: list[str] = []
        self._save_errors: list[str] = []
        self._stopped = ""  # why it ended early (the worker stopped, or refused it)
        self._reported = Progress(0, self.total, 0, 0, 0.0, None, "running", 0.0)
        self._worker_errors: list[str] = []
        self._trials: list = []
        self._messages: queue.SimpleQueue = queue.SimpleQueue()
        self._finished = threading.Event()

    def start(self) -> None:
        from playground.engine.worker_trainer import WorkerGone

        threading.Thread(target=self._follow, name="playground-sweep-saver", daemon=True).start()
        self.worker.sweeps[self.number] = self
        try:
            self.worker.send("sweep", self.number, (self.plan.to_json(), self.owner, self.id, self.workers))
        except WorkerGone:
            self._worker_gone()
        except Exception as error:  # refused by the worker: said as the sweep's error
            self._messages.put(("stopped", f"The sweep could not start: {error}"))

    def cancel(self) -> None:
        from playground.engine.worker_trainer import WorkerGone

        try:
            self.worker.send("sweep_cancel", self.number, answer=False)
        except WorkerGone:
            self._worker_gone()

    def wait(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    @property
    def errors(self) -> list[str]:
        return self._worker_errors + self._save_errors + ([self._stopped] if self._stopped else [])

    def progress(self) -> Progress:
        """The worker's progress, counting the runs saved here as done."""
        failed = len(self._worker_errors) + len(self._save_errors)
        return dataclasses.replace(self._reported, done=len(self.saved_ids), failed=failed)

    @property
    def study(self) -> Any:
        """A copy of a smart search's Optuna study, as far as it has gone (None for a grid)."""
        if self.plan.mode != "search":
            return None
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(direction="minimize")
        study.add_trials(self._trials)
        return study

    # What the worker sends (called on the connection's receiving thread).
    def _receive(self, kind: str, payload) -> None:
        self._messages.put((kind, payload))

    def _worker_gone(self) -> None:
        self._messages.put(("stopped", WORKER_STOPPED))

    def _follow(self) -> None:
        """Saves each run the worker sends and keeps its progress, until the sweep ends."""
        while True:
            kind, payload = self._messages.get()
            if kind == "sweep_run":
                self._save(payload)
            elif kind == "sweep_progress":
                self._reported = payload["progress"]
                self._worker_errors = payload["errors"]
                self._trials = payload.get("trials", self._trials)
                if self._reported.state != "running":
                    break
            elif kind == "stopped":
                self._stopped = payload
                self._reported = dataclasses.replace(self._reported, state="failed", eta_seconds=None)
                break
        self.worker.sweeps.pop(self.number, None)
        self._finished.set()

    def _save(self, record: RunRecord) -> None:
        try:
            self.store.save(record)
        except Exception as error:  # the sweep goes on; the page lists why a run is missing
            log.exception("Sweep %s: a run could not be saved", self.id)
            self._save_errors.append(f"{record.parameters}: the run could not be saved: {error}")
        else:
            self.saved_ids.append(record.id)


class _RunsToServer:
    """The store a sweep in a worker saves to: each run goes to the server, which saves it."""

    def __init__(self, send, number: int):
        self.send, self.number = send, number

    def save(self, record: RunRecord) -> str:
        self.send(("sweep_run", self.number, record))
        return record.id


class SweepHost:
    """The worker's end of a sweep: runs it and sends its runs and its progress to the server.

    Args:
        send: sends one message to the server (the worker's `send`).
        number, plan_json, owner, sweep_id, workers: as the "sweep" command gives them.
    """

    def __init__(self, send, number: int, plan_json: str, owner: str, sweep_id: str, workers: int):
        from playground.runs.search_runner import SearchRunner

        self.send, self.number = send, number
        plan = SweepPlan.from_json(plan_json)  # checked again here: the worker trusts no message
        store = _RunsToServer(send, number)
        self.runner: SweepRunner = (
            SearchRunner(store, owner, plan, workers=workers, sweep_id=sweep_id)
            if plan.mode == "search"
            else SweepRunner(store, owner, plan.runs(), workers=workers, name=plan.name, sweep_id=sweep_id)
        )

    def start(self, on_end: Callable[[], object] | None = None) -> None:
        self.runner.start()
        threading.Thread(target=self._report, args=(on_end,), name="playground-sweep-progress", daemon=True).start()

    def cancel(self) -> None:
        self.runner.cancel()

    def _report(self, on_end: Callable[[], object] | None) -> None:
        """Sends the progress whenever it changed, and once more when the sweep has ended."""
        sent = None
        while not self.runner.wait(PROGRESS_SECONDS):
            progress = self.runner.progress()
            now = (progress.done, progress.failed, progress.running, progress.fraction)
            if now != sent:
                self._send_progress(progress, trials=sent is None or now[:2] != sent[:2])
                sent = now
        self._send_progress(self.runner.progress(), trials=True)
        if on_end is not None:
            on_end()

    def _send_progress(self, progress: Progress, trials: bool) -> None:
        payload: dict = {"progress": progress, "errors": list(self.runner.errors)}
        study = getattr(self.runner, "study", None)
        if trials and study is not None:
            payload["trials"] = ended_trials(study)
        self.send(("sweep_progress", self.number, payload))


def ended_trials(study: Any) -> list:
    """The study's ended trials, each without its per-epoch losses (the figures need only its
    settings and result; a long run's losses would make the message large)."""
    import optuna

    states = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED, optuna.trial.TrialState.FAIL)
    return [
        optuna.trial.create_trial(
            state=trial.state, value=trial.value, params=trial.params, distributions=trial.distributions
        )
        for trial in study.get_trials(deepcopy=False, states=states)
    ]
