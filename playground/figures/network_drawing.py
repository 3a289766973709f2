"""The network drawn as TF Playground does, and edited on: neurons in columns, each hidden neuron
showing what it computes over the plane inside its square, links coloured by the sign of their
weight (blue positive, orange negative), as thick as its size, with the weight under the mouse.
A live frame repaints the maps (its `neurons`) and recolours the links (its `links`) in place.

The figure is laid out for the page's network editor (`playground/web/widgets/network_editor.py`): column `c`
is centred at x = c with the x axis spanning the whole width, so controls in equal page columns
above it sit over their layer. Its first traces are the hidden neurons' maps, in the order of a
live frame's `neurons` (`playground/web/live/frames.py`), so the live stream repaints them in place.

Example:

    layers = drawn_layers(NetworkSpec(), input_names=["x₁", "x₂"], output_units=1)
    figure = network_drawing(layers, weights=snapshot.weights, neuron_grids=snapshot.neuron_grids)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from playground.figures.figure_text import figure_text
from playground.figures.style import DIVERGING, NEGATIVE, POSITIVE, compact
from playground.network_edits import dense_places
from playground.spec import NetworkSpec

MAX_MAPS_PER_LAYER = 8  # neurons drawn per layer (their maps are in each live frame); the rest are counted
MAX_NODES = MAX_MAPS_PER_LAYER
SPACING = 2.0 / MAX_NODES  # between neighbouring neurons, in the y axis's units
HALF_HEIGHT = 0.36 * SPACING  # a neuron's square, in y units
HALF_WIDTH = 0.17  # and in x units (a column is one unit wide)
QUIET = "#b9bec4"  # links before there are weights to colour them


@dataclass(frozen=True)
class DrawnLayer:
    """One column of the drawing.

    Args:
        title: what the column is ("Input", "Layer 2", "Output").
        units: its neurons (or inputs).
        names: the inputs' names, for the input column.
        place: for a hidden layer, its 1-based place in the stack (what the editor edits).
    """

    title: str
    units: int
    names: tuple[str, ...] = ()
    place: int | None = None

    @property
    def drawn(self) -> int:
        return min(self.units, MAX_NODES)


def drawn_layers(
    network: NetworkSpec, input_names: list[str], output_units: int, inputs: int | None = None
) -> list[DrawnLayer]:
    """The input (named, or `inputs` unnamed ones: pixels, columns), each Dense layer of the stack,
    and the output, as the drawing's columns."""
    columns = [DrawnLayer("Input", len(input_names) if inputs is None else inputs, tuple(input_names))]
    for number, place in enumerate(dense_places(network), start=1):
        columns.append(DrawnLayer(f"Layer {number}", int(network.layers[place - 1].units), place=place))
    columns.append(DrawnLayer("Output", output_units))
    return columns


def node_centres(layer: DrawnLayer) -> np.ndarray:
    """The y of each drawn neuron, top first, centred on 0."""
    return (np.arange(layer.drawn)[::-1] - (layer.drawn - 1) / 2) * SPACING


def _map_trace(grid, x: float, y: float) -> go.Heatmap:
    grid = np.asarray(grid, float)
    size = grid.shape[0]
    reach = float(np.abs(grid).max()) or 1.0
    return go.Heatmap(
        z=grid,
        x=np.linspace(x - HALF_WIDTH, x + HALF_WIDTH, size),
        y=np.linspace(y - HALF_HEIGHT, y + HALF_HEIGHT, size),
        colorscale=DIVERGING,
        zmin=-reach,
        zmax=reach,
        showscale=False,
        hoverinfo="skip",
    )


