"""Export an experiment as a self-contained Python script (keras, numpy and the dataset's package).

Run as it is, the script builds the same data (same formulas and seed), the same network with the
same seeded initial weights, and trains it on the same batches in the same order as the app
(NumPy permutations per epoch, see `engine.training_loop.epoch_order`), so its final test loss
matches the app's up to floating-point differences.

Example:

    text = export_script(load_preset("tfp-default"))
    Path("tfp_default.py").write_text(text)       # then: python tfp_default.py
"""

from __future__ import annotations

import json

from playground.activations import ACTIVATIONS
from playground.datasets import DATASETS, load_dataset
from playground.datasets.dataset import DatasetKind, Task
from playground.features import FEATURES
from playground.initializers import INITIALIZERS
from playground.layers import LAYERS, LayerParts
from playground.losses import OutputPlan, output_for
from playground.model_builder import layer_seed, numbered_layers
from playground.optimizers import OPTIMIZERS
from playground.regularization import REGULARIZATIONS
from playground.schedules import SCHEDULES
from playground.spec import ExperimentSpec, LayerSpec, TrainingSpec


def _data_code(spec: ExperimentSpec) -> str:
    data = spec.dataset
    info = DATASETS[data.name]
    lines = [*info.code(data)]
    lines += [
        "",
        "# Shuffle with the seed, then cut at the training share (as TF Playground does).",
        f"order = np.random.default_rng([{data.seed}, 1]).permutation(len(x))",
        "x, y = x[order], y[order]",
        f"cut = min(max(int(round(len(x) * {data.train_ratio!r})), 1), len(x) - 1)",
        "x_train, y_train, x_test, y_test = x[:cut], y[:cut], x[cut:], y[cut:]",
    ]
    if info.kind == DatasetKind.PLANE:
        chosen = [FEATURES[name] for name in spec.network.features]
        lines += [
            "",
            f"# Input features: {', '.join(feature.label for feature in chosen)}",
            "def features(p):",
            f"    return np.stack([{', '.join(feature.code() for feature in chosen)}], axis=1).astype('float32')",
            "",
            "x_train, x_test = features(x_train), features(x_test)",
        ]
    return "\n".join(lines)


def _code_parts(training: TrainingSpec, index: int) -> LayerParts:
    """What a layer's arguments refer to, as code, seeded for the layer at `index` (see `model_builder.keras_parts`)."""
    seed = layer_seed(training.seed, index)
    regularization = training.regularization
    return LayerParts(
        activation=lambda name: ACTIVATIONS[name].code(),
        initializer=INITIALIZERS[training.weight_init].code(seed),
        regularizer=REGULARIZATIONS[regularization.kind].code(regularization.rate),
        seed=seed,
    )


def _layers(spec: ExperimentSpec, plan: OutputPlan) -> list[tuple[LayerSpec, str]]:
    """Each layer with its code, in the order `model_builder.build_model` makes them. Only the
    output layer is named: the script's model needs no other names."""
    return [
        (layer, LAYERS[layer.type].code(layer, _code_parts(spec.training, index), name=name if index == 0 else None))
        for index, layer, name in numbered_layers(spec, plan)
    ]


def export_script(spec: ExperimentSpec) -> str:
    """The script text for `spec` (which must be valid)."""
    dataset = load_dataset(spec.dataset)
    training = spec.training
    plan = output_for(dataset.task, dataset.num_classes, training.loss, spec.network.output_activation)
    coded = _layers(spec, plan)
    layers = [code for _, code in coded]
    activations = {layer.activation for layer, _ in coded if isinstance(layer.activation, str)}
    definitions = "".join(
        "\n" + ACTIVATIONS[name].definition_code()
        for name in ACTIVATIONS
        if name in activations and ACTIVATIONS[name].definition_code()
    )
    if plan.one_hot:
        target_code = (
            f"y_train, y_test = np.eye({dataset.num_classes}, dtype='float32')[y_train], "
            f"np.eye({dataset.num_classes}, dtype='float32')[y_test]"
        )
    elif plan.units == 1:
        shift = "2 * {0} - 1" if plan.signed_targets else "{0}"
        target_code = (
            "y_train = (" + shift.format("y_train.astype('float32')") + ")[:, None]\n"
            "y_test = (" + shift.format("y_test.astype('float32')") + ")[:, None]"
        )
    else:
        target_code = "# Class indices, as sparse categorical cross-entropy expects."
    accuracy = "None" if dataset.task == Task.REGRESSION else plan.accuracy_code("predictions", "y_test")
    accuracy_code = f"accuracy = {accuracy}"
    docstring = (
        f"{spec.title or spec.dataset.name}: exported from Neural Network Playground.\n\nTrains the same network on "
        "the same data, in the same batch order, as the app did.\nRun: python this_file.py    (needs keras with the "
        f"TensorFlow backend, numpy{_package_note(spec)})\n\nThe experiment "
        f"config:\n{json.dumps(spec.to_dict(), indent=2)}\n"
    )
    return f'''"""{_docstring_body(docstring)}"""

import math
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np

# Data
{_data_code(spec)}

# Targets for the loss ({plan.loss})
{target_code}
{definitions}
# The network: every layer seeded, so the start is the same each run.
model = keras.Sequential([
    keras.Input(shape=x_train.shape[1:]),
    {(f",{chr(10)}    ").join(layers)},
])
model.compile(optimizer={OPTIMIZERS[training.optimizer].code(training.learning_rate)}, loss={plan.loss!r})
model.summary()

# Mini-batch training: each epoch visits every example once, in a seeded order.
{SCHEDULES[training.schedule.kind].code(training.schedule, training.learning_rate, training.epochs)}
EPOCHS, BATCH_SIZE, SEED, SHUFFLE = {training.epochs}, {training.batch_size}, {training.seed}, {training.shuffle}
n = len(x_train)
for epoch in range(EPOCHS):
    model.optimizer.learning_rate.assign(learning_rate_at(epoch))
    order = np.random.default_rng([SEED, epoch]).permutation(n) if SHUFFLE else np.arange(n)
    for start in range(0, n, BATCH_SIZE):
        batch = order[start:start + BATCH_SIZE]
        model.train_on_batch(x_train[batch], y_train[batch])

predictions = model.predict(x_test, verbose=0)
test_loss = float(np.mean(keras.losses.get({plan.loss!r})(y_test, predictions)))
{accuracy_code}
print(f"final test loss {{test_loss:.6f}}" + ("" if accuracy is None else f", test accuracy {{accuracy:.4f}}"))
'''


def _docstring_body(text: str) -> str:
    """`text` escaped for a triple-quoted docstring: a quote, a backslash or a control character in a
    title can neither end the string nor change it, so the script's `__doc__` is exactly `text`."""
    escaped = []
    for char in text:
        if char in '\\"':
            escaped.append("\\" + char)
        elif char == "\n" or char.isprintable():
            escaped.append(char)
        else:
            escaped.append(char.encode("unicode_escape").decode("ascii"))
    return "".join(escaped)


def _package_note(spec: ExperimentSpec) -> str:
    return "".join(f", {package}" for package in DATASETS[spec.dataset.name].packages)
