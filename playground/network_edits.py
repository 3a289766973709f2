"""The edits the network drawing makes to a stack, as TF Playground's buttons do: add or remove a
hidden layer, add or remove a neuron, set a layer's activation and its dropout.

Each takes a `NetworkSpec` and returns the edited one; the drawing's Dense layers are named by
their 1-based place in the whole stack (as the layer cards and the validator count). A layer's
dropout is the Dropout layer right after it.

Example:

    network = add_neuron(NetworkSpec(), 1)        # the first hidden layer: 4 -> 5 neurons
    network = set_activation(network, 2, "relu")
    network = set_dropout(network, 1, 0.2)         # a Dropout(0.2) after layer 1
"""

from __future__ import annotations

import dataclasses

from playground.layers import LAYERS, new_layer
from playground.spec import MAX_LAYERS, LayerSpec, NetworkSpec

NEW_LAYER_UNITS = 4  # TF Playground's new layers have a few neurons
UNITS = LAYERS["Dense"].setting("units")


def dense_places(network: NetworkSpec) -> list[int]:
    """The 1-based places of the Dense layers in the stack: the hidden layers the drawing shows."""
    return [index for index, layer in enumerate(network.layers, start=1) if layer.type == "Dense"]


def _with_layers(network: NetworkSpec, layers: list[LayerSpec]) -> NetworkSpec:
    return dataclasses.replace(network, layers=tuple(layers))


def add_layer(network: NetworkSpec) -> NetworkSpec:
    """A new Dense layer at the end, like the last one (or 4 tanh neurons in an empty stack)."""
    if len(network.layers) >= MAX_LAYERS:
        return network
    places = dense_places(network)
    last = network.layers[places[-1] - 1] if places else None
    layer = new_layer(
        "Dense",
        units=last.units if last else NEW_LAYER_UNITS,
        activation=last.activation if last else "tanh",
    )
    return _with_layers(network, [*network.layers, layer])


def remove_layer(network: NetworkSpec) -> NetworkSpec:
    """Removes the last Dense layer and its dropout."""
    places = dense_places(network)
    if not places:
        return network
    return remove_layer_at(network, places[-1])


def remove_layer_at(network: NetworkSpec, place: int) -> NetworkSpec:
    """Removes the Dense layer at `place` and its dropout."""
    layers = list(network.layers)
    end = place + 1 if place < len(layers) and layers[place].type == "Dropout" else place
    return _with_layers(network, layers[: place - 1] + layers[end:])


def change_units(network: NetworkSpec, place: int, delta: int) -> NetworkSpec:
    """Adds `delta` neurons to the Dense layer at `place`, within the layer's bounds."""
    layer = network.layers[place - 1]
    units = int(min(max(layer.units + delta, UNITS.low), UNITS.high))
    return _replace_at(network, place, layer.replace(units=units))


def set_activation(network: NetworkSpec, place: int, activation: str) -> NetworkSpec:
    return _replace_at(network, place, network.layers[place - 1].replace(activation=activation))


def dropout_of(network: NetworkSpec, place: int) -> float:
    """The rate of the Dropout layer right after `place`, or 0."""
    following = network.layers[place] if place < len(network.layers) else None
    return float(following.rate) if following is not None and following.type == "Dropout" else 0.0


def set_dropout(network: NetworkSpec, place: int, rate: float) -> NetworkSpec:
    """Puts a Dropout layer of `rate` right after `place` (0 removes it)."""
    layers = list(network.layers)
    has_dropout = place < len(layers) and layers[place].type == "Dropout"
    if rate <= 0:
        return _with_layers(network, layers[:place] + layers[place + 1 :]) if has_dropout else network
    dropout = new_layer("Dropout", rate=float(rate))
    if has_dropout:
        layers[place] = dropout
    elif len(layers) < MAX_LAYERS:
        layers.insert(place, dropout)
    return _with_layers(network, layers)


def _replace_at(network: NetworkSpec, place: int, layer: LayerSpec) -> NetworkSpec:
    layers = list(network.layers)
    layers[place - 1] = layer
    return _with_layers(network, layers)
