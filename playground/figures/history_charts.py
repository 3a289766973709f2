"""Figures for the History gallery: perceptron lines, energy while settling, hidden-unit codes,
training curves and accuracy comparisons."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from playground.figures.figure_text import figure_text
from playground.figures.style import NEGATIVE, POSITIVE, compact

if TYPE_CHECKING:
    from playground.history.boltzmann import SettlingRun
    from playground.history.perceptron import PerceptronRun


def perceptron_lines(run: PerceptronRun, inputs: np.ndarray, targets: np.ndarray) -> go.Figure:
    fig = go.Figure()
    xs = np.array([-0.5, 1.5])
    count = len(run.lines)
    for index, (w1, w2, b) in enumerate(run.lines[1:], start=1):
        last = index == count - 1
        if abs(w2) > 1e-9:
            ys = -(w1 * xs + b) / w2
            x_line = xs
        elif abs(w1) > 1e-9:
            x_line, ys = np.full(2, -b / w1), np.array([-0.5, 1.5])
        else:
            continue
        fig.add_trace(
            go.Scatter(
                x=x_line.tolist(),
                y=ys.tolist(),
                mode="lines",
                showlegend=last,
                name="final line" if last else None,
                line=dict(color="black" if last else "#999", width=3 if last else 1, dash=None if last else "dot"),
                opacity=1.0 if last else 0.25 + 0.6 * index / count,
                hoverinfo="skip",
            )
        )
    for label, color in ((1, POSITIVE), (0, NEGATIVE)):
        chosen = targets == label
        fig.add_trace(
            go.Scatter(
                x=inputs[chosen, 0].tolist(),
                y=inputs[chosen, 1].tolist(),
                mode="markers",
                name=f"target {label}",
                marker=dict(size=18, color=color, line=dict(color="black", width=1)),
            )
        )
    fig.update_layout(
        xaxis=dict(range=[-0.5, 1.5], title="x1"), yaxis=dict(range=[-0.5, 1.5], title="x2", scaleanchor="x")
    )
    return compact(fig, 380, f"{run.gate}: the lines the perceptron tried (dotted: earlier epochs)")


def mistakes_per_epoch(run: PerceptronRun) -> go.Figure:
    fig = go.Figure(go.Bar(x=list(range(1, len(run.mistakes) + 1)), y=run.mistakes.tolist(), marker_color=NEGATIVE))
    fig.update_layout(xaxis_title="epoch", yaxis=dict(title="mistakes", range=[0, 4.2]))
    return compact(fig, 260, "Mistakes per epoch")


def energy_curve(run: SettlingRun) -> go.Figure:
    fig = go.Figure(go.Scatter(y=run.energies.tolist(), mode="lines+markers", name="energy", line=dict(color=POSITIVE)))
    fig.add_trace(
        go.Scatter(
            x=list(range(1, len(run.temperatures) + 1)),
            y=run.temperatures.tolist(),
            name="temperature",
            yaxis="y2",
            line=dict(color=NEGATIVE, dash="dot"),
        )
    )
    fig.update_layout(
        xaxis_title="sweep",
        yaxis_title="energy E(s)",
        yaxis2=dict(title="temperature", overlaying="y", side="right", rangemode="tozero"),
    )
    return compact(fig, 320, "Energy while annealing")


def hidden_codes(codes: npt.ArrayLike, row_labels: Sequence[object], title: str) -> go.Figure:
    codes = np.asarray(codes, float)
    fig = go.Figure(
        go.Heatmap(
            z=codes.tolist(),
            x=[f"h{i + 1}" for i in range(codes.shape[1])],
            y=[figure_text(label) for label in row_labels],
            zmin=0,
            zmax=1,
            colorscale="Greys",
            text=[[f"{v:.2f}" for v in row] for row in codes],
            texttemplate="%{text}",
            textfont=dict(size=13),
            colorbar=dict(title="activation"),
        )
    )
    fig.update_layout(
        yaxis=dict(autorange="reversed", title="input", type="category"),
        xaxis=dict(title="hidden unit", type="category"),
    )
    return compact(fig, 120 + 34 * len(row_labels), figure_text(title))


def loss_curve(losses: npt.ArrayLike, title: str = "Loss per epoch") -> go.Figure:
    fig = go.Figure(go.Scatter(y=np.asarray(losses).tolist(), mode="lines", line=dict(color=POSITIVE)))
    fig.update_layout(xaxis_title="epoch", yaxis=dict(title="loss", type="log"))
    return compact(fig, 280, figure_text(title))


def accuracy_comparison(series: Mapping[str, Sequence[float] | np.ndarray], title: str) -> go.Figure:
    fig = go.Figure()
    for (name, values), color in zip(series.items(), [POSITIVE, NEGATIVE, "#2ca02c"]):
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(values) + 1)),
                y=np.asarray(values).tolist(),
                mode="lines+markers",
                name=figure_text(name),
                line=dict(color=color),
            )
        )
    fig.update_layout(xaxis_title="epoch", yaxis=dict(title="test accuracy", range=[0, 1.02]))
    return compact(fig, 320, figure_text(title))


def error_curves(
    errors: Iterable[npt.ArrayLike], title: str = "Reconstruction error while training each RBM"
) -> go.Figure:
    fig = go.Figure()
    for index, values in enumerate(errors, start=1):
        fig.add_trace(go.Scatter(y=np.asarray(values).tolist(), mode="lines+markers", name=f"RBM {index}"))
    fig.update_layout(xaxis_title="epoch", yaxis_title="mean squared reconstruction error")
    return compact(fig, 300, figure_text(title))
