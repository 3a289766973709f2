"""Classroom load: N students open the playground at once and all press Train.

For each N, a fresh `streamlit run` (no warm state carries over) and one headless Chromium with one
browser context per student. Every student opens the default experiment (tfp-default) with 100,000
epochs and a learning rate of their own (0.001, 0.003, 0.01, ...), so cross-talk between sessions
shows. Printed, one table row per N (min/median/max over the N pages where there are three numbers):
- open → ready: seconds from opening the link until the page says its training program is compiled;
- Train → epoch: seconds from clicking Train until the page shows an epoch above 0;
- epochs/s: training speed of each session while all of them train (the measuring window);
- frames/s: live frames a page received and drew per second in the window (its `training-status`
  mark counts them; 0 where the page falls back to timed refreshes);
- new-epoch frames/s: how often a page's shown epoch changes in the window (a MutationObserver in
  the page): frames (or refreshes) that each show a new epoch;
- snapshots/s: new engine snapshots a page shows per second in the window;
- errors: pages showing a Streamlit exception; own LR: pages whose learning-rate control and
  "Learning rate" figure show that page's own rate;
- the server's CPU (100 % = one core): the app process(es) + their training worker processes, the
  memory of both together, and the whole machine's CPU use.
The churn test (`--visits V`) opens a page, presses Train, waits until it trains and closes the
tab, V times, then waits 10 s and compares the server's memory and OS thread count (its worker
processes included) before and after;
it also counts the trainers the server stopped because their page closed (its log says so), and
how many trainer threads were still alive 5 s after their tab closed.

With `--replicas R` (repeatable), each row runs instead through HAProxy in front of R app processes
(`make serve REPLICAS=R`, playground/web/replicas.py): `--sessions 16 --replicas 1 --replicas 2` prints
16 students on one replica and on two, one after the other in one run; the server CPU and memory
are then those of all replicas together.

Run: .venv/bin/python bench/load.py --sessions 1 --sessions 8
     .venv/bin/python bench/load.py                      (1, 8 and 16 students, 20 s each: 5-8 minutes on 2 cores)
     .venv/bin/python bench/load.py --sessions 1 --speed fastest   (training speed flat out)
     .venv/bin/python bench/load.py --sessions 1 --visits 50   (and the churn test)
Server logs go to /tmp/loadbench/. Only 127.0.0.1 is contacted: the browser refuses anything else.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playground.presets import PRESETS  # noqa: E402

SCRATCH = Path("/tmp/loadbench")
PORTS = range(8700, 8800)
EPOCHS = 100_000
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Each student's tab is in front on their own screen: Chromium must not throttle the pages it
    # sees as hidden behind each other (their animation frames and timers).
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
]
NOT_LOCAL = re.compile(r"^(?!(https?|wss?)://127\.0\.0\.1[:/])")
# TF Playground's ladder first (the brief's order), then rates between its rungs for larger classes:
# every session needs a rate no other session has.
FIRST_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
MORE_MANTISSAS = (2, 5, 1.5, 4, 6, 8, 1.2, 2.5, 7, 9)
SETTLE_S = 1.0  # after all train, before the window: the first refreshes after Train are not steady state
CHURN_SETTLE_S = 10.0
SPEED_SLIDER = ".st-key-speed:not([data-stale='true']) input[type='range']"  # a rerun briefly leaves a stale copy
STATUS = "document.querySelector('[data-testid=\"training-status\"]')"

# Installed in every page before the app's own scripts. It notes, in the page's own clock
# (milliseconds since the link was opened), when the trainer first says it is compiled, when Train
# was first clicked and when the first epoch showed; inside a measuring window it counts changes of
# the shown epoch and distinct snapshots. Streamlit may replace the status element rather than
# change its attributes, so the observer watches added elements as well as attributes.
RECORDER = """(() => {
    const bench = window.__bench = {compiledAt: null, trainAt: null, firstEpochAt: null, epoch: null,
                                    counting: false, epochChanges: 0, snapshots: new Set(), start: null};
    const note = () => {
        const e = document.querySelector('[data-testid="training-status"]');
        if (!e) return;
        const now = performance.now();
        if (bench.compiledAt === null && e.dataset.compiled === '1') bench.compiledAt = now;
        if (bench.trainAt !== null && bench.firstEpochAt === null && Number(e.dataset.epoch) > 0) bench.firstEpochAt = now;
        if (e.dataset.epoch !== bench.epoch) { bench.epoch = e.dataset.epoch; if (bench.counting) bench.epochChanges++; }
        if (bench.counting) bench.snapshots.add(e.dataset.snapshot);
    };
    document.addEventListener('click', event => {
        const button = event.target.closest && event.target.closest('button');
        if (button && button.innerText.trim() === 'Train' && bench.trainAt === null) bench.trainAt = performance.now();
    }, true);
    new MutationObserver(note).observe(document, {subtree: true, childList: true, attributes: true});
})()"""
START_WINDOW = f"""() => {{ const b = window.__bench, e = {STATUS};
    b.counting = true; b.epochChanges = 0; b.snapshots = new Set(e ? [e.dataset.snapshot] : []);
    b.start = {{t: performance.now(), epoch: e ? Number(e.dataset.epoch) : 0, frames: e ? Number(e.dataset.frames || 0) : 0}}; }}"""
END_WINDOW = f"""() => {{ const b = window.__bench, e = {STATUS}; b.counting = false;
    return {{seconds: (performance.now() - b.start.t) / 1000, epochs: e ? Number(e.dataset.epoch) - b.start.epoch : 0,
             frames: e ? Number(e.dataset.frames || 0) - b.start.frames : 0, stream: e ? e.dataset.stream : null,
             refreshes: b.epochChanges, snapshots: Math.max(b.snapshots.size - 1, 0)}}; }}"""
READ_STATUS = f"""() => {{ const e = {STATUS}, b = window.__bench;
    return {{state: e ? e.dataset.state : null, epoch: e ? Number(e.dataset.epoch) : 0,
             compiledAt: b.compiledAt, trainAt: b.trainAt, firstEpochAt: b.firstEpochAt}}; }}"""

# The learning rate as the sidebar's slider and typed value and the status line's figure show it,
# and whether an exception is shown (stale or not). A rerun leaves stale copies of elements, still on screen
# (faded) until redrawn, and on a busy server that can take seconds: the current copy counts
# where there is one, else the stale one, which is still what the student sees.
CHECKS = """() => {
    const stale = e => e.closest('[data-stale="true"]') !== null;
    const labelled = (selector, label) => Array.from(document.querySelectorAll(selector)).sort((a, b) => stale(a) - stale(b))
        .find(e => (e.querySelector('[data-testid="stWidgetLabel"], [data-testid="stMetricLabel"]')?.innerText || '').trim() === label);
    const slider = labelled('[data-testid="stSidebar"] [data-testid="stSlider"]', 'Learning rate')?.querySelector('input[type="range"]');
    const typed = labelled('[data-testid="stSidebar"] [data-testid="stNumberInput"]', '…or type a learning rate')?.querySelector('input');
    const figure = Array.from(document.querySelectorAll('.playground-metric'))
        .find(e => e.querySelector('.playground-metric-label')?.innerText.trim() === 'Learning rate')?.querySelector('.playground-metric-value');
    return {exception: document.querySelector('[data-testid="stException"]') !== null,
            rates: [typed ? typed.value : null, slider ? slider.getAttribute('aria-valuetext') : null, figure ? figure.innerText : null]};
}"""


# ---- the server and the machine, read from /proc ----------------------------------------------


def free_ports(count: int, taken: int) -> list[int]:
    """`count` free ports of PORTS other than `taken`, for the replicas behind the balancer."""
    found = []
    for port in PORTS:
        if port != taken and len(found) < count:
            with socket.socket() as s, contextlib.suppress(OSError):
                s.bind(("127.0.0.1", port))
                found.append(port)
    if len(found) < count:
        raise SystemExit(f"Not {count} free ports in {PORTS.start}-{PORTS.stop - 1} on 127.0.0.1")
    return found


def free_port(wanted: int | None) -> int:
    for port in [wanted] if wanted else PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port in {wanted or f'{PORTS.start}-{PORTS.stop - 1}'} on 127.0.0.1")


@contextlib.contextmanager
def app_server(port: int, log_name: str):
    """A fresh `streamlit run playground/web/app.py` on 127.0.0.1, as users get it; always stopped afterwards."""
    SCRATCH.mkdir(exist_ok=True)
    log = open(SCRATCH / log_name, "w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "playground/web/app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(server, f"http://127.0.0.1:{port}")
        yield server
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        log.close()


def wait_healthy(server: subprocess.Popen, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not start on {url}; see {SCRATCH}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (fields 14 and 15 of /proc/<pid>/stat, after the name)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, all cores: other work shows up here."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values[:8]) - idle) / tick, sum(values[:8]) / tick


def family(pids: list[int]) -> list[int]:
    """The app processes and their children: the training worker processes each server starts."""
    found = []
    for pid in pids:
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError):  # a thread that ended meanwhile
                found += family([int(child) for child in (task / "children").read_text().split()])
    return found


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def thread_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def footprint(pids: list[int]) -> tuple[float, int]:
    """Memory (MB) and OS threads of the server and its worker processes together."""
    return sum(rss_mb(pid) for pid in pids), sum(thread_count(pid) for pid in pids)


class CpuMeter:
    """CPU use of the server processes and of the whole machine between `__init__` and `read`."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.wall = time.monotonic()
        self.server = sum(cpu_seconds(pid) for pid in pids)
        self.machine = machine_busy_seconds()

    def read(self) -> tuple[float, float]:
        """(servers' CPU % of one core, machine CPU % of all cores)."""
        wall = time.monotonic() - self.wall
        busy, total = machine_busy_seconds()
        server = sum(cpu_seconds(pid) for pid in self.pids) - self.server
        return 100 * server / wall, 100 * (busy - self.machine[0]) / max(total - self.machine[1], 1e-9)


