"""The model's output over the plane as a heatmap, with the data points on top (TF Playground's main view)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.datasets.dataset import Task
from playground.figures.style import CLASS_COLORS, DIVERGING, NEGATIVE, POSITIVE, compact


def decision_boundary(
    grid: np.ndarray | None,
    bounds: tuple[float, float],
    points: np.ndarray,
    labels: np.ndarray,
    task: str,
    num_classes: int,
    test_points: np.ndarray | None = None,
    test_labels: np.ndarray | None = None,
    threshold: float = 0.5,
    height: int = 420,
    watched: np.ndarray | None = None,
) -> go.Figure:
    """`watched`: test points ringed and numbered 1, 2, ... (the samples whose class probabilities
    the page shows)."""
    low, high = bounds
    fig = go.Figure()
    if grid is not None:
        axis = np.linspace(low, high, grid.shape[0])
        if task == Task.MULTICLASS:
            scale = [[i / max(num_classes - 1, 1), CLASS_COLORS[i]] for i in range(num_classes)]
            fig.add_trace(
                go.Heatmap(
                    x=axis,
                    y=axis,
                    z=grid,
                    colorscale=scale,
                    zmin=0,
                    zmax=num_classes - 1,
                    opacity=0.45,
                    showscale=False,
                    hoverinfo="skip",
                )
            )
        else:
            zmin, zmax = (threshold - 0.5, threshold + 0.5) if task == Task.BINARY and threshold == 0.5 else (-1, 1)
            fig.add_trace(
                go.Heatmap(
                    x=axis,
                    y=axis,
                    z=grid,
                    colorscale=DIVERGING,
                    zmin=zmin,
                    zmax=zmax,
                    opacity=0.75,
                    showscale=False,
                    hoverinfo="skip",
                )
            )
    _points(fig, points, labels, task, num_classes, "train", "circle")
    if test_points is not None:
        _points(fig, test_points, test_labels, task, num_classes, "test", "circle-open")
    if watched is not None and len(watched):
        watched = np.asarray(watched)
        fig.add_trace(
            go.Scatter(
                x=watched[:, 0],
                y=watched[:, 1],
                mode="markers+text",
                name="watched",
                text=[str(n) for n in range(1, len(watched) + 1)],
                textposition="top right",
                textfont=dict(size=13, color="black"),
                hovertemplate="sample %{text}<extra></extra>",
                marker=dict(size=13, symbol="circle-open", color="black", line=dict(width=2)),
            )
        )
    fig.update_xaxes(range=[low, high], title_text="x₁", constrain="domain")
    fig.update_yaxes(range=[low, high], title_text="x₂", scaleanchor="x", scaleratio=1)
    fig = compact(fig, height)
    fig.update_layout(plot_bgcolor="white", showlegend=False)
    return fig


def _points(fig, points, labels, task, num_classes, name, symbol):
    if task == Task.REGRESSION:
        fig.add_trace(
            go.Scatter(
                x=points[:, 0],
                y=points[:, 1],
                mode="markers",
                name=name,
                marker=dict(
                    color=labels,
                    colorscale=DIVERGING,
                    cmin=-1,
                    cmax=1,
                    size=6,
                    symbol=symbol,
                    line=dict(width=0.6, color="white"),
                ),
            )
        )
        return
    colors = [NEGATIVE, POSITIVE] if task == Task.BINARY else CLASS_COLORS
    labels = np.asarray(labels)
    for value in range(num_classes):
        chosen = labels == value
        fig.add_trace(
            go.Scatter(
                x=points[chosen, 0],
                y=points[chosen, 1],
                mode="markers",
                name=f"{name} class {value}",
                marker=dict(
                    color=colors[value % len(colors)], size=6, symbol=symbol, line=dict(width=0.6, color="white")
                ),
            )
        )
