"""The drawing's edits of a layer stack: layers, neurons, activation and dropout."""

from __future__ import annotations

from playground.layers import new_layer
from playground.network_edits import (
    add_layer,
    change_units,
    dense_places,
    dropout_of,
    remove_layer,
    remove_layer_at,
    set_activation,
    set_dropout,
)
from playground.spec import MAX_LAYERS, NetworkSpec

DEFAULT = NetworkSpec()  # Dense 4 tanh, Dense 2 tanh


def test_a_neuron_is_added_and_removed_within_the_layers_bounds():
    assert change_units(DEFAULT, 1, +1).layers[0].units == 5
    assert change_units(DEFAULT, 2, -1).layers[1].units == 1
    assert change_units(change_units(DEFAULT, 2, -1), 2, -1).layers[1].units == 1  # never below one neuron
    assert change_units(DEFAULT, 1, +1).layers[1] == DEFAULT.layers[1]


def test_a_layer_is_added_like_the_last_and_removed_from_the_end():
    added = add_layer(DEFAULT)
    assert added.layers[-1] == new_layer("Dense", units=2, activation="tanh") and len(added.layers) == 3
    assert add_layer(NetworkSpec(layers=())).layers == (new_layer("Dense", units=4, activation="tanh"),)
    assert remove_layer(DEFAULT).layers == DEFAULT.layers[:1]
    assert remove_layer(NetworkSpec(layers=())).layers == ()


def test_a_full_stack_takes_no_more_layers():
    full = NetworkSpec(layers=(new_layer("Dense"),) * MAX_LAYERS)
    assert add_layer(full) == full and set_dropout(full, 1, 0.5) == full


def test_activation_is_set_on_one_layer():
    network = set_activation(DEFAULT, 2, "relu")
    assert [layer.activation for layer in network.layers] == ["tanh", "relu"]


def test_dropout_is_the_layer_after_and_goes_with_its_layer():
    network = set_dropout(DEFAULT, 1, 0.3)
    assert [layer.type for layer in network.layers] == ["Dense", "Dropout", "Dense"] and dropout_of(network, 1) == 0.3
    assert dense_places(network) == [1, 3]
    assert dropout_of(set_dropout(network, 1, 0.5), 1) == 0.5 and len(set_dropout(network, 1, 0.5).layers) == 3
    assert set_dropout(network, 1, 0).layers == DEFAULT.layers
    assert remove_layer_at(network, 1).layers == DEFAULT.layers[1:]  # the layer's dropout goes with it
    assert dropout_of(DEFAULT, 2) == 0.0
