"""The envelope program against each network's own program: 30 random networks inside the
envelope (depth, widths, activations, features, dataset, optimizer, schedule, L1/L2), 200 epochs.

Prints, per network, the largest relative difference of the per-epoch train and test losses
from the per-architecture XLA program, beside the same program compiled without XLA (its own
drift from float32 rounding alone); then how many networks agree to 1e-5.

Run: .venv/bin/python bench/envelope_exactness.py      (about 6 minutes on a 2-core machine)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.engine.envelope import envelope_layout
from playground.engine.envelope_loop import EnvelopeLoop
from playground.engine.training_loop import TrainingLoop
from playground.model_builder import build_model
from playground.optimizers import OPTIMIZERS
from playground.training_data import training_data
from tests.test_envelope_loop import TOLERANCE, deviation, history, random_spec

NETWORKS = 30


def main() -> None:
    rng = np.random.default_rng(2026)
    optimizers = list(OPTIMIZERS)
    within = 0
    print(f"{'#':>3} {'optimizer':9} {'dataset':12} {'layers':22} {'envelope':>9} {'no XLA':>9}")
    for number in range(NETWORKS):
        spec = random_spec(rng, optimizers[number % len(optimizers)])
        data = training_data(spec)
        expected = history(TrainingLoop(build_model(spec, data), data, spec.training), spec.training)
        envelope = history(
            EnvelopeLoop(build_model(spec, data), data, spec.training, envelope_layout(spec, data)), spec.training
        )
        graph = history(TrainingLoop(build_model(spec, data), data, spec.training, jit=False), spec.training)
        drift, own = deviation(envelope, expected)[-1], deviation(graph, expected)[-1]
        within += drift <= TOLERANCE
        layers = "-".join(f"{layer.units}{layer.activation[:4]}" for layer in spec.network.layers) or "none"
        print(
            f"{number:3d} {spec.training.optimizer:9} {spec.dataset.name:12} {layers[:22]:22} {drift:9.1e} {own:9.1e}"
        )
    print(f"{within} of {NETWORKS} networks agree to {TOLERANCE:g} over 200 epochs")


if __name__ == "__main__":
    main()
