"""Weight and bias histograms per layer (fixed bins per layer, so frames over time compare)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.style import NEGATIVE, POSITIVE, compact


def weight_histograms(histograms: list[dict], height_per_row: int = 170):
    count = len(histograms)
    if count == 0:
        return compact(go.Figure(), 100)
    fig = make_subplots(rows=count, cols=2, subplot_titles=[t for h in histograms for t in (f"{h['layer']} weights", f"{h['layer']} biases")], vertical_spacing=min(0.3, 55 / max(200, height_per_row * count)))
    for row, item in enumerate(histograms, start=1):
        for col, key, color in ((1, "weights", POSITIVE), (2, "biases", NEGATIVE)):
            if item.get(key) is None:
                continue
            counts, edges = item[key]
            centres = (np.asarray(edges[:-1]) + np.asarray(edges[1:])) / 2
            fig.add_trace(go.Bar(x=centres, y=counts, width=np.diff(edges), marker_color=color, showlegend=False), row, col)
    fig = compact(fig, max(200, height_per_row * count))
    fig.update_annotations(font_size=11)
    fig.update_layout(bargap=0)
    return fig
