"""The network drawn as TF Playground does: neurons in columns, links coloured by the sign of the
weight (blue positive, orange negative) and as thick as its size. Past `max_edges` links, only the
strongest are drawn and the title says so."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.style import NEGATIVE, POSITIVE, compact


def network_diagram(weights: list[tuple[np.ndarray, np.ndarray]], input_names, max_edges: int = 200, height: int = 380):
    sizes = [weights[0][0].shape[0]] + [kernel.shape[1] for kernel, _ in weights]
    positions = []
    for column, size in enumerate(sizes):
        ys = np.linspace(1, -1, size) * min(1.0, size / 8) if size > 1 else np.zeros(1)
        positions.append([(column, y) for y in ys])
    edges = []
    for layer, (kernel, _) in enumerate(weights):
        for i in range(kernel.shape[0]):
            for j in range(kernel.shape[1]):
                edges.append((abs(float(kernel[i, j])), float(kernel[i, j]), layer, i, j))
    total = len(edges)
    if total > max_edges:
        edges = sorted(edges, key=lambda e: -e[0])[:max_edges]
    strongest = max((e[0] for e in edges), default=1.0) or 1.0
    # One trace per (sign, thickness band): a few traces however many links, so redraws stay cheap.
    bands: dict[tuple[bool, int], tuple[list, list]] = {}
    for size_value, value, layer, i, j in edges:
        (x0, y0), (x1, y1) = positions[layer][i], positions[layer + 1][j]
        xs, ys = bands.setdefault((value >= 0, min(int(5 * size_value / strongest), 4)), ([], []))
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    traces = [
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            hoverinfo="skip",
            showlegend=False,
            line=dict(color=POSITIVE if positive else NEGATIVE, width=0.6 + 1.3 * band),
        )
        for (positive, band), (xs, ys) in bands.items()
    ]
    fig = go.Figure(data=traces)
    biases = [np.zeros(sizes[0])] + [bias for _, bias in weights]
    for column, points in enumerate(positions):
        xs, ys = zip(*points)
        labels = list(input_names) if column == 0 else [f"b = {b:.2f}" for b in biases[column]]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers+text" if column == 0 else "markers",
                text=labels if column == 0 else None,
                textposition="middle left",
                hovertext=labels,
                hoverinfo="text",
                marker=dict(size=14, color="white", line=dict(width=2, color="#555")),
                showlegend=False,
            )
        )
    title = (
        f"Network ({total} weights)" if total <= max_edges else f"Network: the {max_edges} strongest of {total} weights"
    )
    fig.update_xaxes(visible=False, range=[-0.8, len(sizes) - 0.6])
    fig.update_yaxes(visible=False, range=[-1.2, 1.2])
    fig = compact(fig, height, title)
    fig.update_layout(plot_bgcolor="white")
    return fig
