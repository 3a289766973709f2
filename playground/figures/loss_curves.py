"""Train and test loss (and accuracy) per epoch, as TF Playground's chart, with a log option."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.panels import Panels
from playground.figures.style import NEGATIVE, POSITIVE, compact

MAX_POINTS = 300  # a fast run makes thousands of epochs; the chart shows an even sample and the last one


def loss_curves(history: list[dict], log_scale: bool = False, with_accuracy: bool = True) -> go.Figure:
    if len(history) > MAX_POINTS:
        keep = np.unique(np.linspace(0, len(history) - 1, MAX_POINTS).astype(int))
        history = [history[i] for i in keep]
    epochs = np.array([row["epoch"] for row in history])
    column = lambda key: np.array([np.nan if row.get(key) is None else row[key] for row in history], float)  # noqa: E731
    has_accuracy = with_accuracy and any(row.get("test_accuracy") is not None for row in history)
    panels = Panels(1, 2 if has_accuracy else 1, ["Loss", "Accuracy"] if has_accuracy else ["Loss"])
    traces = [
        go.Scatter(x=epochs, y=column("train_loss"), name="train loss", line=dict(color=POSITIVE)),
        go.Scatter(x=epochs, y=column("test_loss"), name="test loss", line=dict(color=NEGATIVE)),
    ]
    layout = panels.layout(x={"title": {"text": "epoch"}})
    layout["yaxis"]["type"] = "log" if log_scale else "linear"
    if not log_scale:
        layout["yaxis"]["rangemode"] = "tozero"  # as TF Playground's; a falling loss stays inside the axis
    if has_accuracy:
        x2, y2 = panels.axes(1, 2)
        traces += [
            go.Scatter(
                x=epochs,
                y=column("train_accuracy"),
                name="train accuracy",
                xaxis=x2,
                yaxis=y2,
                line=dict(color=POSITIVE, dash="dot"),
            ),
            go.Scatter(
                x=epochs,
                y=column("test_accuracy"),
                name="test accuracy",
                xaxis=x2,
                yaxis=y2,
                line=dict(color=NEGATIVE, dash="dot"),
            ),
        ]
        layout["yaxis2"]["range"] = [0, 1.02]
    fig = compact(go.Figure(data=traces, layout=layout), 320)
    fig.update_layout(margin=dict(b=60))
    return fig
