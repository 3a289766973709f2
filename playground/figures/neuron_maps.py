"""TF Playground's per-neuron thumbnails: what each hidden neuron computes over the plane."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.style import DIVERGING, compact


def neuron_maps(layer_grids, max_per_layer: int = 8):
    rows = len(layer_grids)
    columns = max(min(grids.shape[0], max_per_layer) for grids in layer_grids)
    titles = []
    for layer, grids in enumerate(layer_grids, start=1):
        titles += [f"layer {layer} · neuron {n + 1}" for n in range(min(grids.shape[0], max_per_layer))]
        titles += [""] * (columns - min(grids.shape[0], max_per_layer))
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.02, vertical_spacing=min(0.25, 40 / (110 * rows)))
    for layer, grids in enumerate(layer_grids, start=1):
        for neuron in range(min(grids.shape[0], max_per_layer)):
            grid = grids[neuron]
            reach = float(abs(grid).max()) or 1.0
            fig.add_trace(go.Heatmap(z=grid, colorscale=DIVERGING, zmin=-reach, zmax=reach, showscale=False, hoverinfo="skip"), layer, neuron + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor=None)
    fig.update_annotations(font_size=10)
    return compact(fig, max(140, 115 * rows))
