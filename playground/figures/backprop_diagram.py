"""The 2-2-1 network of the backpropagation page, drawn with the numbers of the current step.

Stages: "forward" (weights on edges, total input and output in nodes), "backward" (∂E/∂w on
edges, δ = ∂E/∂net in nodes) and "update" (the new weights on edges)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from playground.figures.style import NEGATIVE, POSITIVE, compact

if TYPE_CHECKING:
    from playground.lessons.backprop_steps import TinyNetwork, Trace

NODES = {"x1": (0, 1.0), "x2": (0, 0.0), "h1": (1, 1.0), "h2": (1, 0.0), "o": (2, 0.5)}
EDGES = [
    ("x1", "h1", "w11"),
    ("x2", "h1", "w12"),
    ("x1", "h2", "w21"),
    ("x2", "h2", "w22"),
    ("h1", "o", "v1"),
    ("h2", "o", "v2"),
]


def backprop_diagram(net: TinyNetwork, trace: Trace, stage: str) -> go.Figure:
    fig = go.Figure()
    for start, end, name in EDGES:
        (x0, y0), (x1, y1) = NODES[start], NODES[end]
        if stage == "backward":
            value, label = trace.gradients[name], f"∂E/∂{name} = {trace.gradients[name]:.4f}"
        elif stage == "update":
            value, label = getattr(trace.updated, name), f"{name} → {getattr(trace.updated, name):.4f}"
        else:
            value, label = getattr(net, name), f"{name} = {getattr(net, name):.3f}"
        fig.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[y0, y1],
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line=dict(color=POSITIVE if value >= 0 else NEGATIVE, width=2 + min(abs(value) * 6, 8)),
            )
        )
        # Labels sit at a third of the edge from its end, so the two edges into a node do not collide.
        fig.add_annotation(
            x=x0 + (x1 - x0) * 0.62,
            y=y0 + (y1 - y0) * 0.62,
            text=label,
            showarrow=False,
            bgcolor="rgba(255,255,255,0.85)",
            font=dict(size=12),
        )
    texts = {"x1": f"x1 = {net.x1:g}", "x2": f"x2 = {net.x2:g}"}
    for unit in ("h1", "h2", "o"):
        if stage == "backward":
            texts[unit] = f"{unit}<br>δ = {trace.delta[unit]:.4f}"
        else:
            texts[unit] = f"{unit}<br>net = {trace.net[unit]:.3f}<br>out = {trace.out[unit]:.3f}"
    if stage in ("loss", "backward", "update"):
        texts["o"] += f"<br>t = {net.target:g}, E = {trace.loss:.5f}"
    xs, ys = zip(*NODES.values())
    fig.add_trace(
        go.Scatter(
            x=list(xs),
            y=list(ys),
            mode="markers+text",
            text=[texts[k] for k in NODES],
            textposition="bottom center",
            marker=dict(size=46, color="#e8eaeb", line=dict(color="#555", width=2)),
            hoverinfo="skip",
            showlegend=False,
            textfont=dict(size=13),
        )
    )
    fig.update_layout(
        xaxis=dict(visible=False, range=[-0.35, 2.45]),
        yaxis=dict(visible=False, range=[-0.55, 1.25]),
        plot_bgcolor="white",
    )
    return compact(fig, 430)
