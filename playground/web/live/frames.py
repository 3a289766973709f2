"""Live frames: what a page's stream sends each time the browser can draw another one.

A frame says what changed since the connection's last frame: the training status fields that
changed (all of them in the first frame: state, epoch, losses, learning rate, whether the program
is compiled), the history rows the page has not drawn yet and, when the trainer has published a
new snapshot, what the plane views of 2-D data (decision boundary, hidden neurons' maps) and the
network drawing's links are drawn from:
- for a network the browser computes (`engine/plane_model.py`: Dense, at most 600 weights and
  biases), the whole network's weights, from which `plane_views.js` computes the grids and the
  links (the description of the network, "plane", comes in the connection's first frame and
  whenever it changes);
- for any other network, the plane views as 8-bit grids, and, when the weights changed, the
  weights of the links the network drawing shows.

A frame is one binary WebSocket message, read by `playground/web/live/hub.js`:

    4 bytes     the header's length H (unsigned, little-endian)
    H bytes     the header, JSON: {"frame": n, "status": {changed fields}, "reset": true,
                "rows": count, "plane": {the network}, "weights": count, "links": count,
                "boundary": true, "neurons": count, "grid_bytes": length,
                "notices": {changed notices}}, each key only when it applies
    then        the rows, `count` x `ROW_COLUMNS` float32 (NaN where a row has no value)
                the network's weights, `count` float32: each Dense layer's kernel (row by row: one
                row per input), then its biases
                the link weights, `count` float32
                each grid's scale (the boundary's, then the neurons' maps'): height and width as
                uint16, `low` and `step` as float32
                the grids' levels, one zlib stream of every grid in turn, each level stored as its
                difference from the prediction of its neighbours above and to the left, which
                leaves a smooth map mostly zeros

All numbers are little-endian. A grid's value is `low + level * step`: whole numbers spanning at
most 255 (the winning class of many) are kept exactly with a step of 1; other grids spread their
finite range over the 256 levels.

Nothing is queued: a `FrameWriter` is asked for the next frame only when the browser has drawn the
last one, and it describes the trainer as it is then, so a slow browser simply gets fewer, newest
frames.

Example:

    writer, reader = FrameWriter(trainer), FrameReader()
    data = writer.next_frame()        # bytes, or None while nothing has changed
    frame = reader.read(data)         # as the browser sees it: the whole status, grids as arrays
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from playground.engine.live_trainer import LiveTrainer
from playground.engine.plane_model import PlaneModel
from playground.engine.snapshots import GRID_SIZE, NEURON_GRID_SIZE
from playground.figures.network_drawing import MAX_MAPS_PER_LAYER, MAX_NODES, link_weights

MAX_ROWS_PER_FRAME = 600  # a page far behind gets an even sample of the rows it missed, and the last one
ROW_COLUMNS = ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
_LENGTH = struct.Struct("<I")
_SCALE = struct.Struct("<HHff")  # height, width, low, step


def grid_levels(grids: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grids of one shape, stacked (count, height, width), as 8-bit levels, with each grid's `low`
    and `step` that map its levels back."""
    values = np.asarray(grids, "float32")
    finite = np.isfinite(values)
    if finite.all():
        low, high = values.min(axis=(1, 2)), values.max(axis=(1, 2))
    else:
        low = np.where(finite, values, np.inf).min(axis=(1, 2))
        high = np.where(finite, values, -np.inf).max(axis=(1, 2))
        empty = ~np.isfinite(low)
        low[empty], high[empty] = 0.0, 0.0
        values = np.where(finite, values, low[:, None, None])
    span = high - low
    whole = (span <= 255) & np.all(values == np.round(values), axis=(1, 2))
    step = np.where(whole, 1.0, span / 255).astype("float32")
    levels = np.rint((values - low[:, None, None]) / np.where(step == 0, 1.0, step)[:, None, None])
    return np.clip(levels, 0, 255).astype("uint8"), low, step


def grid_values(levels: np.ndarray, low: float, step: float) -> np.ndarray:
    """A grid back from its levels, to within half a step of each value."""
    return low + levels.astype("float64") * step


def _residuals(levels: np.ndarray) -> np.ndarray:
    """Each level less its prediction from the neighbours above and to the left (up + left -
    up-left), modulo 256, for a stack of grids: a map that changes smoothly becomes mostly small
    numbers."""
    down = levels.copy()
    down[..., 1:, :] -= levels[..., :-1, :]  # uint8 arithmetic wraps around: modulo 256
    residuals = down.copy()
    residuals[..., 1:] -= down[..., :-1]
    return residuals


def _levels_from_residuals(residuals: np.ndarray) -> np.ndarray:
    """The inverse of `_residuals` for one grid (the browser does the same)."""
    return np.cumsum(np.cumsum(residuals.astype("int64"), axis=0), axis=1).astype("uint8")


