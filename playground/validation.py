"""Validation of an experiment spec: every problem at once, in words a student understands.

Each `Problem` names the field it concerns, the value received and what to do instead. The page
shows each message next to the control it concerns; the CLI prints them and exits with code 2.

Example:

    spec = ExperimentSpec(training=TrainingSpec(batch_size=0))
    [p.message for p in validate(spec)]
    # -> ["Batch size must be a whole number from 1 to 250 (the training-set size), but got 0. ..."]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from playground.activations import ACTIVATIONS
from playground.datasets import DATASETS, DatasetError, load_dataset
from playground.datasets.registry import MAX_GENERATED_SAMPLES
from playground.features import FEATURES
from playground.initializers import INITIALIZERS
from playground.layers import LAYERS
from playground.losses import LOSSES, output_for
from playground.network_shapes import layer_rows, total_parameters
from playground.optimizers import OPTIMIZERS
from playground.regularization import REGULARIZATIONS
from playground.schedules import SCHEDULES
from playground.datasets.uploads import is_upload_id
from playground.spec import MAX_LAYERS, MAX_TITLE_CHARS, ExperimentSpec, LayerSpec, NetworkSpec, short_repr

MAX_PARAMETERS = 5_000_000
MAX_EPOCHS = 100_000
MIN_LEARNING_RATE, MAX_LEARNING_RATE = 1e-5, 10.0
MAX_SEED = 1_000_000  # layer seeds are seed * 1000 + layer, which must stay a 32-bit integer
MAX_NAME_CHARS = 200  # a CSV column name
CSV_TASKS = ("auto", "classification", "regression")
LAYER_FIELD_LIMITS = {
    "units": (1, 4096),
    "filters": (1, 512),
    "kernel_size": (1, 15),
    "strides": (1, 8),
    "pool_size": (1, 8),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec.

    Args:
        field: dotted path of the setting, e.g. "training.batch_size" or "network.layers[3]".
        message: the full sentence shown to the user.
    """

    field: str
    message: str


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _in(value, table) -> bool:
    """Whether `value` is a name in `table` (a list or dict where a name belongs is simply not one)."""
    return isinstance(value, str) and value in table


def _one_of(value, table, what) -> str:
    return f"{what} {short_repr(value)} is not one we know. Pick one of: {', '.join(table)}."


def _is_seed(value) -> bool:
    return _is_int(value) and 0 <= value <= MAX_SEED


def _printable(text: str) -> bool:
    return all(c.isprintable() for c in text)


def clean_title(title) -> str:
    """A title the page can keep: line breaks and control characters as spaces, cut to the limit."""
    text = "".join(c if c.isprintable() else " " for c in str(title))
    return " ".join(text.split())[:MAX_TITLE_CHARS]


def validate(spec: ExperimentSpec) -> list[Problem]:
    """Every problem with `spec`, in the order of the page (dataset, network, training)."""
    problems: list[Problem] = []
    add = lambda field, message: problems.append(Problem(field, message))  # noqa: E731

    if not isinstance(spec.title, str):
        add("title", f"The title must be text, but got {short_repr(spec.title)}.")
    elif len(spec.title) > MAX_TITLE_CHARS:
        add("title", f"The title has {len(spec.title):,} characters; the limit is {MAX_TITLE_CHARS}. Shorten it.")
    elif not _printable(spec.title):
        add("title", "The title holds a line break or another control character. Write it on one line.")

    data = spec.dataset
    info = DATASETS.get(data.name) if isinstance(data.name, str) else None
    if info is None:
        add("dataset.name", _one_of(data.name, DATASETS, "Dataset"))
    if not _is_number(data.noise) or not 0 <= data.noise <= 50:
        add("dataset.noise", f"Noise must be a percentage from 0 to 50, but got {short_repr(data.noise)}. Try 0 (clean) to 25 (very noisy).")
    if not _is_number(data.train_ratio) or not 0.1 <= data.train_ratio <= 0.9:
        add("dataset.train_ratio", f"The training share must be between 0.1 and 0.9 (10 % to 90 %), but got {short_repr(data.train_ratio)}. TF Playground uses 0.5.")
    if not _is_seed(data.seed):
        add("dataset.seed", f"The data seed must be a whole number from 0 to {MAX_SEED:,}, but got {short_repr(data.seed)}.")
    if data.samples is not None:
        cap = (info.max_samples if info and info.max_samples else MAX_GENERATED_SAMPLES)
        if not _is_int(data.samples) or not 20 <= data.samples <= cap:
            add("dataset.samples", f"The number of samples must be a whole number from 20 to {cap:,}, but got {short_repr(data.samples)}. Leave it empty for the dataset's default.")
    if data.name == "spiral-multi" and (not _is_int(data.classes) or not 3 <= data.classes <= 5):
        add("dataset.classes", f"The multi-class spiral has 3 to 5 arms, but got {short_repr(data.classes)}.")
    if not _is_int(data.padding) or not 0 <= data.padding <= 8:
        add("dataset.padding", f"Image padding must be 0 to 8 pixels per side, but got {short_repr(data.padding)}. LeNet-5 uses 2 (28x28 becomes 32x32).")
    elif data.padding and info is not None and info.kind != "image":
        add("dataset.padding", f"Padding only applies to images, but dataset {data.name!r} has none. Set padding to 0.")
    if data.csv is not None:
        _check_csv(data.csv, add)

    dataset = None
    if not problems:
        try:
            dataset = load_dataset(data)
        except DatasetError as error:
            add("dataset", str(error))

    _check_network(spec, info, dataset, add)
    _check_training(spec, dataset, add)
    return problems


