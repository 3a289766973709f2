"""Each chosen test sample beside its class probabilities (softmax outputs): the digit image on
top, the bars below, the true class in blue and the rest in orange."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.softmax_bars import probabilities
from playground.figures.style import NEGATIVE, POSITIVE, compact


def probe_samples(images, outputs, truths, class_names, threshold: float = 0.5, titles=None):
    probs = probabilities(outputs, threshold)
    count = len(probs)
    titles = titles or [f"true: {class_names[int(t)]}" for t in truths]
    fig = make_subplots(rows=2, cols=count, row_heights=[0.45, 0.55], vertical_spacing=0.08, subplot_titles=titles + [""] * count)
    for i in range(count):
        if images is not None:
            fig.add_trace(go.Heatmap(z=np.asarray(images[i])[::-1, :, 0] if np.ndim(images[i]) == 3 else images[i], colorscale="gray_r", showscale=False, hoverinfo="skip"), 1, i + 1)
        colors = [POSITIVE if k == int(truths[i]) else NEGATIVE for k in range(probs.shape[1])]
        fig.add_trace(go.Bar(x=[str(c) for c in class_names], y=probs[i].tolist(), marker_color=colors, showlegend=False,
                             hovertemplate="%{x}: %{y:.3f}<extra></extra>"), 2, i + 1)
    fig.update_xaxes(visible=False, row=1)
    fig.update_yaxes(visible=False, row=1)
    _square_images(fig, count)
    fig.update_yaxes(range=[0, 1], row=2)
    fig.update_yaxes(showticklabels=False, row=2)
    fig.update_yaxes(showticklabels=True, row=2, col=1)
    fig.update_xaxes(tickfont=dict(size=9), row=2)
    fig.update_annotations(font_size=11)
    return compact(fig, 300)


def image_strip(images, captions, columns: int = 12, height: int = 150):
    """A row of small images with a caption each (for misclassified samples)."""
    count = len(images)
    if count == 0:
        return compact(go.Figure(), 60)
    fig = make_subplots(rows=1, cols=min(count, columns), subplot_titles=captions[:columns], horizontal_spacing=0.01)
    for i in range(min(count, columns)):
        fig.add_trace(go.Heatmap(z=np.asarray(images[i])[::-1, :, 0], colorscale="gray_r", showscale=False, hoverinfo="skip"), 1, i + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    _square_images(fig, min(count, columns))
    fig.update_annotations(font_size=10)
    return compact(fig, height)


def _square_images(fig, count: int) -> None:
    """Pixels stay square: each image's y axis is tied to its x axis."""
    for i in range(1, count + 1):
        suffix = "" if i == 1 else str(i)
        fig.layout[f"yaxis{suffix}"].scaleanchor = f"x{suffix}"