@contextlib.contextmanager
def servers(port: int, replicas: int | None, log_name: str):
    """The app on `port`: one plain server (replicas None), or R replicas behind HAProxy. Yields
    the app processes' pids (`family` adds their training worker processes)."""
    if replicas is None:
        with app_server(port, log_name) as server:
            yield [server.pid]
        return
    from playground.web.replicas import Replicas

    SCRATCH.mkdir(exist_ok=True)
    balanced = Replicas(free_ports(replicas, port), port, address="127.0.0.1", log_folder=SCRATCH)
    balanced.start()
    try:
        yield [process.pid for process in balanced.apps.values()]
    finally:
        balanced.stop()


# ---- the students' pages ------------------------------------------------------------------------


def learning_rates(count: int) -> list[float]:
    more = [round(m * 10.0**e, 6) for m in MORE_MANTISSAS for e in range(-3, 1)]
    rates = list(FIRST_RATES) + [r for r in more if r not in FIRST_RATES]
    if count > len(rates):
        raise SystemExit(f"At most {len(rates)} sessions: each needs a learning rate of its own")
    return rates[:count]


def experiment_link(url: str, learning_rate: float) -> str:
    spec = PRESETS["tfp-default"].spec
    spec = spec.replace(training=dataclasses.replace(spec.training, epochs=EPOCHS, learning_rate=learning_rate))
    return f"{url}/?x={spec.to_url()}"


