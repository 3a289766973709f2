"""Engine speed: our compiled training loop against plain `model.fit` on the same model and data.

Prints one line per config: µs per epoch and epochs/s for our engine (train and test loss every
epoch, live snapshots on) and for `model.fit`, and their ratio; then LeNet-5 on the MNIST subset
with every live view on, and how often the page gets a fresh snapshot while training.

Run: .venv/bin/python bench/engine.py      (about 2 minutes on a 2-core machine)

Then the envelope program (`engine/envelope_loop.py`) against each network's own program on the
same two networks: the first call (trace and compile; the spiral's envelope is the default's,
already compiled) and µs per epoch, the best of 5 runs of 100 epochs, taken in turn.

Last, one epoch of the default network per call, as the watch pace trains it, back to back and
then 25 ms apart: the thread's CPU per call. A call after a pause costs about twice a call straight
after another (caches gone cold), and that is most of what one student's epoch costs the server.

Targets (issue 3): default network ≤ 235 µs/epoch (≥ 150x model.fit); 6x8 ReLU spiral
≤ 1,070 µs/epoch; LeNet-5 ≤ 1.10x model.fit wall time; ≥ 4 snapshots per second. Issue 24: the
envelope no slower than the network's own program (within 10 %).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import playground  # noqa: F401
from playground.engine.envelope import envelope_layout
from playground.engine.envelope_loop import EnvelopeLoop
from playground.engine.trainer import Trainer
from playground.engine.training_loop import PROGRAMS, TrainingLoop
from playground.model_builder import build_model
from playground.presets import load_preset
from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec, TrainingSpec
from playground.training_data import training_data

DEFAULT = ExperimentSpec(training=TrainingSpec(epochs=3000))
SPIRAL = ExperimentSpec(
    dataset=DatasetSpec("spiral"),
    network=NetworkSpec(layers=(LayerSpec("Dense", units=8, activation="relu"),) * 6),
    training=TrainingSpec(epochs=1000),
)


def engine_seconds(spec: ExperimentSpec) -> tuple[float, Trainer]:
    trainer = Trainer(spec)
    trainer.wait_until_ready(120)
    started = time.perf_counter()
    trainer.run_to_end()
    return time.perf_counter() - started, trainer


def fit_seconds_per_epoch(spec: ExperimentSpec, epochs: int) -> float:
    data = training_data(spec)
    model = build_model(spec, data)
    kwargs = dict(batch_size=spec.training.batch_size, verbose=0, shuffle=True)
    model.fit(data.x_train, data.y_train, epochs=1, **kwargs)  # compile and warm up
    started = time.perf_counter()
    model.fit(data.x_train, data.y_train, epochs=epochs, **kwargs)
    return (time.perf_counter() - started) / epochs


def small_network(label: str, spec: ExperimentSpec, fit_epochs: int) -> None:
    seconds, trainer = engine_seconds(spec)
    epochs = len(trainer.history)
    ours = seconds / epochs
    trainer.close()
    fit = fit_seconds_per_epoch(spec, fit_epochs)
    print(
        f"{label:<34} engine {ours * 1e6:8.0f} µs/epoch ({1 / ours:7.0f} epochs/s)   model.fit {fit * 1e6:9.0f} "
        f"µs/epoch ({1 / fit:5.1f} epochs/s)   engine is {fit / ours:5.0f}x faster",
        flush=True,
    )


def envelope_against_own(label: str, spec: ExperimentSpec, epochs: int = 100, runs: int = 5) -> None:
    data = training_data(spec)
    loops = {
        "own program": TrainingLoop(build_model(spec, data), data, spec.training),
        "envelope": EnvelopeLoop(build_model(spec, data), data, spec.training, envelope_layout(spec, data)),
    }
    first, best = {}, dict.fromkeys(loops, float("inf"))
    for name, loop in loops.items():
        started = time.perf_counter()
        loop.run(0, 0, 1, [0.03])
        first[name] = time.perf_counter() - started
    for _ in range(runs):
        for name, loop in loops.items():
            started = time.perf_counter()
            loop.run(0, 0, loop.batches_per_epoch * epochs, [0.03])
            best[name] = min(best[name], (time.perf_counter() - started) / epochs)
    print(
        f"{label:<34} "
        + "   ".join(f"{name} {best[name] * 1e6:6.0f} µs/epoch (first call {first[name]:4.1f} s)" for name in loops)
        + f"   envelope/own {best['envelope'] / best['own program']:4.2f}x",
        flush=True,
    )


def lenet(epochs: int) -> None:
    spec = load_preset("lenet5-mnist")
    spec = spec.replace(training=dataclasses.replace(spec.training, epochs=epochs))
    seconds, trainer = engine_seconds(spec)
    snapshots = trainer.snapshots.latest()[0]
    accuracy = trainer.history[-1]["test_accuracy"]
    trainer.close()
    data = training_data(spec)
    model = build_model(spec, data)
    model.fit(data.x_train[:64], data.y_train[:64], batch_size=32, epochs=1, verbose=0)
    started = time.perf_counter()
    model.fit(data.x_train, data.y_train, batch_size=32, epochs=epochs, verbose=0)
    fit = time.perf_counter() - started
    print(
        f"{'LeNet-5, MNIST subset, all views':<34} engine {seconds:6.1f} s for {epochs} epochs ({snapshots} "
        f"snapshots, test acc {accuracy:.3f})   model.fit {fit:6.1f} s   engine/fit wall time {seconds / fit:4.2f}x",
        flush=True,
    )


def snapshot_rate(seconds: float = 3.0) -> None:
    trainer = Trainer(ExperimentSpec(training=TrainingSpec(epochs=100_000, learning_rate=0.003)))
    trainer.wait_until_ready(120)
    trainer.start()
    time.sleep(0.5)
    first = trainer.snapshots.latest()[0]
    time.sleep(seconds)
    rate = (trainer.snapshots.latest()[0] - first) / seconds
    trainer.close()
    print(f"{'snapshots while training (default)':<34} {rate:5.1f} fresh snapshots per second", flush=True)


def paced_call(calls: int = 200) -> None:
    data = training_data(DEFAULT)
    loop = TrainingLoop(build_model(DEFAULT, data), data, DEFAULT.training)
    loop.run(0, 0, loop.batches_per_epoch, [0.03])  # compile
    cpu = {}
    for gap in (0.0, 0.025):
        spent = 0.0
        for epoch in range(calls):
            time.sleep(gap)
            started = time.thread_time()
            loop.run(epoch, 0, loop.batches_per_epoch, [0.03])
            spent += time.thread_time() - started
        cpu[gap] = spent / calls
    print(
        f"{'one epoch a call (default)':<34} back to back {cpu[0.0] * 1e3:5.2f} ms of CPU a call   25 ms apart "
        f"(the watch pace) {cpu[0.025] * 1e3:5.2f} ms   {cpu[0.025] / cpu[0.0]:4.2f}x",
        flush=True,
    )


if __name__ == "__main__":
    started = time.perf_counter()
    small_network("default: circle, 4-2 tanh, batch 10", DEFAULT, 20)
    small_network("spiral, 6x8 ReLU, batch 10", SPIRAL, 10)
    lenet(3)
    snapshot_rate()
    PROGRAMS.clear()  # both compile afresh below; the spiral's network then finds the envelope compiled
    envelope_against_own("envelope: default", DEFAULT)
    envelope_against_own("envelope: spiral, 6x8 ReLU", SPIRAL)
    paced_call()
    print(f"bench took {time.perf_counter() - started:.0f} s")
