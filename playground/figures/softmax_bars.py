"""Class probabilities (softmax outputs) of a few samples, one small bar chart each."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.style import NEGATIVE, POSITIVE, compact


def probabilities(outputs: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Rows of class probabilities; a single sigmoid output becomes (1 - p, p)."""
    outputs = np.asarray(outputs, float)
    if outputs.shape[1] == 1:
        p = outputs[:, 0] if threshold == 0.5 else (outputs[:, 0] + 1) / 2
        return np.stack([1 - p, p], axis=1)
    return outputs


def softmax_bars(outputs: np.ndarray, truths, class_names, threshold: float = 0.5, columns: int = 4):
    probs = probabilities(outputs, threshold)
    count = len(probs)
    rows = -(-count // columns)
    titles = [f"true: {class_names[int(t)]}" for t in truths]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, vertical_spacing=min(0.3, 60 / (190 * rows)))
    for i, row in enumerate(probs):
        colors = [POSITIVE if k == int(truths[i]) else NEGATIVE for k in range(len(row))]
        fig.add_trace(go.Bar(x=[str(c) for c in class_names], y=row.tolist(), marker_color=colors, showlegend=False), i // columns + 1, i % columns + 1)
    fig.update_yaxes(range=[0, 1])
    fig.update_annotations(font_size=11)
    return compact(fig, 190 * rows)
