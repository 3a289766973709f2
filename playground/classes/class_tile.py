"""A student's tile on the class board: where their training stands, small enough to send twice a second.

Each page in a class reports its tile (`tile_of`); the board draws every tile
(`playground/figures/class_tiles.py`) and ranks them. A tile is stored as JSON in the class
store, and read back defensively: a row it cannot read is an empty tile, never an error.

Example:

    tile = tile_of(trainer, parameters=17)
    ClassTile.from_json(tile.to_json()) == tile
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from playground.datasets.dataset import Task
from playground.engine.live_trainer import LiveTrainer
from playground.engine.snapshots import Snapshot
from playground.spec import ExperimentSpec

TILE_GRID = 25  # the decision boundary's cells a side (the page draws 100)
MAX_TILE_LOSSES = 60  # the test-loss curve of the spotlight: at most this many points, spread over the run
MAX_TEXT_CHARS = 120


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class ClassTile:
    """Args:
    state: the trainer's state ("ready", "running", "finished", ...).
    epoch: epochs trained.
    test_loss, test_accuracy, learning_rate: the latest values (None before the first epoch).
    parameters: the network's trainable parameters.
    architecture: its layers in a few words ("2 → 4 tanh → 2 tanh → 1").
    dataset, task, classes: what it learns (`Task` values; classes for the boundary's colours).
    boundary: for 2-D data, the model's output on a TILE_GRID² grid as 8-bit levels, row by row
        from the bottom; the range is [0, 1] for a binary task, [-1, 1] for regression and the
        class index for several classes.
    losses: the test loss of the latest epochs (up to 4 x MAX_TILE_LOSSES), at most MAX_TILE_LOSSES points.
    """

    state: str = "ready"
    epoch: int = 0
    test_loss: float | None = None
    test_accuracy: float | None = None
    learning_rate: float | None = None
    parameters: int = 0
    architecture: str = ""
    dataset: str = ""
    task: str = Task.BINARY.value
    classes: int = 2
    boundary: bytes | None = None
    losses: tuple[float, ...] = field(default=())
    losses_from: int = 0

    def to_json(self) -> str:
        values = asdict(self)
        values["boundary"] = base64.b64encode(self.boundary).decode() if self.boundary else None
        values["losses"] = list(self.losses)
        return json.dumps(values, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: object) -> ClassTile:
        """The tile `text` holds; a default tile where it holds something else."""
        try:
            values = json.loads(text) if isinstance(text, str) else None
        except (ValueError, RecursionError):
            values = None
        if not isinstance(values, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        values = {name: value for name, value in values.items() if name in known}
        return cls(
            state=str(values.get("state", "ready"))[:20],
            epoch=max(int(_number(values.get("epoch")) or 0), 0),
            test_loss=_number(values.get("test_loss")),
            test_accuracy=_number(values.get("test_accuracy")),
            learning_rate=_number(values.get("learning_rate")),
            parameters=max(int(_number(values.get("parameters")) or 0), 0),
            architecture=str(values.get("architecture", ""))[:MAX_TEXT_CHARS],
            dataset=str(values.get("dataset", ""))[:MAX_TEXT_CHARS],
            task=values["task"] if values.get("task") in {t.value for t in Task} else Task.BINARY.value,
            classes=min(max(int(_number(values.get("classes")) or 2), 1), 64),
            boundary=_boundary(values.get("boundary")),
            losses=tuple(
                v for v in (_number(x) for x in (values.get("losses") or [])[:MAX_TILE_LOSSES]) if v is not None
            )
            if isinstance(values.get("losses"), list)
            else (),
            losses_from=max(int(_number(values.get("losses_from")) or 0), 0),
        )

    def loss_epochs(self) -> np.ndarray:
        """The epochs of `losses` (they are spread evenly over the epochs they cover)."""
        return np.linspace(self.losses_from, self.epoch, len(self.losses))

    def boundary_grid(self) -> np.ndarray | None:
        """The boundary's levels as a TILE_GRID x TILE_GRID array (row 0 at the bottom), or None."""
        if self.boundary is None:
            return None
        return np.frombuffer(self.boundary, np.uint8).reshape(TILE_GRID, TILE_GRID)


def _boundary(text) -> bytes | None:
    if not isinstance(text, str) or len(text) > 4 * TILE_GRID**2:
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if len(data) == TILE_GRID**2 else None


def boundary_levels(grid: np.ndarray, task: str, classes: int) -> bytes:
    """A boundary grid (TILE_GRID², or the page's GRID_SIZE²: any size divisible into TILE_GRID²) as
    the tile's 8-bit levels."""
    grid = np.asarray(grid, np.float32)
    step = max(grid.shape[0] // TILE_GRID, 1)
    small = grid[step // 2 :: step, step // 2 :: step][:TILE_GRID, :TILE_GRID]
    if small.shape != (TILE_GRID, TILE_GRID):
        small = np.resize(small, (TILE_GRID, TILE_GRID))
    if task == Task.MULTICLASS:
        low, high = 0.0, float(max(classes - 1, 1))
    elif task == Task.REGRESSION:
        low, high = -1.0, 1.0
    else:
        low, high = 0.0, 1.0
    scaled = (np.nan_to_num(small, nan=(low + high) / 2) - low) / (high - low)
    return np.clip(np.rint(scaled * 255), 0, 255).astype(np.uint8).tobytes()


def architecture_text(spec: ExperimentSpec) -> str:
    """The network in a few words: its inputs, then each sized layer as "units activation"."""
    parts = [str(len(spec.network.features) or "raw")]
    for layer in spec.network.layers:
        size = layer.units if layer.units is not None else layer.filters
        if size is None:
            continue
        parts.append(f"{size} {layer.activation}" if layer.activation else str(size))
    return " → ".join(parts)[:MAX_TEXT_CHARS]


def _tile_boundary(snapshot: Snapshot) -> np.ndarray | None:
    """The boundary as of the newest snapshot: computed from a frame's weights where the browser
    draws it from them too (then frames carry no grid, and no full snapshot is made for the board),
    else the snapshot's grid."""
    if snapshot.plane is not None and snapshot.weights is not None:
        return snapshot.plane.boundary(snapshot.weights, TILE_GRID)
    return snapshot.grid


def tile_of(trainer: LiveTrainer, parameters: int) -> ClassTile:
    """The tile of a page's trainer (a `Trainer` or `WorkerTrainer`) as it stands."""
    spec = trainer.current_spec()
    dataset = trainer.data.dataset
    last = trainer.last_row()
    points = trainer.points
    rows, _ = trainer.history_since(max(points - 4 * MAX_TILE_LOSSES, 0))
    rows = [row for row in rows if _number(row.get("test_loss")) is not None]
    losses = [float(row["test_loss"]) for row in rows]
    if len(losses) > MAX_TILE_LOSSES:
        keep = np.linspace(0, len(losses) - 1, MAX_TILE_LOSSES).astype(int)
        losses = [losses[i] for i in keep]
    _, snapshot = trainer.snapshots.latest()
    grid = None if snapshot is None else _tile_boundary(snapshot)
    return ClassTile(
        state=str(trainer.state),
        epoch=int(trainer.position[0]),
        test_loss=_number(last.get("test_loss")),
        test_accuracy=_number(last.get("test_accuracy")),
        learning_rate=_number(trainer.learning_rate()),
        parameters=int(parameters),
        architecture=architecture_text(spec),
        dataset=spec.dataset.name,
        task=str(dataset.task),
        classes=int(dataset.num_classes),
        boundary=None if grid is None else boundary_levels(grid, str(dataset.task), int(dataset.num_classes)),
        losses=tuple(losses),
        losses_from=int(rows[0]["epoch"]) if rows else 0,
    )
