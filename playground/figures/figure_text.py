"""User text (titles, run names, class and column names, sweep names) made safe to draw in a figure.

Plotly draws a few HTML tags found in a figure's text: `<a href>`, `<b>`, `<i>`, `<br>`, `<sub>`,
`<sup>` and `<span style>`, in trace names, titles, axis titles, tick labels, hover texts and
annotations. A CSV class named `<a href="https://evil.example">retry</a>` would be a live link over
the bars of everyone who opens the uploader's link. `figure_text` writes `&`, `<` and `>` as
entities, which Plotly shows as the characters typed, and no tag is left to draw.

Every figure builder passes each string it is given through `figure_text` once, then adds its own
markup (`<br>`) around it. User text never goes into a `hovertemplate`: it is data (`hovertext`,
axis values), shown by `%{...}` or as it is. One exception: the tick labels of parallel
coordinates are plain text to Plotly (no tags, no entities), so they take the text as it is.

Example:

    figure_text('<b style="font-size:80px">cat</b>')  # '&lt;b style="font-size:80px"&gt;cat&lt;/b&gt;'
"""

from __future__ import annotations

import html


def figure_text(text: object) -> str:
    """`text` (any value, as `str` writes it) with `&`, `<` and `>` as entities: Plotly shows it as typed."""
    return html.escape(str(text), quote=False)
