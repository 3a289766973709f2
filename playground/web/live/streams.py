"""Which page may watch which trainer, and what happens when a page goes away.

Each page that shows a trainer gets an unguessable token for it (`open`); the page's stream
(a WebSocket, see `playground/web/live/route.py`) presents the token to receive that trainer's frames, and
nothing else does: a token names one trainer of one session, and a token never handed out (or
one whose trainer was replaced or closed) is refused.

A token takes a few connections at once (`MAX_CONNECTIONS_PER_TOKEN`, a setting in
`playground/limits.py`: a page holds one, and its reconnection may overlap the old one for a
moment); more are refused, so one token cannot tie up the server's event loop for everyone.

The stream is also how the server learns that a tab was closed: when the last connection of a
token closes and none comes back within `grace` seconds (a reload or a network blip reconnects
sooner), the trainer is abandoned: stopped, freed, and its run not saved unless it had finished.

A page's stream also says whether the page's **detail views** (below its first screen) are on
screen (`say_details_on_screen`): off screen, the page's timed redraws of them build nothing new
(`details_on_screen`), which for a class was most of the page server's work. The browser tells
over the stream rather than through a widget, so that scrolling never makes Streamlit run a page.

A page's stream also carries **notices**: small facts about the page that are not the trainer's,
which the page must run again for (a class push, say). `notify(trainer, name, value)` sets one
and wakes the trainer's connections, which send it in their next frame.

Example:

    token = LIVE_STREAMS.open(trainer)
    LIVE_STREAMS.trainer_for(token)     # the trainer, while it lives
    LIVE_STREAMS.connected(token)       # by the stream's route: True, or False past the limit
    LIVE_STREAMS.disconnected(token)    # after each connection that `connected` let in
"""

from __future__ import annotations

import logging
import secrets
import threading
import weakref

from playground.engine.live_trainer import LiveTrainer
from playground.limits import MAX_CONNECTIONS_PER_TOKEN

log = logging.getLogger(__name__)

CLOSE_GRACE_SECONDS = 3.0


class LiveStreams:
    """The tokens and their connections.

    Args:
        grace: seconds a token may stay without a connection before its trainer is abandoned.
        per_token: connections a token may have at once (default `MAX_CONNECTIONS_PER_TOKEN`).
    """

    def __init__(self, grace: float = CLOSE_GRACE_SECONDS, per_token: int | None = None):
        self.grace = grace
        self.per_token = MAX_CONNECTIONS_PER_TOKEN if per_token is None else per_token
        self._lock = threading.Lock()
        self._trainers: dict[str, weakref.ref[LiveTrainer]] = {}
        self._connections: dict[str, int] = {}
        self._timers: dict[str, threading.Timer] = {}
        self._notices: weakref.WeakKeyDictionary[LiveTrainer, dict[str, object]] = weakref.WeakKeyDictionary()
        self._details_off_screen: weakref.WeakSet[LiveTrainer] = weakref.WeakSet()

    def say_details_on_screen(self, trainer: LiveTrainer, on_screen: bool) -> None:
        """What the page showing `trainer` said of its detail views: on screen or not (which the
        trainer hears too: off screen, its full snapshots may come less often)."""
        with self._lock:
            if on_screen:
                self._details_off_screen.discard(trainer)
            else:
                self._details_off_screen.add(trainer)
        trainer.want_details(on_screen)

    def details_on_screen(self, trainer: LiveTrainer) -> bool:
        """Whether the page showing `trainer` has its detail views on screen: True unless its
        stream said otherwise (no stream, or not yet connected: as if they were)."""
        with self._lock:
            return trainer not in self._details_off_screen

    def notify(self, trainer: LiveTrainer, name: str, value: object) -> None:
        """Sets the notice `name` of the pages that show `trainer`, and wakes their streams (from any thread)."""
        with self._lock:
            self._notices.setdefault(trainer, {})[name] = value
        trainer.changes.notify()

    def notices(self, trainer: LiveTrainer) -> dict[str, object]:
        """The notices of the pages that show `trainer` (a copy)."""
        with self._lock:
            return dict(self._notices.get(trainer, {}))

    def open(self, trainer: LiveTrainer) -> str:
        """A new token for `trainer` (one per trainer and page; the page keeps it for the trainer's life)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            for dead in [t for t, ref in self._trainers.items() if _gone(ref())]:
                self._forget(dead)
            self._trainers[token] = weakref.ref(trainer)
        return token

    def trainer_for(self, token: str) -> LiveTrainer | None:
        """The trainer the token was opened for, or None (unknown token, or its trainer is gone)."""
        if not isinstance(token, str):
            return None
        with self._lock:
            ref = self._trainers.get(token)
        trainer = ref() if ref is not None else None
        return None if _gone(trainer) else trainer

    def connected(self, token: str) -> bool:
        """Counts a new connection of `token`, unless it has `per_token` already (then False: the
        route refuses it, and does not call `disconnected`)."""
        with self._lock:
            count = self._connections.get(token, 0)
            if count >= self.per_token:
                return False
            self._connections[token] = count + 1
            timer = self._timers.pop(token, None)
        if timer is not None:
            timer.cancel()
        return True

    def disconnected(self, token: str) -> None:
        """The last connection closing starts the grace period; then the trainer is abandoned."""
        with self._lock:
            left = self._connections.get(token, 1) - 1
            self._connections[token] = left
            if left > 0 or token not in self._trainers:
                return
            timer = threading.Timer(self.grace, self._abandon_if_gone, args=(token,))
            timer.daemon = True
            self._timers[token] = timer
        timer.start()

    def watched(self, trainer: LiveTrainer) -> bool:
        """Whether a page has a stream of `trainer` open now (the page is open)."""
        with self._lock:
            return any(self._connections.get(token, 0) > 0 for token, ref in self._trainers.items() if ref() is trainer)

    def connections(self, token: str) -> int:
        with self._lock:
            return self._connections.get(token, 0)

    def _abandon_if_gone(self, token: str) -> None:
        with self._lock:
            if self._connections.get(token, 0) > 0:
                return
            ref = self._trainers.get(token)
            self._forget(token)
        trainer = ref() if ref is not None else None
        if trainer is not None and not _gone(trainer):
            log.info("A page closed: its trainer (%s) is stopped and freed", trainer.state)
            trainer.abandon()

    def _forget(self, token: str) -> None:
        self._trainers.pop(token, None)
        self._connections.pop(token, None)
        timer = self._timers.pop(token, None)
        if timer is not None:
            timer.cancel()


def _gone(trainer: LiveTrainer | None) -> bool:
    return trainer is None or trainer.closed


LIVE_STREAMS = LiveStreams()
