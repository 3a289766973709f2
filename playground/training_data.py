"""The arrays a model trains on: input features from the dataset and targets shaped for the loss.

2-D datasets feed the chosen input features (x1, x2, x1², ...); image and table datasets feed
their samples as they are. Targets follow the output plan: class indices for cross-entropy,
one-hot rows or ±1 values for MSE, and a column of values for regression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from playground.datasets import Dataset, load_dataset
from playground.datasets.dataset import DatasetKind
from playground.features import feature_matrix
from playground.losses import OutputPlan, output_for
from playground.spec import ExperimentSpec


@dataclass(frozen=True)
class TrainingData:
    """Model-ready arrays plus what produced them."""

    dataset: Dataset
    plan: OutputPlan
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def inputs(self, raw: np.ndarray, features: Sequence[str]) -> np.ndarray:
        return model_inputs(self.dataset, raw, features)


def model_inputs(dataset: Dataset, raw: np.ndarray, features: Sequence[str]) -> np.ndarray:
    """Turns raw samples of `dataset` (points, images or rows) into model inputs."""
    if dataset.kind == DatasetKind.PLANE:
        return feature_matrix(np.asarray(raw), features)
    return np.asarray(raw, dtype="float32")


def targets(plan: OutputPlan, y: np.ndarray, num_classes: int) -> np.ndarray:
    if plan.one_hot:
        return np.eye(num_classes, dtype="float32")[y]
    if plan.units == 1:
        values = y.astype("float32")
        if plan.signed_targets:
            values = 2 * values - 1
        return values[:, None]
    return y.astype("int32")


def training_data(spec: ExperimentSpec) -> TrainingData:
    dataset = load_dataset(spec.dataset)
    plan = output_for(dataset.task, dataset.num_classes, spec.training.loss, spec.network.output_activation)
    features = spec.network.features
    return TrainingData(
        dataset,
        plan,
        model_inputs(dataset, dataset.x_train, features),
        targets(plan, dataset.y_train, dataset.num_classes),
        model_inputs(dataset, dataset.x_test, features),
        targets(plan, dataset.y_test, dataset.num_classes),
    )
