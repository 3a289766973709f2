"""Saved runs as TensorBoard event files, so `tensorboard --logdir DIR` shows them side by side.

Each run becomes a folder `DIR/<title>-<id>` holding, per epoch, the training and test loss and
accuracy and the learning rate (`loss/train`, `loss/test`, `accuracy/train`, `accuracy/test`,
`learning_rate`), and, when the run kept its trained model, a histogram of each layer's final
weights and biases. Runs of a sweep also carry their swept values for TensorBoard's HParams tab.

Example:

    folders = export_tensorboard([store.load(run_id)], "logs")
    # then: tensorboard --logdir logs
"""

from __future__ import annotations

import io
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from playground.runs.run_record import RunRecord

SCALARS = {
    "train_loss": "loss/train",
    "test_loss": "loss/test",
    "train_accuracy": "accuracy/train",
    "test_accuracy": "accuracy/test",
    "learning_rate": "learning_rate",
}
METRICS = ("loss/test", "loss/train", "accuracy/test", "accuracy/train")


def run_folder_name(record: RunRecord) -> str:
    title = record.spec.title if record.spec is not None else ""
    slug = re.sub(r"[^a-z0-9]+", "-", (title or "run").lower()).strip("-")[:40] or "run"
    return f"{slug}-{record.id}"


def _finite(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None


def _hparam_value(value):
    return value if isinstance(value, (bool, int, float, str)) else str(value)


def export_tensorboard(records: Iterable[RunRecord], folder: str | Path) -> list[Path]:
    """Writes one event-file folder per run under `folder`; returns the folders."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hparams

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    records = list(records)
    swept = sorted({name for record in records for name in record.parameters})
    if swept:
        with tf.summary.create_file_writer(str(folder)).as_default():
            hparams.hparams_config(
                hparams=[hparams.HParam(name) for name in swept], metrics=[hparams.Metric(tag) for tag in METRICS]
            )
    written = []
    for record in records:
        run_folder = folder / run_folder_name(record)
        writer = tf.summary.create_file_writer(str(run_folder))
        with writer.as_default():
            if record.parameters:
                hparams.hparams(
                    {name: _hparam_value(value) for name, value in record.parameters.items()}, trial_id=record.id
                )
            last_step = None
            for row in record.history:
                step = row.get("epoch") if isinstance(row, dict) else None
                if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step < 2**62:
                    continue  # a row this version cannot place (a run saved by another version)
                last_step = step
                for key, tag in SCALARS.items():
                    value = _finite(row.get(key))
                    if value is not None:
                        tf.summary.scalar(tag, value, step=step)
            if isinstance(record.model, bytes) and last_step is not None:
                _weight_histograms(record, last_step)
        writer.close()
        written.append(run_folder)
    return written


def tensorboard_zip(records: Iterable[RunRecord], top: str = "playground-runs") -> bytes:
    """The runs' event files in a zip archive, under one `top` folder (for a download)."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        export_tensorboard(records, folder)
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                archive.write(path, Path(top) / path.relative_to(folder))
    return buffer.getvalue()


def _weight_histograms(record: RunRecord, step: int) -> None:
    import tensorflow as tf

    from playground.model_files import ModelFileError, load_model_bytes

    if record.model is None:
        return
    try:
        model = load_model_bytes(record.model)
    except ModelFileError:
        return  # a model this version cannot read: the curves are still written
    for layer in model.layers:
        for variable in layer.weights:
            tf.summary.histogram(f"weights/{layer.name}/{variable.name}", variable.numpy(), step=step)
