"""A class as it is: N students, all but one as light protocol-level clients, one in Chromium.

Each student is a real Streamlit session, opened as a browser opens one: a WebSocket to
`/_stcore/stream` speaking the installed streamlit's own `BackMsg`/`ForwardMsg` protobufs. It
runs the page with its own `?x=` link (the default experiment, 100,000 epochs, a learning rate no
other student has, one of four architectures), answers the page's timed fragment reruns as the
browser does (`auto_rerun`), and a fragment's ask for the whole page (`page_follows`), presses
Train through the widget protocol (the button's trigger,
with its fragment), and reads its trainer's frames from the live route (`/api/live/<token>`),
saying there that the detail views are off screen (a 1280x800 page's hub says so: they lie below
its first screen),
asking for the next one as soon as it has read the last, as the page's hub does once it has drawn
one; a frame's notices (a class push) go to the page's status component, as the page's do. The
N-th student is a page in headless Chromium (1280x800) that counts the frames it draws
(bench/load.py's recorder). Once the new server rests (its workers compile ahead as they start, as
before a lecture), all of them open at once, then all press Train at once.

Printed per N:
- open → ready: from opening the session until the page's live status says the training program
  is compiled and the page has run (its first run and the runs its drawn-later parts ask for);
  for the Chromium page, until its status row says compiled;
- Train → epoch: from pressing Train until the first frame with an epoch above 0; Train → page
  run done: until the page's run for the click has finished;
- epochs/s per trainer, frames/s per client (and how many of them show a new epoch), over the
  measuring window; the Chromium page's drawn frames/s and its browser's CPU per drawn frame (all
  of Chromium's processes);
- the server's CPU (app process and training workers, 100 % = one core), and per student-epoch
  (every student's epochs, the Chromium page's too);
- bytes/s per student on the live stream and on Streamlit's stream;
- errors (an exception on a page, a refused or failed stream) and cross-talk (a frame whose
  learning rate is not the student's own);
- the CPU of this process, where the protocol clients run (beside the server, on its cores);
- with `--in-class`, the students join one class through their links (`?class=CODE`), and while
  they all train its lecturer pushes an experiment: push → announced is the seconds until each
  protocol student's page hears of it (its stream's notice, which the page's status row shows at
  once), push → shown until the page says it loaded it (its class line), push → drawn until the
  page has drawn the pushed network (the caption over its drawing);
- with `--board` (and `--in-class`), the Chromium page is the lecturer's board instead of a student
  (the Class page at 1280x800, the lecturer's cookie set, as on the projector) and every student is
  a protocol client: tile updates/s is how often each student's tile changes its epoch and loss
  over the measuring window, and spotlight is the seconds from choosing a student (after the push)
  to that student's spotlight drawn. With `--in-class`, the class store's tile updates/s (each
  tile's epoch and test loss, read every 0.1 s) say what the board could show at most.

With `--steady`, the window starts once every page's run for Train has finished: a class that
trains, rather than a class pressing Train (whose 32 page runs at once take the first seconds).
A server made ready before a lecture compiles a class's programs as it starts: run the bench
with `PLAYGROUND_COMPILE_AHEAD=class` in its environment (the server inherits it).

Run: .venv/bin/python bench/classroom.py --students 1 --students 32 --students 64
     (about 1.5 minutes per N on 2 cores; add --no-browser to leave out the Chromium page)
Server logs go to /tmp/loadbench/. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from class_room import TILE_WATCH, wait_until_resting  # noqa: E402
from load import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    END_WINDOW,
    NOT_LOCAL,
    START_WINDOW,
    CpuMeter,
    app_server,
    family,
    free_port,
    new_student,
    press_train,
    read_status,
    wait_all,
)
from streamlit.components.v2.bidi_component.main import _make_trigger_id  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from playground.presets import PRESETS  # noqa: E402
from playground.spec import ExperimentSpec, LayerSpec  # noqa: E402
from playground.web.live.frames import frame_header  # noqa: E402
from playground.web.widgets.class_mode import LECTURER_COOKIE  # noqa: E402

EPOCHS = 100_000
ARCHITECTURES = ((4, 2), (8, 8), (6,), (4, 4, 4))  # hidden tanh layers: the four a class is given
WINDOW_S = 20.0
SETTLE_S = 2.0
READY_TIMEOUT_S = 120.0
STATUS_COMPONENT = "playground_live_status"
PUSHED_NOTE = "the lecturer pushed this experiment"  # the class line, once a push is loaded
PUSHED_ARCHITECTURE = (5, 3)  # no student's: its drawing's caption says the push is drawn
PUSHED_DRAWING = "**2 hidden layers** · 37 params"  # 2·5+5, 5·3+3, 3+1
PUSH_TIMEOUT_S = 60.0
REPLACED_WITHIN_S = 30.0  # how long a closed stream's page may take to give its new trainer's
LATER_COMPONENT = "playground_drawn_later"  # asks, once the first screen is drawn, for what lies below it
FOLLOWS_COMPONENT = "playground_page_follows"  # asks, once a fragment's part is drawn, for the whole page


def student_spec(rate: float, architecture: tuple[int, ...]) -> ExperimentSpec:
    spec = PRESETS["tfp-default"].spec
    layers = tuple(LayerSpec("Dense", units=units, activation="tanh") for units in architecture)
    network = dataclasses.replace(spec.network, layers=layers)
    training = dataclasses.replace(spec.training, epochs=EPOCHS, learning_rate=rate)
    return spec.replace(network=network, training=training)


@dataclasses.dataclass
class FrameLog:
    """What one client saw of its live stream."""

    frames: list[tuple[float, int, float, int]] = dataclasses.field(default_factory=list)  # (time, epoch, rate, bytes)
    first_epoch_at: float | None = None


class ProtocolStudent:
    """One student's Streamlit session and live stream, spoken in protocol by this process."""

    def __init__(self, http: str, spec: ExperimentSpec, class_code: str | None = None):
        self.http, self.spec = http, spec
        link = {"x": spec.to_url(), **({"class": class_code} if class_code else {})}  # `class`: joins it
        self.query = urllib.parse.urlencode(link)
        self.push_sent: float | None = None  # when the lecturer pushed (set by the bench)
        self.pushed_at: float | None = None  # when the page said it loaded the push
        self.drawn_at: float | None = None  # when the page drew the pushed network
        self.announced_at: float | None = None  # when the page's status row said a push came (its stream's notice)
        self.rate = spec.training.learning_rate
        self.page_hash = ""
        self.train: tuple[str, str] | None = None  # the Train button's widget id and fragment id
        self.status: dict = {}
        self.stream_path: str | None = None
        self.status_component: tuple[str, str] | None = None  # the status component's id and fragment id
        self.errors: list[str] = []
        self.stream_bytes = 0  # Streamlit's own messages, received
        self.opened_at = self.ready_at = self.train_at = 0.0
        self.train_run_at: float | None = None  # when the page's run for the Train click finished
        self.ready = asyncio.Event()  # compiled, and the page's runs (the first, the drawn-later asks) done
        self.compiled = False
        self.running = True
        self.asks = 0  # drawn-later asks sent whose runs have not ended
        self.live = FrameLog()
        self.timers: dict[str, asyncio.Task] = {}
        self.tasks: list[asyncio.Task] = []
        self.stop = asyncio.Event()
        self.socket = None

    async def open(self) -> None:
        self.opened_at = time.monotonic()
        url = self.http.replace("http://", "ws://") + "/_stcore/stream"
        self.socket = await connect(
            url, subprotocols=["streamlit"], max_size=None, compression=None, open_timeout=60, ping_interval=None
        )
        await self._rerun()
        self.tasks.append(asyncio.create_task(self._read()))

    async def _rerun(self, widget_states: list | None = None, fragment_id: str = "", auto: bool = False) -> None:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        for widget in widget_states or []:
            state.widget_states.widgets.append(widget)
        await self.socket.send(message.SerializeToString())

    async def _read(self) -> None:
        try:
            async for data in self.socket:
                self.stream_bytes += len(data)
                self._handle(ForwardMsg.FromString(data))
        except Exception as error:  # a closed session is an error unless the bench closed it
            if self.socket is not None:
                self.errors.append(f"session: {error!r}")

    def _handle(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = message.new_session.page_script_hash
        elif kind == "page_info_changed":
            pass
        elif kind == "session_status_changed":
            self.running = message.session_status_changed.script_is_running
            self._ready_if_settled()
        elif kind == "auto_rerun":
            self._every(message.auto_rerun.interval, message.auto_rerun.fragment_id)
        elif kind == "stop_auto_rerun":
            for task in self.timers.values():
                task.cancel()
            self.timers.clear()
        elif kind == "script_finished" and message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
            if self.train_at and self.train_run_at is None:
                self.train_run_at = time.monotonic()
        elif kind == "script_finished" and message.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            self.asks = max(self.asks - 1, 0)
            self._ready_if_settled()
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element, message.delta.fragment_id)

    def _element(self, element, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        if kind == "button" and element.button.label == "Train":
            self.train = (element.button.id, fragment_id)
        elif kind == "alert" and PUSHED_NOTE in element.alert.body:
            if self.push_sent is not None and self.pushed_at is None:
                self.pushed_at = time.monotonic()
        elif kind == "markdown" and element.markdown.body == PUSHED_DRAWING:
            if self.push_sent is not None and self.drawn_at is None:
                self.drawn_at = time.monotonic()
        elif kind == "exception":
            self.errors.append(f"exception: {element.exception.message[:200]}")
        elif kind == "bidi_component" and element.bidi_component.component_name.endswith(STATUS_COMPONENT):
            self.status_component = (element.bidi_component.id, fragment_id)
            stream = json.loads(element.bidi_component.json or "{}").get("stream")
            if stream and stream != self.stream_path:  # the page's hub connects to each stream it is given
                self.stream_path = stream
                self.tasks.append(asyncio.create_task(self._watch(stream)))
        elif kind == "bidi_component" and element.bidi_component.component_name.endswith(FOLLOWS_COMPONENT):
            trigger = _make_trigger_id(element.bidi_component.id, "events")
            ask = json.loads(element.bidi_component.json or "{}").get("ask")
            asked = WidgetState(id=trigger, json_trigger_value=json.dumps([{"event": "asked", "value": ask}]))
            self.tasks.append(asyncio.create_task(self._rerun([asked], fragment_id=fragment_id)))
        elif kind == "bidi_component" and element.bidi_component.component_name.endswith(LATER_COMPONENT):
            trigger = _make_trigger_id(element.bidi_component.id, "events")
            asked = WidgetState(id=trigger, json_trigger_value=json.dumps([{"event": "drawn", "value": True}]))
            self.asks += 1  # the ask's run follows: the page is not settled before it has run
            self.tasks.append(asyncio.create_task(self._rerun([asked], fragment_id=fragment_id)))

    def _ready_if_settled(self) -> None:
        """Ready as a student sees it: the program compiled and the page drawn, nothing left to run."""
        if self.compiled and not self.running and not self.asks and not self.ready.is_set():
            self.ready_at = time.monotonic()
            self.ready.set()

    def _every(self, interval: float, fragment_id: str) -> None:
        """Reruns a fragment every `interval` seconds, as the browser does for `st.fragment(run_every=...)`."""

        async def tick() -> None:
            while True:
                await asyncio.sleep(interval)
                await self._rerun(fragment_id=fragment_id, auto=True)

        if fragment_id not in self.timers:
            self.timers[fragment_id] = asyncio.create_task(tick())

    async def press_train(self) -> None:
        assert self.train is not None, "no Train button on the page"
        widget, fragment_id = self.train
        self.train_at = time.monotonic()
        await self._rerun([WidgetState(id=widget, trigger_value=True)], fragment_id=fragment_id)

    async def _watch(self, path: str) -> None:
        """Reads the live stream's frames until `stop`, each asked for once the last was read; the
        session is ready when a frame says the training program is compiled."""
        url = self.http.replace("http://", "ws://") + path
        status: dict = {}  # the header's changed fields over the last frame's, as the page keeps them
        try:
            async with connect(url, max_size=None, compression=None, open_timeout=60, ping_interval=None) as stream:
                await stream.send(json.dumps({"points": 0}))
                await stream.send("details off screen")  # as a 1280x800 page's hub says: below its first screen
                while not self.stop.is_set():
                    try:
                        data = await asyncio.wait_for(stream.recv(), timeout=1.0)
                    except TimeoutError:
                        continue
                    now = time.monotonic()
                    header = frame_header(data)  # light: the grids are not decoded
                    status.update(header["status"])
                    if "notices" in header:  # a class push: the page's status component says so, and has the page run
                        if self.push_sent is not None and self.announced_at is None:
                            self.announced_at = now
                        await self._notice(header["notices"])
                    epoch = int(status.get("epoch") or 0)
                    if status.get("compiled"):
                        self.compiled = True
                        self._ready_if_settled()
                    rate = float(status.get("learning_rate") or 0.0)
                    self.live.frames.append((now, epoch, rate, len(data)))
                    if epoch > 0 and self.live.first_epoch_at is None and self.train_at:
                        self.live.first_epoch_at = now
                    await stream.send("next")
        except Exception as error:
            # A trainer replaced (a push, a new network) closes its stream, and the page's next run
            # gives the new trainer's: only a stream that nothing replaced is an error.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), REPLACED_WITHIN_S)
            if path == self.stream_path and not self.stop.is_set():
                self.errors.append(f"stream: {error!r}")

    async def _notice(self, notices: dict) -> None:
        """Passes a frame's notices to the page, as its status component does (`setTriggerValue`)."""
        if self.status_component is None:
            return
        component, fragment_id = self.status_component
        value = json.dumps([{"event": "notice", "value": json.dumps(notices)}])
        trigger = WidgetState(id=_make_trigger_id(component, "events"), json_trigger_value=value)
        await self._rerun([trigger], fragment_id=fragment_id)

    async def close(self) -> None:
        self.stop.set()
        for task in self.timers.values():
            task.cancel()
        socket, self.socket = self.socket, None
        if socket is not None:
            await socket.close()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class Lecturer:
    """A class opened in the server's class store, whose lecturer pushes an experiment (as the Class
    page's push does) and then ends it."""

    def __init__(self):
        from playground.classes.class_store import ClassStore
        from playground.runs.run_store import RunStore

        self.store = ClassStore(RunStore())
        info, self.token = self.store.open("Bench class")
        self.code = info.code

    async def push(self, students: list[ProtocolStudent]) -> tuple[list[float], list[float], list[float]]:
        """Pushes, then waits until every student's page says it loaded the push and drew its
        network: the seconds each took for either, and the seconds until each heard of it."""
        spec = student_spec(0.1, PUSHED_ARCHITECTURE)
        sent = time.monotonic()
        for student in students:
            student.push_sent = sent
        await asyncio.to_thread(self.store.push, self.token, spec, "Bench push: watch the 8-8 network learn")
        deadline = sent + PUSH_TIMEOUT_S
        while time.monotonic() < deadline and any(s.pushed_at is None or s.drawn_at is None for s in students):
            await asyncio.sleep(0.05)
        return (
            [s.pushed_at - sent for s in students if s.pushed_at is not None],
            [s.drawn_at - sent for s in students if s.drawn_at is not None],
            [s.announced_at - sent for s in students if s.announced_at is not None],
        )

    def tile_updates(self, seconds: float) -> list[float]:
        """How often each student's tile changes in the class store (its epoch or test loss), read
        every 0.1 s for `seconds`: what the board could show at most."""
        seen: dict[str, tuple] = {}
        changes: dict[str, int] = {}
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for member in self.store.board(self.token):
                tile = (member.tile.epoch, member.tile.test_loss)
                if member.id in seen and seen[member.id] != tile:
                    changes[member.id] = changes.get(member.id, 0) + 1
                seen[member.id] = tile
            time.sleep(0.1)
        return [changes.get(member, 0) / seconds for member in seen]

    def end(self) -> None:
        self.store.end(self.token)


# ---- the Chromium student -----------------------------------------------------------------------


class ChromiumPage:
    """A page in headless Chromium, on a thread of its own (Playwright's sync API): `drive` does its
    part and sets `opened` once the page is open; `result` holds what it measured, or its error.
    The bench sets `start_window` and `end_window` around the measuring window."""

    def __init__(self):
        self.opened = threading.Event()
        self.start_window = threading.Event()
        self.end_window = threading.Event()
        self.finished = threading.Event()
        self.result: dict = {}
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def drive(self, browser) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                self.drive(browser)
                browser.close()
        except Exception as error:
            self.result["error"] = repr(error)
        finally:
            self.opened.set()
            self.finished.set()


class ChromiumStudent(ChromiumPage):
    """One student's page, which counts the frames it draws (bench/load.py's recorder)."""

    def __init__(self, http: str, spec: ExperimentSpec, class_code: str | None = None):
        super().__init__()
        link = {"x": spec.to_url(), **({"class": class_code} if class_code else {})}
        self.link = f"{http}/?{urllib.parse.urlencode(link)}"
        self.go_train = threading.Event()
        self.start()

    def drive(self, browser) -> None:
        page = new_student(browser)
        started = time.monotonic()
        page.goto(self.link)
        self.opened.set()
        status = wait_all([page], lambda s: s["compiledAt"] is not None, READY_TIMEOUT_S)[0]
        self.result["ready_s"] = (time.monotonic() - started) if status["compiledAt"] else None
        self.go_train.wait()
        (status,) = press_train([page])
        self.start_window.wait()
        page.evaluate(START_WINDOW)
        meter = CpuMeter(chromium_processes())
        self.end_window.wait()
        window = page.evaluate(END_WINDOW)
        cpu_percent = meter.read()[0]
        self.result.update(window=window, status=read_status(page))
        if window["frames"]:
            self.result["cpu_ms_per_frame"] = 10 * cpu_percent * window["seconds"] / window["frames"]


class ChromiumBoard(ChromiumPage):
    """The lecturer's board (1280x800): the Class page of a class opened in the store, with the
    lecturer's token in the browser's cookie."""

    def __init__(self, http: str, token: str, students: int):
        super().__init__()
        self.http, self.token, self.students = http, token, students
        self.go_spotlight = threading.Event()
        self.start()

    def drive(self, browser) -> None:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.route(NOT_LOCAL, lambda route: route.abort())
        context.add_cookies([{"name": LECTURER_COOKIE, "value": self.token, "url": self.http}])
        page = context.new_page()
        page.set_default_timeout(READY_TIMEOUT_S * 1000)
        page.goto(f"{self.http}/class")
        page.get_by_text(f"The class: {self.students} student(s)").wait_for()
        self.opened.set()
        self.start_window.wait()
        page.evaluate(TILE_WATCH)
        started, meter = time.monotonic(), CpuMeter(chromium_processes())
        self.end_window.wait()
        seconds = time.monotonic() - started
        changes = page.evaluate("() => window.__tileChanges")
        self.result["cpu_percent"] = meter.read()[0]
        updates = [changes.get(member, 0) / seconds for member in changes]
        self.result["tile_updates"] = updates + [0.0] * (self.students - len(updates))
        self.go_spotlight.wait()
        started = time.monotonic()
        page.get_by_role("radio").first.click()  # the first student's pill
        page.get_by_text("Spotlight: ").first.wait_for()
        self.result["spotlight_s"] = time.monotonic() - started
        page.screenshot(path="/tmp/loadbench/classroom-board.png")


def chromium_processes() -> list[int]:
    """This bench's Chromium processes (browser, renderers, helpers): what the student's machine spends."""
    return [pid for pid in family([os.getpid()]) if "chrom" in Path(f"/proc/{pid}/comm").read_text()]


# ---- one class ----------------------------------------------------------------------------------


@dataclasses.dataclass
class ClassRow:
    students: int
    ready_s: list[float]
    first_epoch_s: list[float]
    train_run_s: list[float]
    epochs_per_s: list[float]
    frames_per_s: list[float]
    new_epoch_frames_per_s: list[float]
    live_bytes_per_s: list[float]
    stream_bytes_per_s: list[float]
    server_cpu: float
    workers_cpu: float
    clients_cpu: float
    cpu_ms_per_student_epoch: float
    errors: int
    crosstalk: int
    chromium: dict
    notes: list[str]
    push_s: list[float]
    drawn_s: list[float]
    announced_s: list[float]
    board: dict
    store_tile_updates: list[float]


def window_figures(log: FrameLog, start: float, end: float) -> tuple[float, float, float]:
    """(epochs/s, frames/s, frames showing a new epoch per second) between `start` and `end`."""
    inside = [(t, epoch) for t, epoch, _, _ in log.frames if start <= t <= end]
    before = [epoch for t, epoch, _, _ in log.frames if t < start]
    if not inside:
        return 0.0, 0.0, 0.0
    seconds = end - start
    first = before[-1] if before else inside[0][1]
    epochs = [epoch for _, epoch in inside]
    new = sum(1 for previous, epoch in zip([first, *epochs], epochs) if epoch != previous)
    return (epochs[-1] - first) / seconds, len(inside) / seconds, new / seconds


async def measure(http: str, pids: list[int], count: int, options) -> ClassRow:
    """A class of `count` students, one of them in Chromium (unless `--no-browser`)."""
    rates = [round(0.001 * 1000 ** (i / max(count - 1, 1)), 6) for i in range(count)]  # each its own, 0.001 to 1
    specs = [student_spec(rate, ARCHITECTURES[i % len(ARCHITECTURES)]) for i, rate in enumerate(rates)]
    notes: list[str] = []
    await asyncio.to_thread(wait_until_resting, pids, notes)  # the workers compile ahead as they start
    lecturer = Lecturer() if options.in_class else None
    code = lecturer.code if lecturer is not None else None
    board = ChromiumBoard(http, lecturer.token, count) if lecturer is not None and options.board else None
    chromium = None if options.no_browser or board is not None else ChromiumStudent(http, specs.pop(), code)
    students = [ProtocolStudent(http, spec, code) for spec in specs]
    if chromium is not None:
        await asyncio.to_thread(chromium.opened.wait)
    await asyncio.gather(*(student.open() for student in students))
    waiting = [asyncio.wait_for(student.ready.wait(), READY_TIMEOUT_S) for student in students]
    results = await asyncio.gather(*waiting, return_exceptions=True)
    unready = sum(1 for result in results if isinstance(result, BaseException))
    if unready:
        notes.append(f"{unready} sessions were not ready within {READY_TIMEOUT_S:.0f} s")
    ready = [student for student in students if student.ready.is_set() and student.train is not None]
    if chromium is not None:
        await asyncio.to_thread(wait_for_chromium_ready, chromium)
        chromium.go_train.set()
    await asyncio.gather(*(student.press_train() for student in ready))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(s.live.first_epoch_at is None for s in ready):
        await asyncio.sleep(0.1)
    # With --steady, the window waits for every page's run for Train too (they all run at once).
    while options.steady and time.monotonic() < deadline and any(s.train_run_at is None for s in ready):
        await asyncio.sleep(0.1)
    await asyncio.sleep(SETTLE_S)
    start = time.monotonic()
    stream_bytes_before = [s.stream_bytes for s in ready]
    workers = [pid for pid in family(pids) if pid not in pids]
    servers_meter, workers_meter, clients_meter = CpuMeter(pids), CpuMeter(workers), CpuMeter([os.getpid()])
    if board is not None:
        await asyncio.to_thread(board.opened.wait, READY_TIMEOUT_S)
        board.start_window.set()
    if chromium is not None:
        chromium.start_window.set()
    if lecturer is not None:
        store_tile_updates = await asyncio.to_thread(lecturer.tile_updates, options.window)
    else:
        store_tile_updates = []
        await asyncio.sleep(options.window)
    end = time.monotonic()
    stream_bytes_after = [s.stream_bytes for s in ready]
    server_cpu, workers_cpu, clients_cpu = servers_meter.read()[0], workers_meter.read()[0], clients_meter.read()[0]
    if board is not None:
        board.end_window.set()
    if chromium is not None:
        chromium.end_window.set()
        await asyncio.to_thread(chromium.finished.wait, 120)
    push_s: list[float] = []
    drawn_s: list[float] = []
    announced_s: list[float] = []
    if lecturer is not None:  # while they all train, the lecturer pushes an experiment to the class
        push_s, drawn_s, announced_s = await lecturer.push(ready)
        if min(len(push_s), len(drawn_s)) < len(ready):
            missed = f"{len(ready) - len(push_s)} did not show it, {len(ready) - len(drawn_s)} did not draw it"
            notes.append(f"of the pages given the push, {missed} within {PUSH_TIMEOUT_S:.0f} s")
    if board is not None:  # after the push, so that the spotlight is chosen on a board of a training class
        board.go_spotlight.set()
        await asyncio.to_thread(board.finished.wait, READY_TIMEOUT_S)
    figures = [window_figures(student.live, start, end) for student in ready]
    seconds = end - start
    browser_window = chromium.result.get("window") if chromium is not None else None
    epochs = sum(f[0] for f in figures) * seconds + (browser_window["epochs"] if browser_window else 0)
    crosstalk = sum(  # a frame of another rate, before any push gave everyone the pushed one
        1
        for s in ready
        if any(
            abs(rate - s.rate) > 1e-9 * max(s.rate, 1)
            for at, _, rate, _ in s.live.frames
            if rate and (s.push_sent is None or at < s.push_sent)
        )
    )
    stream_bytes = [(after - before) / seconds for before, after in zip(stream_bytes_before, stream_bytes_after)]
    await asyncio.gather(*(student.close() for student in students))
    if lecturer is not None:
        lecturer.end()
    row = ClassRow(
        students=count,
        ready_s=[s.ready_at - s.opened_at for s in ready],
        first_epoch_s=[s.live.first_epoch_at - s.train_at for s in ready if s.live.first_epoch_at],
        train_run_s=[s.train_run_at - s.train_at for s in ready if s.train_run_at],
        epochs_per_s=[f[0] for f in figures],
        frames_per_s=[f[1] for f in figures],
        new_epoch_frames_per_s=[f[2] for f in figures],
        live_bytes_per_s=[sum(size for t, _, _, size in s.live.frames if start <= t <= end) / seconds for s in ready],
        stream_bytes_per_s=stream_bytes,
        server_cpu=server_cpu,
        workers_cpu=workers_cpu,
        clients_cpu=clients_cpu,
        cpu_ms_per_student_epoch=1000 * (server_cpu + workers_cpu) / 100 * seconds / max(epochs, 1e-9),
        errors=sum(len(s.errors) for s in students) + unready,
        crosstalk=crosstalk,
        chromium=chromium.result if chromium is not None else {},
        push_s=push_s,
        drawn_s=drawn_s,
        announced_s=announced_s,
        board=board.result if board is not None else {},
        store_tile_updates=store_tile_updates,
        notes=notes + [error for s in students for error in s.errors][:5],
    )
    return row


def wait_for_chromium_ready(chromium: ChromiumStudent) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while "ready_s" not in chromium.result and "error" not in chromium.result and time.monotonic() < deadline:
        time.sleep(0.1)


# ---- printing -----------------------------------------------------------------------------------


def spread(values: list[float], digits: int = 1) -> str:
    if not values:
        return "-"
    low, middle, high = min(values), statistics.median(values), max(values)
    return f"{low:.{digits}f}/{middle:.{digits}f}/{high:.{digits}f}"


def print_row(row: ClassRow) -> None:
    browser = row.chromium
    window = browser.get("window") or {}
    drawn = f"{window['frames'] / window['seconds']:.1f}" if window.get("seconds") else "-"
    ready = f"{browser['ready_s']:.1f}" if browser.get("ready_s") else "-"
    cpu = f"{browser['cpu_ms_per_frame']:.1f}" if browser.get("cpu_ms_per_frame") else "-"
    print(
        f"| {row.students} | {spread(row.ready_s)} | {spread(row.first_epoch_s, 2)} | {spread(row.train_run_s, 2)} "
        f"| {spread(row.epochs_per_s)} "
        f"| {spread(row.frames_per_s)} | {spread(row.new_epoch_frames_per_s)} | {ready} | {drawn} | {cpu} "
        f"| {row.server_cpu:.0f} + {row.workers_cpu:.0f} | {row.cpu_ms_per_student_epoch:.2f} "
        f"| {spread([b / 1000 for b in row.live_bytes_per_s])} | {spread([b / 1000 for b in row.stream_bytes_per_s])} "
        f"| {row.errors} | {row.crosstalk} | {row.clients_cpu:.0f} | {spread(row.announced_s, 2)} "
        f"| {spread(row.push_s, 2)} | {spread(row.drawn_s, 2)} |",
        flush=True,
    )
    if row.store_tile_updates:
        print(f"  class store: tile updates/s (min/med/max) {spread(row.store_tile_updates)}")
    if row.board:
        tiles = spread(row.board.get("tile_updates", []))
        spotlight = f"{row.board['spotlight_s']:.2f} s" if "spotlight_s" in row.board else "-"
        cpu = f"{row.board['cpu_percent']:.0f} %" if "cpu_percent" in row.board else "-"
        print(f"  board: tile updates/s (min/med/max) {tiles}; spotlight {spotlight}; the board's browser CPU {cpu}")
    pages = (("chromium", browser), ("board", row.board))
    failures = [f"{name}: {result['error']}" for name, result in pages if "error" in result]
    for note in row.notes + failures:
        print(f"  note: {note}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, action="append", help="class sizes (default: 1, 32 and 64)")
    parser.add_argument("--window", type=float, default=WINDOW_S, help="seconds of measuring while all train")
    parser.add_argument("--no-browser", action="store_true", help="protocol clients only")
    parser.add_argument("--steady", action="store_true", help="measure once every page has run for Train")
    parser.add_argument("--port", type=int, help="the app's port (default: a free one from 8700)")
    parser.add_argument("--in-class", action="store_true", help="the students join a class, and its lecturer pushes")
    parser.add_argument("--board", action="store_true", help="with --in-class: Chromium shows the board")
    options = parser.parse_args()
    if options.board and not options.in_class:
        parser.error("--board shows a class's board: add --in-class")
    sizes = options.students or [1, 32, 64]
    print(
        "| students | open → ready s (min/med/max) | Train → epoch s | Train → page run done s | epochs/s per trainer "
        "| frames/s per client | new-epoch frames/s | Chromium ready s | Chromium drawn frames/s "
        "| Chromium CPU ms per frame | server CPU % (app + workers) | server CPU ms per student-epoch "
        "| live kB/s per student | Streamlit kB/s per student | errors | cross-talk | protocol clients' CPU % "
        "| push → announced s | push → shown s | push → drawn s |"
    )
    print("|" + "---|" * 20, flush=True)
    for count in sizes:
        port = free_port(options.port)
        with app_server(port, f"classroom-{count}.log") as server:
            row = asyncio.run(measure(f"http://127.0.0.1:{port}", [server.pid], count, options))
        print_row(row)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
