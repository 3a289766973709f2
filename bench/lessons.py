"""How long each Learn page and each History entry takes to compute its default run.

Each line is the page's own computation with its default settings, in a fresh process after
TensorFlow is imported (as in the running app), the first time (nothing cached). Target (issue 5):
every default run under 20 s on a 2-core machine.

Run: .venv/bin/python bench/lessons.py      (about a minute)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import playground  # noqa: F401
from playground.history import backpropagation_1986, boltzmann, cognitron, deep_belief_net, lenet5, perceptron
from playground.lessons import activation_curves, softmax
from playground.lessons.backprop_steps import TinyNetwork, backpropagate, check
from playground.lessons.loss_landscape import train_and_map
from playground.lessons.loss_surfaces import SURFACES
from playground.lessons.minibatch import gradient_spread, train_with_batch_size, two_clouds
from playground.lessons.neuron import neuron_grid
from playground.lessons.optimizer_paths import PATH_OPTIMIZERS, optimizer_path
from playground.spec import ExperimentSpec

TARGET_SECONDS = 20.0


def minibatch_page():
    data = two_clouds()
    for size in (1, 10, 200):
        train_with_batch_size(data, size, 5, 0.5)
    for size in (1, 10, 50):
        gradient_spread(data, size)


def activations_page():
    import numpy as np

    for name in activation_curves.LECTURE_ACTIVATIONS:
        activation_curves.curve(name, np.linspace(-6, 6, 601))
        activation_curves.saturated_intervals(name)


RUNS = {
    "Learn: a neuron": lambda: neuron_grid((1.0, -0.5), 0.5, "sigmoid"),
    "Learn: activation functions (all ten)": activations_page,
    "Learn: softmax": lambda: (softmax.softmax(range(10)), softmax.tensorflow_softmax(list(range(10)))),
    "Learn: gradient descent (bowl, 3 optimizers)": lambda: [
        optimizer_path("bowl", o, SURFACES["bowl"].learning_rate) for o in PATH_OPTIMIZERS
    ],
    "Learn: gradient descent (Rosenbrock, 3 optimizers)": lambda: [
        optimizer_path("rosenbrock", o, SURFACES["rosenbrock"].learning_rate) for o in PATH_OPTIMIZERS
    ],
    "Learn: mini-batch SGD": minibatch_page,
    "Learn: backpropagation step + TF check": lambda: check(TinyNetwork(), backpropagate(TinyNetwork())),
    "Learn: loss landscape (default experiment, 100 epochs, 21x21)": lambda: train_and_map(ExperimentSpec(), 100),
    "History: perceptron (AND, OR, XOR)": lambda: [perceptron.train_perceptron(g) for g in perceptron.GATES],
    "History: cognitron": cognitron.train_cognitron,
    "History: Boltzmann machine": boltzmann.complete_pattern,
    "History: backprop XOR + 8-3-8": lambda: (backpropagation_1986.train_xor(), backpropagation_1986.train_encoder()),
    "History: LeNet-5 (6 epochs)": lenet5.train_lenet5,
    "History: deep belief net": deep_belief_net.train_deep_belief_net,
}


def main() -> None:
    import tensorflow as tf  # noqa: F401  (imported before timing, as in the running app)

    worst = 0.0
    for name, run in RUNS.items():
        start = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - start
        worst = max(worst, seconds)
        extra = f"  (test accuracy {result.test_accuracy:.3f})" if hasattr(result, "test_accuracy") else ""
        print(f"{name:<66} {seconds:6.2f} s{extra}", flush=True)
    print(
        f"{'slowest default run':<66} {worst:6.2f} s   target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if worst < TARGET_SECONDS else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