def new_student(browser):
    """A browser context of its own (no shared cookies or session), refused anything but 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(RECORDER)
    context.route(NOT_LOCAL, lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def button(page, name: str):
    """A button of the app itself (the header has a Stop button of its own while a script runs)."""
    return (
        page.locator("[data-testid='stMainBlockContainer'], [data-testid='stSidebar']")
        .get_by_role("button", name=name, exact=True)
        .first
    )


def wait_all(pages, done, timeout: float) -> list[dict]:
    """Polls every page's status until `done(status)` holds for all of them or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        statuses = [read_status(page) for page in pages]
        if all(done(s) for s in statuses) or time.monotonic() > deadline:
            return statuses
        time.sleep(0.25)


def read_status(page) -> dict:
    try:
        return page.evaluate(READ_STATUS)
    except Exception:
        return {"state": None, "epoch": 0, "compiledAt": None, "trainAt": None, "firstEpochAt": None}


def set_speed(page, label: str) -> None:
    """Moves the (label-less) speed select_slider to `label` with the keyboard, as a user could."""
    from playground.web.widgets.controls import SPEEDS

    thumb = page.locator(SPEED_SLIDER).first
    thumb.focus()
    thumb.press("Home")
    for _ in range(list(SPEEDS).index(label)):
        thumb.press("ArrowRight")
    page.wait_for_function(
        f"() => document.querySelector({SPEED_SLIDER!r})?.getAttribute('aria-valuetext') === {label!r}", timeout=30_000
    )


