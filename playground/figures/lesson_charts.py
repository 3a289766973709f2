"""Figures for the Learn pages: a neuron's output, activation curves, softmax bars, optimiser
paths over loss surfaces, mini-batch curves and gradient clouds, and the loss landscape."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from playground.figures.figure_text import figure_text
from playground.figures.style import CLASS_COLORS, DIVERGING, NEGATIVE, POSITIVE, compact

if TYPE_CHECKING:
    from playground.lessons.loss_landscape import Landscape
    from playground.lessons.loss_surfaces import LossSurface
    from playground.lessons.minibatch import BatchRun, GradientSpread
    from playground.lessons.neuron import NeuronGrid
    from playground.lessons.optimizer_paths import OptimizerPath

PATH_COLORS = {"sgd": "#d62728", "momentum": "#2ca02c", "adam": "#9467bd"}


def neuron_heatmap(
    grid: NeuronGrid, line: tuple[np.ndarray, np.ndarray] | None = None, activation_label: str = ""
) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            x=grid.xs.tolist(),
            y=grid.ys.tolist(),
            z=grid.output.tolist(),
            colorscale=DIVERGING,
            colorbar=dict(title="output"),
            hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>output=%{z:.3f}<extra></extra>",
        )
    )
    if line is not None:
        fig.add_trace(
            go.Scatter(
                x=line[0].tolist(),
                y=line[1].tolist(),
                mode="lines",
                line=dict(color="black", dash="dash"),
                name="w·x + b = 0",
            )
        )
    extent = float(grid.xs[-1])
    fig.update_layout(
        xaxis=dict(title="x1", range=[-extent, extent]),
        yaxis=dict(title="x2", range=[-extent, extent], scaleanchor="x"),
    )
    return compact(fig, 420, f"Output of the neuron ({figure_text(activation_label)})")


def neuron_surface(grid: NeuronGrid) -> go.Figure:
    fig = go.Figure(
        go.Surface(
            x=grid.xs.tolist(), y=grid.ys.tolist(), z=grid.output.tolist(), colorscale=DIVERGING, showscale=False
        )
    )
    fig.update_layout(scene=dict(xaxis_title="x1", yaxis_title="x2", zaxis_title="output"))
    return compact(fig, 420, "The same as a surface")


def activation_plot(
    name: str,
    label: str,
    z: np.ndarray,
    values: np.ndarray,
    derivative: np.ndarray,
    saturated: Sequence[tuple[float, float]],
) -> go.Figure:
    label = figure_text(label)
    fig = go.Figure()
    for start, end in saturated:
        fig.add_vrect(x0=start, x1=end, fillcolor="#bbbbbb", opacity=0.25, line_width=0)
    fig.add_trace(go.Scatter(x=z.tolist(), y=values.tolist(), name=f"{label}(z)", line=dict(color=POSITIVE, width=3)))
    fig.add_trace(
        go.Scatter(
            x=z.tolist(), y=derivative.tolist(), name=f"{label}'(z)", line=dict(color=NEGATIVE, width=2, dash="dash")
        )
    )
    fig.update_layout(xaxis_title="z (the neuron's total input)", yaxis=dict(range=[-1.6, 2.6]))
    return compact(fig, 380, f"{label} and its derivative" + (" (grey: saturated, f' &lt; 0.05)" if saturated else ""))


def softmax_bars(probabilities: np.ndarray, logits: np.ndarray, class_names: Sequence[str] | None = None) -> go.Figure:
    names = [figure_text(name) for name in class_names] if class_names else [str(i) for i in range(len(probabilities))]
    finite = np.isfinite(probabilities)
    fig = go.Figure(
        go.Bar(
            x=names,
            y=np.where(finite, probabilities, 0).tolist(),
            marker_color=[POSITIVE if f else "#d62728" for f in finite],
            text=[f"{p:.3f}" if f else "NaN" for p, f in zip(probabilities, finite)],
            textposition="outside",
            hovertemplate="class %{x}: %{y:.4f}<extra></extra>",
        )
    )
    fig.update_layout(yaxis=dict(range=[0, 1.12], title="probability"), xaxis=dict(title="class", type="category"))
    return compact(fig, 320, "Probabilities (they sum to 1)")


def surface_paths(surface: LossSurface, paths: Iterable[OptimizerPath], resolution: int = 120) -> go.Figure:
    x0, x1, y0, y1 = surface.extent
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)
    z = surface.value(gx, gy)
    shown = np.log1p(z - z.min())  # log levels show the flat bottom and the steep walls together
    fig = go.Figure(
        go.Contour(
            x=xs.tolist(),
            y=ys.tolist(),
            z=shown.tolist(),
            colorscale="Blues_r",
            ncontours=30,
            showscale=False,
            contours=dict(coloring="heatmap"),
            hoverinfo="skip",
        )
    )
    for path in paths:
        fig.add_trace(
            go.Scatter(
                x=path.points[:, 0].tolist(),
                y=path.points[:, 1].tolist(),
                mode="lines+markers",
                marker=dict(size=4),
                line=dict(color=PATH_COLORS.get(path.optimizer, "black"), width=2),
                name=f"{path.optimizer}: {path.verdict}",
            )
        )
    if surface.minimum is not None:
        fig.add_trace(
            go.Scatter(
                x=[surface.minimum[0]],
                y=[surface.minimum[1]],
                mode="markers",
                marker=dict(symbol="star", size=14, color="gold", line=dict(color="black", width=1)),
                name="minimum",
            )
        )
    fig.update_layout(
        xaxis=dict(title="w1", range=[x0, x1], constrain="domain"),
        yaxis=dict(title="w2", range=[y0, y1], scaleanchor="x", constrain="domain"),
    )
    return compact(fig, 460, surface.label)


def path_losses(paths: Sequence[OptimizerPath]) -> go.Figure:
    fig = go.Figure()
    for path in paths:
        fig.add_trace(
            go.Scatter(
                y=np.clip(path.losses, -1e6, 1e6).tolist(),
                mode="lines",
                name=path.optimizer,
                line=dict(color=PATH_COLORS.get(path.optimizer, "black")),
            )
        )
    fig.update_layout(
        xaxis_title="step",
        yaxis=dict(title="loss", type="log" if all((p.losses > 0).all() for p in paths) else "linear"),
    )
    return compact(fig, 300, "Loss per step")


def minibatch_curves(runs: Iterable[BatchRun], per: str = "epoch") -> go.Figure:
    fig = go.Figure()
    for run, color in zip(runs, [NEGATIVE, POSITIVE, "#2ca02c", "#9467bd"]):
        x = run.epochs if per == "epoch" else np.arange(len(run.losses))
        label = "full batch" if run.steps_per_epoch == 1 else f"batch {run.batch_size}"
        fig.add_trace(
            go.Scatter(
                x=x.tolist(),
                y=run.losses.tolist(),
                mode="lines" if len(x) > 30 else "lines+markers",
                name=label,
                line=dict(color=color),
            )
        )
    fig.update_layout(
        xaxis_title="epochs (passes over the data)" if per == "epoch" else "steps (weight updates)",
        yaxis_title="loss on the whole training set",
    )
    return compact(fig, 360, "Loss after every step")


def gradient_cloud(spreads: Sequence[GradientSpread]) -> go.Figure:
    fig = go.Figure()
    for spread, color in zip(spreads, CLASS_COLORS):
        fig.add_trace(
            go.Scatter(
                x=spread.batch_gradients[:, 0].tolist(),
                y=spread.batch_gradients[:, 1].tolist(),
                mode="markers",
                marker=dict(size=6, color=color, opacity=0.6),
                name=f"batch {spread.batch_size}",
            )
        )
    full = spreads[0].full_gradient
    fig.add_trace(
        go.Scatter(
            x=[float(full[0])],
            y=[float(full[1])],
            mode="markers",
            marker=dict(symbol="x", size=16, color="black"),
            name="full gradient",
        )
    )
    fig.update_layout(xaxis_title="∂L/∂w1", yaxis=dict(title="∂L/∂w2", scaleanchor="x"))
    return compact(fig, 380, "Mini-batch gradients around the full gradient")


def landscape_line(result: Landscape) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=result.alphas.tolist(),
            y=result.line.tolist(),
            mode="lines",
            line=dict(color=POSITIVE, width=3),
            name="loss",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[0.0],
            y=[result.center_loss],
            mode="markers",
            marker=dict(size=10, color=NEGATIVE),
            name="trained weights",
        )
    )
    fig.update_layout(xaxis_title="α (along direction 1)", yaxis_title="loss")
    return compact(fig, 320, "1-D slice: L(w* + α d₁)")


def landscape_contour(result: Landscape) -> go.Figure:
    fig = go.Figure(
        go.Contour(
            x=result.alphas.tolist(),
            y=result.alphas.tolist(),
            z=np.log10(np.maximum(result.surface, 1e-8)).tolist(),
            colorscale="Viridis",
            ncontours=25,
            colorbar=dict(title="log10 loss"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=result.trajectory[:, 0].tolist(),
            y=result.trajectory[:, 1].tolist(),
            mode="lines+markers",
            marker=dict(size=5, color="white"),
            line=dict(color="white"),
            name="training path",
            text=[f"epoch {e}" for e in result.epochs],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[0.0],
            y=[0.0],
            mode="markers",
            marker=dict(symbol="star", size=14, color=NEGATIVE),
            name="trained weights",
        )
    )
    fig.update_layout(xaxis_title="α (direction 1)", yaxis=dict(title="β (direction 2)", scaleanchor="x"))
    return compact(fig, 460, "2-D slice with the training path projected")


def landscape_surface(result: Landscape) -> go.Figure:
    fig = go.Figure(
        go.Surface(
            x=result.alphas.tolist(),
            y=result.alphas.tolist(),
            z=np.minimum(result.surface, np.percentile(result.surface, 95)).tolist(),
            colorscale="Viridis",
            showscale=False,
        )
    )
    fig.update_layout(scene=dict(xaxis_title="α", yaxis_title="β", zaxis_title="loss"))
    return compact(fig, 460, "The same as a surface (clipped at the 95th percentile)")
