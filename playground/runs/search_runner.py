"""A smart search: Optuna picks each run's settings within a sweep plan's ranges, learning from the
runs before it, and stops the runs that fall behind.

Optuna's TPE sampler proposes the next run from the results so far (seeded by the plan, so a
search repeats). Every run reports its test loss after each epoch to a median pruner, which stops
a run whose loss is worse than the median of earlier runs at the same epoch. The search minimizes
the final test loss. Every run is saved as it ends, like a grid's; a pruned run is saved with the
state "pruned" and its history up to where it was stopped.

Example:

    search = SearchRunner(store, owner="abc", plan=SweepPlan.from_json(text), workers=2)
    search.start()
    search.wait()
    search.study.best_params       # the Optuna study, for its figures
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from playground.engine.population import Population, population_key
from playground.engine.trainer_state import TrainerState
from playground.runs.sweep_file import SearchRange, SweepPlan
from playground.runs.sweep_grid import SWEEP_PARAMETERS
from playground.runs.sweep_runner import SweepRunner
from playground.validation import validate

log = logging.getLogger(__name__)

OBJECTIVE = "test_loss"  # minimized, as it is after the run's last epoch
PRUNE_CHECKS = 20  # a run is compared with the others this many times over its epochs
STARTUP_RUNS = 5  # runs that finish before the pruner stops any
WARM_UP_SHARE = 0.25  # no run is stopped in its first quarter: early losses say little


def suggest(trial: Any, name: str, entry: SearchRange) -> float | int | str:
    """The trial's value for one parameter of the space (`trial`: an Optuna trial)."""
    if entry.choices:
        return trial.suggest_categorical(name, list(entry.choices))
    assert entry.low is not None and entry.high is not None, "a range without choices has both ends"
    if SWEEP_PARAMETERS[name].kind == "int":
        return trial.suggest_int(name, int(entry.low), int(entry.high), log=entry.log)
    return trial.suggest_float(name, entry.low, entry.high, log=entry.log)


class SearchRunner(SweepRunner):
    """Runs `plan.budget` runs chosen by Optuna, `workers` at a time; the same progress, cancel
    and saving as a grid's `SweepRunner`.

    Args:
        store, owner, workers: as for `SweepRunner`.
        plan: a `SweepPlan` with a search space.
        name: shown with the progress (default: the plan's name).
        sweep_id: as for `SweepRunner`.
    """

    def __init__(
        self, store, owner: str, plan: SweepPlan, workers: int = 2, name: str = "", sweep_id: str | None = None
    ):
        import optuna

        super().__init__(store, owner, [], workers=workers, name=name or plan.name, sweep_id=sweep_id)
        self.plan = plan
        self.total = plan.budget
        epochs = plan.base.training.epochs
        optuna.logging.set_verbosity(
            optuna.logging.WARNING
        )  # not a line per run in the server's log; failures are logged here
        self.study = optuna.create_study(
            direction="minimize",
            sampler=optuna.samplers.TPESampler(seed=plan.seed),
            pruner=optuna.pruners.MedianPruner(
                n_startup_trials=STARTUP_RUNS, n_warmup_steps=max(1, int(epochs * WARM_UP_SHARE))
            ),
        )
        self._asked = 0

    def _tasks(self) -> list:
        return [self._search] * self.workers

    def _search(self) -> None:
        """One worker's share: ask Optuna for a run, train it, tell Optuna how it went, repeat."""
        while not self._cancel.is_set():
            with self._lock:
                if self._asked >= self.total:
                    return
                self._asked += 1
                trial = self.study.ask()
            parameters = {name: suggest(trial, name, entry) for name, entry in self.plan.search.items()}
            try:
                self._try(trial, parameters)
            except Exception as error:  # one bad run must not end the search
                log.exception("Search %s: the run %s failed", self.id, parameters)
                self._failed(trial, parameters, f"{type(error).__name__}: {error}")

    def _try(self, trial, parameters: dict) -> None:
        import optuna

        spec = self.plan.base
        for name, value in parameters.items():
            spec = SWEEP_PARAMETERS[name].apply(spec, value)
        problems = validate(spec)
        if problems:
            self._failed(trial, parameters, problems[0].message)
            return
        if population_key(spec) is None:  # a convolutional run trains alone, without pruning
            record = self._run_alone(parameters, spec)
            if record is None:  # cancelled, or failed (the error is listed)
                self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
            else:
                self._tell(trial, record.history, record.state)
            return
        started_at = time.time()
        population = Population([spec], epochs_per_call=max(1, spec.training.epochs // PRUNE_CHECKS))
        reported = 0

        def should_stop() -> bool:
            """Reports the epochs trained since the last check; stops on cancel or when Optuna prunes."""
            nonlocal reported
            history = population.results[0].history
            for row in history[reported:]:
                if math.isfinite(row[OBJECTIVE]):
                    trial.report(row[OBJECTIVE], row["epoch"])
            fresh, reported = len(history) > reported, len(history)
            return self._cancel.is_set() or (fresh and trial.should_prune())

        with self._training(population, 1):
            (result,) = population.train(should_stop=should_stop)
        should_stop()  # the last epochs' losses reach Optuna too
        if result.state == TrainerState.STOPPED and self._cancel.is_set():
            self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
            return
        pruned = result.state == TrainerState.STOPPED
        self._save_member(population, result, parameters, started_at, state="pruned" if pruned else None)
        if pruned:
            self.study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        else:
            self._tell(trial, result.history, result.state)

    def _tell(self, trial, history: list[dict], state: str) -> None:
        """A finished run's value is its last test loss; a diverged one counts as infinitely bad."""
        value = history[-1][OBJECTIVE] if history and state == TrainerState.FINISHED else math.inf
        self.study.tell(trial, value if math.isfinite(value) else math.inf)

    def _failed(self, trial, parameters: dict, message: str) -> None:
        import optuna

        self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
        with self._lock:
            self.errors.append(f"{parameters}: {message}")
