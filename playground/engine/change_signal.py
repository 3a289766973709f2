"""A trainer's change signal: wakes whoever waits for what a page shows to change, from any thread.

A page's live stream sends a frame only when the trainer changed since the last one
(`playground.web.live.frames`). Instead of looking again and again, it waits on the trainer's
`ChangeSignal`: the trainer (or, for a trainer in a worker process, the update from its worker)
calls `notify` whenever its state, position, history or snapshot changes, and that wakes every
waiter. A connection whose trainer rests costs nothing while it waits.

The signal counts its changes, so a waiter that looked at the trainer after change `seen` misses
none that came since: `wake_on_change(seen, wake)` refuses (and the waiter looks again) when
another change already came. A listener that wants every change (a training worker's publisher,
which sends each trainer's changes to the page server) subscribes once with `listen`.

Example:

    seen = trainer.changes.count
    ...                                                # read the trainer
    if trainer.changes.wake_on_change(seen, wake):     # `wake()` is called at the next change
        ...                                            # wait; then `trainer.changes.forget(wake)`
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class ChangeSignal:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._wakers: set[Callable[[], None]] = set()
        self._listeners: tuple[Callable[[], None], ...] = ()

    @property
    def count(self) -> int:
        """Changes so far."""
        return self._count

    def notify(self) -> None:
        """Something a page shows changed: each waiter's `wake` is called once (on this thread;
        it must not block)."""
        with self._lock:
            self._count += 1
            wakers, self._wakers = self._wakers, set()
        for wake in wakers:
            wake()
        for listener in self._listeners:
            listener()

    def listen(self, listener: Callable[[], None]) -> None:
        """Calls `listener` at every change from now on (on the changing thread; it must not block)."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

    def wake_on_change(self, seen: int, wake: Callable[[], None]) -> bool:
        """Calls `wake` at the first change after change number `seen`; returns False (and will
        not call it) when that change already came."""
        with self._lock:
            if self._count != seen:
                return False
            self._wakers.add(wake)
            return True

    def forget(self, wake: Callable[[], None]) -> None:
        """The waiter stopped waiting (its connection closed, say)."""
        with self._lock:
            self._wakers.discard(wake)
