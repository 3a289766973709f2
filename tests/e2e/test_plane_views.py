"""The plane views the browser computes from a frame's weights (`web/live/plane_views.js`) are the
server's: the decision boundary and the neurons' maps of networks with every activation, every
feature, many classes and regression, against the snapshot maker's grids of the same weights."""

import numpy as np
import pytest

from playground.activations import ACTIVATIONS
from playground.engine.trainer import Trainer
from playground.features import FEATURES
from playground.figures.network_drawing import link_weights
from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec, TrainingSpec
from playground.web.live.frames import flat_weights, plane_description
from playground.web.live.hub_script import hub_script

ACTIVATION_NAMES = list(ACTIVATIONS)


def _networks():
    """Every activation in a hidden layer (softmax too), every feature, each kind of output."""
    yield "circle", ("x1", "x2"), ["tanh", "relu"], "auto"
    groups = [ACTIVATION_NAMES[i : i + 3] for i in range(0, len(ACTIVATION_NAMES), 3)]
    for i, activations in enumerate(groups):
        dataset = ("spiral", "xor", "reg-plane", "spiral-multi")[i % 4]
        yield dataset, tuple(FEATURES), activations, "auto"
    yield "gauss", ("x1", "x2", "x1x2"), ["gelu"], "tanh"  # a signed output (with the MSE loss)


NETWORKS = list(_networks())


@pytest.fixture
def planes(page):
    """A blank page with the live components' script."""
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=hub_script())
    return page


@pytest.mark.parametrize(("dataset", "features", "activations", "output"), NETWORKS)
def test_the_browser_computes_the_servers_plane_views(planes, dataset, features, activations, output):
    layers = tuple(LayerSpec("Dense", units=units, activation=a) for units, a in zip((5, 3, 4), activations))
    network = NetworkSpec(features=features, layers=layers, output_activation=output)
    loss = "mse" if output == "tanh" else "auto"
    training = TrainingSpec(epochs=15, learning_rate=0.1, loss=loss)
    spec = ExperimentSpec(dataset=DatasetSpec(dataset), network=network, training=training)
    trainer = Trainer(spec)
    try:
        trainer.run_to_end()
        _, snapshot = trainer.snapshots.latest()
    finally:
        trainer.close()
    assert snapshot.plane is not None and snapshot.plane.activations[: len(activations)] == tuple(activations)
    computed = planes.evaluate(
        """([plane, flat]) => {
          const views = planeViews(plane, new Float32Array(flat));
          const values = (g) => Array.from(g.levels, (level) => g.low + level * g.step);
          return { grid: values(views.boundary()), neurons: (views.neurons() || []).map(values), links: views.links() };
        }""",
        [plane_description(snapshot.plane), flat_weights(snapshot.weights).tolist()],
    )
    grid = np.asarray(computed["grid"]).reshape(snapshot.grid.shape)
    span = float(snapshot.grid.max() - snapshot.grid.min())
    if dataset == "spiral-multi":  # the winning class: the same but where two classes nearly tie
        assert np.mean(grid != snapshot.grid) < 0.002
    else:
        assert np.allclose(grid, snapshot.grid, atol=span / 255 + 1e-5)
    maps = [m for layer in snapshot.neuron_grids for m in layer[:8]]
    assert len(computed["neurons"]) == len(maps) == sum(layer.units for layer in layers)
    for sent, made in zip(computed["neurons"], maps, strict=True):
        assert np.allclose(np.reshape(sent, made.shape), made, atol=float(made.max() - made.min()) / 255 + 1e-5)
    assert computed["links"] == pytest.approx(link_weights(snapshot.weights), abs=1e-4)
