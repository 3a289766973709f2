"""Snapshots: what the live views draw, computed from the model at a bounded rate.

A `Snapshot` is immutable once made; the `SnapshotBuffer` hands the newest one to the page
without ever blocking training (a lock held only to swap a reference).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from playground.engine.plane_model import PlaneModel

HISTOGRAM_BINS = 30
GRID_SIZE = 100
NEURON_GRID_SIZE = 25
PLANE_VIEW_POINTS = GRID_SIZE**2 + NEURON_GRID_SIZE**2  # one call computes both views: the grids stacked
PROBE_COUNT = 8
MAX_DRAWN_WEIGHTS = 2000


@dataclass(frozen=True)
class Snapshot:
    """The model's state at one moment.

    Args:
        epoch, batch: position when taken.
        histograms: per weighted layer: {"layer", "weights": (counts, edges), "biases": (counts, edges)}.
        gradient_norms: per weighted layer, the L2 norm of the loss gradient on a probe batch.
        probe_indices: test-set indices of the probe samples; probe_outputs their class probabilities.
        confusion: (classes, classes) counts on the test set (rows: truth), or None for regression.
        grid: for 2-D data, the model output on a GRID_SIZE² grid over `bounds` (class-1
            probability, regression value, or the winning class for many classes).
        neuron_grids: for Dense-only 2-D networks, each hidden neuron's output on a coarser grid.
        weights: for small Dense networks, [(kernel, bias), ...] per layer, for the network drawing.
        test_loss, test_accuracy: on the whole test set.
        misclassified, misclassified_as: test indices of up to 24 wrong predictions and the class
            the model gave each.
        test_outputs: the model's outputs for every test sample (classification), so the page can
            show the class probabilities of any samples the user picks, at once, even when paused.
        plane: for a network whose plane views the browser computes from `weights`, its
            description (`plane_model`); frame snapshots then renew `weights` and not the grids.
    """

    epoch: int
    batch: int
    histograms: list = field(default_factory=list)
    gradient_norms: list = field(default_factory=list)
    probe_indices: np.ndarray | None = None
    probe_outputs: np.ndarray | None = None
    confusion: np.ndarray | None = None
    grid: np.ndarray | None = None
    neuron_grids: list | None = None
    weights: list | None = None
    test_loss: float = float("nan")
    test_accuracy: float = float("nan")
    misclassified: np.ndarray | None = None
    misclassified_as: np.ndarray | None = None
    test_outputs: np.ndarray | None = None
    plane: PlaneModel | None = None

    def outputs_for(self, indices: Sequence[int] | np.ndarray | None) -> np.ndarray | None:
        """Outputs of the given test samples (the default probes when `indices` is None)."""
        if indices is None:
            return self.probe_outputs
        if self.test_outputs is None:
            return None
        return self.test_outputs[np.asarray(indices, int)]


class SnapshotBuffer:
    """Thread-safe holder of the newest snapshot and a short history of histograms."""

    def __init__(self, keep: int = 200):
        self._lock = threading.Lock()
        self._latest: Snapshot | None = None
        self._version = 0
        self._histogram_frames: list[tuple[int, list]] = []
        self._keep = keep

    def publish(self, snapshot: Snapshot, histograms: bool = True) -> None:
        """Makes `snapshot` the newest; `histograms=False` for a frame snapshot, whose histograms
        are the last full snapshot's (so they do not enter the history of histograms)."""
        with self._lock:
            self._latest = snapshot
            self._version += 1
            if not histograms:
                return
            frames = self._histogram_frames
            if not frames or frames[-1][0] != snapshot.epoch:
                frames.append((snapshot.epoch, snapshot.histograms))
                if len(frames) > self._keep:
                    del frames[1::2]  # thin out evenly, keeping the first frame
            else:
                frames[-1] = (snapshot.epoch, snapshot.histograms)

    def latest(self) -> tuple[int, Snapshot | None]:
        with self._lock:
            return self._version, self._latest

    def histogram_frames(self) -> list[tuple[int, list]]:
        with self._lock:
            return list(self._histogram_frames)

    def clear(self) -> None:
        with self._lock:
            self._latest, self._histogram_frames = None, []
            self._version += 1
