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

import dataclasses
import math
from typing import Any

from playground.datasets import DATASETS, DatasetError, load_dataset
from playground.datasets.dataset import DatasetKind
from playground.datasets.uploads import is_upload_id
from playground.features import FEATURES
from playground.layers import LAYERS
from playground.spec import (
    MAX_LAYERS,
    CsvOptions,
    DatasetSpec,
    ExperimentSpec,
    LayerSpec,
    NetworkSpec,
    TrainingSpec,
    field_settings,
)


def nearest_settings(spec: ExperimentSpec) -> ExperimentSpec:
    """`spec` with every value moved to the nearest one its control accepts (see the module's docstring)."""
    nearest = _nearest_fields(spec, ExperimentSpec)
    dataset = _dataset(nearest.dataset, spec.dataset)
    return nearest.replace(
        dataset=dataset,
        network=dataclasses.replace(nearest.network, **_network(spec.network, dataset)),
        training=_training(nearest.training, dataset),
    )


def _nearest_fields(value: Any, cls: type) -> Any:
    """An instance of the spec dataclass `cls` whose fields are `value`'s, each moved to the nearest
    value its `Setting` accepts; sections are done the same way, the layers are left to `_network`."""
    settings = field_settings(cls)
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        item = getattr(value, f.name, None)
        if f.name in settings:
            changes[f.name] = settings[f.name].nearest(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            changes[f.name] = _nearest_fields(item, type(item))
        elif f.name != "csv":
            changes[f.name] = item if isinstance(item, tuple) else f.default
    return cls(**changes)


def _dataset(data: DatasetSpec, given: DatasetSpec) -> DatasetSpec:
    info = DATASETS[data.name]
    samples = data.samples if data.samples is None or not info.max_samples else min(data.samples, info.max_samples)
    taken = {setting.name for setting in info.settings}
    # The settings other datasets take keep their defaults, as the data controls do.
    others = {
        f.name: f.metadata["setting"].default
        for f in dataclasses.fields(DatasetSpec)
        if f.name not in taken and _owned_by_datasets(f.name)
    }
    csv = _nearest_fields(given.csv, CsvOptions) if data.name == "csv" and isinstance(given.csv, CsvOptions) else None
    if csv is not None and not is_upload_id(csv.upload):
        csv = dataclasses.replace(csv, upload="")
    return dataclasses.replace(data, samples=samples, csv=csv, **others)


def _owned_by_datasets(name: str) -> bool:
    return any(setting.name == name for entry in DATASETS.values() for setting in entry.settings)


def _network(network: NetworkSpec, dataset: DatasetSpec) -> dict[str, Any]:
    features: tuple[str, ...] = ()
    if DATASETS[dataset.name].kind == DatasetKind.PLANE:
        given = network.features if isinstance(network.features, (tuple, list)) else ()
        known = [name for name in given if name in FEATURES]
        features = tuple(dict.fromkeys(known)) or NetworkSpec().features
    layers = network.layers if isinstance(network.layers, (tuple, list)) else ()
    return {
        "features": features,
        "layers": tuple(_layer(layer) for layer in layers[:MAX_LAYERS] if isinstance(layer.type, str)),
    }


def _layer(layer: LayerSpec) -> LayerSpec:
    layer_type = LAYERS.lookup(layer.type)
    if layer_type is None:
        return LayerSpec(layer.type)  # an unknown type stays, bare, so the page can say what it was
    return LayerSpec(
        layer.type,
        **{setting.name: setting.nearest(getattr(layer, setting.name)) for setting in layer_type.settings},
    )


def _training(training: TrainingSpec, dataset: DatasetSpec) -> TrainingSpec:
    return dataclasses.replace(training, batch_size=int(min(training.batch_size, _training_size(dataset))))


def _training_size(dataset: DatasetSpec) -> float:
    """The most a batch may hold: the training set's size, when the data can be loaded (the page loads it next)."""
    try:
        return len(load_dataset(dataset).x_train)
    except DatasetError:
        return math.inf
