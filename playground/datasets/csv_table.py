"""A user's own data from a CSV file: numeric feature columns plus one label column.

The file arrives as bytes (an upload, or a file named on the command line) and is bounded before
it is parsed. Text in UTF-8 (with or without a byte-order mark) or UTF-16 with its mark (Excel's
"Unicode text") is read; the separator (comma, semicolon or tab) is taken from the header line.
Every problem is a `DatasetError` that says what is wrong and how to fix the file.
Features are standardised (zero mean, unit variance) so that default learning rates work.

Example:

    x, y, task, class_names = read_table(b"a,b,label\\n...", "label")
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import numpy as np

from playground.datasets.dataset import DatasetError
from playground.spec import CsvOptions, field_settings

CSV_TASK = field_settings(CsvOptions)["task"]
MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
MIN_ROWS = 10
MAX_CLASSES_AUTO = 20
MAX_CLASSES = 100  # one-hot targets and the confusion matrix grow with the square of this
MAX_LABEL_MAGNITUDE = 1e9  # regression targets beyond this overflow the squared error in float32
SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}


def decode(content: bytes) -> str:
    """The file's text, or a `DatasetError` naming what kind of file it seems to be."""
    if len(content) > MAX_BYTES:
        raise DatasetError(
            f"The CSV file is {len(content) / 1e6:.0f} MB; the limit is {MAX_BYTES // 2**20} MB. Use a sample of the "
            "rows."
        )
    if not content.strip():
        raise DatasetError(
            f"The CSV file is empty. Save the table with a header row and at least {MIN_ROWS} rows of numbers."
        )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            raise DatasetError(
                "The file starts like UTF-16 text but is damaged. Save it again as 'CSV UTF-8'."
            ) from None
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DatasetError(
                "The file is not UTF-8 text: it may be a spreadsheet (.xlsx), an image or another binary file, or "
                "text in an old encoding. Save it as 'CSV UTF-8 (comma delimited)'."
            ) from None
    if "\x00" in text:
        raise DatasetError("The file holds binary data (NUL bytes), not a text table. Save the table as 'CSV UTF-8'.")
    return text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends


def _separator(text: str) -> str:
    header = text.lstrip().split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda separator: counts[separator])
    return best if counts[best] else ","


def _header(text: str, separator: str) -> list[str]:
    """The names in the header record (quoted names may hold separators and line breaks), checked
    against the first data record: pandas would quietly take an extra first value as the row index."""
    try:
        records = csv.reader(io.StringIO(text.lstrip()), delimiter=separator)
        names = next(records, [])
        first = next(records, [])
    except csv.Error as error:
        raise DatasetError(
            f"The header row could not be read ({error}). The first line must name the columns, e.g. x1,x2,label."
        ) from None
    if len(names) > MAX_COLUMNS:
        raise DatasetError(
            f"The CSV has {len(names):,} columns; the limit is {MAX_COLUMNS:,}. Keep the columns you need."
        )
    twice = [name for name, count in Counter(names).items() if count > 1]
    if twice:
        raise DatasetError(f"Column {twice[0]!r:.60} appears twice in the header. Give every column its own name.")
    if len(first) > len(names):
        raise DatasetError(
            f"The first row has {len(first)} values but the header names {len(names)} columns. Name every column in "
            "the first line (or remove the extra values, such as a trailing separator)."
        )
    return names