def _check_csv(csv, add) -> None:
    if not isinstance(csv.path, str) or not isinstance(csv.upload, str):
        add("dataset.csv", "dataset.csv.path and dataset.csv.upload must be text.")
    elif csv.upload and not is_upload_id(csv.upload):
        add("dataset.csv.upload", f"dataset.csv.upload {short_repr(csv.upload)} is not the id of an uploaded file. Upload the CSV file again.")
    elif csv.upload and csv.path:
        add("dataset.csv", "Give either an uploaded file (dataset.csv.upload) or a file path (dataset.csv.path), not both.")
    if not isinstance(csv.label_column, str) or not 0 < len(csv.label_column) <= MAX_NAME_CHARS:
        add("dataset.csv.label_column", f"The label column must be a column name (text, at most {MAX_NAME_CHARS} characters), but got {short_repr(csv.label_column)}.")
    if not _in(csv.task, CSV_TASKS):
        add("dataset.csv.task", _one_of(csv.task, CSV_TASKS, "CSV task"))


def _check_network(spec: ExperimentSpec, info, dataset, add) -> None:
    network = spec.network
    kind = info.kind if info else None
    if kind == "2d":
        if not network.features:
            add("network.features", f"Dataset {spec.dataset.name!r} needs at least one input feature. Tick x1 and x2 to start.")
        for name in network.features:
            if not _in(name, FEATURES):
                add("network.features", _one_of(name, FEATURES, "Input feature"))
        if all(isinstance(name, str) for name in network.features) and len(set(network.features)) != len(network.features):
            add("network.features", "An input feature is listed twice. List each feature once.")
    elif kind is not None and network.features:
        add("network.features", f"Input features like {short_repr(network.features[0])} only apply to 2-D datasets; dataset {spec.dataset.name!r} feeds its own {'pixels' if kind == 'image' else 'columns'}. Clear the feature list.")

    if len(network.layers) > MAX_LAYERS:
        add("network.layers", f"The stack has {len(network.layers)} layers; the limit is {MAX_LAYERS}. Remove some layers.")
    for index, layer in enumerate(network.layers, start=1):
        _check_layer(index, layer, add)

    output = network.output_activation
    if output != "auto" and not _in(output, ACTIVATIONS):
        add("network.output_activation", _one_of(output, ["auto", *ACTIVATIONS], "Output activation"))
    elif dataset is not None and spec.training.loss == "auto" and output != "auto" and dataset.task != "regression":
        needed = {"binary": "sigmoid", "multiclass": "softmax"}.get(dataset.task)
        if needed and output != needed:
            add("network.output_activation",
                f"Cross-entropy needs a {needed} output for {'two classes' if needed == 'sigmoid' else 'several classes'}, but the output activation is {output!r}. Set it to 'auto', or choose the MSE loss.")
    elif dataset is not None and output == "softmax" and (dataset.task == "regression" or dataset.task == "binary"):
        add("network.output_activation",
            f"A softmax over a single output neuron always gives 1, so this {'regression' if dataset.task == 'regression' else 'two-class'} "
            f"network could not learn. Set the output activation to 'auto' ({'linear' if dataset.task == 'regression' else 'sigmoid'}).")

    if dataset is None:
        return
    input_shape = (len(network.features),) if dataset.kind == "2d" else dataset.sample_shape
    if dataset.kind == "2d" and not network.features:
        return
    plan = output_for(dataset.task, dataset.num_classes, spec.training.loss if _in(spec.training.loss, LOSSES) else "auto")
    rows = layer_rows(network, input_shape, plan.units)
    for row in rows:
        if row.problem:
            where = f"network.layers[{row.index}]" if row.name != "Output" else "network.output"
            add(where, row.problem)
    parameters = total_parameters(rows)
    if parameters > MAX_PARAMETERS:
        add("network.layers", f"The network has {parameters:,} parameters; the limit is {MAX_PARAMETERS:,}. Use fewer units or filters, or add pooling before Flatten.")


def stack_problems(layers: tuple[LayerSpec, ...], input_shape: tuple[int, ...]) -> list[str]:
    """Problems of a bare layer stack that ends with its own output layer (an imported model's):
    each layer's settings, the shapes and the parameter count, worked out without building anything."""
    messages: list[str] = []
    add = lambda field, message: messages.append(message)  # noqa: E731
    if len(layers) > MAX_LAYERS:
        return [f"The model has {len(layers)} layers; the limit is {MAX_LAYERS}."]
    for index, layer in enumerate(layers, start=1):
        _check_layer(index, layer, add)
    if messages:
        return messages
    rows = layer_rows(NetworkSpec(features=(), layers=tuple(layers)), input_shape, output_units=0)[:-1]  # no output layer added
    messages += [row.problem for row in rows if row.problem]
    parameters = total_parameters(rows)
    if parameters > MAX_PARAMETERS:
        messages.append(f"The model has {parameters:,} parameters; the limit is {MAX_PARAMETERS:,}.")
    return messages


