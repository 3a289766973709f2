"""Page runs take turns (`playground/web/page_turns.py`): at most a few at once, a fragment inside
a run takes no second turn, a run that waits on a trainer gives its turn away, and no run waits
for a turn forever."""

from __future__ import annotations

import threading
import time

from playground.web import page_turns
from playground.web.page_turns import PAGE_RUNS_AT_ONCE, in_turn, page_turn, waiting_outside_turn


def _most_at_once(body, threads: int = 8) -> int:
    inside, most, lock = 0, 0, threading.Lock()

    def run():
        nonlocal inside, most
        with page_turn():
            with lock:
                inside += 1
                most = max(most, inside)
            body()
            with lock:
                inside -= 1

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    return most


def test_at_most_a_few_page_runs_at_once():
    assert _most_at_once(lambda: time.sleep(0.05)) == PAGE_RUNS_AT_ONCE


def test_a_fragment_in_a_run_takes_no_second_turn():
    drawn = []

    @in_turn
    def fragment():
        drawn.append(True)

    def page():
        with page_turn():
            fragment()  # would wait for a turn its own run holds, if it took one

    threads = [threading.Thread(target=page) for _ in range(PAGE_RUNS_AT_ONCE)]  # every turn taken
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert drawn == [True] * PAGE_RUNS_AT_ONCE and fragment.__name__ == "fragment"


def test_a_run_waiting_on_its_trainer_gives_its_turn_away():
    def waits():
        with waiting_outside_turn():
            time.sleep(0.1)

    assert _most_at_once(waits) == 8  # all of them waited at once, none in another's turn


def test_a_run_not_given_a_turn_in_time_runs_anyway(monkeypatch):
    monkeypatch.setattr(page_turns, "TURN_WAIT_SECONDS", 0.2)
    release = threading.Event()

    def holder():
        with page_turn():
            release.wait(5)

    holders = [threading.Thread(target=holder) for _ in range(PAGE_RUNS_AT_ONCE)]
    for thread in holders:
        thread.start()
    time.sleep(0.05)
    started = time.monotonic()
    with page_turn():
        waited = time.monotonic() - started
    release.set()
    for thread in holders:
        thread.join(5)
    assert 0.15 < waited < 2
    assert _most_at_once(lambda: None) <= PAGE_RUNS_AT_ONCE  # the turns are all back


def test_a_turn_given_back_goes_to_the_run_that_waited_longest():
    """A turn given back is handed to the oldest waiter: a run that asks just after cannot take it
    first (with a plain semaphore it could, and the waiter woken too late waited again at the back,
    some until the cap)."""
    turns = page_turns._Turns(1)
    assert turns.take(0)
    order = []

    def waiter(name: str):
        assert turns.take(5)
        order.append(name)
        time.sleep(0.05)
        turns.give_back()

    first = threading.Thread(target=waiter, args=("first",))
    first.start()
    time.sleep(0.1)  # waiting now
    second = threading.Thread(target=waiter, args=("second",))
    second.start()
    time.sleep(0.1)
    turns.give_back()
    assert not turns.take(0)  # handed to the first waiter, not to whoever asks next
    first.join(5)
    second.join(5)
    assert order == ["first", "second"]
    assert turns.take(0)  # every turn given back
