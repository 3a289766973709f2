"""Train and test loss (and accuracy) per epoch, as TF Playground's chart, with a log option."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.style import NEGATIVE, POSITIVE, compact


def loss_curves(history: list[dict], log_scale: bool = False, with_accuracy: bool = True):
    epochs = [row["epoch"] for row in history]
    has_accuracy = with_accuracy and any(row.get("test_accuracy") is not None for row in history)
    fig = make_subplots(rows=1, cols=2 if has_accuracy else 1, subplot_titles=("Loss", "Accuracy") if has_accuracy else ("Loss",))
    fig.add_trace(go.Scatter(x=epochs, y=[r["train_loss"] for r in history], name="train loss", line=dict(color=POSITIVE)), 1, 1)
    fig.add_trace(go.Scatter(x=epochs, y=[r["test_loss"] for r in history], name="test loss", line=dict(color=NEGATIVE)), 1, 1)
    if has_accuracy:
        fig.add_trace(go.Scatter(x=epochs, y=[r["train_accuracy"] for r in history], name="train accuracy", line=dict(color=POSITIVE, dash="dot")), 1, 2)
        fig.add_trace(go.Scatter(x=epochs, y=[r["test_accuracy"] for r in history], name="test accuracy", line=dict(color=NEGATIVE, dash="dot")), 1, 2)
        fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_yaxes(type="log" if log_scale else "linear", row=1, col=1)
    fig.update_xaxes(title_text="epoch")
    fig = compact(fig, 320)
    fig.update_layout(margin=dict(b=60))
    return fig
