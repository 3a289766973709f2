"""Sweep speed: runs trained together in populations (`SweepRunner`'s default) against the same
runs trained one by one (`together=False`, the path before populations), side by side in one run.

1. The built-in learning-rate sweep (TF Playground's default experiment at each of its 11 ladder
   rates, 50 epochs): the first sweep of the process (compiles included) and warm (best of 3).
2. A 200-run grid (10 learning rates x 5 seeds x 4 L2 rates, default experiment, 100 epochs),
   end to end: building, training and saving every run.

Both paths use 2 workers. Runs go to a scratch database.

Run: .venv/bin/python bench/sweep.py      (about two minutes on a 2-core machine)
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import playground  # noqa: E402,F401
from playground.engine.trainer import Trainer  # noqa: E402
from playground.learning_rates import LEARNING_RATE_LADDER  # noqa: E402
from playground.presets import DEFAULT_PRESET, PRESETS  # noqa: E402
from playground.runs.run_store import RunStore  # noqa: E402
from playground.runs.sweep_grid import expand  # noqa: E402
from playground.runs.sweep_runner import SweepRunner  # noqa: E402
from playground.spec import ExperimentSpec  # noqa: E402

WORKERS = 2
GRID = {
    "learning_rate": [0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3, 0.6, 1.0],
    "seed": [0, 1, 2, 3, 4],
    "regularization_rate": [0.0, 0.001, 0.01, 0.1],
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
    print(f"{'learning-rate sweep 11 x 50, first (s)':44} {first['together']:10.2f} {first['one by one']:11.2f} "
          f"{first['one by one'] / first['together']:8.1f}x")
    warm = {name: min(sweep_seconds(store, ladder, together) for _ in range(3)) for name, together in paths.items()}
    print(f"{'learning-rate sweep 11 x 50, warm (s)':44} {warm['together']:10.2f} {warm['one by one']:11.2f} "
          f"{warm['one by one'] / warm['together']:8.1f}x")
    grid = expand(with_epochs(base, 100), GRID)
    seconds = {name: sweep_seconds(store, grid, together) for name, together in paths.items()}
    print(f"{f'{len(grid)}-run grid x 100 epochs, end to end (s)':44} {seconds['together']:10.2f} {seconds['one by one']:11.2f} "
          f"{seconds['one by one'] / seconds['together']:8.1f}x")
    print(f"{'  runs per minute':44} {len(grid) / seconds['together'] * 60:10.0f} {len(grid) / seconds['one by one'] * 60:11.0f}")


if __name__ == "__main__":
    main()
