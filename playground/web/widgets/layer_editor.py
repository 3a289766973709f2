"""The layer stack editor: a palette to add layers, drag to reorder, per-layer settings, and under
each layer its output shape, parameter count and any problem with it."""

from __future__ import annotations

import dataclasses
import hashlib

import streamlit as st
from streamlit_sortables import sort_items

from playground.layers import LAYERS, new_layer
from playground.network_shapes import LayerRow
from playground.spec import ExperimentSpec, LayerSpec
from playground.web.widgets import session
from playground.web.widgets.safe_text import plain
from playground.web.widgets.setting_input import setting_input, start_value

# The layer cards' expander: its content is drawn only while it is open (the first screen does not
# wait for cards it does not show), and opening it sets the cards to the stack as it stands.
CARDS_KEY = "layer_cards"


def show_cards() -> None:
    """The cards' expander's callback: the cards, opened, show the stack as it stands (edited on the
    drawing while they were closed)."""
    if st.session_state.get(CARDS_KEY):
        set_layer_controls(session.spec().network.layers)


def summary(layer: LayerSpec) -> str:
    layer_type = LAYERS.lookup(layer.type)
    return layer_type.describe(layer_type.complete(layer)) if layer_type else str(layer.type)[:40]


def _commit(spec: ExperimentSpec, layers) -> None:
    session.load(dataclasses.replace(spec, network=dataclasses.replace(spec.network, layers=tuple(layers))))


def layer_editor(spec: ExperimentSpec) -> tuple[tuple[LayerSpec, ...], dict]:
    """Draws the editor; returns the stack as the widgets now set it, and per layer a place for
    its shape and its problems (filled by `show_layer_checks` once the new stack is validated)."""
    layers = list(spec.network.layers)
    with st.popover("Add a layer"):
        for name, layer_type in LAYERS.items():
            if st.button(name, key=session.key(f"add_{name}"), help=layer_type.help, width="stretch"):
                _commit(spec, layers + [new_layer(name)])
    if len(layers) > 1:
        labels = [f"{i}. {summary(layer)}" for i, layer in enumerate(layers, start=1)]
        st.caption("Drag to reorder:")
        # Keyed by the labels too: the component keeps the items it was first given under a key,
        # and an edit on the drawing changes the stack without a new widget generation.
        stack = hashlib.sha1("\n".join(labels).encode()).hexdigest()[:10]
        order = sort_items(labels, direction="horizontal", key=session.key(f"sortable_{stack}"))
        if order != labels and sorted(order) == sorted(labels):
            _commit(spec, [layers[labels.index(label)] for label in order])
    if not layers:
        st.info("No hidden layers: the inputs feed the output neuron directly (a single neuron, like a perceptron).")
    edited, places = [], {}
    per_row = 5
    for start in range(0, len(layers), per_row):
        cards = st.columns(per_row)
        for offset, layer in enumerate(layers[start : start + per_row]):
            index = start + offset + 1
            with cards[offset].container(border=True, key=session.key(f"layer_box_{index}")):
                st.markdown(f"**{index}. {plain(str(layer.type)[:40])}**")
                shape_place = st.empty()
                edited.append(_settings(layer, index))
                places[index] = (shape_place, st.container())
                if st.button(
                    "Remove", key=session.key(f"remove_{index}"), help=f"Remove layer {index}", width="stretch"
                ):
                    _commit(spec, layers[: index - 1] + layers[index:])
    return tuple(edited), places


def show_layer_checks(places: dict, rows: dict[int, LayerRow], problems: dict[int, list[str]]) -> None:
    for index, (shape_place, problem_place) in places.items():
        row = rows.get(index)
        if row is not None and row.output_shape is not None:
            shape_place.caption(f"→ {'x'.join(map(str, row.output_shape))} · {row.parameters:,} params")
        for message in problems.get(index, []):
            problem_place.error(plain(message))


def set_layer_controls(layers: tuple[LayerSpec, ...]) -> None:
    """Sets every layer card's controls to `layers`, a stack edited elsewhere (on the drawing), so
    the cards show it and the page reads it back from them. For a button's callback: it runs
    before the page, which then draws once, every other control kept as it was."""
    state = st.session_state
    for index, layer in enumerate(layers, start=1):
        layer_type = LAYERS.lookup(layer.type)
        if layer_type is None:
            continue
        complete = layer_type.complete(layer)
        for setting in layer_type.settings:
            state[session.key(f"layer{index}_{setting.name}")] = start_value(setting, getattr(complete, setting.name))


def _settings(layer: LayerSpec, index: int) -> LayerSpec:
    layer_type = LAYERS.lookup(layer.type)
    if layer_type is None:
        return layer  # an unknown type (from a link) stays as it is; its problem shows below it
    values = {
        setting.name: setting_input(setting, getattr(layer, setting.name), session.key(f"layer{index}_{setting.name}"))
        for setting in layer_type.settings
    }
    # A setting the layer left out stays out while it keeps its default: the stack is not edited by drawing it.
    kept = {
        name: value for name, value in values.items() if name in layer.settings or value != layer_type.defaults[name]
    }
    return LayerSpec(layer.type, **kept)
