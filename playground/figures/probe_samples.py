"""Each chosen test sample beside its class probabilities (softmax outputs): the digit image on
top, the bars below, the true class in blue and the rest in orange."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.figures.figure_text import figure_text
from playground.figures.panels import Panels
from playground.figures.softmax_bars import probabilities
from playground.figures.style import NEGATIVE, POSITIVE, compact


def _image(image) -> np.ndarray:
    image = np.asarray(image)
    return (image[..., 0] if image.ndim == 3 else image)[::-1]  # row 0 on top


def _square(layout: dict, panels: Panels, row: int, count: int) -> None:
    """Pixels stay square: each image's y axis is tied to its x axis."""
    for col in range(1, count + 1):
        xaxis, yaxis = panels.axes(row, col)
        layout["yaxis" + yaxis[1:]].update(scaleanchor=xaxis, visible=False)
        layout["xaxis" + xaxis[1:]].update(visible=False)


def probe_samples(
    images: np.ndarray | None,
    outputs: np.ndarray,
    truths: Sequence[int] | np.ndarray,
    class_names: Sequence[str],
    threshold: float = 0.5,
    titles: Sequence[str] | None = None,
) -> go.Figure:
    probs = probabilities(outputs, threshold)
    count = len(probs)
    names = [figure_text(c) for c in class_names]
    titles = [figure_text(t) for t in titles] if titles else [f"true: {names[int(t)]}" for t in truths]
    panels = Panels(
        2, count, titles + [""] * count, horizontal_spacing=0.02, vertical_spacing=0.08, row_heights=[0.45, 0.55]
    )
    traces = []
    for i in range(count):
        if images is not None:
            xaxis, yaxis = panels.axes(1, i + 1)
            traces.append(
                go.Heatmap(
                    z=_image(images[i]),
                    colorscale="gray_r",
                    showscale=False,
                    hoverinfo="skip",
                    xaxis=xaxis,
                    yaxis=yaxis,
                )
            )
        xaxis, yaxis = panels.axes(2, i + 1)
        colors = [POSITIVE if k == int(truths[i]) else NEGATIVE for k in range(probs.shape[1])]
        traces.append(
            go.Bar(
                x=names,
                y=probs[i].tolist(),
                marker_color=colors,
                showlegend=False,
                xaxis=xaxis,
                yaxis=yaxis,
                hovertemplate="%{x}: %{y:.3f}<extra></extra>",
            )
        )
    layout = panels.layout()
    _square(layout, panels, 1, count)
    for col in range(1, count + 1):
        _, yaxis = panels.axes(2, col)
        layout["yaxis" + yaxis[1:]].update(range=[0, 1], showticklabels=col == 1)
        xaxis, _ = panels.axes(2, col)
        layout["xaxis" + xaxis[1:]].update(tickfont={"size": 9})
    return compact(go.Figure(data=traces, layout=layout), 300)


def image_strip(
    images: Sequence[np.ndarray] | np.ndarray, captions: Sequence[str], columns: int = 12, height: int = 150
) -> go.Figure:
    """A row of small images with a caption each (for misclassified samples)."""
    count = min(len(images), columns)
    if count == 0:
        return compact(go.Figure(), 60)
    panels = Panels(1, count, [figure_text(c) for c in captions[:count]], horizontal_spacing=0.01)
    traces = []
    for i in range(count):
        xaxis, yaxis = panels.axes(1, i + 1)
        traces.append(
            go.Heatmap(
                z=_image(images[i]), colorscale="gray_r", showscale=False, hoverinfo="skip", xaxis=xaxis, yaxis=yaxis
            )
        )
    layout = panels.layout()
    _square(layout, panels, 1, count)
    return compact(go.Figure(data=traces, layout=layout), height)