def network_drawing(
    layers: list[DrawnLayer],
    weights: list[tuple[np.ndarray, np.ndarray]] | None = None,
    neuron_grids: list[np.ndarray] | None = None,
    input_grids: list[np.ndarray] | None = None,
    map_size: int = 0,
    height: int = 360,
) -> go.Figure:
    """The drawing. `weights`: each weighted layer's (kernel, bias), input to output; `neuron_grids`:
    each hidden layer's maps (neurons x size x size); `input_grids`: each input's map; `map_size`:
    when above 0, hidden neurons without grids yet get blank maps of that size (for the stream to fill)."""
    traces: list[go.BaseTraceType] = []
    for column, layer in enumerate(layers[1:-1], start=1):  # the streamed maps first, in the frame's order
        grids = neuron_grids[column - 1] if neuron_grids is not None and column - 1 < len(neuron_grids) else None
        if grids is None and not map_size:
            continue
        for n, y in enumerate(node_centres(layer)):
            traces.append(_map_trace(grids[n] if grids is not None else np.zeros((map_size, map_size)), column, y))
    if input_grids is not None:
        traces += [_map_trace(grid, 0, y) for grid, y in zip(input_grids, node_centres(layers[0]))]
    traces += _links(layers, weights)
    figure = go.Figure(data=traces)
    # The squares and labels go in with one layout update: each `add_shape` call copies every shape
    # before it, so a deep stack (64 layers of 8 drawn neurons) would cost minutes.
    shapes, annotations = [], []
    for column, layer in enumerate(layers):
        for y in node_centres(layer):
            shapes.append(
                dict(
                    type="rect",
                    x0=column - HALF_WIDTH,
                    x1=column + HALF_WIDTH,
                    y0=y - HALF_HEIGHT,
                    y1=y + HALF_HEIGHT,
                    line=dict(color="#5f6368", width=1),
                    fillcolor="rgba(0,0,0,0)",
                    layer="above",
                )
            )
        count = f"{layer.units} {'neuron' if layer.place is not None else 'input' if column == 0 else 'output'}"
        count += "s" if layer.units != 1 else ""
        if layer.units > layer.drawn:
            count += f" ({layer.drawn} drawn)"
        annotations.append(dict(x=column, y=-1.1, text=count, showarrow=False, font=dict(size=11, color="#5f6368")))
    for name, y in zip(layers[0].names, node_centres(layers[0])):
        annotations.append(
            dict(
                x=-HALF_WIDTH - 0.03, y=y, text=figure_text(name), showarrow=False, xanchor="right", font=dict(size=12)
            )
        )
    figure.update_layout(shapes=shapes, annotations=annotations)
    figure.update_xaxes(visible=False, range=[-0.5, len(layers) - 0.5], fixedrange=True)
    figure.update_yaxes(visible=False, range=[-1.15, 1.05], fixedrange=True)
    figure = compact(figure, height)
    figure.update_layout(margin=dict(l=0, r=0, t=4, b=4), plot_bgcolor="white", hoverdistance=12, showlegend=False)
    return figure


def link_weights(weights: list[tuple[np.ndarray, np.ndarray]]) -> list[float]:
    """The drawn links' weights in the order of the drawing's link traces (layer by layer, then by
    source and target neuron): what a live frame sends to recolour them."""
    return [round(float(w), 4) for kernel, _ in weights for w in kernel[:MAX_NODES, :MAX_NODES].ravel()]


def link_style(value: float, strongest: float) -> tuple[str, float]:
    """A link's colour (by the weight's sign) and width (by its size against the strongest link)."""
    band = min(int(5 * abs(value) / (strongest or 1.0)), 4)
    return (POSITIVE if value >= 0 else NEGATIVE), 0.7 + 1.2 * band


def _links(layers: list[DrawnLayer], weights) -> list[go.Scatter]:
    """The links between drawn neurons, one trace each (a live frame recolours them in place, in
    this order), then one trace of invisible points at their middles: the weight under the mouse."""
    kernels = [kernel for kernel, _ in weights] if weights is not None else []
    values = link_weights(weights) if weights is not None and len(kernels) == len(layers) - 1 else None
    strongest = max((abs(v) for v in values), default=1.0) if values else 1.0
    traces: list[go.Scatter] = []
    middles_x: list[float] = []
    middles_y: list[float] = []
    labels: list[str] = []
    for column in range(len(layers) - 1):
        for i, y0 in enumerate(node_centres(layers[column])):
            for j, y1 in enumerate(node_centres(layers[column + 1])):
                x0, x1 = column + HALF_WIDTH, column + 1 - HALF_WIDTH
                value = values[len(traces)] if values is not None else None
                colour, width = link_style(value, strongest) if value is not None else (QUIET, 0.7)
                traces.append(
                    go.Scatter(
                        x=[x0, x1],
                        y=[y0, y1],
                        mode="lines",
                        hoverinfo="skip",
                        name="link",
                        line=dict(color=colour, width=width),
                    )
                )
                weight = f"{value:+.3f}" if value is not None else "(train to see)"
                labels.append(f"weight {weight}<br>{_name(layers, column, i)} → {_name(layers, column + 1, j)}")
                middles_x.append((x0 + x1) / 2)
                middles_y.append((y0 + y1) / 2)
    traces.append(
        go.Scatter(
            x=middles_x,
            y=middles_y,
            mode="markers",
            marker=dict(size=9, opacity=0),
            hovertext=labels,
            hoverinfo="text",
            name="weights",
        )
    )
    return traces


def _name(layers: list[DrawnLayer], column: int, index: int) -> str:
    layer = layers[column]
    if column == 0 and index < len(layer.names):
        return figure_text(layer.names[index])
    return f"{figure_text(layer.title)} n{index + 1}"


def feature_grids(features: list[str], bounds: tuple[float, float], size: int) -> list[np.ndarray]:
    """Each input feature over the plane (rows from the bottom), as the input column shows it."""
    from playground.features import FEATURES

    axis = np.linspace(bounds[0], bounds[1], size)
    x1, x2 = np.meshgrid(axis, axis)
    points = np.stack([x1.ravel(), x2.ravel()], axis=1)
    return [FEATURES[name].build(points).reshape(size, size) for name in features]
