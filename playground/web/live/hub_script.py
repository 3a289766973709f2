"""The browser's end of the live stream as one script, which every live component starts with.

`hub.js` (the page's streams, the frames read from them, and where the page's detail views are)
and `plane_views.js` (the plane views computed from a frame's weights), with each input feature's
and activation's maths written in from its registry entry: a new feature or activation is drawn in
the browser with no change here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from playground.activations import ACTIVATIONS, Activation
from playground.features import FEATURES

_HERE = Path(__file__).parent
DETAILS_KEY = "playground_details"  # the block of the page's detail views, whose place on screen the hub watches


def _activation_script(activation: Activation) -> str:
    """The activation as a JavaScript function activating one layer's inputs in place."""
    top = "const top = Math.max(...values); " if "top" in activation.javascript else ""
    total = "let sum = 0; " if activation.sums_to_one else ""
    add = " sum += values[i];" if activation.sums_to_one else ""
    divide = " for (let i = 0; i < values.length; i++) values[i] /= sum;" if activation.sums_to_one else ""
    return (
        f"(values) => {{ {top}{total}for (let i = 0; i < values.length; i++) "
        f"{{ const z = values[i]; values[i] = {activation.javascript};{add} }}{divide} }}"
    )


@cache
def hub_script() -> str:
    """hub.js, then plane_views.js with the registries' tables."""
    features = {name: f"(x1, x2) => {feature.javascript}" for name, feature in FEATURES.items()}
    activations = {name: _activation_script(activation) for name, activation in ACTIVATIONS.items()}
    plane_views = (
        (_HERE / "plane_views.js")
        .read_text()
        .replace("__PLANE_FEATURES__", _table(features))
        .replace("__PLANE_ACTIVATIONS__", _table(activations))
    )
    hub = (_HERE / "hub.js").read_text().replace("__DETAILS_KEY__", DETAILS_KEY)
    return hub + "\n" + plane_views


def _table(functions: dict[str, str]) -> str:
    """A JavaScript object of functions by name (the names as JSON strings)."""
    return "{\n" + "".join(f"  {json.dumps(name)}: {source},\n" for name, source in functions.items()) + "}"
