"""Hostile names drawn by the browser's Plotly: shown as typed, never as a link or styled text.

`figure_text` relies on Plotly showing `&lt;`, `&gt;` and `&amp;` as the characters, and on the
ticks of parallel coordinates being plain text; a new plotly.js must keep both. No server: the
figures are drawn in a blank page with the installed package's plotly.min.js.
"""

from __future__ import annotations

from pathlib import Path

import plotly

from tests.test_hostile_text import BUILDERS, hostile

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
DRAWN = ["softmax_bars.softmax_bars", "run_charts.overlaid_curves", "run_charts.parallel_coordinates"]


def test_hostile_names_are_drawn_as_typed_text(page):
    page.goto("about:blank")
    page.add_script_tag(path=str(PLOTLY_JS))
    for name in DRAWN:
        figure = BUILDERS[name]().to_json()
        drawn = page.evaluate(
            """async (figure) => {
                const div = document.createElement("div");
                div.style.width = "900px";
                document.body.replaceChildren(div);
                const {data, layout} = JSON.parse(figure);
                await Plotly.newPlot(div, data, layout);
                return {
                    texts: [...div.querySelectorAll("text")].map((t) => t.textContent),
                    links: div.querySelectorAll("svg a").length,  // the mode bar's buttons are links outside the plot
                    styled: [...div.querySelectorAll("tspan[style]")].map((t) => t.getAttribute("style")),
                };
            }""",
            figure,
        )
        assert drawn["links"] == 0 and not any("80px" in style or "red" in style for style in drawn["styled"]), name
        shown = "\n".join(drawn["texts"])
        assert any(text in shown for text in hostile(3)), f"{name}: {shown[:300]!r}"
