"""Page runs take turns: at most `PAGE_RUNS_AT_ONCE` execute at once in a server process.

Streamlit runs each session's script in a thread of its own, and in one Python process those
threads share one interpreter (the GIL). Thirty pages that run at once (a class's push, a room
opening the link together) take turns every millisecond, so each run takes as long as all of them
together, and the event loop, which sends their output to the browsers and the live stream's
frames, gets one turn in thirty-one: every student waited for the last run to end. Taking turns,
the runs end one after another, and each page's output leaves as soon as its run has made it.

A page's run holds one turn for its script and the fragments it draws; a fragment's run of its own
takes a turn too. A run that waits for something else (a trainer's command, `waiting_outside_turn`)
gives its turn to another page meanwhile. Turns are given in the order they were asked for, and a
run waits at most `TURN_WAIT_SECONDS` for one and then runs anyway, so no page stalls behind runs
that hang.

Example:

    with page_turn():
        page.run()

    @st.fragment(run_every=2.0)
    @in_turn
    def board(): ...
"""

from __future__ import annotations

import collections
import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

from playground.limits import count_setting

PAGE_RUNS_AT_ONCE = count_setting("PLAYGROUND_PAGE_RUNS_AT_ONCE", 2)
TURN_WAIT_SECONDS = 10.0

_P = ParamSpec("_P")
_R = TypeVar("_R")


class _Turns:
    """At most `count` turns at once, given in the order they were asked for: a turn given back
    goes straight to the longest waiter, so no run that comes later takes it first (with a plain
    semaphore a woken waiter that lost the race waited again at the back, some until the cap)."""

    def __init__(self, count: int):
        self._lock = threading.Lock()
        self._free = count
        self._waiting: collections.deque[threading.Event] = collections.deque()

    def take(self, timeout: float) -> bool:
        """Waits for a turn, at most `timeout` seconds: whether one was given."""
        with self._lock:
            if self._free:
                self._free -= 1
                return True
            given = threading.Event()
            self._waiting.append(given)
        if given.wait(timeout):
            return True
        with self._lock:
            if given.is_set():  # given as the wait ran out
                return True
            self._waiting.remove(given)
            return False

    def give_back(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1


_turns = _Turns(PAGE_RUNS_AT_ONCE)
_held = threading.local()  # per thread: the depth of turns (a fragment in a run takes none), whether it holds one


@contextlib.contextmanager
def page_turn() -> Iterator[None]:
    """Runs the body in a turn of its own (or in the turn its thread already holds)."""
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    _held.taken = _turns.take(TURN_WAIT_SECONDS)
    _held.depth = 1
    try:
        yield
    finally:
        _held.depth = 0
        if _held.taken:
            _held.taken = False
            _turns.give_back()


@contextlib.contextmanager
def waiting_outside_turn() -> Iterator[None]:
    """For a body that waits on something else (a trainer's command): the thread's turn goes to
    another page meanwhile, and is taken again after."""
    if not getattr(_held, "taken", False):
        yield
        return
    _held.taken = False
    _turns.give_back()
    try:
        yield
    finally:
        _held.taken = _turns.take(TURN_WAIT_SECONDS)


def in_turn(body: Callable[_P, _R]) -> Callable[_P, _R]:
    """`body` run in a turn (for a fragment: its runs of its own take one). It keeps its name, of
    which Streamlit makes a fragment's id."""

    @functools.wraps(body)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with page_turn():
            return body(*args, **kwargs)

    return run
