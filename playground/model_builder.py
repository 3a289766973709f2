"""From an experiment spec to a real Keras model.

The hidden layers come from the spec; the output layer is derived from the task (see
`playground.losses`) unless the spec overrides its activation. Every layer is seeded from the
training seed, so the same spec always starts from the same weights, without touching Keras'
process-wide random state (other users share the process).

Example:

    spec = ExperimentSpec()
    data = training_data(spec)
    model = build_model(spec, data)
    model.count_params()   # -> 25
"""

from __future__ import annotations

from typing import Any

from playground.activations import keras_activation
from playground.initializers import INITIALIZERS
from playground.layers import LAYERS, LayerParts, keras_layer_name
from playground.losses import OutputPlan
from playground.optimizers import make_optimizer
from playground.regularization import REGULARIZATIONS
from playground.spec import ExperimentSpec, LayerSpec, TrainingSpec
from playground.training_data import TrainingData


def output_layer_spec(plan: OutputPlan) -> LayerSpec:
    """The output layer the task asks for (see `playground.losses`), as a stack layer."""
    return LayerSpec("Dense", units=plan.units, activation=plan.activation)


def numbered_layers(spec: ExperimentSpec, plan: OutputPlan) -> list[tuple[int, LayerSpec, str]]:
    """(seed index, layer, Keras name) for each layer, hidden ones first, then the output layer
    (seed index 0): the order in which both the model and an exported script make them."""
    hidden = [
        (index, layer, keras_layer_name(layer, index)) for index, layer in enumerate(spec.network.layers, start=1)
    ]
    return [*hidden, (0, output_layer_spec(plan), "output")]


def layer_seed(seed: int, index: int) -> int:
    return seed * 1000 + index


def keras_parts(training: TrainingSpec, index: int) -> LayerParts:
    """The Keras objects a layer's arguments refer to, seeded for the layer at `index`."""
    seed = layer_seed(training.seed, index)
    regularization = training.regularization
    return LayerParts(
        activation=keras_activation,
        initializer=INITIALIZERS[training.weight_init].build(seed),
        regularizer=REGULARIZATIONS[regularization.kind].build(regularization.rate),
        seed=seed,
    )


def build_model(spec: ExperimentSpec, data: TrainingData, *, compile: bool = True) -> Any:
    import keras

    training = spec.training
    layers = [keras.Input(shape=data.x_train.shape[1:], name="input")]
    for index, layer, name in numbered_layers(spec, data.plan):
        layers.append(LAYERS[layer.type].build(layer, keras_parts(training, index), name=name))
    model = keras.Sequential(layers, name=_model_name(spec))
    if compile:
        model.compile(optimizer=make_optimizer(training), loss=data.plan.loss)
    return model


def _model_name(spec: ExperimentSpec) -> str:
    # TensorFlow scope names take ASCII letters, digits and _ only ("Réseau café" -> "R_seau_caf_").
    name = "".join(c if c.isascii() and c.isalnum() else "_" for c in (spec.title or spec.dataset.name))
    return f"playground_{name}"[:60]
