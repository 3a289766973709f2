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
from dataclasses import dataclass

from playground.activations import ACTIVATIONS
from playground.datasets import DATASETS, load_dataset
from playground.datasets.dataset import DatasetKind, Task
from playground.engine.training_loop import FULL_EVAL_LIMIT
from playground.features import FEATURES
from playground.initializers import INITIALIZERS
from playground.layers import LAYERS, LayerParts
from playground.losses import OutputPlan, output_for
from playground.model_builder import layer_seed, numbered_layers
from playground.optimizers import optimizer_code
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


@dataclass(frozen=True)
class ScriptPart:
    """One step of the exported code: a script's commented block, a notebook's pair of cells.

    Attributes:
        title: what the step is, in a few words ("Data", "The network").
        explanation: what it does and why, in a sentence or two (plain text).
        code: the step's Python code.
    """

    title: str
    explanation: str
    code: str


EVAL_LIMIT_CODE = f"""
# Each epoch's losses on the training and test sets, as the app's curves show them (a set larger
# than {FULL_EVAL_LIMIT} examples is scored on the same {FULL_EVAL_LIMIT} of them each epoch, as the app does).
def scored(x, y):
    if len(x) <= {FULL_EVAL_LIMIT}:
        return x, y
    chosen = np.sort(np.random.default_rng([SEED, 2]).choice(len(x), {FULL_EVAL_LIMIT}, replace=False))
    return x[chosen], y[chosen]


def loss_on(x, y):
    return float(np.mean(keras.losses.get(LOSS)(y, model(x, training=False))))

""".strip()


def script_parts(spec: ExperimentSpec) -> list[ScriptPart]:
    """The steps of the exported code for `spec` (which must be valid), in order: set-up, data,
    targets, network, training and results. The script and the notebook are made of these."""
    dataset = load_dataset(spec.dataset)
    training = spec.training
    plan = output_for(dataset.task, dataset.num_classes, training.loss, spec.network.output_activation)
    coded = _layers(spec, plan)
    layers = [code for _, code in coded]
    activations = {layer.activation for layer, _ in coded if isinstance(layer.activation, str)}
    definitions = "".join(
        ACTIVATIONS[name].definition_code() + "\n\n"
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
    setup = """import math
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np"""
    network = f"""{definitions}model = keras.Sequential([
    keras.Input(shape=x_train.shape[1:]),
    {(f",{chr(10)}    ").join(layers)},
])
LOSS = {plan.loss!r}
model.compile(optimizer={optimizer_code(training)}, loss=LOSS)
model.summary()"""
    loop = f"""{SCHEDULES[training.schedule.kind].code(training.schedule, training.learning_rate, training.epochs)}
EPOCHS, BATCH_SIZE, SEED, SHUFFLE = {training.epochs}, {training.batch_size}, {training.seed}, {training.shuffle}


{EVAL_LIMIT_CODE}


train_scored, test_scored = scored(x_train, y_train), scored(x_test, y_test)
history = []
n = len(x_train)
for epoch in range(EPOCHS):
    model.optimizer.learning_rate.assign(learning_rate_at(epoch))
    order = np.random.default_rng([SEED, epoch]).permutation(n) if SHUFFLE else np.arange(n)
    for start in range(0, n, BATCH_SIZE):
        batch = order[start:start + BATCH_SIZE]
        model.train_on_batch(x_train[batch], y_train[batch])
    history.append({{"epoch": epoch + 1, "train_loss": loss_on(*train_scored), "test_loss": loss_on(*test_scored)}})"""
    results = f"""predictions = model.predict(x_test, verbose=0)
test_loss = float(np.mean(keras.losses.get(LOSS)(y_test, predictions)))
accuracy = {accuracy}
print(f"final test loss {{test_loss:.6f}}" + ("" if accuracy is None else f", test accuracy {{accuracy:.4f}}"))"""
    return [
        ScriptPart("Set-up", "Keras on TensorFlow, and NumPy.", setup),
        ScriptPart(
            "Data",
            f"{DATASETS[spec.dataset.name].label}: the same examples, in the same order and split, as the app.",
            _data_code(spec),
        ),
        ScriptPart(f"Targets for the loss ({plan.loss})", "What the network's outputs are compared with.", target_code),
        ScriptPart(
            "The network",
            "Every layer is seeded, so the network starts from the same weights each run.",
            network,
        ),
        ScriptPart(
            "Mini-batch training",
            "Each epoch visits every training example once, in a seeded order, and then scores both sets.",
            loop,
        ),
        ScriptPart("Results", "The loss (and accuracy) on the test set, at the end.", results),
    ]


def export_script(spec: ExperimentSpec) -> str:
    """The script text for `spec` (which must be valid)."""
    docstring = (
        f"{spec.title or spec.dataset.name}: exported from Neural Network Playground.\n\nTrains the same network on "
        "the same data, in the same batch order, as the app did.\nRun: python this_file.py    (needs keras with the "
        f"TensorFlow backend, numpy{_package_note(spec)})\n\nThe experiment "
        f"config:\n{json.dumps(spec.to_dict(), indent=2)}\n"
    )
    parts = script_parts(spec)
    body = "\n\n".join(
        part.code if index == 0 else f"# {part.title}. {part.explanation}\n{part.code}"
        for index, part in enumerate(parts)
    )
    return f'''"""{_docstring_body(docstring)}"""

{body}
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
