"""A light replacement for `make_subplots`: a grid of panels as plain layout entries.

`make_subplots` validates and builds a whole figure, which is slow for views redrawn several times
a second; this writes the same axes and titles directly.

Example:

    grid = Panels(rows=1, cols=2, titles=["Loss", "Accuracy"])
    xaxis, yaxis = grid.axes(1, 2)      # -> ("x2", "y2") for traces
    layout = grid.layout()              # domains and title annotations
"""

from __future__ import annotations

from collections.abc import Sequence


class Panels:
    def __init__(
        self,
        rows: int,
        cols: int,
        titles: Sequence[str] | None = None,
        horizontal_spacing: float = 0.08,
        vertical_spacing: float = 0.12,
        row_heights: Sequence[float] | None = None,
    ):
        self.rows, self.cols = rows, cols
        self.titles = list(titles or [])
        self.hspace, self.vspace = horizontal_spacing, vertical_spacing
        heights = row_heights or [1.0] * rows
        total = sum(heights)
        self.heights = [h / total for h in heights]

    def index(self, row: int, col: int) -> int:
        return (row - 1) * self.cols + col

    def axes(self, row: int, col: int) -> tuple[str, str]:
        n = self.index(row, col)
        suffix = "" if n == 1 else str(n)
        return f"x{suffix}", f"y{suffix}"

    def _x_domain(self, col):
        width = (1 - self.hspace * (self.cols - 1)) / self.cols
        start = (col - 1) * (width + self.hspace)
        return [start, start + width]

    def _y_domain(self, row):
        usable = 1 - self.vspace * (self.rows - 1)
        top = 1 - sum(self.heights[: row - 1]) * usable - self.vspace * (row - 1)
        return [max(top - self.heights[row - 1] * usable, 0), top]

    def layout(self, **axis_options: dict) -> dict:
        layout: dict = {"annotations": []}
        for row in range(1, self.rows + 1):
            for col in range(1, self.cols + 1):
                n = self.index(row, col)
                suffix = "" if n == 1 else str(n)
                x_domain, y_domain = self._x_domain(col), self._y_domain(row)
                layout[f"xaxis{suffix}"] = {"domain": x_domain, "anchor": f"y{suffix}", **axis_options.get("x", {})}
                layout[f"yaxis{suffix}"] = {"domain": y_domain, "anchor": f"x{suffix}", **axis_options.get("y", {})}
                if n - 1 < len(self.titles) and self.titles[n - 1]:
                    layout["annotations"].append(
                        {
                            "text": self.titles[n - 1],
                            "x": sum(x_domain) / 2,
                            "y": y_domain[1],
                            "xref": "paper",
                            "yref": "paper",
                            "xanchor": "center",
                            "yanchor": "bottom",
                            "showarrow": False,
                            "font": {"size": 11},
                        }
                    )
        return layout