def _compress(data: bytes) -> bytes:
    """A zlib stream that looks for runs only: residuals are mostly small numbers, often the same
    one in a row, with few longer repeats worth the search that zlib's default level makes (nearly
    as small, in a fraction of the time: the README's "The live stream" has the figures)."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS, 9, zlib.Z_RLE)
    return compressor.compress(data) + compressor.flush()


def _number(value):
    """JSON has no NaN or infinity: those become null."""
    return None if value is None or not math.isfinite(value) else float(value)


def plane_description(plane: PlaneModel) -> dict:
    """What the browser computes the plane views from, besides the weights: the network, the grids
    (as the page's figures draw them) and how many neurons of a layer the drawing shows."""
    return {
        "features": list(plane.features),
        "units": list(plane.units),
        "activations": list(plane.activations),
        "bounds": list(plane.bounds),
        "grid": GRID_SIZE,
        "neuron_grid": NEURON_GRID_SIZE,
        "maps": MAX_MAPS_PER_LAYER,
        "drawn": MAX_NODES,
    }


def flat_weights(weights: list) -> np.ndarray:
    """Each layer's kernel, then its biases, in one float32 vector (the frame's "weights")."""
    return np.concatenate([np.ravel(part) for layer in weights for part in layer]).astype("<f4")


def training_status(trainer: LiveTrainer) -> dict:
    """The status row's values: the same on the page when it is drawn and in every frame.
    `changes`, the trainer's change count when read, orders them: a page run's status that comes
    after a newer frame's is not shown over it."""
    changes = trainer.changes.count  # before the rest: what is read after it is at least as new
    state = trainer.state  # first: a trainer says "paused" only once its epoch moves no more, so a
    epoch, batch = trainer.position  # position read after it is never older than the pause
    last = trainer.last_row()
    return {
        "state": state,
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
        "changes": changes,
    }


class FrameWriter:
    """The frames of one connection to one trainer; each says what changed since the last one.

    Args:
        trainer: the `Trainer` streamed.
        points: history rows the page already shows (drawn with the page), so they are not sent.
        notices: gives the page's notices (`LiveStreams.notices`); a frame carries those that
            changed since the connection opened, under "notices".
    """

    def __init__(self, trainer, points: int = 0, notices: Callable[[], dict] | None = None):
        self.trainer = trainer
        self.points = max(int(points), 0)
        self.notices = notices or dict
        self.notices_sent = self.notices()
        self.snapshot_sent = -1
        self.weights_sent: object = None  # the snapshot weights whose links were sent last
        self.plane_sent: PlaneModel | None = None
        self.status_sent: dict = {}
        self.frames = 0
        self._last_key = None

    def _key(self):
        trainer = self.trainer
        notices = tuple(sorted(self.notices().items()))
        return (
            trainer.state,
            trainer.position,
            trainer.is_ready,
            trainer.points,
            trainer.snapshots.latest()[0],
            notices,
        )

    def next_frame(self) -> bytes | None:
        """The next frame, or None if nothing changed since the last one."""
        key = self._key()
        if key == self._last_key:
            return None
        self._last_key = key
        trainer = self.trainer
        rows, total = trainer.history_since(self.points)
        header: dict = {}
        if total < self.points:  # the trainer was reset: the page starts its curves again
            rows, total = trainer.history_since(0)
            header["reset"] = True
        if len(rows) > MAX_ROWS_PER_FRAME:
            keep = np.unique(np.linspace(0, len(rows) - 1, MAX_ROWS_PER_FRAME).astype(int))
            rows = [rows[i] for i in keep]
        self.points = total
        body = []
        if rows:
            header["rows"] = len(rows)
            table = [[np.nan if row.get(c) is None else row[c] for c in ROW_COLUMNS] for row in rows]
            body.append(np.asarray(table, "<f4").tobytes())
        version, snapshot = trainer.snapshots.latest()
        if snapshot is not None and version != self.snapshot_sent:
            self.snapshot_sent = version
            if snapshot.plane is not None and snapshot.weights is not None:
                self._add_network(snapshot, header, body)
            else:
                self._add_grids(snapshot, header, body)
        status = training_status(trainer)
        header["status"] = {name: value for name, value in status.items() if self.status_sent.get(name) != value}
        self.status_sent = status
        notices = self.notices()
        changed = {name: value for name, value in notices.items() if self.notices_sent.get(name) != value}
        if changed:
            header["notices"] = changed
        self.notices_sent = notices
        self.frames += 1
        header["frame"] = self.frames
        text = json.dumps(header, separators=(",", ":")).encode()
        return b"".join([_LENGTH.pack(len(text)), text, *body])

    def _add_network(self, snapshot, header: dict, body: list) -> None:
        """The whole network's weights (and its description when it changed): the browser
        computes the plane views and the links from them."""
        if snapshot.plane != self.plane_sent:
            self.plane_sent = snapshot.plane
            header["plane"] = plane_description(snapshot.plane)
        weights = flat_weights(snapshot.weights)
        header["weights"] = len(weights)
        body.append(weights.tobytes())

    def _add_grids(self, snapshot, header: dict, body: list) -> None:
        """The links' weights (when they changed) and the plane views as 8-bit grids."""
        if snapshot.weights is not None and snapshot.weights is not self.weights_sent:
            self.weights_sent = snapshot.weights
            links = link_weights(snapshot.weights)
            header["links"] = len(links)
            body.append(np.asarray(links, "<f4").tobytes())
        stacks = []  # grids of one shape each: the boundary, then each layer's neuron maps
        if snapshot.grid is not None:
            stacks.append(np.asarray(snapshot.grid, "float32")[None])
            header["boundary"] = True
        if snapshot.neuron_grids:
            # Contiguous copies: a layer's maps come as a transposed view, slow to reduce.
            layers = [np.ascontiguousarray(maps[:MAX_MAPS_PER_LAYER], "float32") for maps in snapshot.neuron_grids]
            stacks.extend(layers)
            header["neurons"] = sum(len(maps) for maps in layers)
        if stacks:
            encoded = [grid_levels(stack) for stack in stacks]
            body.extend(
                _SCALE.pack(*stack.shape[1:], low, step)
                for stack, lows, steps in encoded
                for low, step in zip(lows, steps, strict=True)
            )
            residuals = b"".join(_residuals(stack).tobytes() for stack, _, _ in encoded)
            body.append(_compress(residuals))
            header["grid_bytes"] = len(body[-1])


def frame_header(data: bytes) -> dict:
    """A frame's header alone (its number, the status fields that changed, what its body holds):
    what a light client reads of each frame."""
    return _split(data)[0]


def _split(data: bytes) -> tuple[dict, int]:
    """A frame's header, and where its body starts."""
    (length,) = _LENGTH.unpack_from(data)
    return json.loads(data[_LENGTH.size : _LENGTH.size + length]), _LENGTH.size + length


class FrameReader:
    """Reads one connection's frames as the page does (for tests and benchmarks; the page reads
    them in `playground/web/live/hub.js`): each frame's status is the whole status, its changed fields
    over the last frame's; rows come as columns, links as a list, grids as NumPy arrays, a
    network's weights as each layer's (kernel, biases), shaped by the connection's "plane"."""

    def __init__(self) -> None:
        self.status: dict = {}
        self.plane: dict | None = None

    def read(self, data: bytes) -> dict:
        header, at = _split(data)
        self.status = {**self.status, **header["status"]}
        frame: dict = {"frame": header["frame"], "status": self.status, "changed": set(header["status"])}
        if "notices" in header:
            frame["notices"] = header["notices"]
        if header.get("reset"):
            frame["reset"] = True
        if "rows" in header:
            count = header["rows"] * len(ROW_COLUMNS)
            table = np.frombuffer(data, "<f4", count, at).reshape(-1, len(ROW_COLUMNS)).astype("float64")
            at += 4 * count
            frame["rows"] = {
                column: [None if math.isnan(v) else v for v in table[:, i].tolist()]
                for i, column in enumerate(ROW_COLUMNS)
            }
        if "plane" in header:
            self.plane = frame["plane"] = header["plane"]
        if "weights" in header:
            flat = np.frombuffer(data, "<f4", header["weights"], at)
            at += 4 * header["weights"]
            frame["weights"] = self._layers(flat)
        if "links" in header:
            frame["links"] = np.frombuffer(data, "<f4", header["links"], at).astype("float64").tolist()
            at += 4 * header["links"]
        if "grid_bytes" in header:
            scales = []
            for _ in range(int(header.get("boundary", False)) + header.get("neurons", 0)):
                scales.append(_SCALE.unpack_from(data, at))
                at += _SCALE.size
            residuals = zlib.decompress(data[at : at + header["grid_bytes"]])
            grids, start = [], 0
            for height, width, low, step in scales:
                levels = np.frombuffer(residuals, "uint8", height * width, start).reshape(height, width)
                grids.append(grid_values(_levels_from_residuals(levels), low, step))
                start += height * width
            if "boundary" in header:
                frame["grid"] = grids.pop(0)
            if "neurons" in header:
                frame["neurons"] = grids
        return frame

    def _layers(self, flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """A network's flat weights as each layer's (kernel, biases)."""
        if self.plane is None:
            raise ValueError("A frame carries weights, but the connection has not described its network.")
        layers, at = [], 0
        fan_in = len(self.plane["features"])
        for units in self.plane["units"]:
            kernel = flat[at : at + fan_in * units].reshape(fan_in, units)
            at += fan_in * units
            layers.append((kernel, flat[at : at + units]))
            at += units
            fan_in = units
        return layers
