"""Validation of an experiment spec: every problem at once, in words a student understands.

Each `Problem` names the field it concerns, the value received and what to do instead. The page
shows each message next to the control it concerns; the CLI prints them and exits with code 2.

Example:

    spec = ExperimentSpec(training=TrainingSpec(batch_size=0))
    [p.message for p in validate(spec)]
    # -> ["Batch size must be a whole number from 1 to 250 (the training-set size), but got 0. ..."]
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from playground.datasets import DATASETS, DatasetError, load_dataset
from playground.datasets.dataset import Dataset, DatasetKind, Task
from playground.datasets.uploads import is_upload_id
from playground.features import FEATURES
from playground.layers import LAYERS
from playground.losses import output_for
from playground.network_shapes import LayerRow, layer_rows, total_parameters
from playground.registry import Setting, is_finite_number, is_whole_number, number_text, short_repr
from playground.spec import (
    MAX_LAYERS,
    MAX_TITLE_CHARS,
    ExperimentSpec,
    LayerSpec,
    NetworkSpec,
    field_settings,
)

MAX_PARAMETERS = 5_000_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec.

    Args:
        field: dotted path of the setting, e.g. "training.batch_size" or "network.layers[3]".
        message: the full sentence shown to the user.
    """

    field: str
    message: str

    @property
    def layer(self) -> int | None:
        """The hidden layer (1-based) the problem is about, or None."""
        match = _LAYER_FIELD.fullmatch(self.field)
        return int(match.group(1)) if match else None


_LAYER_FIELD = re.compile(r"network\.layers\[(\d+)\]")


@dataclass(frozen=True)
class SpecCheck:
    """What the page shows about a spec: its problems, its loaded data and the stack's shape rows.

    Args:
        problems: every problem, in the order of the page.
        dataset: the loaded data, or None when the dataset part has problems.
        rows: the shape and parameters of each layer, input and output included (empty when
            there is no data to size the input from).
    """

    problems: list[Problem]
    dataset: Dataset | None
    rows: list[LayerRow]

    def layer_problems(self) -> dict[int, list[str]]:
        """The messages about each hidden layer, by its 1-based index."""
        found: dict[int, list[str]] = {}
        for problem in self.problems:
            if problem.layer is not None:
                found.setdefault(problem.layer, []).append(problem.message)
        return found

    @property
    def parameters(self) -> int:
        return total_parameters(self.rows)


def _printable(text: str) -> bool:
    return all(c.isprintable() for c in text)


def unprintable_character(text: str) -> str:
    """Names the first character of `text` that cannot be shown, for a message."""
    c = next(c for c in text if not c.isprintable())
    code = f"U+{ord(c):04X}"
    if c in "\r\n":
        return "a line break"
    if 0xD800 <= ord(c) <= 0xDFFF:
        return f"half of a character pair ({code}), not a whole character"
    return f"a control character ({code})"


def clean_title(title: object) -> str:
    """A title the page can keep: line breaks and control characters as spaces, cut to the limit."""
    text = "".join(c if c.isprintable() else " " for c in str(title))
    return " ".join(text.split())[:MAX_TITLE_CHARS]


def validate(spec: ExperimentSpec) -> list[Problem]:
    """Every problem with `spec`, in the order of the page (dataset, network, training)."""
    return check_spec(spec).problems


def check_spec(spec: ExperimentSpec) -> SpecCheck:
    """Every problem with `spec`, with the data and the stack's shape rows the page shows beside them.

    Each field is checked against its `Setting` (`_check_fields`); then come the rules that relate
    fields to each other and to the data: the dataset's own settings, the samples it holds, the
    inputs it feeds, the layers, the output and the batch size."""
    problems: list[Problem] = []
    add = lambda field, message: problems.append(Problem(field, message))  # noqa: E731

    _check_fields(spec, "", add)
    if isinstance(spec.title, str) and not _printable(spec.title):
        add("title", f"The title holds {unprintable_character(spec.title)}. Write it on one line, without it.")

    data = spec.dataset
    info = DATASETS.lookup(data.name)
    samples = data.samples
    if info is not None and isinstance(samples, int) and info.max_samples and samples > info.max_samples:
        add(
            "dataset.samples",
            f"Dataset {data.name!r} holds {info.max_samples:,} samples, but {samples:,} were asked for. Leave "
            "it empty for the dataset's default.",
        )
    for setting in info.settings if info else ():
        _check_setting(f"dataset.{setting.name}", setting, getattr(data, setting.name), setting.label, add)
    unused = _unused_dataset_settings(info)
    for setting in unused.values():  # ignored here, but a list or an object must not reach the data cache
        _check_type(f"dataset.{setting.name}", setting, getattr(data, setting.name), add)
    if info is not None and "padding" in unused and is_whole_number(data.padding) and data.padding:
        add("dataset.padding", f"Padding only applies to images, but dataset {data.name!r} has none. Set padding to 0.")
    if data.csv is not None:
        _check_csv(data.csv, add)

    dataset = None
    if not any(_page_order(problem) == _SECTIONS.index("dataset") for problem in problems):
        try:
            dataset = load_dataset(data)
        except DatasetError as error:
            add("dataset", str(error))

    rows = _check_network(spec, info, dataset, add)
    _check_batch_size(spec, dataset, add)
    return SpecCheck(sorted(problems, key=_page_order), dataset, rows)


