"""A heavy compile beside new users: how long until a new user's trainer is ready.

A pool of one training worker (as on a one-core server) first serves new users alone: each page's
trainer is made and compiled (`wait_until_ready`), as a page opening the app makes it. Then a heavy
trainer (the heaviest network the playground accepts: 64 Dense layers as wide as the parameter
limit allows) is made (in the background worker, or with `--same-worker` in the one worker, as
before there was one), and while it compiles, new users come one after the other, each with a
small network of their own (a program to compile, as for a page that opens anything but the default
experiment); printed are their times to ready, and how long a command ("pause") of a trainer
already there takes to be answered.

Run: .venv/bin/python bench/compile_neighbour.py                      (this checkout)
     .venv/bin/python bench/compile_neighbour.py --same-worker         (the heavy network beside them)
     .venv/bin/python bench/compile_neighbour.py --root /tmp/old-main (another checkout, to compare)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def heaviest_spec():
    from playground.layers import new_layer
    from playground.spec import MAX_LAYERS, DatasetSpec, ExperimentSpec, NetworkSpec
    from playground.validation import MAX_PARAMETERS

    width = 1
    while MAX_LAYERS * ((width + 1) ** 2 + width + 1) <= MAX_PARAMETERS:
        width += 1
    layers = tuple(new_layer("Dense", units=width, activation="relu") for _ in range(MAX_LAYERS))
    return ExperimentSpec(dataset=DatasetSpec(name="spiral"), network=NetworkSpec(features=("x1", "x2"), layers=layers))


def small_spec(number: int):
    """The default experiment with a hidden layer of its own width: a program no one compiled yet."""
    import dataclasses

    from playground.layers import new_layer
    from playground.presets import DEFAULT_PRESET, PRESETS

    spec = PRESETS[DEFAULT_PRESET].spec
    layers = (*spec.network.layers, new_layer("Dense", units=3 + number, activation="tanh"))
    return spec.replace(network=dataclasses.replace(spec.network, layers=layers))


def new_user(pool, spec) -> float:
    """Seconds from a page making its trainer to the trainer being ready."""
    start = time.perf_counter()
    trainer = pool.trainer(spec)
    trainer.wait_until_ready(600)
    seconds = time.perf_counter() - start
    trainer.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=str(ROOT), help="the checkout measured")
    parser.add_argument("--users", type=int, default=3, help="new users, alone and beside the compile")
    parser.add_argument("--same-worker", action="store_true", help="no worker of its own for the heavy network")
    args = parser.parse_args()
    sys.path.insert(0, args.root)
    os.chdir(args.root)  # the workers run `python -m` from here: that checkout's worker
    from playground.engine import training_workers
    from playground.engine.training_workers import TrainingWorkers

    if args.same_worker:
        training_workers.BIG_NETWORK_LAYERS = training_workers.BIG_NETWORK_WORK = 10**12
    from playground.presets import DEFAULT_PRESET, PRESETS

    default = PRESETS[DEFAULT_PRESET].spec
    pool = TrainingWorkers(1)
    try:
        new_user(pool, default)  # the worker is up and has compiled the default experiment
        alone = [new_user(pool, small_spec(n)) for n in range(args.users)]
        resident = pool.trainer(default)
        resident.wait_until_ready(600)
        made: list = []
        start = time.perf_counter()
        making = threading.Thread(target=lambda: made.append(pool.trainer(heaviest_spec())))
        making.start()
        beside, answers = [], []
        while (not made or not made[0].is_ready) and len(beside) < args.users:
            time.sleep(0.2)  # the worker has the heavy trainer's "create" (the first time) or is compiling it
            asked = time.perf_counter()
            resident.pause()
            answers.append(time.perf_counter() - asked)
            beside.append(new_user(pool, small_spec(args.users + len(beside))))
        making.join()
        heavy = made[0]
        heavy.wait_until_ready(3600)
        compiled = time.perf_counter() - start
        print(f"the heavy trainer: ready in {compiled:.1f} s ({args.root})")
        print(f"a new user alone: ready in {', '.join(f'{s:.1f}' for s in alone)} s")
        print(
            f"a new user beside the compile: ready in {', '.join(f'{s:.1f}' for s in beside)} s "
            f"(median {statistics.median(beside) / statistics.median(alone):.1f}x alone); a command answered in "
            f"{', '.join(f'{s:.2f}' for s in answers)} s"
        )
        heavy.close()
        resident.close()
    finally:
        pool.close()


if __name__ == "__main__":
    main()
