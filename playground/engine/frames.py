"""Live frames: what a page's stream sends each time the browser can draw another one.

A frame carries the training status (state, epoch, losses, learning rate, whether the program is
compiled), the history rows the page has not drawn yet and, when the trainer has published a new
snapshot, the plane views of 2-D data (decision boundary, hidden neurons' maps) as 8-bit grids
(each with the range its 256 levels span), and, when the weights changed, the weights of the links
the network drawing shows. Frames are JSON text; grids are base64 inside it.

Nothing is queued: a `FrameWriter` is asked for the next frame only when the browser has drawn the
last one, and it describes the trainer as it is then, so a slow browser simply gets fewer, newest
frames.

Example:

    writer = FrameWriter(trainer)
    text = writer.next_frame()        # None while nothing has changed
    frame = decode_frame(text)        # the same, with grids as NumPy arrays (tests, benchmarks)
"""

from __future__ import annotations

import base64
import json
import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from playground.figures.network_drawing import MAX_MAPS_PER_LAYER, link_weights

if TYPE_CHECKING:
    from playground.engine.trainer import Trainer
    from playground.engine.worker_trainer import WorkerTrainer

MAX_ROWS_PER_FRAME = 600  # a page far behind gets an even sample of the rows it missed, and the last one
ROW_COLUMNS = ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy")


def encode_grid(values: npt.ArrayLike) -> dict:
    """A grid as 8-bit levels: `low + level * step`. Whole numbers spanning at most 255 (the winning
    class of many) are kept exactly, with a step of 1; other grids spread their finite range over
    the 256 levels."""
    values = np.asarray(values, "float64")
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    whole = high - low <= 255 and np.array_equal(finite, np.round(finite))
    step = 1.0 if whole else (high - low) / 255
    levels = np.zeros(values.shape) if step == 0 else np.rint((np.nan_to_num(values, nan=low) - low) / step)
    levels = np.clip(levels, 0, 255).astype("uint8")
    return {
        "shape": list(values.shape),
        "low": low,
        "high": high,
        "step": step,
        "levels": base64.b64encode(levels.tobytes()).decode("ascii"),
    }


def decode_grid(encoded: dict) -> np.ndarray:
    """The grid back, to within half a step of each value."""
    levels = np.frombuffer(base64.b64decode(encoded["levels"]), "uint8").reshape(encoded["shape"])
    return encoded["low"] + levels.astype("float64") * encoded["step"]


def _number(value):
    """JSON has no NaN or infinity: those become null."""
    return None if value is None or not math.isfinite(value) else float(value)


def training_status(trainer: Trainer | WorkerTrainer) -> dict:
    """The status row's values: the same on the page when it is drawn and in every frame."""
    epoch, batch = trainer.position
    last = trainer.last_row()
    return {
        "state": trainer.state,
        "epoch": epoch,
        "batch": batch,
        "batches": trainer.batches_per_epoch,
        "points": trainer.points,
        "compiled": trainer.is_ready,
        "elapsed": round(trainer.elapsed, 3),
        "learning_rate": trainer.learning_rate(),
        "train_loss": _number(last.get("train_loss")),
        "test_loss": _number(last.get("test_loss")),
        "test_accuracy": _number(last.get("test_accuracy")),
        "snapshot": trainer.snapshots.latest()[0],
    }


class FrameWriter:
    """The frames of one connection to one trainer; each says what changed since the last one.

    Args:
        trainer: the `Trainer` streamed.
        points: history rows the page already shows (drawn with the page), so they are not sent.
    """

    def __init__(self, trainer, points: int = 0):
        self.trainer = trainer
        self.points = max(int(points), 0)
        self.snapshot_sent = -1
        self.weights_sent: object = None  # the snapshot weights whose links were sent last
        self.frames = 0
        self._last_key = None

    def _key(self):
        trainer = self.trainer
        return (trainer.state, trainer.position, trainer.is_ready, trainer.points, trainer.snapshots.latest()[0])

    def next_frame(self) -> str | None:
        """The next frame as JSON text, or None if nothing changed since the last one."""
        key = self._key()
        if key == self._last_key:
            return None
        self._last_key = key
        trainer = self.trainer
        rows, total = trainer.history_since(self.points)
        frame: dict = {}
        if total < self.points:  # the trainer was reset: the page starts its curves again
            rows, total = trainer.history_since(0)
            frame["reset"] = True
        if len(rows) > MAX_ROWS_PER_FRAME:
            keep = np.unique(np.linspace(0, len(rows) - 1, MAX_ROWS_PER_FRAME).astype(int))
            rows = [rows[i] for i in keep]
        self.points = total
        if rows:
            frame["rows"] = {column: [_number(row.get(column)) for row in rows] for column in ROW_COLUMNS}
        version, snapshot = trainer.snapshots.latest()
        if snapshot is not None and version != self.snapshot_sent:
            self.snapshot_sent = version
            if snapshot.grid is not None:
                frame["grid"] = encode_grid(snapshot.grid)
            if snapshot.weights is not None and snapshot.weights is not self.weights_sent:
                self.weights_sent = snapshot.weights
                frame["links"] = link_weights(snapshot.weights)
            if snapshot.neuron_grids:
                frame["neurons"] = [
                    encode_grid(grids[n])
                    for grids in snapshot.neuron_grids
                    for n in range(min(len(grids), MAX_MAPS_PER_LAYER))
                ]
        frame["status"] = training_status(trainer)
        self.frames += 1
        frame["frame"] = self.frames
        return json.dumps(frame, separators=(",", ":"))


def decode_frame(text: str) -> dict:
    """A frame with its grids as NumPy arrays (for tests and benchmarks; the page decodes in JavaScript)."""
    frame = json.loads(text)
    if "grid" in frame:
        frame["grid"] = decode_grid(frame["grid"])
    if "neurons" in frame:
        frame["neurons"] = [decode_grid(grid) for grid in frame["neurons"]]
    return frame
