"""One reporter per server process: it carries every class page this process serves to and from
the class store, in one transaction and one query a tick, however many students there are.

A student's page tells the reporter which trainer it shows (`follow`) each time it runs, and
that it is still open (`seen`, from the class line's timed runs); a page whose trainer's live
stream is open (`watched`) is open too. The reporter's thread then, every `TICK_SECONDS`:
- reads the classes of all those pages in one query, which the pages read from memory
  (`class_info`): a push reaches them without a query per page;
- every second tick, writes all their tiles in one transaction (`ClassStore.report`), and saves
  the runs the lecturer asked for of its students (`class_saves.py`: one query for all the pages);
- tells `pushed` of each page whose class has a new push (the web side wakes that page's live
  stream with it, so the page loads the push at once instead of at its class line's next run);
- forgets the pages not seen for `MEMBER_TIMEOUT_SECONDS`. Each tile is written with the moment
  its page was last seen, so a closed tab's student leaves the board that long after its page
  stopped.

Example:

    reporter = ClassReporter(lambda: class_store)
    reporter.follow(member.id, member.class_id, trainer, spec, parameters=17)
    reporter.class_info(member.class_id).push_number
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from playground.classes.class_saves import ClassSaves, class_run
from playground.classes.class_store import MEMBER_TIMEOUT_SECONDS, ClassInfo, ClassStore
from playground.classes.class_tile import ClassTile, architecture_text, tile_of
from playground.engine.live_trainer import LiveTrainer
from playground.runs.run_store import StoreError
from playground.spec import ExperimentSpec

log = logging.getLogger(__name__)

TICK_SECONDS = 0.25
TILE_TICKS = 2  # tiles are written every second tick: the board shows them twice a second


@dataclass
class _Page:
    class_id: str
    trainer: LiveTrainer | None
    spec: ExperimentSpec
    parameters: int
    seen: float = field(default_factory=time.time)  # when the page last said it is open (the board's clock)

    @functools.cached_property
    def spec_json(self) -> str:
        """The experiment as the store keeps it: made once, not at every tile written twice a second."""
        return self.spec.to_json()


class ClassReporter:
    """Args:
    classes: gives the class store (called each tick: a store that could not be opened is tried again).
    tick: seconds between ticks (tests shorten it).
    pushed: called, on the reporter's thread, with the trainer of each followed page whose class has
        a push newer than the one last read, and that push's number (it must not block).
    watched: whether a page has the live stream of a trainer open now: its page is seen then.
    """

    def __init__(
        self,
        classes: Callable[[], ClassStore],
        tick: float = TICK_SECONDS,
        pushed: Callable[[LiveTrainer, int], None] | None = None,
        watched: Callable[[LiveTrainer], bool] | None = None,
    ):
        self.classes = classes
        self.tick = tick
        self.pushed = pushed
        self.watched = watched
        self._pages: dict[str, _Page] = {}
        self._infos: dict[str, ClassInfo] = {}
        self._read: set[str] = set()  # the classes read at least once (the others are not known yet)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._ticks = 0
        self._failing = False

    def follow(
        self,
        member_id: str,
        class_id: str,
        trainer: LiveTrainer | None,
        spec: ExperimentSpec,
        parameters: int,
    ) -> None:
        """The page of `member_id` shows `trainer` (None while its experiment has problems) for `spec`.
        Its tile asks the trainer for nothing: on 2-D data the frames its page asks for carry what
        the tile's boundary is drawn from (`class_tile.tile_of`)."""
        with self._lock:
            self._pages[member_id] = _Page(class_id, trainer, spec, int(parameters))
            self._start()
        self._wake.set()  # a new page's class is read at once

    def seen(self, member_id: str) -> None:
        page = self._pages.get(member_id)
        if page is not None:
            page.seen = time.time()

    def forget(self, member_id: str) -> None:
        with self._lock:
            self._pages.pop(member_id, None)

    def class_info(self, class_id: str) -> ClassInfo | None:
        """The class as last read: None once it has ended (or before it was first read: see `known`)."""
        return self._infos.get(class_id)

    def known(self, class_id: str) -> bool:
        return class_id in self._read

    def wait_for_read(self, class_id: str, timeout: float = 2.0) -> bool:
        """Waits until the class has been read again, from now (for tests)."""
        deadline = time.monotonic() + timeout
        self._read.discard(class_id)
        self._wake.set()
        while class_id not in self._read and time.monotonic() < deadline:
            time.sleep(0.01)
        return class_id in self._read

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="class-reporter", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stops the thread (a server's reporter runs as long as the process)."""
        self._closed.set()
        self._wake.set()

    def _run(self) -> None:
        while not self._closed.is_set():
            self._wake.wait(self.tick)
            self._wake.clear()
            try:
                self.report_once()
            except Exception:  # never let the thread die: the next tick tries again
                log.exception("The class reporter failed; trying again")

    def report_once(self, tiles: bool | None = None) -> None:
        """One tick: the classes read, and (every TILE_TICKS ticks, or when `tiles`) the tiles written."""
        self._ticks += 1
        now = time.time()
        with self._lock:
            if self.watched is not None:
                for page in self._pages.values():
                    if page.trainer is not None and self.watched(page.trainer):
                        page.seen = now
            gone = [m for m, page in self._pages.items() if now - page.seen > MEMBER_TIMEOUT_SECONDS]
            for member_id in gone:
                del self._pages[member_id]
            pages = dict(self._pages)
        if not pages:
            return
        try:
            store = self.classes()
            class_ids = sorted({page.class_id for page in pages.values()})
            infos = store.classes(class_ids)
            before, self._infos = self._infos, infos
            self._read.update(class_ids)
            self._tell_pushes(pages, before, infos)
            if tiles or (tiles is None and self._ticks % TILE_TICKS == 0):
                store.report(
                    [
                        (member_id, page.spec_json, self._tile(page).to_json(), page.seen)
                        for member_id, page in pages.items()
                        if page.class_id in infos
                    ]
                )
                self._save_asked(store, pages)
        except StoreError as error:
            if not self._failing:
                log.warning("Classes cannot be read or reported: %s", error)
            self._failing = True
        else:
            self._failing = False

    def _tell_pushes(self, pages: dict[str, _Page], before: dict[str, ClassInfo], now: dict[str, ClassInfo]) -> None:
        if self.pushed is None:
            return
        for page in pages.values():
            was, info = before.get(page.class_id), now.get(page.class_id)
            if page.trainer is not None and was is not None and info is not None and info.push_number > was.push_number:
                self.pushed(page.trainer, info.push_number)

    @staticmethod
    def _save_asked(store: ClassStore, pages: dict[str, _Page]) -> None:
        """Saves the runs the lecturer asked for of the students whose pages this process serves."""
        saves = ClassSaves(store)
        for ask in saves.asked(sorted(pages)):
            trainer = pages[ask.member_id].trainer
            if trainer is None or getattr(trainer, "closed", False):
                saves.answer(ask, problem=f"{ask.name}'s experiment has problems: there is no run to save.")
            elif not trainer.history:
                saves.answer(ask, problem=f"{ask.name} has not trained an epoch yet: there is nothing to save.")
            else:
                try:
                    run_id = store.store.save(class_run(trainer, ask))
                except StoreError:
                    raise  # the database: the next tick tries again
                except Exception as error:  # this trainer's: answered, so it is not tried every tick
                    log.exception("The run of %s could not be saved for the lecturer", ask.member_id)
                    saves.answer(ask, problem=f"{ask.name}'s run could not be saved: {type(error).__name__}.")
                else:
                    saves.answer(ask, run_id=run_id)

    @staticmethod
    def _tile(page: _Page) -> ClassTile:
        trainer = page.trainer
        if trainer is None or getattr(trainer, "closed", False):
            return ClassTile(
                state="problems",
                parameters=page.parameters,
                architecture=architecture_text(page.spec),
                dataset=page.spec.dataset.name,
            )
        return tile_of(trainer, page.parameters)
