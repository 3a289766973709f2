"""The envelope: the playground-scale networks that one compiled program trains.

TF Playground's networks are small: a few of seven input features, up to six hidden layers of up
to eight neurons. Every such Dense network (with or without dropout after a layer) is the same
program with different numbers in it: the envelope's widest, deepest network, in which a
smaller one runs by masking. Its padded neurons have zero weights in and out and get no update,
and a hidden layer it does not use passes its input on unchanged. `EnvelopeLayout` says where a
spec's network sits in the envelope: which inputs, how many neurons per layer, which activation
and dropout rate. `envelope_loop.EnvelopeLoop` trains it.

Example:

    layout = envelope_layout(spec, data)     # None when the network does not fit
    layout.widths                             # (4, 2): two hidden layers of 4 and 2 neurons
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from playground.activations import ACTIVATIONS
from playground.datasets.dataset import DatasetKind
from playground.features import FEATURES
from playground.layers import LAYERS, complete_layer
from playground.spec import ExperimentSpec, LayerSpec
from playground.training_data import TrainingData

HIDDEN_LAYERS = 6  # TF Playground's deepest network
WIDTH = 8  # its widest layer; the inputs are padded to it as well, so a skipped layer passes them on
PENALTIES = ("none", "l1", "l2")  # the weight penalties the program computes (rates as arguments)
MAX_EXAMPLES = 1024  # training or test examples; more take the per-architecture program (`training_loop`)
INPUT_FEATURES = list(FEATURES)  # the envelope's input columns, in the registry's order


@dataclass(frozen=True)
class EnvelopeLayout:
    """Where one network sits in the envelope.

    Every layer's real inputs and neurons come first, padding after: a dot product then adds the
    same terms in the same order as the unpadded layer's, and the padding's zeros after them.

    Args:
        input_columns: the envelope input column of each of the model's inputs, in the model's order.
        widths: neurons in each hidden Dense layer.
        activations: each hidden layer's activation, as its index in `ACTIVATIONS`.
        dropout: the dropout rate after each hidden layer (0 for none).
    """

    input_columns: tuple[int, ...]
    widths: tuple[int, ...]
    activations: tuple[int, ...]
    dropout: tuple[float, ...]

    def settings(self) -> dict[str, np.ndarray]:
        """The network as the envelope program's arguments (see `EnvelopeLoop.settings`)."""
        depth = len(self.widths)
        inputs = np.zeros(WIDTH, "float32")
        inputs[: len(self.input_columns)] = 1.0
        others = [column for column in range(WIDTH) if column not in self.input_columns]
        units = np.zeros((HIDDEN_LAYERS, WIDTH), "float32")
        for layer, width in enumerate(self.widths):
            units[layer, :width] = 1.0
        activations = np.zeros(HIDDEN_LAYERS, "int32")
        activations[:depth] = self.activations
        dropout = np.zeros(HIDDEN_LAYERS, "float32")
        dropout[:depth] = self.dropout
        return {
            "input_order": np.asarray([*self.input_columns, *others], "int32"),
            "inputs": inputs,
            "units": units,
            "active": np.arange(HIDDEN_LAYERS) < depth,
            "activations": activations,
            "dropout": dropout,
        }

    def weight_places(self, output_units: int) -> list[tuple[int, tuple[np.ndarray, ...]]]:
        """For each trainable variable of the real model (kernel, bias, layer by layer, the output
        layer last): its index among the envelope's variables and where its values sit in it."""
        places = []
        rows = np.arange(len(self.input_columns))  # the program puts the model's inputs first, in its order
        for layer, width in enumerate(self.widths):
            columns = np.arange(width)
            places += [(2 * layer, np.ix_(rows, columns)), (2 * layer + 1, (columns,))]
            rows = columns
        columns = np.arange(output_units)
        places += [(2 * HIDDEN_LAYERS, np.ix_(rows, columns)), (2 * HIDDEN_LAYERS + 1, (columns,))]
        return places

    def padded(self, weights: Sequence[np.ndarray], output_units: int) -> np.ndarray:
        """The envelope's flat weight vector holding the real model's trainable `weights` (in the
        model's order: kernel, bias, layer by layer, the output layer last), zeros elsewhere."""
        padded = [np.zeros(shape, "float32") for shape in envelope_shapes(output_units)]
        for value, (index, place) in zip(weights, self.weight_places(output_units), strict=True):
            padded[index][place] = value
        return np.concatenate([values.ravel() for values in padded])


def envelope_shapes(output_units: int) -> list[tuple[int, ...]]:
    """The envelope's variables: kernel and bias of each hidden layer, then of the output layer."""
    shapes: list[tuple[int, ...]] = []
    for _ in range(HIDDEN_LAYERS):
        shapes += [(WIDTH, WIDTH), (WIDTH,)]
    return shapes + [(WIDTH, output_units), (output_units,)]


def envelope_layout(spec: ExperimentSpec, data: TrainingData) -> EnvelopeLayout | None:
    """Where `spec`'s network sits in the envelope, or None when it does not fit: not 2-D data,
    a layer other than Dense or Dropout (a dropout only after a Dense), too deep or too wide,
    or more examples than `MAX_EXAMPLES`."""
    dataset = data.dataset
    features = list(spec.network.features)
    if dataset.kind != DatasetKind.PLANE or not features or any(name not in INPUT_FEATURES for name in features):
        return None
    if len(set(features)) != len(features) or max(len(data.x_train), len(data.x_test)) > MAX_EXAMPLES:
        return None
    if spec.training.regularization.kind not in PENALTIES:
        return None
    widths: list[int] = []
    activations: list[int] = []
    dropout: list[float] = []
    names = list(ACTIVATIONS)
    for layer in (complete_layer(layer) for layer in spec.network.layers):
        if layer.type == "Dense" and _plain_dense(layer) and layer.activation in names and 1 <= layer.units <= WIDTH:
            widths.append(int(layer.units))
            activations.append(names.index(layer.activation))
            dropout.append(0.0)
        elif layer.type == "Dropout" and widths and dropout[-1] == 0.0 and 0.0 < layer.rate < 1.0:
            dropout[-1] = float(layer.rate)
        else:
            return None
    if len(widths) > HIDDEN_LAYERS:
        return None
    columns = tuple(INPUT_FEATURES.index(name) for name in features)
    return EnvelopeLayout(columns, tuple(widths), tuple(activations), tuple(dropout))


def _plain_dense(layer: LayerSpec) -> bool:
    """A Dense layer the envelope's masks can represent: any width and activation, every other
    setting at its default (a setting the envelope does not know, such as one that drops the bias,
    keeps the layer's own program)."""
    defaults = LAYERS["Dense"].defaults
    return all(value == defaults[name] for name, value in layer.settings.items() if name not in ("units", "activation"))
