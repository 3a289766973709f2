"""The nearest experiment the page's controls can show, for a spec that came from outside.

A link, an imported config or a stored run may hold values out of range or of the wrong kind.
`validate` says what is wrong with them; this says what they become, so that the page shows and
trains exactly what its message promises:

- a number out of its range becomes the nearest value in range (epochs 0 becomes 1, noise 80
  becomes 50, a dropout rate of 1 becomes the highest rate the control offers);
- a whole number written as 2.6 becomes 3;
- a value of the wrong kind (a list where a number belongs, an unknown name) takes its default,
  and a layer whose type is not even text is left out.

Every value that comes out has its field's type, so the spec can be hashed, cached and drawn.
Settings that are already valid are kept as they are.

Example:

    spec = ExperimentSpec(training=TrainingSpec(epochs=0, learning_rate=50.0))
    nearest_settings(spec).training.epochs           # -> 1
    nearest_settings(spec).training.learning_rate    # -> 10.0
"""

from __future__ import annotations

import math
from typing import Any

from playground.activations import ACTIVATIONS
from playground.datasets import DATASETS, DatasetError, load_dataset
from playground.datasets.csv_table import CSV_TASK
from playground.datasets.dataset import DatasetKind
from playground.datasets.registry import MAX_GENERATED_SAMPLES
from playground.datasets.uploads import is_upload_id
from playground.features import FEATURES
from playground.initializers import INITIALIZERS
from playground.layers import LAYERS
from playground.losses import LOSSES
from playground.optimizers import OPTIMIZERS
from playground.registry import Registry, Setting
from playground.regularization import REGULARIZATIONS
from playground.schedules import SCHEDULES
from playground.spec import (
    MAX_EPOCHS,
    MAX_LAYERS,
    CsvOptions,
    DatasetSpec,
    ExperimentSpec,
    LayerSpec,
    NetworkSpec,
    RegularizationSpec,
    ScheduleSpec,
    TrainingSpec,
)
from playground.validation import (
    MAX_LEARNING_RATE,
    MAX_NAME_CHARS,
    MAX_NOISE,
    MAX_REGULARIZATION_RATE,
    MAX_SEED,
    MAX_TRAIN_RATIO,
    MIN_LEARNING_RATE,
    MIN_SAMPLES,
    MIN_TRAIN_RATIO,
)


def nearest_settings(spec: ExperimentSpec) -> ExperimentSpec:
    """`spec` with every value moved to the nearest one its control accepts (see the module's docstring)."""
    dataset = _dataset(spec.dataset)
    return ExperimentSpec(
        dataset=dataset,
        network=_network(spec.network, dataset),
        training=_training(spec.training, dataset),
        title=spec.title if isinstance(spec.title, str) else "",
        description=spec.description if isinstance(spec.description, str) else "",
    )


def nearest_number(value: Any, low: float, high: float, default: Any, whole: bool = False) -> Any:
    """`value` moved into [low, high] (rounded when `whole`); `default` when it is not a number at all.

    Infinities go to the nearest bound; NaN, text, lists and true/false are not numbers."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (isinstance(value, float) and math.isnan(value))
    ):
        return default
    value = min(max(value, low), high)  # exact for integers of any length and for infinities
    if not whole:
        return float(value)
    return default if isinstance(value, float) and math.isinf(value) else int(round(value))


def nearest_setting(setting: Setting, value: Any) -> Any:
    """The nearest value a registry `Setting` accepts: a number within its control's bounds, else its default."""
    if setting.accepts(value):
        return value
    if setting.kind in ("choice", "bool"):
        return setting.default
    low, high = setting.editor_range  # one step inside an open bound (a dropout rate stays below 1)
    return nearest_number(value, low, high, setting.default, whole=setting.kind == "int")


def _name(registry: Registry, value: Any, default: str, extra: tuple[str, ...] = ()) -> str:
    return value if value in registry or (isinstance(value, str) and value in extra) else default