def press_train(pages, attempts: int = 3) -> list[dict]:
    """Every student clicks Train (at once, as a class does); a click lost in a rerun is repeated."""
    statuses = [read_status(page) for page in pages]
    for _ in range(attempts):
        waiting = [page for page, s in zip(pages, statuses) if s["state"] in (None, "ready")]
        if not waiting:
            break
        for page in waiting:
            with contextlib.suppress(Exception):  # still disabled: tried again below
                button(page, "Train").click(timeout=30_000)
        statuses = wait_all(pages, lambda s: s["state"] not in (None, "ready"), timeout=30)
    return statuses


def page_checks(page, rate: float, notes: list[str], attempts: int = 5) -> tuple[bool, bool]:
    """(the page shows a Streamlit exception, its learning-rate control and status figure show `rate`),
    read in one round trip (a busy page answers each call late); read again while an element is
    missing, which happens for a moment while a rerun redraws it. A wrong rate goes into `notes`."""
    for _ in range(attempts):
        checks = page.evaluate(CHECKS)
        if None not in checks["rates"]:
            break
        page.wait_for_timeout(500)
    own = all(value is not None and math.isclose(float(value), rate, rel_tol=1e-4) for value in checks["rates"])
    if not own:
        notes.append(f"rate {rate:g} shown as {'/'.join(str(v) for v in checks['rates'])} (typed/slider/status)")
    return checks["exception"], own


# ---- the two measurements -----------------------------------------------------------------------


@dataclasses.dataclass
class ClassroomRow:
    sessions: int
    open_to_ready: list[float]
    train_to_epoch: list[float]
    epochs_per_s: list[float]
    frames_per_s: list[float]
    refreshes_per_s: list[float]
    snapshots_per_s: list[float]
    errors: int
    own_rate: int
    states: Counter
    server_cpu: float
    worker_cpu: float
    machine_cpu: float
    rss: float
    notes: list[str]


def measure_classroom(browser, sessions: int, options, replicas: int | None = None) -> ClassroomRow:
    notes: list[str] = []
    port = free_port(options.port)
    rates = learning_rates(sessions)
    with servers(port, replicas, f"server-{sessions}.log") as pids:
        pages = []
        try:
            for rate in rates:  # each goto returns at the first byte: all pages load at once
                pages.append(new_student(browser))
                pages[-1].goto(experiment_link(f"http://127.0.0.1:{port}", rate), wait_until="commit")
            open_to_ready = seconds_until_compiled(pages, notes)
            if options.speed:
                for page in pages:
                    set_speed(page, options.speed)
            train_to_epoch = seconds_until_first_epoch(pages, notes)
            time.sleep(SETTLE_S)
            windows, server_cpu, worker_cpu, machine_cpu = measuring_window(pages, pids, options.seconds)
            statuses = [read_status(page) for page in pages]
            checks = [page_checks(page, rate, notes) for page, rate in zip(pages, rates)]
            return ClassroomRow(
                sessions=sessions,
                open_to_ready=open_to_ready,
                train_to_epoch=train_to_epoch,
                epochs_per_s=[w["epochs"] / w["seconds"] for w in windows],
                frames_per_s=[w["frames"] / w["seconds"] for w in windows],
                refreshes_per_s=[w["refreshes"] / w["seconds"] for w in windows],
                snapshots_per_s=[w["snapshots"] / w["seconds"] for w in windows],
                errors=sum(exception for exception, _ in checks),
                own_rate=sum(own for _, own in checks),
                states=Counter(s["state"] for s in statuses),
                server_cpu=server_cpu,
                worker_cpu=worker_cpu,
                machine_cpu=machine_cpu,
                rss=footprint(family(pids))[0],
                notes=notes if replicas is None else [f"{replicas} replica(s)", *notes],
            )
        finally:
            for page in pages:
                with contextlib.suppress(Exception):
                    page.context.close()


def seconds_until_compiled(pages, notes: list[str]) -> list[float]:
    """Per page, from opening the link until the trainer said it is compiled (the page's own clock)."""
    statuses = wait_all(
        pages, lambda s: s["compiledAt"] is not None, timeout=60 + 15 * len(pages)
    )  # compiles share 2 cores
    seconds = [s["compiledAt"] / 1000 for s in statuses if s["compiledAt"] is not None]
    if len(seconds) < len(pages):
        notes.append(f"{len(pages) - len(seconds)} never compiled")
    return seconds


