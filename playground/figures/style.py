"""Shared colours: TF Playground's orange (negative) and blue (positive)."""

from typing import Any

NEGATIVE = "#f59322"
POSITIVE = "#0877bd"
CLASS_COLORS = [
    "#f59322",
    "#0877bd",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
DIVERGING = [[0.0, NEGATIVE], [0.5, "#e8eaeb"], [1.0, POSITIVE]]


def compact(fig: Any, height: int = 320, title: str | None = None) -> Any:
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        title=title,
        legend=dict(orientation="h", yanchor="top", y=-0.22, x=0),
        uirevision="keep",
    )
    return fig


# The look Streamlit gives its own Plotly charts (its "streamlit" theme, light), for the live charts,
# which are drawn by plotly.js directly (playground/web/live/chart.py) and so do not get that theme.
_TEXT = "#31333f"
_FAINT = "rgba(49, 51, 63, 0.6)"
_GRID = "#e6e9ef"


def streamlit_look(fig: Any, scale: float = 1.0) -> Any:
    """Give `fig` the look of Streamlit's Plotly theme, as its template (the figure's own settings
    win); `scale` enlarges every text (presenter mode)."""
    size = lambda points: round(points * scale)  # noqa: E731
    axis = dict(
        gridcolor=_GRID,
        zerolinecolor=_GRID,
        linecolor=_GRID,
        tickcolor=_GRID,
        automargin=True,
        tickfont=dict(color=_FAINT, size=size(12)),
        title=dict(font=dict(color=_FAINT, size=size(14))),
    )
    look = dict(
        font=dict(family='"Source Sans", "Source Sans Pro", sans-serif', size=size(12), color=_TEXT),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=[
            "#0068c9",
            "#83c9ff",
            "#ff2b2b",
            "#ffabab",
            "#29b09d",
            "#7defa1",
            "#ff8700",
            "#ffd16a",
            "#6d3fc0",
            "#d5dae5",
        ],
        title=dict(font=dict(size=size(16), color=_TEXT), x=0, xanchor="left"),
        legend=dict(font=dict(color=_FAINT, size=size(12)), bgcolor="rgba(0,0,0,0)"),
        hoverlabel=dict(bgcolor="white", bordercolor=_GRID, font=dict(color=_TEXT, size=size(12))),
        xaxis=axis,
        yaxis=axis,
        coloraxis=dict(colorbar=dict(outlinewidth=0, thickness=16, tickfont=dict(color=_FAINT, size=size(12)))),
    )
    fig.layout.template = dict(layout=look)  # replaces Plotly's default template, not merged into it
    if scale != 1.0:
        for note in fig.layout.annotations:  # panel titles carry their own size
            if note.font.size:
                note.font.size = size(note.font.size)
    return fig
