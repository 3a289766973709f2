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

from playground.activations import keras_activation
from playground.initializers import make_initializer
from playground.layers import build_keras_layer, keras_layer_name
from playground.losses import OutputPlan
from playground.optimizers import make_optimizer
from playground.regularization import make_regularizer
from playground.spec import ExperimentSpec
from playground.training_data import TrainingData


def build_model(spec: ExperimentSpec, data: TrainingData, *, compile: bool = True):
    import keras

    training = spec.training
    regularizer = make_regularizer(training.regularization)

    def initializer(seed):
        return make_initializer(training.weight_init, seed)

    layers = [keras.Input(shape=data.x_train.shape[1:], name="input")]
    for index, layer in enumerate(spec.network.layers, start=1):
        layers.append(
            build_keras_layer(
                layer,
                seed=_layer_seed(training.seed, index),
                initializer=initializer,
                regularizer=regularizer,
                name=keras_layer_name(layer, index),
            )
        )
    plan: OutputPlan = data.plan
    layers.append(
        keras.layers.Dense(
            plan.units,
            activation=keras_activation(plan.activation),
            kernel_initializer=initializer(_layer_seed(training.seed, 0)),
            kernel_regularizer=regularizer,
            name="output",
        )
    )
    model = keras.Sequential(layers, name=_model_name(spec))
    if compile:
        model.compile(optimizer=make_optimizer(training.optimizer, training.learning_rate), loss=plan.loss)
    return model


def _layer_seed(seed: int, index: int) -> int:
    return seed * 1000 + index


def _model_name(spec: ExperimentSpec) -> str:
    # TensorFlow scope names take ASCII letters, digits and _ only ("Réseau café" -> "R_seau_caf_").
    name = "".join(c if c.isascii() and c.isalnum() else "_" for c in (spec.title or spec.dataset.name))
    return f"playground_{name}"[:60]
