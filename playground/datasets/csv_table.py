"""A user's own data from a CSV file: numeric feature columns plus one label column.

Every problem is a `DatasetError` that says what is wrong and how to fix the file.
Features are standardised (zero mean, unit variance) so that default learning rates work.
"""

from __future__ import annotations

import os

import numpy as np

from playground.datasets.dataset import DatasetError

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MIN_ROWS = 10
MAX_CLASSES_AUTO = 20


def read_table(path: str, label_column: str, task: str = "auto"):
    """Returns (features, targets, task, class_names) for the CSV at `path`."""
    import pandas as pd

    if not path or not os.path.exists(path):
        raise DatasetError(f"CSV file {path!r} was not found. Upload the file again.")
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        raise DatasetError(f"The CSV file is {size / 1e6:.0f} MB; the limit is 50 MB. Use a sample of the rows.")
    try:
        table = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DatasetError(f"The file could not be read as CSV ({error}). Save it as comma-separated text with a header row.") from error
    if len(table) > MAX_ROWS:
        raise DatasetError(f"The CSV has {len(table):,} rows; the limit is {MAX_ROWS:,}. Use a sample of the rows.")
    if len(table) < MIN_ROWS:
        raise DatasetError(f"The CSV has {len(table)} rows; at least {MIN_ROWS} are needed to train and test.")
    if label_column not in table.columns:
        raise DatasetError(f"There is no column {label_column!r}. Pick the label from: {', '.join(map(str, table.columns))}.")
    features = table.drop(columns=[label_column])
    if features.shape[1] == 0:
        raise DatasetError("The CSV has only the label column. Add at least one feature column.")
    for column in features.columns:
        if not pd.api.types.is_numeric_dtype(features[column]):
            example = features[column].dropna().astype(str).head(1).tolist()
            raise DatasetError(
                f"Column {column!r} is not numeric (for example {example[0]!r}). "
                "Feature columns must hold numbers: remove it or encode it as numbers."
                if example else f"Column {column!r} is empty. Remove it."
            )
    missing = table.isna().sum()
    missing = missing[missing > 0]
    if len(missing):
        column, count = missing.index[0], int(missing.iloc[0])
        raise DatasetError(f"Column {column!r} has {count} missing value(s). Fill or drop those rows before uploading.")

    labels = table[label_column]
    numeric_label = pd.api.types.is_numeric_dtype(labels)
    if task == "auto":
        few = labels.nunique() <= MAX_CLASSES_AUTO
        integral = numeric_label and np.allclose(labels, np.round(labels))
        task = "classification" if (not numeric_label or (few and integral)) else "regression"
    if task == "regression":
        if not numeric_label:
            raise DatasetError(f"Regression needs a numeric label, but {label_column!r} holds text. Choose classification.")
        targets = labels.to_numpy("float32")
        class_names: tuple[str, ...] = ()
    else:
        classes = sorted(labels.unique(), key=str)
        if len(classes) < 2:
            raise DatasetError(f"The label column {label_column!r} has a single class ({classes[0]!r}). A classifier needs at least two.")
        index = {value: i for i, value in enumerate(classes)}
        targets = labels.map(index).to_numpy("int32")
        class_names = tuple(str(c) for c in classes)
    x = features.to_numpy("float32")
    x = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    return x.astype("float32"), targets, task, class_names
