"""Figure builders: what the charts promise, checked on the figures themselves."""

import numpy as np
import plotly.graph_objects as go
import pytest

from playground.figures.decision_boundary import decision_boundary
from playground.figures.network_drawing import MAX_NODES, drawn_layers, link_weights, network_drawing, node_centres
from playground.figures.softmax_bars import softmax_bars
from playground.figures.style import NEGATIVE, POSITIVE, streamlit_look
from playground.spec import LayerSpec, NetworkSpec


def test_the_drawing_puts_each_neurons_map_in_its_square_streamed_maps_first():
    network = NetworkSpec(layers=(LayerSpec("Dense", units=3, activation="tanh"), LayerSpec("Dense", units=12)))
    layers = drawn_layers(network, ["x₁", "x₂"], output_units=1)
    assert [(layer.title, layer.units, layer.place) for layer in layers] == [
        ("Input", 2, None),
        ("Layer 1", 3, 1),
        ("Layer 2", 12, 2),
        ("Output", 1, None),
    ]
    grids = [np.full((3, 25, 25), 1.0), np.full((12, 25, 25), 2.0)]
    weights = [(np.ones((2, 3)), np.zeros(3)), (-np.ones((3, 12)), np.zeros(12)), (np.ones((12, 1)), np.zeros(1))]
    figure = network_drawing(layers, weights, grids, input_grids=[np.zeros((25, 25))] * 2)
    maps = [t for t in figure.data if t.type == "heatmap"]
    assert len(maps) == 3 + MAX_NODES + 2 and all(t.type == "heatmap" for t in figure.data[: 3 + MAX_NODES])
    assert figure.data[3].z[0][0] == 2.0  # layer 2's first neuron follows layer 1's three: the frame's order
    centre = float(np.mean(figure.data[0].x)), float(np.mean(figure.data[0].y))
    assert centre == pytest.approx((1.0, node_centres(layers[1])[0]))  # inside its square, column 1
    assert "12 neurons (8 drawn)" in [a.text for a in figure.layout.annotations]
    hover = next(t for t in figure.data if t.name == "weights")
    assert "weight +1.000" in hover.hovertext[0] and "x₁ → Layer 1 n1" in hover.hovertext[0]
    assert any("weight -1.000" in text for text in hover.hovertext)
    links = [t for t in figure.data if t.name == "link"]
    assert len(hover.x) == len(links) == 2 * 3 + 3 * MAX_NODES + MAX_NODES * 1  # one trace and hover point per link
    assert len(link_weights(weights)) == len(links)  # what a live frame sends to recolour them, in their order
    assert links[0].line.color == POSITIVE and links[6].line.color == NEGATIVE  # x₁→n1 is +1, n1→n1 is -1


def test_before_training_the_drawing_has_blank_maps_for_the_stream_and_quiet_links():
    layers = drawn_layers(NetworkSpec(), ["x₁", "x₂"], output_units=1)
    figure = network_drawing(layers, map_size=25)
    assert [t.type for t in figure.data[:6]] == ["heatmap"] * 6  # 4 + 2 hidden neurons, filled by the stream
    assert all("train to see" in text for text in next(t for t in figure.data if t.name == "weights").hovertext)


def test_watched_points_are_ringed_and_numbered():
    points = np.array([[0.0, 1.0], [2.0, -1.0], [-3.0, 0.5]])
    figure = decision_boundary(
        np.zeros((10, 10)), (-6, 6), points, np.array([0, 1, 0]), "binary", 2, watched=points[[2, 0]]
    )
    ring = next(t for t in figure.data if t.name == "watched")
    assert list(ring.x) == [-3.0, 0.0] and list(ring.y) == [0.5, 1.0] and list(ring.text) == ["1", "2"]
    assert all(
        t.name != "watched" for t in decision_boundary(None, (-6, 6), points, np.array([0, 1, 0]), "binary", 2).data
    )


def test_numbered_softmax_bars_match_the_ringed_points():
    figure = softmax_bars(np.array([[0.9], [0.2]]), [1, 0], ["orange", "blue"], numbered=True)
    assert [a.text for a in figure.layout.annotations] == ["1 · true: blue", "2 · true: orange"]
    assert np.allclose(figure.data[0].y, [0.1, 0.9])  # one sigmoid output p becomes (1 - p, p)


def test_streamlit_look_scales_every_text_for_presenting():
    figure = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    figure.add_annotation(text="Loss", font=dict(size=11))
    streamlit_look(figure, 1.5)
    template = figure.layout.template.layout
    assert template.font.size == 18 and template.xaxis.tickfont.size == 18 and template.yaxis.title.font.size == 21
    assert figure.layout.annotations[0].font.size == 16
    plain = streamlit_look(go.Figure())
    assert plain.layout.template.layout.font.size == 12 and plain.layout.template.layout.xaxis.automargin
