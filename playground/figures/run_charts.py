"""Figures for the Runs and Sweeps pages: overlaid loss/accuracy curves, a heatmap over two
swept parameters and a parallel-coordinates plot of a whole sweep."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from playground.figures.figure_text import figure_text
from playground.figures.panels import Panels
from playground.figures.style import CLASS_COLORS, compact

MAX_POINTS = 400


def _column(history, key):
    return [np.nan if row.get(key) is None else row[key] for row in history]


def overlaid_curves(
    histories: dict[str, list[dict]], highlight: str | None = None, metric: str = "test_loss"
) -> go.Figure:
    """One line per run: the chosen loss on the left, test accuracy on the right; `highlight` drawn bold."""
    has_accuracy = any(row.get("test_accuracy") is not None for history in histories.values() for row in history)
    metric_title = figure_text(metric.replace("_", " "))
    panels = Panels(1, 2 if has_accuracy else 1, [metric_title, "test accuracy"] if has_accuracy else [metric_title])
    traces = []
    for index, (label, history) in enumerate(histories.items()):
        if len(history) > MAX_POINTS:
            keep = np.unique(np.linspace(0, len(history) - 1, MAX_POINTS).astype(int))
            history = [history[i] for i in keep]
        epochs = [row["epoch"] for row in history]
        bold = highlight is not None and label == highlight
        dim = highlight is not None and not bold
        name = figure_text(label)
        style = dict(color="#d62728" if bold else CLASS_COLORS[index % len(CLASS_COLORS)], width=4 if bold else 1.5)
        opacity = 0.35 if dim else 1.0
        traces.append(
            go.Scatter(x=epochs, y=_column(history, metric), name=name, legendgroup=name, line=style, opacity=opacity)
        )
        if has_accuracy:
            x2, y2 = panels.axes(1, 2)
            traces.append(
                go.Scatter(
                    x=epochs,
                    y=_column(history, "test_accuracy"),
                    name=name,
                    legendgroup=name,
                    showlegend=False,
                    line=style,
                    opacity=opacity,
                    xaxis=x2,
                    yaxis=y2,
                )
            )
    layout = panels.layout(x={"title": {"text": "epoch"}})
    if has_accuracy:
        layout["yaxis2"]["range"] = [0, 1.02]
    fig = compact(go.Figure(data=traces, layout=layout), 380)
    rows = -(-len(histories) // 2)  # the legend sits below, two runs to a line
    fig.update_layout(
        legend=dict(
            orientation="h", y=-0.18, x=0, yanchor="top", font=dict(size=10), entrywidth=0.5, entrywidthmode="fraction"
        ),
        margin=dict(b=60 + 22 * rows),
        height=380 + 22 * rows,
    )
    return fig


def _score(value: float) -> str:
    return "no finished run" if np.isnan(value) else f"{value:.4g}"


def sweep_heatmap(grid: Any, x_label: str, y_label: str, metric_label: str, higher_is_better: bool) -> go.Figure:
    x_label, y_label, metric_label = figure_text(x_label), figure_text(y_label), figure_text(metric_label)
    z = grid.to_numpy(dtype=float)
    xs, ys = [figure_text(v) for v in grid.columns], [figure_text(v) for v in grid.index]
    fig = go.Figure(
        go.Heatmap(
            z=z.tolist(),
            x=xs,
            y=ys,
            colorscale="Viridis" if higher_is_better else "Viridis_r",
            colorbar=dict(title=metric_label),
            text=[["" if np.isnan(v) else f"{v:.3g}" for v in row] for row in z],
            texttemplate="%{text}",
            hovertext=[  # the names are data, never part of a hover template
                [f"{x_label}={x}<br>{y_label}={y}<br>{metric_label}={_score(v)}" for x, v in zip(xs, row)]
                for y, row in zip(ys, z)
            ],
            hoverinfo="text",
        )
    )
    fig.update_layout(xaxis=dict(title=x_label, type="category"), yaxis=dict(title=y_label, type="category"))
    return compact(fig, 420, f"{metric_label} by {x_label} and {y_label}")


def sweep_heatmap_1d(table: Any, x: str, metric: str, metric_label: str) -> go.Figure:
    """With one swept parameter, a bar per value instead of a heatmap."""
    means = table.groupby(x)[metric].mean()
    x, metric_label = figure_text(x), figure_text(metric_label)
    fig = go.Figure(
        go.Bar(
            x=[figure_text(v) for v in means.index],
            y=means.to_numpy().tolist(),
            marker_color="#0877bd",
            text=[f"{v:.3g}" for v in means.to_numpy()],
            textposition="outside",
        )
    )
    fig.update_layout(xaxis=dict(title=x, type="category"), yaxis_title=metric_label)
    return compact(fig, 360, f"{metric_label} by {x}")


def parallel_coordinates(
    table: Any, parameters: list[str], metric: str, metric_label: str, higher_is_better: bool
) -> go.Figure:
    dimensions = []
    for name in parameters:
        values = table[name]
        if values.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all():
            numbers = values.astype(float).to_numpy()
            log = numbers.min() > 0 and numbers.max() / numbers.min() > 50
            shown = np.log10(numbers) if log else numbers
            ticks = sorted(set(numbers.tolist()))
            dimensions.append(
                dict(
                    label=f"{figure_text(name)} (log)" if log else figure_text(name),
                    values=shown.tolist(),
                    tickvals=(np.log10(ticks) if log else np.array(ticks)).tolist(),
                    ticktext=[f"{t:g}" for t in ticks],
                )
            )
        else:
            categories = sorted(set(values.astype(str)))
            dimensions.append(
                dict(
                    label=figure_text(name),
                    values=[categories.index(str(v)) for v in values],
                    tickvals=list(range(len(categories))),
                    ticktext=categories,  # plain text to Plotly: shown as typed, never as markup
                )
            )
    scores = table[metric].astype(float).to_numpy()
    metric_label = figure_text(metric_label)
    dimensions.append(
        dict(label=metric_label, values=np.nan_to_num(scores, nan=np.nanmax(scores) if len(scores) else 0).tolist())
    )
    fig = go.Figure(
        go.Parcoords(
            line=dict(
                color=np.nan_to_num(scores).tolist(),
                colorscale="Viridis" if higher_is_better else "Viridis_r",
                showscale=True,
                colorbar=dict(title=metric_label),
            ),
            dimensions=dimensions,
        )
    )
    fig = compact(fig, 420, "Every run of the sweep, one line each")
    fig.update_layout(margin=dict(l=70, r=40, t=90, b=30))  # room for the axis titles above the axes
    return fig
