"""A trainer stand-in whose pause lands between two reads of it, for the readers that must show
"paused" only with the epoch it paused at (the live stream's status, the worker's updates)."""

from playground.engine.change_signal import ChangeSignal


class PausingAsRead:
    """A trainer whose chunk in flight ends, and whose asked pause takes effect, just as its position
    is read (as a worker's update can land between two reads of the page's copy, or a chunk end
    between two reads in the worker)."""

    def __init__(self):
        self.state, self._epoch = "running", 308
        self.batches_per_epoch, self.points, self.is_ready, self.elapsed = 1, 308, True, 1.0
        self.message, self.started_at, self.idle = "", 1.0, False
        self.snapshots = type("Snapshots", (), {"latest": lambda self: (0, None)})()
        self.changes = ChangeSignal()

    @property
    def position(self):
        read = (self._epoch, 0)
        self.state, self._epoch = "paused", 309
        return read

    def last_row(self):
        return {}

    def learning_rate(self):
        return 0.03

    def history_since(self, start):
        return [], 0
