"""The class's roll-up: one point per student, a score against a setting that varied between them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from playground.figures.figure_text import figure_text
from playground.figures.style import POSITIVE, compact

SCORE_LABELS = {"test_loss": "test loss", "test_accuracy": "test accuracy", "parameters": "parameters"}


def class_rollup(table: pd.DataFrame, setting: str | None, score: str = "test_loss", height: int = 360) -> go.Figure:
    """`table` from `class_results`; `setting` one of its varied settings (None: a bar per student)."""
    label = SCORE_LABELS.get(score, score)
    names = [figure_text(name) for name in table["name"]]
    values = pd.to_numeric(table[score], errors="coerce").to_numpy(dtype=float)
    if setting is None:
        fig = go.Figure(
            go.Bar(x=names, y=np.nan_to_num(values, nan=0).tolist(), marker_color=POSITIVE, hoverinfo="x+y")
        )
        fig.update_layout(xaxis=dict(type="category"), yaxis_title=label)
        return compact(fig, height, f"{label} by student")
    x = table[setting].tolist()
    numeric = all(isinstance(v, float) for v in x)
    shown_setting = figure_text(setting)
    rows = zip(names, x, values)
    fig = go.Figure(
        go.Scatter(
            x=x if numeric else [figure_text(v) for v in x],
            y=values.tolist(),
            mode="markers",
            marker=dict(size=14, color=POSITIVE, line=dict(width=1, color="white")),
            hovertext=[f"{name}<br>{shown_setting}: {figure_text(v)}<br>{label}: {y:.4g}" for name, v, y in rows],
            hoverinfo="text",
        )
    )
    positive = numeric and all(v > 0 for v in x)
    spread = positive and max(x) / min(x) >= 10
    fig.update_layout(
        xaxis=dict(title=shown_setting, type="log" if spread else ("linear" if numeric else "category")),
        yaxis_title=label,
    )
    return compact(fig, height, f"{label} against {shown_setting}, one point per student")
