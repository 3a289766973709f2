"""Reading an AppTest page's element tree: the parts AppTest has no accessor for (custom components)."""

from __future__ import annotations

import json


def elements(app):
    """Every element of `app`'s page, depth first."""

    def walk(node):
        children = getattr(node, "children", None)
        for child in children.values() if isinstance(children, dict) else []:
            yield child
            yield from walk(child)

    return walk(app._tree)


def components(app, name: str):
    """The page's components v2 of `name`: (key, data) pairs."""
    for element in elements(app):
        if getattr(element, "type", "") == "bidi_component" and element.proto.component_name == name:
            yield element.proto.id.rsplit("-", 1)[-1], json.loads(element.proto.json)
