"""Rate-limiting wrong join codes, so that codes cannot be guessed by trying them one after another."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

WRONG_CODES = 10  # wrong codes one client may type ...
WINDOW_SECONDS = 600.0  # ... in this many seconds
MAX_CLIENTS = 10_000  # clients remembered; the longest quiet are forgotten first


class WrongCodeLimiter:
    """Counts each client's wrong codes over a sliding window; one process-wide instance serves
    every session (thread-safe, its memory bounded by `max_clients`).

    Example:

        limiter = WrongCodeLimiter()
        if limiter.wait(client) == 0:
            ... try the code; if it is wrong: limiter.wrong(client)
    """

    def __init__(
        self,
        attempts: int = WRONG_CODES,
        window: float = WINDOW_SECONDS,
        max_clients: int = MAX_CLIENTS,
        clock=time.monotonic,
    ):
        self.attempts, self.window, self.max_clients, self.clock = attempts, window, max_clients, clock
        self._wrong: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Seconds before `client` may try a code again (0: now)."""
        with self._lock:
            times = self._recent(client)
            if len(times) < self.attempts:
                return 0.0
            return max(times[0] + self.window - self.clock(), 0.0)

    def wrong(self, client: str) -> None:
        with self._lock:
            times = self._recent(client)
            times.append(self.clock())
            self._wrong[client] = times
            self._wrong.move_to_end(client)
            while len(self._wrong) > self.max_clients:
                self._wrong.popitem(last=False)

    def _recent(self, client: str) -> deque[float]:
        times = self._wrong.get(client, deque())
        while times and times[0] <= self.clock() - self.window:
            times.popleft()
        return times
