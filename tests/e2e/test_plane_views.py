"""The plane views the browser computes from a frame's weights (`web/live/plane_views.js`) are the
server's: the decision boundary and the neurons' maps of networks with every activation, every
feature, many classes and regression, against the snapshot maker's grids of the same weights."""

import numpy as np
import pytest

from playground.figures.network_drawing import link_weights
from playground.web.live.frames import flat_weights, plane_description
from playground.web.live.hub_script import hub_script
from tests.plane_networks import NETWORKS, trained_snapshot


@pytest.fixture
def planes(page):
    """A blank page with the live components' script."""
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=hub_script())
    return page


@pytest.mark.parametrize(("dataset", "features", "activations", "output"), NETWORKS)
def test_the_browser_computes_the_servers_plane_views(planes, dataset, features, activations, output):
    snapshot = trained_snapshot(dataset, features, activations, output)
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
    assert len(computed["neurons"]) == len(maps) == sum(snapshot.plane.units[:-1])
    for sent, made in zip(computed["neurons"], maps, strict=True):
        assert np.allclose(np.reshape(sent, made.shape), made, atol=float(made.max() - made.min()) / 255 + 1e-5)
    assert computed["links"] == pytest.approx(link_weights(snapshot.weights), abs=1e-4)
