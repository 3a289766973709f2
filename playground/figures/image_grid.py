"""A grid of small grey-scale (or diverging) images with captions: receptive fields, filters,
feature maps, samples and network states."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from playground.figures.figure_text import figure_text
from playground.figures.panels import Panels
from playground.figures.style import DIVERGING, compact


def image_grid(
    images: Iterable[npt.ArrayLike],
    captions: Sequence[object] | None = None,
    columns: int = 8,
    diverging: bool = False,
    height_per_row: int = 90,
    title: str | None = None,
) -> go.Figure:
    arrays = [np.asarray(image, float) for image in images]
    count = len(arrays)
    rows = max(1, -(-count // columns))
    titles = [figure_text(c) for c in captions or [""] * count]
    panels = Panels(
        rows,
        columns,
        titles + [""] * (rows * columns - count),
        horizontal_spacing=0.01,
        vertical_spacing=0.25 / rows if any(titles) else 0.02,
    )
    traces = []
    for i, image in enumerate(arrays):
        xaxis, yaxis = panels.axes(i // columns + 1, i % columns + 1)
        if diverging:
            limit = float(np.abs(image).max()) or 1.0
            colour = dict(colorscale=DIVERGING, zmin=-limit, zmax=limit)
        else:
            colour = dict(colorscale="gray_r")
        traces.append(
            go.Heatmap(z=image[::-1].tolist(), showscale=False, hoverinfo="skip", xaxis=xaxis, yaxis=yaxis, **colour)
        )
    layout = panels.layout()
    for i in range(rows * columns):
        xaxis, yaxis = panels.axes(i // columns + 1, i % columns + 1)
        layout["xaxis" + xaxis[1:]].update(visible=False)
        layout["yaxis" + yaxis[1:]].update(visible=False, scaleanchor=xaxis)
    fig = compact(
        go.Figure(data=traces, layout=layout),
        height_per_row * rows + (70 if title else 40),
        figure_text(title) if title else None,
    )
    if title:  # room for the title above the captions
        fig.update_layout(margin=dict(t=65))
    return fig