_SECTIONS = ("title", "description", "dataset", "network", "training")


def _page_order(problem: Problem) -> int:
    """Problems in the order of the page: the title, the dataset, the network, the training."""
    section = problem.field.split(".")[0].split("[")[0]
    return _SECTIONS.index(section) if section in _SECTIONS else len(_SECTIONS)


_OWN_RULES = ("network.features", "training.batch_size")  # checked against the data


def _check_fields(value: object, where: str, add) -> None:
    """Checks every field of the spec dataclass `value` that has a `Setting`, and its nested
    sections. The dataset's own settings (`DatasetInfo.settings`), the input features and the
    layers have rules of their own in `check_spec`."""
    settings = field_settings(type(value))
    own = {setting.name for entry in DATASETS.values() for setting in entry.settings}
    for f in dataclasses.fields(value):  # type: ignore[arg-type]
        item, path = getattr(value, f.name), f"{where}{f.name}"
        if f.name in settings and not (path in _OWN_RULES or (where == "dataset." and f.name in own)):
            _check_setting(path, settings[f.name], item, settings[f.name].label, add)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            _check_fields(item, f"{path}.", add)


def _check_csv(csv, add) -> None:
    if csv.upload and isinstance(csv.upload, str) and not is_upload_id(csv.upload):
        add(
            "dataset.csv.upload",
            f"dataset.csv.upload {short_repr(csv.upload)} is not the id of an uploaded file. Upload the CSV file "
            "again.",
        )
    elif csv.upload and csv.path:
        add(
            "dataset.csv",
            "Give either an uploaded file (dataset.csv.upload) or a file path (dataset.csv.path), not both.",
        )


def _check_network(spec: ExperimentSpec, info, dataset, add) -> list[LayerRow]:
    network = spec.network
    kind = info.kind if info else None
    if kind == DatasetKind.PLANE:
        if not network.features:
            add(
                "network.features",
                f"Dataset {spec.dataset.name!r} needs at least one input feature. Tick x1 and x2 to start.",
            )
        for name in network.features:
            if name not in FEATURES:
                add("network.features", FEATURES.problem(name))
        if all(isinstance(name, str) for name in network.features) and len(set(network.features)) != len(
            network.features
        ):
            add("network.features", "An input feature is listed twice. List each feature once.")
    elif kind is not None and network.features:
        add(
            "network.features",
            f"Input features like {short_repr(network.features[0])} only apply to 2-D datasets; dataset "
            f"{spec.dataset.name!r} feeds its own {'pixels' if kind == 'image' else 'columns'}. Clear the feature "
            "list.",
        )

    if len(network.layers) > MAX_LAYERS:
        add(
            "network.layers",
            f"The stack has {len(network.layers)} layers; the limit is {MAX_LAYERS}. Remove some layers.",
        )
    for index, layer in enumerate(network.layers, start=1):
        _check_layer(index, layer, add)

    output = network.output_activation
    if not field_settings(NetworkSpec)["output_activation"].accepts(output):
        pass  # said by `_check_fields`
    elif dataset is not None and spec.training.loss == "auto" and output != "auto" and dataset.task != Task.REGRESSION:
        needed = {Task.BINARY: "sigmoid", Task.MULTICLASS: "softmax"}.get(dataset.task)
        if needed and output != needed:
            add(
                "network.output_activation",
                f"Cross-entropy needs a {needed} output for "
                f"{'two classes' if needed == 'sigmoid' else 'several classes'}, but the output activation is "
                f"{output!r}. Set it to 'auto', or choose the MSE loss.",
            )
    elif (
        dataset is not None and output == "softmax" and (dataset.task == Task.REGRESSION or dataset.task == Task.BINARY)
    ):
        add(
            "network.output_activation",
            "A softmax over a single output neuron always gives 1, so this "
            f"{'regression' if dataset.task == Task.REGRESSION else 'two-class'} network could not learn. Set the "
            f"output activation to 'auto' ({'linear' if dataset.task == Task.REGRESSION else 'sigmoid'}).",
        )

    if dataset is None or (dataset.kind == DatasetKind.PLANE and not network.features):
        return []
    input_shape = (len(network.features),) if dataset.kind == DatasetKind.PLANE else dataset.sample_shape
    plan = output_for(dataset.task, dataset.num_classes, spec.training.loss)
    rows = layer_rows(network, input_shape, plan.units)
    for row in rows:
        if row.problem:
            where = f"network.layers[{row.index}]" if row.name != "Output" else "network.output"
            add(where, row.problem)
    parameters = total_parameters(rows)
    if parameters > MAX_PARAMETERS:
        add(
            "network.layers",
            f"The network has {parameters:,} parameters; the limit is {MAX_PARAMETERS:,}. Use fewer units or "
            "filters, or add pooling before Flatten.",
        )
    return rows


