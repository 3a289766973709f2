"""TF Playground's per-neuron thumbnails: what each hidden neuron computes over the plane."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.panels import Panels
from playground.figures.style import DIVERGING, compact

MAX_MAPS_PER_LAYER = 8


def neuron_maps(layer_grids, max_per_layer: int = MAX_MAPS_PER_LAYER):
    rows = len(layer_grids)
    columns = max(min(grids.shape[0], max_per_layer) for grids in layer_grids)
    titles = []
    for layer, grids in enumerate(layer_grids, start=1):
        shown = min(grids.shape[0], max_per_layer)
        titles += [f"L{layer} n{n + 1}" for n in range(shown)] + [""] * (columns - shown)
    height = max(140, rows * (min(115, 400 // columns) + 30))  # square maps in a half-page column, with their titles
    panels = Panels(rows, columns, titles, horizontal_spacing=0.02, vertical_spacing=min(0.25, 40 / height))
    traces = []
    for layer, grids in enumerate(layer_grids, start=1):
        for neuron in range(min(grids.shape[0], max_per_layer)):
            grid = np.asarray(grids[neuron])
            reach = float(np.abs(grid).max()) or 1.0
            xaxis, yaxis = panels.axes(layer, neuron + 1)
            traces.append(
                go.Heatmap(
                    z=grid,
                    colorscale=DIVERGING,
                    zmin=-reach,
                    zmax=reach,
                    showscale=False,
                    hoverinfo="skip",
                    xaxis=xaxis,
                    yaxis=yaxis,
                )
            )
    hidden = {"visible": False}
    layout = panels.layout(x=hidden, y=hidden)
    for layer in range(1, rows + 1):
        for column in range(1, columns + 1):
            xaxis, yaxis = panels.axes(layer, column)
            layout["yaxis" + yaxis[1:]].update(scaleanchor=xaxis, constrain="domain")  # square, as the plane is
            layout["xaxis" + xaxis[1:]].update(constrain="domain")
    return compact(go.Figure(data=traces, layout=layout), height)