def seconds_until_first_epoch(pages, notes: list[str]) -> list[float]:
    """All students press Train; per page, from its first click until it showed an epoch above 0."""
    press_train(pages)
    statuses = wait_all(
        pages, lambda s: s["epoch"] > 0 or s["state"] not in (None, "ready", "running"), timeout=30 + 5 * len(pages)
    )
    seconds = [
        (s["firstEpochAt"] - s["trainAt"]) / 1000
        for s in statuses
        if s["firstEpochAt"] is not None and s["trainAt"] is not None
    ]
    if len(seconds) < len(pages):
        notes.append(f"{len(pages) - len(seconds)} never showed an epoch")
    return seconds


def measuring_window(pages, server_pids: list[int], seconds: float) -> tuple[list[dict], float, float, float]:
    """Each page's epochs, refreshes and snapshots over `seconds` (timed by the page itself, as the
    pages are started and read one after another), and meanwhile the CPU of the app processes, of
    their training workers and of the machine."""
    for page in pages:
        page.evaluate(START_WINDOW)
    workers = [pid for pid in family(server_pids) if pid not in server_pids]
    servers_meter, workers_meter = CpuMeter(server_pids), CpuMeter(workers)
    time.sleep(seconds)
    windows = [page.evaluate(END_WINDOW) for page in pages]
    server_cpu, machine_cpu = servers_meter.read()
    return windows, server_cpu, workers_meter.read()[0], machine_cpu


def visit(browser, url: str, rate: float) -> float | None:
    """One student: opens the link, presses Train, waits until it trains, closes the tab. The time
    (time.time()) the tab was closed, or None if it never trained."""
    page = new_student(browser)
    trained = False
    try:
        page.goto(experiment_link(url, rate))
        page.wait_for_selector("h1:has-text('Neural Network Playground')")
        status = press_train([page])[0]
        if status["state"] not in ("ready", None):
            page.wait_for_function(f"() => {STATUS} && {STATUS}.dataset.state === 'running'", timeout=60_000)
            trained = True
    except Exception:
        pass
    finally:
        page.context.close()
    return time.time() if trained else None


CLOSED_PAGE_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) .*A page closed: its trainer")


def trainers_stopped(log: Path) -> list[float]:
    """When the server stopped a trainer because its page closed (time.time() values, from its log)."""
    stops = []
    for line in log.read_text(errors="replace").splitlines():
        found = CLOSED_PAGE_LINE.match(line)
        if found:
            stops.append(time.mktime(time.strptime(found[1], "%Y-%m-%d %H:%M:%S")) + int(found[2]) / 1000)
    return stops


def measure_churn(browser, visits: int, options) -> None:
    """Tabs opened and closed while training: are their trainers stopped, and does the server keep
    their memory and threads?"""
    port = free_port(options.port)
    url = f"http://127.0.0.1:{port}"
    rates = learning_rates(len(FIRST_RATES))
    with app_server(port, "server-churn.log") as server:
        pids = family([server.pid])
        fresh = footprint(pids)
        visit(browser, url, rates[0])  # imports TensorFlow: not what a visit costs afterwards
        time.sleep(CHURN_SETTLE_S)
        before = footprint(pids)
        warm_up_stops = len(trainers_stopped(SCRATCH / "server-churn.log"))
        started = time.monotonic()
        closed = [visit(browser, url, rates[i % len(rates)]) for i in range(visits)]
        seconds = time.monotonic() - started
        meter = CpuMeter(pids)
        time.sleep(CHURN_SETTLE_S)
        server_cpu, _ = meter.read()
        after = footprint(pids)
        stops = trainers_stopped(SCRATCH / "server-churn.log")[warm_up_stops:]
    closed = [t for t in closed if t is not None]
    delays = [stop - close for close, stop in zip(closed, stops)]  # the n-th stop follows the n-th close
    late = sum(delay > 5 for delay in delays) + max(len(closed) - len(stops), 0)
    print()
    print(
        f"Churn: {visits} visits (open, Train, wait until training, close the tab) in {seconds:.0f} s, {len(closed)} "
        "of them trained"
    )
    print(
        f"  trainers stopped because their tab closed: {len(stops)} of {len(closed)}; tab closed → trainer stopped: "
        f"{spread(delays)} s (min/median/max); still training 5 s after their tab closed: {late}"
    )
    print(
        f"  server RSS: {fresh[0]:.0f} MB fresh, {before[0]:.0f} MB after one warm-up visit, {after[0]:.0f} MB "
        f"{CHURN_SETTLE_S:.0f} s after the last visit → {after[0] - before[0]:+.0f} MB, "
        f"{(after[0] - before[0]) / max(visits, 1):+.1f} MB per visit"
    )
    print(
        f"  server OS threads: {fresh[1]} fresh, {before[1]} before, {after[1]} after → {after[1] - before[1]:+d} "
        f"({(after[1] - before[1]) / max(visits, 1):+.2f} per visit; each trainer has one thread)"
    )
    print(
        f"  server CPU in the {CHURN_SETTLE_S:.0f} s after the last tab closed: {server_cpu:.0f} % of a core "
        "(trainers left running would show here)"
    )


