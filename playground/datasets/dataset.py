"""A loaded dataset, split into training and test parts, ready for a model."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class DatasetKind(StrEnum):
    """What a sample is: a point in the plane, an image, or a table row."""

    PLANE = "2d"
    IMAGE = "image"
    TABLE = "table"


class Task(StrEnum):
    """What is predicted. AUTO (a CSV file's) is decided by the data when it is read."""

    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"
    AUTO = "auto"


class DatasetError(ValueError):
    """A dataset that cannot be loaded, with a message saying what to do instead."""


@dataclass(frozen=True)
class Dataset:
    """Samples split into train and test.

    Args:
        name: the dataset's table name.
        task: "binary", "multiclass" or "regression".
        x_train, y_train, x_test, y_test: inputs (raw 2-D points, images or table rows) and
            targets (class indices as int32, or float32 values for regression).
        num_classes: number of classes (1 for regression).
        class_names: a display name per class.
        kind: "2d" (points in the plane), "image" (H x W x 1 in [0, 1]) or "table".
        bounds: for 2-D data, the (low, high) range drawn on both axes.
    """

    name: str
    task: Task
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int
    class_names: tuple[str, ...]
    kind: DatasetKind
    bounds: tuple[float, float] = (-6.0, 6.0)
    notes: dict = field(default_factory=dict, compare=False)

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])


def split(
    name: str,
    task: Task,
    x: np.ndarray,
    y: np.ndarray,
    *,
    train_ratio: float,
    seed: int,
    num_classes: int,
    class_names: tuple[str, ...],
    kind: DatasetKind,
    bounds: tuple[float, float] = (-6.0, 6.0),
) -> Dataset:
    """Shuffles (x, y) with the seed and cuts it at `train_ratio`, as TF Playground does."""
    order = np.random.default_rng([seed, 1]).permutation(len(x))
    x, y = x[order], y[order]
    cut = int(round(len(x) * train_ratio))
    cut = min(max(cut, 1), len(x) - 1)
    parts = x_train, y_train, x_test, y_test = x[:cut], y[:cut], x[cut:], y[cut:]
    for part in parts:
        part.setflags(write=False)
    return Dataset(
        name,
        Task(task),
        x_train,
        y_train,
        x_test,
        y_test,
        num_classes=num_classes,
        class_names=tuple(class_names),
        kind=DatasetKind(kind),
        bounds=bounds,
    )
