"""Sweep speed: runs trained together in populations (`SweepRunner`'s default) against the same
runs trained one by one (`together=False`, the path before populations), side by side in one run.

1. The built-in learning-rate sweep (TF Playground's default experiment at each of its 11 ladder
   rates, 50 epochs): the first sweep of the process (compiles included) and warm (best of 3).
2. A 200-run grid (10 learning rates x 5 seeds x 4 L2 rates, default experiment, 100 epochs),
   end to end: building, training and saving every run.
3. A grid over networks (widths 2 to 8 x ReLU, tanh and sigmoid x 2 learning rates, default
   experiment, 100 epochs, 24 runs): its runs train as one population on the envelope's program
   (`population_groups`), first (compiles included) and warm.
4. The smart search against a grid on the spiral (the deep preset, 100 epochs), over 5
   parameters: learning rate, units, hidden layers, activation and L2 rate. A grid with at least
   two values each holds 48 runs at the least (the most that fits a 60-run budget); the search
   gets 60 runs, for each of 5 search seeds. Each line prints both best final test losses.

Both paths use 2 workers. Runs go to a scratch database.

Run: .venv/bin/python bench/sweep.py [--skip-search]     (about 2 minutes, plus about 10 for the
search comparison, on a 2-core machine)
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import playground  # noqa: F401
from playground.engine.trainer import Trainer
from playground.learning_rates import LEARNING_RATE_LADDER
from playground.presets import DEFAULT_PRESET, PRESETS
from playground.runs.run_store import RunStore
from playground.runs.search_runner import SearchRunner
from playground.runs.sweep_file import SearchRange, SweepPlan
from playground.runs.sweep_grid import expand
from playground.runs.sweep_runner import SweepRunner
from playground.spec import ExperimentSpec

WORKERS = 2
NETWORK_GRID = {"units": [2, 4, 6, 8], "activation": ["relu", "tanh", "sigmoid"], "learning_rate": [0.01, 0.1]}
GRID = {
    "learning_rate": [0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3, 0.6, 1.0],
    "seed": [0, 1, 2, 3, 4],
    "regularization_rate": [0.0, 0.001, 0.01, 0.1],
}

SEARCH_BUDGET = 60
SEARCH_SEEDS = range(5)
SPACE = {
    "learning_rate": SearchRange(0.0001, 0.1, log=True),
    "units": SearchRange(2, 8),
    "layers": SearchRange(1, 6),
    "activation": SearchRange(choices=("relu", "tanh", "sigmoid")),
    "regularization_rate": SearchRange(0.0, 0.01),
}
SPACE_GRID = {
    "learning_rate": [0.001, 0.01, 0.1],
    "units": [4, 8],
    "layers": [2, 6],
    "activation": ["relu", "tanh"],
    "regularization_rate": [0.0, 0.001],
}


def with_epochs(spec, epochs: int):
    return spec.replace(training=dataclasses.replace(spec.training, epochs=epochs))


def sweep_seconds(store, runs, together: bool) -> float:
    sweep = SweepRunner(store, "bench", runs, workers=WORKERS, together=together)
    start = time.perf_counter()
    sweep.start()
    sweep.wait()
    seconds = time.perf_counter() - start
    assert sweep.progress().done == len(runs), sweep.errors
    return seconds


def main() -> None:
    store = RunStore(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    Trainer(with_epochs(ExperimentSpec(), 1), warm_up=False, snapshots=False).run_to_end()  # TensorFlow's own start-up
    base = PRESETS[DEFAULT_PRESET].spec
    ladder = expand(with_epochs(base, 50), {"learning_rate": list(LEARNING_RATE_LADDER)})
    paths = {"together": True, "one by one": False}
    print(f"{'':44} {'together':>10} {'one by one':>11} {'speed-up':>9}")
    first = {name: sweep_seconds(store, ladder, together) for name, together in paths.items()}
    print(
        f"{'learning-rate sweep 11 x 50, first (s)':44} {first['together']:10.2f} {first['one by one']:11.2f} "
        f"{first['one by one'] / first['together']:8.1f}x"
    )
    warm = {name: min(sweep_seconds(store, ladder, together) for _ in range(3)) for name, together in paths.items()}
    print(
        f"{'learning-rate sweep 11 x 50, warm (s)':44} {warm['together']:10.2f} {warm['one by one']:11.2f} "
        f"{warm['one by one'] / warm['together']:8.1f}x"
    )
    grid = expand(with_epochs(base, 100), GRID)
    seconds = {name: sweep_seconds(store, grid, together) for name, together in paths.items()}
    print(
        f"{f'{len(grid)}-run grid x 100 epochs, end to end (s)':44} {seconds['together']:10.2f} "
        f"{seconds['one by one']:11.2f} {seconds['one by one'] / seconds['together']:8.1f}x"
    )
    print(
        f"{'  runs per minute':44} {len(grid) / seconds['together'] * 60:10.0f} "
        f"{len(grid) / seconds['one by one'] * 60:11.0f}"
    )
    networks = expand(with_epochs(base, 100), NETWORK_GRID)
    seconds = {}  # each path's first sweep, then at once the same again (the process's programs then hold it)
    for name, together in paths.items():
        seconds[name] = [sweep_seconds(store, networks, together) for _ in ("first", "warm")]
    for index, when in enumerate(("first", "warm")):
        together, one_by_one = seconds["together"][index], seconds["one by one"][index]
        print(
            f"{f'{len(networks)}-run network grid x 100 epochs, {when} (s)':44} {together:10.2f} "
            f"{one_by_one:11.2f} {one_by_one / together:8.1f}x"
        )
    if "--skip-search" not in sys.argv:
        compare_search(store)


def best_loss(store, sweep_id: str) -> float:
    runs = store.list_runs("bench", sweep_id=sweep_id)
    return float(runs[runs["state"] == "finished"]["test_loss"].min())


def compare_search(store) -> None:
    spiral = with_epochs(PRESETS["spiral-deep"].spec, 100)
    grid = SweepRunner(store, "bench", expand(spiral, SPACE_GRID), workers=WORKERS)
    start = time.perf_counter()
    grid.start()
    grid.wait()
    grid_best = best_loss(store, grid.id)
    print(
        f"\nspiral, 5 parameters: grid of {len(grid.runs)} runs, best test loss {grid_best:.4f} "
        f"({time.perf_counter() - start:.0f} s)"
    )
    wins = 0
    for seed in SEARCH_SEEDS:
        search = SearchRunner(
            store, "bench", SweepPlan(spiral, search=SPACE, budget=SEARCH_BUDGET, seed=seed), workers=WORKERS
        )
        start = time.perf_counter()
        search.start()
        search.wait()
        best = best_loss(store, search.id)
        pruned = sum(1 for trial in search.study.trials if trial.state.name == "PRUNED")
        wins += best <= grid_best
        print(
            f"  search seed {seed}: {SEARCH_BUDGET} runs ({pruned} pruned), best test loss {best:.4f} "
            f"{'<=' if best <= grid_best else '> '} grid's {grid_best:.4f} ({time.perf_counter() - start:.0f} s)"
        )
    print(f"  the search matched or beat the grid in {wins} of {len(SEARCH_SEEDS)} seeds")


if __name__ == "__main__":
    main()
