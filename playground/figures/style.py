"""Shared colours: TF Playground's orange (negative) and blue (positive)."""

NEGATIVE = "#f59322"
POSITIVE = "#0877bd"
CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
DIVERGING = [[0.0, NEGATIVE], [0.5, "#e8eaeb"], [1.0, POSITIVE]]


def compact(fig, height: int = 320, title: str | None = None):
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), title=title,
                      legend=dict(orientation="h", yanchor="top", y=-0.22, x=0), uirevision="keep")
    return fig
