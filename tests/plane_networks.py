"""Networks on the plane with every activation (softmax too), every feature and each kind of output,
trained a little, for the tests that compute their plane views from the weights as the server's
snapshot maker does: in the browser (`tests/e2e/test_plane_views.py`) and in NumPy
(`tests/test_plane_model.py`)."""

import functools

from playground.activations import ACTIVATIONS
from playground.engine.snapshots import Snapshot
from playground.engine.trainer import Trainer
from playground.features import FEATURES
from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec, TrainingSpec


def _networks():
    """(dataset, features, hidden activations, output activation) of each network."""
    names = list(ACTIVATIONS)
    yield "circle", ("x1", "x2"), ("tanh", "relu"), "auto"
    groups = [tuple(names[i : i + 3]) for i in range(0, len(names), 3)]
    for i, activations in enumerate(groups):
        dataset = ("spiral", "xor", "reg-plane", "spiral-multi")[i % 4]
        yield dataset, tuple(FEATURES), activations, "auto"
    yield "gauss", ("x1", "x2", "x1x2"), ("gelu",), "tanh"  # a signed output (with the MSE loss)


NETWORKS = list(_networks())


@functools.cache
def trained_snapshot(dataset: str, features: tuple, activations: tuple, output: str) -> Snapshot:
    """The full snapshot of the network after 15 epochs, in this process's trainer."""
    layers = tuple(LayerSpec("Dense", units=units, activation=a) for units, a in zip((5, 3, 4), activations))
    network = NetworkSpec(features=features, layers=layers, output_activation=output)
    loss = "mse" if output == "tanh" else "auto"
    training = TrainingSpec(epochs=15, learning_rate=0.1, loss=loss)
    trainer = Trainer(ExperimentSpec(dataset=DatasetSpec(dataset), network=network, training=training))
    try:
        trainer.run_to_end()
        _, snapshot = trainer.snapshots.latest()
    finally:
        trainer.close()
    assert snapshot is not None and snapshot.plane is not None
    assert snapshot.plane.activations[: len(activations)] == activations
    return snapshot
