"""Starting values for controls drawn from a spec that may hold anything (a link, an import).

A Streamlit number input or slider raises when its value lies outside its range, which would end
the page; a link with a seed of 20,000 must not. The control starts from a value it can show
instead, and the page shows the link's problems in words (`session.init`).
"""

from __future__ import annotations

import math


def number_in(value, low, high, default):
    """`value` when it is a real number from `low` to `high` (of `default`'s type), else `default`."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        return default
    if isinstance(default, int) and value != int(value):
        return default
    return type(default)(value)


def index_of(options, value, default: int = 0) -> int:
    """The place of `value` among `options`, or `default` (a list where a name belongs is not one)."""
    options = list(options)
    return options.index(value) if isinstance(value, str) and value in options else default
