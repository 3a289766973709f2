"""Confusion matrix on the test set: rows are the true classes, columns the predicted ones."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.figures.figure_text import figure_text
from playground.figures.style import compact


def confusion_matrix(matrix: np.ndarray, class_names: Sequence[str]) -> go.Figure:
    names = [figure_text(n) for n in class_names]
    fig = go.Figure(
        go.Heatmap(z=matrix, x=names, y=names, colorscale="Blues", text=matrix, texttemplate="%{text}", showscale=False)
    )
    fig.update_xaxes(title_text="predicted", type="category")
    fig.update_yaxes(title_text="true", autorange="reversed", type="category")
    return compact(fig, 340)