def _check_layer(index: int, layer: LayerSpec, add) -> None:
    where = f"network.layers[{index}]"
    layer_type = LAYERS.get(layer.type) if isinstance(layer.type, str) else None
    if layer_type is None:
        add(where, f"Layer {index}: " + _one_of(layer.type, LAYERS, "layer type"))
        return
    for name, value in layer.to_dict().items():
        if name != "type" and name not in layer_type.defaults:
            add(where, f"Layer {index} ({layer.type}) has no setting {name!r}. Remove it; {layer.type} uses: {', '.join(layer_type.defaults) or 'nothing'}.")
    for name in layer_type.defaults:
        value = getattr(layer, name)
        label = f"Layer {index} ({layer.type}) {name.replace('_', ' ')}"
        if value is None:
            add(where, f"{label} is missing. Set it, e.g. {name}: {layer_type.defaults[name]!r}.")
        elif name == "activation":
            if not _in(value, ACTIVATIONS):
                add(where, f"Layer {index} ({layer.type}): " + _one_of(value, ACTIVATIONS, "activation"))
        elif name == "padding":
            if not _in(value, ("valid", "same")):
                add(where, f"{label} must be 'valid' or 'same', but got {short_repr(value)}.")
        elif name == "rate":
            if not _is_number(value) or not 0 <= value < 1:
                add(where, f"{label} must be at least 0 and below 1, but got {short_repr(value)}. 0.2 to 0.5 is usual.")
        else:
            low, high = LAYER_FIELD_LIMITS[name]
            if not _is_int(value) or not low <= value <= high:
                add(where, f"{label} must be a whole number from {low} to {high}, but got {short_repr(value)}.")


def _check_training(spec: ExperimentSpec, dataset, add) -> None:
    training = spec.training
    if not _in(training.optimizer, OPTIMIZERS):
        add("training.optimizer", _one_of(training.optimizer, OPTIMIZERS, "Optimizer"))
    rate = training.learning_rate
    if not _is_number(rate) or not MIN_LEARNING_RATE <= rate <= MAX_LEARNING_RATE:
        add("training.learning_rate", f"The learning rate must be a number from 0.00001 to 10, but got {short_repr(rate)}. TF Playground starts at 0.03.")
    size = training.batch_size
    limit = len(dataset.x_train) if dataset is not None else None
    if not _is_int(size) or size < 1 or (limit is not None and size > limit):
        upper = f"{limit} (the training-set size)" if limit is not None else "the training-set size"
        add("training.batch_size", f"Batch size must be a whole number from 1 to {upper}, but got {short_repr(size)}. 10 to 32 is usual.")
    if not _is_int(training.epochs) or not 1 <= training.epochs <= MAX_EPOCHS:
        add("training.epochs", f"Epochs must be a whole number from 1 to {MAX_EPOCHS:,}, but got {short_repr(training.epochs)}.")
    if not _in(training.loss, LOSSES):
        add("training.loss", _one_of(training.loss, LOSSES, "Loss"))
    reg = training.regularization
    if not _in(reg.kind, REGULARIZATIONS):
        add("training.regularization.kind", _one_of(reg.kind, REGULARIZATIONS, "Regularization"))
    if not _is_number(reg.rate) or not 0 <= reg.rate <= 10:
        add("training.regularization.rate", f"The regularization rate must be from 0 to 10, but got {short_repr(reg.rate)}. Try 0.001.")
    if not _in(training.weight_init, INITIALIZERS):
        add("training.weight_init", _one_of(training.weight_init, INITIALIZERS, "Weight init"))
    schedule = training.schedule
    if not _in(schedule.kind, SCHEDULES):
        add("training.schedule.kind", _one_of(schedule.kind, SCHEDULES, "Learning-rate schedule"))
    if not _is_number(schedule.factor) or not 0 < schedule.factor <= 1:
        add("training.schedule.factor", f"The schedule factor must be above 0 and at most 1, but got {short_repr(schedule.factor)}. 0.5 halves the rate.")
    if not _is_int(schedule.every) or not 1 <= schedule.every <= MAX_EPOCHS:
        add("training.schedule.every", f"The schedule step must be a whole number of epochs from 1 to {MAX_EPOCHS:,}, but got {short_repr(schedule.every)}.")
    if not _is_seed(training.seed):
        add("training.seed", f"The training seed must be a whole number from 0 to {MAX_SEED:,}, but got {short_repr(training.seed)}.")
    if not isinstance(training.shuffle, bool):
        add("training.shuffle", f"Shuffle must be true or false, but got {short_repr(training.shuffle)}.")
