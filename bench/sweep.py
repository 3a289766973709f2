"""Sweep throughput: runs per minute of the built-in learning-rate sweep (TF Playground's default
experiment at each of the 11 ladder rates, 50 epochs each) with 1 and 2 workers.

A warm-up sweep runs first (TensorFlow's first compile is slow); then each worker count is
measured twice, alternating, and the better of the two is reported, with the 2-worker speed-up
taken from the same run. Runs go to a scratch database.

Run: .venv/bin/python bench/sweep.py      (about a minute on a 2-core machine)
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import playground  # noqa: E402,F401
from playground.engine.trainer import LEARNING_RATE_LADDER  # noqa: E402
from playground.presets import DEFAULT_PRESET, PRESETS  # noqa: E402
from playground.runs.run_store import RunStore  # noqa: E402
from playground.runs.sweep_grid import expand  # noqa: E402
from playground.runs.sweep_runner import SweepRunner  # noqa: E402

EPOCHS = 50


def sweep_seconds(store, runs, workers: int) -> float:
    sweep = SweepRunner(store, "bench", runs, workers=workers)
    start = time.perf_counter()
    sweep.start()
    sweep.wait()
    seconds = time.perf_counter() - start
    assert sweep.progress().done == len(runs), sweep.errors
    return seconds


def main() -> None:
    base = PRESETS[DEFAULT_PRESET].spec
    base = base.replace(training=dataclasses.replace(base.training, epochs=EPOCHS))
    runs = expand(base, {"learning_rate": list(LEARNING_RATE_LADDER)})
    store = RunStore(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    sweep_seconds(store, runs[:3], 2)  # warm-up
    best = {1: float("inf"), 2: float("inf")}
    for _ in range(2):
        for workers in (1, 2):
            best[workers] = min(best[workers], sweep_seconds(store, runs, workers))
    for workers, seconds in best.items():
        print(f"{workers} worker(s): {len(runs)} runs in {seconds:5.1f} s = {len(runs) / seconds * 60:5.1f} runs per minute")
    print(f"2 workers vs 1: {best[1] / best[2]:.2f}x")


if __name__ == "__main__":
    main()
