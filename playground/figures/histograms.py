"""Weight and bias histograms per layer (fixed bins per layer, so frames over time compare)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.figure_text import figure_text
from playground.figures.panels import Panels
from playground.figures.style import NEGATIVE, POSITIVE, compact


def weight_histograms(histograms: list[dict], height_per_row: int = 170) -> go.Figure:
    count = len(histograms)
    if count == 0:
        return compact(go.Figure(), 100)
    height = max(200, height_per_row * count)
    panels = Panels(
        count,
        2,
        [
            title
            for h in histograms
            for title in (
                f"{figure_text(h['layer'])} weights",
                f"{figure_text(h['layer'])} {'biases' if h.get('biases') is not None else '(no biases)'}",
            )
        ],
        vertical_spacing=min(0.3, 55 / height),
    )
    traces = []
    for row, item in enumerate(histograms, start=1):
        for col, key, color in ((1, "weights", POSITIVE), (2, "biases", NEGATIVE)):
            if item.get(key) is None:
                continue
            counts, edges = item[key]
            edges = np.asarray(edges)
            xaxis, yaxis = panels.axes(row, col)
            traces.append(
                go.Bar(
                    x=(edges[:-1] + edges[1:]) / 2,
                    y=np.asarray(counts),
                    width=np.diff(edges),
                    marker_color=color,
                    showlegend=False,
                    xaxis=xaxis,
                    yaxis=yaxis,
                )
            )
    fig = compact(go.Figure(data=traces, layout=panels.layout()), height)
    fig.update_layout(bargap=0)
    return fig
