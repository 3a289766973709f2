"""Starting values for controls drawn from a spec that may hold anything (a link, an import).

A Streamlit number input or slider raises when its value lies outside its range, which would end
the page; a link with a seed of 20,000 must not. The control starts from the nearest value it can
show instead (`session.init` has already moved a link's values into range and says so in words).
"""

from __future__ import annotations

from playground.registry import nearest_number


def number_in(value, low, high, default):
    """The nearest value to `value` from `low` to `high`, of `default`'s type; `default` when it is not a number."""
    return nearest_number(value, low, high, default, whole=isinstance(default, int))


def index_of(options, value, default: int = 0) -> int:
    """The place of `value` among `options`, or `default` (a list where a name belongs is not one)."""
    options = list(options)
    return options.index(value) if isinstance(value, str) and value in options else default
