"""Figure builders: what the charts promise, checked on the figures themselves."""

import numpy as np
import plotly.graph_objects as go

from playground.figures.decision_boundary import decision_boundary
from playground.figures.neuron_maps import neuron_maps
from playground.figures.softmax_bars import softmax_bars
from playground.figures.style import streamlit_look


def test_neuron_maps_are_square_like_the_plane():
    figure = neuron_maps([np.zeros((8, 25, 25)), np.zeros((3, 25, 25))])
    layout = figure.layout
    for n in range(1, 17):
        x, y = ("xaxis", "yaxis") if n == 1 else (f"xaxis{n}", f"yaxis{n}")
        assert layout[y].scaleanchor == ("x" if n == 1 else f"x{n}")
        assert layout[x].constrain == "domain"
    assert [a.text for a in layout.annotations][:9] == [f"L1 n{i}" for i in range(1, 9)] + ["L2 n1"]


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
