"""Class probabilities (softmax outputs) of a few samples, one small bar chart each."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.figures.figure_text import figure_text
from playground.figures.panels import Panels
from playground.figures.style import NEGATIVE, POSITIVE, compact


def probabilities(outputs: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Rows of class probabilities; a single sigmoid output becomes (1 - p, p)."""
    outputs = np.asarray(outputs, float)
    if outputs.shape[1] == 1:
        p = outputs[:, 0] if threshold == 0.5 else (outputs[:, 0] + 1) / 2
        return np.stack([1 - p, p], axis=1)
    return outputs


def softmax_bars(
    outputs: np.ndarray,
    truths: Sequence[int] | np.ndarray,
    class_names: Sequence[str],
    threshold: float = 0.5,
    columns: int = 4,
    numbered: bool = False,
) -> go.Figure:
    """`numbered`: titles start with the sample's number, as the decision boundary marks it."""
    probs = probabilities(outputs, threshold)
    names = [figure_text(c) for c in class_names]
    rows = -(-len(probs) // columns)
    height = 190 * rows
    titles = [(f"{n} · " if numbered else "") + f"true: {names[int(t)]}" for n, t in enumerate(truths, 1)]
    panels = Panels(rows, columns, titles, vertical_spacing=min(0.3, 60 / height))
    traces = []
    for i, row in enumerate(probs):
        xaxis, yaxis = panels.axes(i // columns + 1, i % columns + 1)
        colors = [POSITIVE if k == int(truths[i]) else NEGATIVE for k in range(len(row))]
        traces.append(
            go.Bar(
                x=names,
                y=row.tolist(),
                marker_color=colors,
                showlegend=False,
                xaxis=xaxis,
                yaxis=yaxis,
            )
        )
    return compact(go.Figure(data=traces, layout=panels.layout(y={"range": [0, 1]}, x={"type": "category"})), height)
