"""The layer stack editor: a palette to add layers, drag to reorder, per-layer settings, and under
each layer its output shape, parameter count and any problem with it."""

from __future__ import annotations

import dataclasses

import streamlit as st
from streamlit_sortables import sort_items

from playground.activations import ACTIVATIONS
from playground.layers import LAYERS, new_layer
from playground.network_shapes import LayerRow
from playground.spec import ExperimentSpec, LayerSpec
from widgets import session
from widgets.safe_text import plain
from widgets.widget_values import index_of, number_in

NUMBER_FIELDS = {"units": ("Units", 1, 4096), "filters": ("Filters", 1, 512), "kernel_size": ("Kernel", 1, 15), "strides": ("Stride", 1, 8), "pool_size": ("Pool", 1, 8)}


def summary(layer: LayerSpec) -> str:
    if layer.type == "Dense":
        return f"Dense {layer.units} {layer.activation}"
    if layer.type == "Conv2D":
        return f"Conv2D {layer.filters}@{layer.kernel_size}x{layer.kernel_size} {layer.activation}"
    if layer.type == "Dropout":
        return f"Dropout {layer.rate}"
    if isinstance(layer.type, str) and layer.type.endswith("Pooling2D"):
        return f"{layer.type} {layer.pool_size}x{layer.pool_size}"
    return str(layer.type)[:40]


def _commit(spec: ExperimentSpec, layers) -> None:
    session.load(dataclasses.replace(spec, network=dataclasses.replace(spec.network, layers=tuple(layers))))


def layer_editor(spec: ExperimentSpec) -> tuple[tuple[LayerSpec, ...], dict]:
    """Draws the editor; returns the stack as the widgets now set it, and per layer a place for
    its shape and its problems (filled by `show_layer_checks` once the new stack is validated)."""
    layers = list(spec.network.layers)
    with st.popover("Add a layer"):
        for name, layer_type in LAYERS.items():
            if st.button(name, key=session.key(f"add_{name}"), help=layer_type.description, width="stretch"):
                _commit(spec, layers + [new_layer(name)])
    if len(layers) > 1:
        labels = [f"{i}. {summary(layer)}" for i, layer in enumerate(layers, start=1)]
        st.caption("Drag to reorder:")
        order = sort_items(labels, direction="horizontal", key=session.key("sortable"))
        if order != labels and sorted(order) == sorted(labels):
            _commit(spec, [layers[labels.index(label)] for label in order])
    if not layers:
        st.info("No hidden layers: the inputs feed the output neuron directly (a single neuron, like a perceptron).")
    edited, places = [], {}
    per_row = 5
    for start in range(0, len(layers), per_row):
        cards = st.columns(per_row)
        for offset, layer in enumerate(layers[start: start + per_row]):
            index = start + offset + 1
            with cards[offset].container(border=True, key=session.key(f"layer_box_{index}")):
                st.markdown(f"**{index}. {plain(str(layer.type)[:40])}**")
                shape_place = st.empty()
                edited.append(_settings(layer, index))
                places[index] = (shape_place, st.container())
                if st.button("Remove", key=session.key(f"remove_{index}"), help=f"Remove layer {index}", width="stretch"):
                    _commit(spec, layers[: index - 1] + layers[index:])
    return tuple(edited), places


def show_layer_checks(places: dict, rows: dict[int, LayerRow], problems: dict[int, list[str]]) -> None:
    for index, (shape_place, problem_place) in places.items():
        row = rows.get(index)
        if row is not None and row.output_shape is not None:
            shape_place.caption(f"→ {'x'.join(map(str, row.output_shape))} · {row.parameters:,} params")
        for message in problems.get(index, []):
            problem_place.error(plain(message))


def _settings(layer: LayerSpec, index: int) -> LayerSpec:
    layer_type = LAYERS.get(layer.type) if isinstance(layer.type, str) else None
    if layer_type is None or not layer_type.defaults:
        return layer  # an unknown type (from a link) stays as it is; its problem shows below it
    values = {}
    for field in layer_type.defaults:
        column = st
        current = getattr(layer, field)
        widget_key = session.key(f"layer{index}_{field}")
        if field == "activation":
            names = list(ACTIVATIONS)
            values[field] = column.selectbox("Activation", names, index=index_of(names, current),
                                             format_func=lambda n: ACTIVATIONS[n].label, key=widget_key)
        elif field == "padding":
            values[field] = column.selectbox("Padding", ["valid", "same"], index=index_of(["valid", "same"], current), key=widget_key)
        elif field == "rate":
            values[field] = column.slider("Dropout rate", 0.0, 0.9, number_in(current, 0.0, 0.9, 0.2), 0.05, key=widget_key)
        else:
            label, low, high = NUMBER_FIELDS[field]
            start = number_in(current, low, high, layer_type.defaults[field])
            values[field] = int(column.number_input(label, low, high, start, key=widget_key))
    return LayerSpec(type=layer.type, **values)