# ---- the report ---------------------------------------------------------------------------------


COLUMNS = (
    ("N", 3),
    ("open→ready s", 16),
    ("Train→epoch s", 16),
    ("epochs/s/session", 18),
    ("frames/s", 16),
    ("new-epoch frames/s", 18),
    ("snapshots/s", 16),
    ("errors", 6),
    ("own LR", 6),
    ("server CPU", 12),
    ("RSS MB", 7),
    ("machine", 7),
    ("states / notes", 0),
)


def spread(values: list[float], digits: int = 1) -> str:
    """min/median/max."""
    if not values:
        return "—"
    return "/".join(f"{v:.{digits}f}" for v in (min(values), statistics.median(values), max(values)))


def default_speed() -> str:
    from playground.web.widgets.controls import WATCH

    return WATCH


def print_header(options) -> None:
    rates = learning_rates(max(options.sessions))
    print(
        f"Classroom load benchmark on {len(os.sched_getaffinity(0))} CPUs (nproc), one headless Chromium, one "
        "browser context per session, a fresh server per row"
    )
    print(
        f"experiment: tfp-default, {EPOCHS:,} epochs, learning rates {', '.join(f'{r:g}' for r in rates)} (one per "
        f"session); speed: {options.speed or 'page default (' + default_speed() + ')'}; measuring window: "
        f"{options.seconds:g} s while all train"
    )
    print(
        "min/median/max over the sessions; server CPU: % of one core, the app processes + their training workers; "
        "machine: CPU busy, all cores, everything on the box"
    )
    print()
    print("  ".join(name.rjust(width) if width else name for name, width in COLUMNS))


def print_row(row: ClassroomRow) -> None:
    states = ", ".join(f"{state} {count}" for state, count in row.states.most_common())
    cells = (
        str(row.sessions),
        spread(row.open_to_ready),
        spread(row.train_to_epoch, 2),
        spread(row.epochs_per_s, 0),
        spread(row.frames_per_s),
        spread(row.refreshes_per_s),
        spread(row.snapshots_per_s),
        str(row.errors),
        f"{row.own_rate}/{row.sessions}",
        f"{row.server_cpu:.0f} + {row.worker_cpu:.0f} %",
        f"{row.rss:.0f}",
        f"{row.machine_cpu:.0f} %",
        "; ".join([states, *row.notes]),
    )
    print("  ".join(cell.rjust(width) if width else cell for cell, (_, width) in zip(cells, COLUMNS)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sessions", type=int, action="append", help="students at once; repeat for several rows (default 1 4 8)"
    )
    parser.add_argument("--seconds", type=float, default=20, help="the measuring window while all train (default 20)")
    parser.add_argument("--speed", help="the page's speed control, e.g. 'fastest' (default: the page's own, watch)")
    parser.add_argument(
        "--visits",
        type=int,
        default=0,
        help="churn test: tabs opened, trained and closed one after another (default 0: skip)",
    )
    parser.add_argument("--port", type=int, help="the server's port (default: a free one in 8700-8799)")
    parser.add_argument(
        "--replicas",
        type=int,
        action="append",
        help="run each row through HAProxy in front of this many replicas; repeat to compare (default: one plain "
        "server)",
    )
    options = parser.parse_args()
    options.sessions = options.sessions or [1, 8, 16]
    if options.speed:
        from playground.web.widgets.controls import SPEEDS

        if options.speed not in SPEEDS:
            parser.error(f"--speed must be one of: {', '.join(map(repr, SPEEDS))}")
    learning_rates(max(options.sessions))  # fails early for a class too large

    from playwright.sync_api import sync_playwright

    print_header(options)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for sessions in options.sessions:
                for replicas in options.replicas or [None]:
                    print_row(measure_classroom(browser, sessions, options, replicas))
            if options.visits:
                measure_churn(browser, options.visits, options)
        finally:
            browser.close()
    print(f"\nServer logs: {SCRATCH}/server-*.log")


if __name__ == "__main__":
    main()