def _dataset(data: DatasetSpec) -> DatasetSpec:
    defaults = DatasetSpec()
    name = _name(DATASETS, data.name, defaults.name)
    info = DATASETS[name]
    cap = info.max_samples or MAX_GENERATED_SAMPLES
    return DatasetSpec(
        name=name,
        noise=nearest_number(data.noise, 0, MAX_NOISE, defaults.noise),
        train_ratio=nearest_number(data.train_ratio, MIN_TRAIN_RATIO, MAX_TRAIN_RATIO, defaults.train_ratio),
        samples=None if data.samples is None else nearest_number(data.samples, MIN_SAMPLES, cap, None, whole=True),
        seed=nearest_number(data.seed, 0, MAX_SEED, defaults.seed, whole=True),
        csv=_csv(data.csv) if name == "csv" else None,
        # The settings other datasets take keep their defaults, as the data controls do.
        **{setting.name: nearest_setting(setting, getattr(data, setting.name)) for setting in info.settings},
    )


def _csv(csv: Any) -> CsvOptions | None:
    if not isinstance(csv, CsvOptions):
        return None
    label = csv.label_column
    return CsvOptions(
        path=csv.path if isinstance(csv.path, str) else "",
        label_column=label if isinstance(label, str) and 0 < len(label) <= MAX_NAME_CHARS else CsvOptions.label_column,
        task=nearest_setting(CSV_TASK, csv.task),
        upload=csv.upload if is_upload_id(csv.upload) else "",
    )


def _network(network: NetworkSpec, dataset: DatasetSpec) -> NetworkSpec:
    features: tuple[str, ...] = ()
    if DATASETS[dataset.name].kind == DatasetKind.PLANE:
        known = [name for name in network.features if name in FEATURES]
        features = tuple(dict.fromkeys(known)) or NetworkSpec().features
    layers = tuple(_layer(layer) for layer in network.layers[:MAX_LAYERS] if isinstance(layer.type, str))
    return NetworkSpec(
        features=features,
        layers=layers,
        output_activation=_name(ACTIVATIONS, network.output_activation, "auto", extra=("auto",)),
    )


def _layer(layer: LayerSpec) -> LayerSpec:
    layer_type = LAYERS.lookup(layer.type)
    if layer_type is None:
        return LayerSpec(layer.type)  # an unknown type stays, bare, so the page can say what it was
    return LayerSpec(
        layer.type,
        **{setting.name: nearest_setting(setting, getattr(layer, setting.name)) for setting in layer_type.settings},
    )


def _training(training: TrainingSpec, dataset: DatasetSpec) -> TrainingSpec:
    defaults = TrainingSpec()
    regularization = training.regularization
    schedule = training.schedule
    schedule_settings = {setting.name: setting for entry in SCHEDULES.values() for setting in entry.settings}
    return TrainingSpec(
        optimizer=_name(OPTIMIZERS, training.optimizer, defaults.optimizer),
        learning_rate=nearest_number(
            training.learning_rate, MIN_LEARNING_RATE, MAX_LEARNING_RATE, defaults.learning_rate
        ),
        batch_size=nearest_number(training.batch_size, 1, _training_size(dataset), defaults.batch_size, whole=True),
        epochs=nearest_number(training.epochs, 1, MAX_EPOCHS, defaults.epochs, whole=True),
        loss=_name(LOSSES, training.loss, defaults.loss),
        regularization=RegularizationSpec(
            kind=_name(REGULARIZATIONS, getattr(regularization, "kind", None), defaults.regularization.kind),
            rate=nearest_number(
                getattr(regularization, "rate", None), 0, MAX_REGULARIZATION_RATE, defaults.regularization.rate
            ),
        ),
        weight_init=_name(INITIALIZERS, training.weight_init, defaults.weight_init),
        schedule=ScheduleSpec(
            kind=_name(SCHEDULES, getattr(schedule, "kind", None), defaults.schedule.kind),
            **{
                name: nearest_setting(setting, getattr(schedule, name, None))
                for name, setting in schedule_settings.items()
            },
        ),
        seed=nearest_number(training.seed, 0, MAX_SEED, defaults.seed, whole=True),
        shuffle=training.shuffle if isinstance(training.shuffle, bool) else defaults.shuffle,
    )


def _training_size(dataset: DatasetSpec) -> float:
    """The most a batch may hold: the training set's size, when the data can be loaded (the page loads it next)."""
    try:
        return len(load_dataset(dataset).x_train)
    except DatasetError:
        return math.inf