def _parse(content: bytes, rows: int | None = None):
    import pandas as pd

    text = decode(content)
    separator = _separator(text)
    _header(text, separator)
    try:
        table = pd.read_csv(io.StringIO(text), sep=separator, nrows=rows if rows is not None else MAX_ROWS + 1)
    except pd.errors.EmptyDataError:
        raise DatasetError(
            "The CSV file has no header row. The first line must name the columns, e.g. x1,x2,label."
        ) from None
    except (ValueError, pd.errors.ParserError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatasetError(
            f"The file could not be read as CSV ({first}). Every row needs as many values as the header has names."
        ) from None
    table.columns = [str(c) for c in table.columns]
    return table, separator


def csv_columns(content: bytes) -> list[str]:
    """The column names from the header line (to offer as the label column)."""
    table, _ = _parse(content, rows=0)
    return list(table.columns)


def check_table(content: bytes) -> None:
    """Reads the whole file and raises `DatasetError` unless it passes every check that does not
    depend on the label (text, header, rows, at least two columns): an upload is checked so before
    it is stored."""
    table, separator = _parse(content)
    _check_shape(table, separator)


def _check_shape(table, separator: str) -> None:
    if len(table) > MAX_ROWS:
        raise DatasetError(
            f"The CSV has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}. Use a sample of the rows."
        )
    if len(table) < MIN_ROWS:
        raise DatasetError(f"The CSV has {len(table)} rows; at least {MIN_ROWS} are needed to train and test.")
    if len(table.columns) < 2:
        others = [name for name, sep in SEPARATORS.items() if name != separator]
        raise DatasetError(
            "The CSV has a single column; it needs a label column and at least one feature column. If the file has "
            f"several columns, check its separator: this file was read with {SEPARATORS[separator]} between values "
            f"(it may use {' or '.join(SEPARATORS[s] for s in others)})."
        )


def _not_numeric_example(column) -> str | None:
    import pandas as pd

    values = column.dropna()
    bad = values[pd.to_numeric(values, errors="coerce").isna()]
    return str(bad.iloc[0]) if len(bad) else None


def read_table(content: bytes, label_column: str, task: str = "auto") -> tuple:
    """Returns (features, targets, task, class_names) for the CSV file's bytes."""
    import pandas as pd

    table, separator = _parse(content)
    _check_shape(table, separator)
    if label_column not in table.columns:
        shown = ", ".join(list(table.columns)[:20]) + (" …" if len(table.columns) > 20 else "")
        raise DatasetError(f"There is no column {label_column!r:.60}. Pick the label from: {shown}.")
    features = table.drop(columns=[label_column])
    for column in features.columns:
        if not pd.api.types.is_numeric_dtype(features[column]):
            example = _not_numeric_example(features[column])
            if example is not None:
                raise DatasetError(
                    f"Column {column!r:.60} is not numeric (for example {example!r:.40}). Feature columns must hold "
                    "numbers: remove it or encode it as numbers."
                )
            if features[column].isna().all():
                raise DatasetError(f"Column {column!r:.60} is empty. Remove it.")
            features[column] = pd.to_numeric(features[column])  # numbers too long for 64-bit integers
    missing = table.isna().sum()
    missing = missing[missing > 0]
    if len(missing):
        column, count = missing.index[0], int(missing.iloc[0])
        raise DatasetError(
            f"Column {column!r:.60} has {count} missing value(s). Fill or drop those rows before uploading."
        )

    x = features.to_numpy("float64")
    finite = np.isfinite(x)
    if not finite.all():
        row, col = np.argwhere(~finite)[0]
        raise DatasetError(
            f"Column {features.columns[col]!r:.60} holds {x[row, col]} in row {row + 1}, which is not a finite "
            "number. Replace it with a real value or drop the row."
        )
    # Divide by the largest magnitude first: standardising 1e308 directly would overflow.
    scale = np.abs(x).max(axis=0)
    x = x / np.where(scale > 0, scale, 1.0)
    std = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)

    labels = table[label_column]
    numeric_label = pd.api.types.is_numeric_dtype(labels)
    if task == "auto":
        few = labels.nunique() <= MAX_CLASSES_AUTO
        integral = numeric_label and np.allclose(labels, np.round(labels))
        task = "classification" if (not numeric_label or (few and integral)) else "regression"
    if task == "regression":
        if not numeric_label:
            raise DatasetError(
                f"Regression needs a numeric label, but {label_column!r:.60} holds text. Choose classification."
            )
        targets = labels.to_numpy("float64")
        if not np.all(np.abs(targets) <= MAX_LABEL_MAGNITUDE):
            raise DatasetError(
                f"The label {label_column!r:.60} holds values beyond ±{MAX_LABEL_MAGNITUDE:g} (or not finite), which "
                "overflow the squared error. Rescale the label (e.g. to thousands) or drop those rows."
            )
        class_names: tuple[str, ...] = ()
        targets = targets.astype("float32")
    else:
        classes = sorted(labels.unique(), key=str)
        if len(classes) > MAX_CLASSES:
            raise DatasetError(
                f"The label column {label_column!r:.60} has {len(classes):,} different values; a classifier here "
                f"takes at most {MAX_CLASSES}. Choose regression for a numeric label, or group the values."
            )
        if len(classes) < 2:
            raise DatasetError(
                f"The label column {label_column!r:.60} has a single class ({str(classes[0])!r:.40}). A classifier "
                "needs at least two."
            )
        index = {value: i for i, value in enumerate(classes)}
        targets = labels.map(index).to_numpy("int32")
        class_names = tuple(str(c) for c in classes)
    return x.astype("float32"), targets, task, class_names