def oversize_problem(spec: ExperimentSpec) -> str | None:
    """Why the network is too big to draw, build or train, worked out from its settings alone (no data is
    loaded, nothing is built), or None. The page refuses such a link before drawing any of it.

    Images and tables are counted as one input number per sample (their size is known once the data is
    loaded), so the count is a floor there: `check_spec` gives the exact one.
    """
    network = spec.network
    if len(network.layers) > MAX_LAYERS:
        return f"The stack has {len(network.layers):,} layers; the limit is {MAX_LAYERS}. Remove some layers."
    info = DATASETS.lookup(spec.dataset.name)
    inputs = len(network.features) if info is not None and info.kind == DatasetKind.PLANE else 0
    parameters = total_parameters(layer_rows(network, (max(inputs, 1),), output_units=1))
    if parameters > MAX_PARAMETERS:
        return (
            f"Its network has at least {parameters:,} parameters; the limit is {MAX_PARAMETERS:,}. Use fewer layers "
            "or fewer units."
        )
    return None


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
    rows = layer_rows(NetworkSpec(features=(), layers=tuple(layers)), input_shape, output_units=0)[
        :-1
    ]  # no output layer added
    messages += [row.problem for row in rows if row.problem]
    parameters = total_parameters(rows)
    if parameters > MAX_PARAMETERS:
        messages.append(f"The model has {parameters:,} parameters; the limit is {MAX_PARAMETERS:,}.")
    return messages


def _check_layer(index: int, layer: LayerSpec, add) -> None:
    where = f"network.layers[{index}]"
    layer_type = LAYERS.lookup(layer.type)
    if layer_type is None:
        add(where, f"Layer {index}: " + (LAYERS.problem(layer.type) or ""))
        return
    taken = [setting.name for setting in layer_type.settings]
    for name in layer.settings:
        if name not in taken:
            add(
                where,
                f"Layer {index} ({layer.type}) has no setting {name!r}. Remove it; {layer.type} uses: "
                f"{', '.join(taken) or 'nothing'}.",
            )
    layer = layer_type.complete(layer)
    for setting in layer_type.settings:
        _check_setting(
            where,
            setting,
            getattr(layer, setting.name),
            f"Layer {index} ({layer.type}) {setting.name.replace('_', ' ')}",
            add,
        )


def _unused_dataset_settings(info) -> dict[str, Setting]:
    """The settings other datasets take and this one does not (all of them for an unknown dataset)."""
    taken = {setting.name for setting in info.settings} if info else set()
    every = {setting.name: setting for entry in DATASETS.values() for setting in entry.settings}
    return {name: setting for name, setting in every.items() if name not in taken}


def _check_type(field: str, setting: Setting, value, add) -> None:
    """A setting that is not used must still be of its kind (a whole number, a number, a name or yes/no)."""
    expected = {
        "int": (is_whole_number, "a whole number"),
        "float": (is_finite_number, "a number"),
        "choice": (lambda v: isinstance(v, str), "a name in quotes"),
        "bool": (lambda v: isinstance(v, bool), "true or false"),
    }
    fits, kind = expected[setting.kind]
    if not fits(value):
        add(
            field,
            f"{field} must be {kind}, like {setting.default!r}, but got {short_repr(value)}. This dataset does not use "
            f"it: remove it or set it to {setting.default!r}.",
        )


def _check_setting(field: str, setting: Setting, value, subject: str, add) -> None:
    problem = setting.problem(value, subject)
    if problem:
        add(field, problem)


def _check_batch_size(spec: ExperimentSpec, dataset: Dataset | None, add) -> None:
    """A batch holds at most the whole training set (its setting's bounds when there is no data to count)."""
    size, setting = spec.training.batch_size, field_settings(type(spec.training))["batch_size"]
    if dataset is None:
        _check_setting("training.batch_size", setting, size, setting.label, add)
    elif not setting.accepts(size) or size > len(dataset.x_train):
        add(
            "training.batch_size",
            f"{setting.label} must be a whole number from {number_text(setting.low)} to {len(dataset.x_train):,} (the "
            f"training-set size), but got {short_repr(size)}. {setting.advice}",
        )
