"""Shapes and parameter counts of a layer stack, worked out without building a model.

This is what the stack editor shows live under the layers, and what the validator uses to
explain impossible stacks. It agrees with Keras' own `model.count_params()` (tested).

Example:

    rows = layer_rows(ExperimentSpec().network, input_shape=(2,), output_units=1)
    [(r.name, r.output_shape, r.parameters) for r in rows]
    # -> [('Input', (2,), 0), ('Dense', (4,), 12), ('Dense', (2,), 10), ('Output', (1,), 3)]
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.layers import LAYERS
from playground.spec import LayerSpec, NetworkSpec


@dataclass(frozen=True)
class LayerRow:
    """One row of the stack table. `index` is 1-based for hidden layers, 0 for the input."""

    index: int
    name: str
    output_shape: tuple[int, ...] | None
    parameters: int
    problem: str | None = None


def layer_rows(network: NetworkSpec, input_shape: tuple[int, ...], output_units: int) -> list[LayerRow]:
    """Walks the stack from `input_shape`; stops computing shapes at the first impossible layer."""
    rows = [LayerRow(0, "Input", tuple(input_shape), 0)]
    shape: tuple[int, ...] | None = tuple(input_shape)
    for index, layer in enumerate(network.layers, start=1):
        layer_type = LAYERS.get(layer.type) if isinstance(layer.type, str) else None
        if layer_type is not None:
            layer = layer_type.complete(layer)
        if layer_type is None or shape is None or not _accepted(layer):
            rows.append(LayerRow(index, layer.type, None, 0))
            shape = None
            continue
        problem = layer_type.check(layer, shape)
        if problem:
            rows.append(LayerRow(index, layer.type, None, 0, f"Layer {index} ({layer.type}) {problem}"))
            shape = None
            continue
        parameters = layer_type.parameters(layer, shape)
        shape = layer_type.output_shape(layer, shape)
        if min(shape) < 1:
            rows.append(
                LayerRow(
                    index,
                    layer.type,
                    None,
                    0,
                    f"Layer {index} ({layer.type}) shrinks the image to nothing. Remove a pooling or conv layer, or "
                    "use padding 'same'.",
                )
            )
            shape = None
            continue
        rows.append(LayerRow(index, layer.type, shape, parameters))
    if shape is None:
        rows.append(LayerRow(len(network.layers) + 1, "Output", None, 0))
    elif len(shape) != 1:
        rows.append(
            LayerRow(
                len(network.layers) + 1,
                "Output",
                None,
                0,
                f"The output layer gets image-shaped input ({'x'.join(map(str, shape))}). Add a Flatten layer at the "
                "end of the stack.",
            )
        )
    else:
        rows.append(
            LayerRow(len(network.layers) + 1, "Output", (output_units,), shape[0] * output_units + output_units)
        )
    return rows


def _accepted(layer: LayerSpec) -> bool:
    """All settings the type takes hold values it accepts (the validator reports the rest)."""
    return all(setting.accepts(getattr(layer, setting.name)) for setting in LAYERS[layer.type].settings)


def total_parameters(rows: list[LayerRow]) -> int:
    return sum(row.parameters for row in rows)
