"""The dataset table: one entry per dataset the app offers, all offline.

Adding a dataset is one entry: a 2-D one in `plane.py` beside its generator, an image set in
`images.py`, anything else here. `load_dataset` turns a `DatasetSpec` into a split
`Dataset`, cached per spec so that the page, the validator and the trainer share one copy (at most
`PLAYGROUND_DATASET_CACHE_MB` of datasets per process; see `playground/limits.py`).

Example:

    data = load_dataset(DatasetSpec("xor", noise=10, seed=1))
    data.x_train.shape   # -> (250, 2)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from playground import limits
from playground.datasets import csv_table, images, plane, uploads
from playground.datasets.dataset import Dataset, DatasetError, DatasetKind, Task, split
from playground.datasets.dataset_cache import SizeBoundedCache
from playground.datasets.dataset_info import DatasetInfo
from playground.file_reading import FileRefused, read_regular_file
from playground.registry import Registry
from playground.spec import MAX_SAMPLES, DatasetSpec


def _csv(spec: DatasetSpec, rng: np.random.Generator) -> tuple:
    options = spec.csv
    if options is None:
        raise DatasetError("Dataset 'csv' needs a file: upload a CSV and choose its label column.")
    if options.upload:
        content = uploads.read_upload(options.upload)
    elif options.path:  # only configs the CLI's user wrote may name a file (see `spec_from_dict`)
        try:
            content = read_regular_file(options.path, csv_table.MAX_BYTES, "CSV file")
        except FileRefused as error:
            raise DatasetError(str(error)) from None
    else:
        raise DatasetError("Dataset 'csv' needs a file: upload a CSV and choose its label column.")
    x, y, task, names = csv_table.read_table(content, options.label_column, options.task)
    if task == Task.REGRESSION:
        return x, y, 1, (), Task.REGRESSION
    return x, y, len(names), names, Task.BINARY if len(names) == 2 else Task.MULTICLASS


def csv_file_name(spec: DatasetSpec) -> str:
    """The name an exported script or notebook reads the CSV file by (from beside itself)."""
    csv = spec.csv
    if csv is None:
        raise DatasetError("Dataset 'csv' needs a file: upload a CSV and choose its label column.")
    return Path(csv.path).name if csv.path else f"{csv.upload}.csv"


def _csv_code(spec: DatasetSpec) -> list[str]:
    file_name = csv_file_name(spec)
    csv = spec.csv
    assert csv is not None
    return [
        "import pandas as pd",
        "",
        "# The CSV file you trained on, beside this script (the app read it as: separator from the header line).",
        f"table = pd.read_csv({file_name!r}, sep=None, engine='python')",
        "table.columns = [str(c) for c in table.columns]",
        f"labels = table[{csv.label_column!r}]",
        f"features = table.drop(columns=[{csv.label_column!r}]).to_numpy('float64')",
        "features = features / np.where(np.abs(features).max(axis=0) > 0, np.abs(features).max(axis=0), 1.0)",
        "x = (features - features.mean(axis=0)) / np.where(features.std(axis=0) > 0, features.std(axis=0), 1.0)",
        "x = x.astype('float32')",
        *(
            ["y = labels.to_numpy('float32')"]
            if load_dataset(spec).task == Task.REGRESSION
            else [
                "classes = sorted(labels.unique(), key=str)",
                "y = labels.map({value: i for i, value in enumerate(classes)}).to_numpy('int32')",
            ]
        ),
    ]


DATASETS: Registry[DatasetInfo] = Registry(
    "Dataset",
    key="dataset",
    entries=[
        *plane.PLANE_DATASETS,
        *images.IMAGE_DATASETS,
        DatasetInfo(
            "csv",
            "Your CSV file",
            "a CSV file you upload",
            kind=DatasetKind.TABLE,
            task=Task.AUTO,
            load=_csv,
            code=_csv_code,
            packages=("pandas",),
        ),
    ],
)


def plane_bounds(x: np.ndarray) -> tuple[float, float]:
    """TF Playground draws -6..6; wider data (big noise) widens the view to fit."""
    reach = float(np.max(np.abs(x))) if len(x) else 6.0
    return (-max(6.0, np.ceil(reach)), max(6.0, np.ceil(reach)))


def _load_dataset(spec: DatasetSpec) -> Dataset:
    """Generates or reads the data for `spec` and splits it; raises `DatasetError` with advice."""
    info = DATASETS.get(spec.name)
    if info is None:
        raise DatasetError(DATASETS.problem(spec.name) or "")
    cap = info.max_samples or MAX_SAMPLES
    if spec.samples is not None and not (isinstance(spec.samples, int) and 20 <= spec.samples <= cap):
        raise DatasetError(
            f"The number of samples must be a whole number from 20 to {cap:,}. Leave it empty for the dataset's "
            "default."
        )
    reason = info.missing()
    if reason:
        raise DatasetError(reason)
    if info.default_samples is not None and spec.samples is None:
        spec = DatasetSpec(**{**spec.__dict__, "samples": info.default_samples})
    rng = np.random.default_rng(spec.seed)
    x, y, num_classes, names, task = info.load(spec, rng)
    bounds = plane_bounds(x) if info.kind == DatasetKind.PLANE else (0.0, 1.0)
    return split(
        spec.name,
        task,
        x,
        y,
        train_ratio=spec.train_ratio,
        seed=spec.seed,
        num_classes=num_classes,
        class_names=names,
        kind=info.kind,
        bounds=bounds,
    )


def dataset_bytes(dataset: Dataset) -> int:
    return dataset.x_train.nbytes + dataset.y_train.nbytes + dataset.x_test.nbytes + dataset.y_test.nbytes


load_dataset = SizeBoundedCache(_load_dataset, size_of=dataset_bytes, max_bytes=limits.DATASET_CACHE_BYTES)
