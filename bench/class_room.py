"""A class as the lecturer sees it: N students join, the lecturer pushes, the board follows.

For each N, a fresh `streamlit run` and one headless Chromium: the lecturer's page (1280x800) and
one browser context per student (their own cookies). Printed per N:
- join: seconds from opening the join link to the student's playground showing the class line;
- idle CPU: the server's CPU (100 % = one core, its training workers included) while every
  student's page is open in the class and nothing trains: what the class line's fragment (twice a
  second per student) and the reporter cost; the same N pages outside a class are measured first;
- push: seconds from the lecturer's click to each student's page showing the pushed experiment
  (a MutationObserver in each page notes the moment; the pages share the machine's clock);
- tile updates/s: how often each student's tile on the lecturer's board changes while all of
  them train (its epoch line; a MutationObserver on the board counts them over the window);
- spotlight: seconds from choosing a student to spotlight to the spotlight drawn;
- training CPU: the server's CPU while all train with the board open.
Measured with real browsers: on a 2-core machine N Chromium pages compete with the server for
the cores, so the figures for large N are the machine's more than the app's.

With `--simulated`, the board alone: N students join through the class store and report a new
epoch twice a second from the bench's process (as the reporters of the processes serving them
would), with no browser of theirs; printed per N: tile updates/s on the lecturer's board, the
spotlight's delay and the server's CPU.

Run: .venv/bin/python bench/class_room.py --students 8 --students 16
     .venv/bin/python bench/class_room.py --simulated      (16, 32 and 64 students: a minute each)
Server logs go to /tmp/loadbench/. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import CHROMIUM, CHROMIUM_ARGS, NOT_LOCAL, CpuMeter, app_server, button, family, free_port  # noqa: E402

from playground.presets import PRESETS  # noqa: E402

EPOCHS = 100_000
WINDOW_SECONDS = 10.0
BANNER = "[data-testid='stAlertContentInfo']"
PUSH_WATCH = """() => { window.__pushedAt = null;
    new MutationObserver(() => {
        if (window.__pushedAt === null && [...document.querySelectorAll("[data-testid='stAlertContentInfo']")]
              .some(e => e.innerText.includes('the lecturer pushed this experiment'))) window.__pushedAt = Date.now();
    }).observe(document, {subtree: true, childList: true, characterData: true}); }"""
TILE_WATCH = """() => { const seen = {}; window.__tileChanges = {};
    new MutationObserver(() => {
        for (const tile of document.querySelectorAll('.class-tile')) {
            const id = tile.dataset.member, line = tile.querySelector('.class-tile-line')?.innerText;
            if (seen[id] !== line) { seen[id] = line; window.__tileChanges[id] = (window.__tileChanges[id] || 0) + 1; }
        }
    }).observe(document, {subtree: true, childList: true, characterData: true}); }"""


@dataclasses.dataclass
class ClassRow:
    students: int
    join: list[float]
    idle_cpu_outside: float
    idle_cpu: float
    push: list[float]
    tile_updates: list[float]
    spotlight: float
    training_cpu: float
    notes: list[str]


def new_context(browser, width=1280, height=800):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.route(NOT_LOCAL, lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(120_000)
    return page


def long_experiment_link(url: str) -> str:
    spec = PRESETS["tfp-default"].spec
    spec = spec.replace(training=dataclasses.replace(spec.training, epochs=EPOCHS))
    return f"{url}/?x={spec.to_url()}"


def server_cpu(pids: list[int], seconds: float) -> float:
    meter = CpuMeter(family(pids))
    time.sleep(seconds)
    return meter.read()[0]


def wait_until_resting(pids: list[int], notes: list[str], timeout: float = 120.0) -> None:
    """Waits until the server and its workers rest (under 10 % of a core over a second): the workers
    compile ahead when they start."""
    deadline = time.monotonic() + timeout
    while server_cpu(pids, 1.0) >= 10:
        if time.monotonic() > deadline:
            notes.append(f"the server did not rest within {timeout:.0f} s of opening the pages")
            return


def measure(browser, students: int, options) -> ClassRow:
    notes: list[str] = []
    port = free_port(options.port)
    url = f"http://127.0.0.1:{port}"
    with app_server(port, f"class-{students}.log") as server:
        pids = [server.pid]
        lecturer = new_context(browser)
        lecturer.goto(long_experiment_link(url))  # the experiment the lecturer will push: a long run
        lecturer.wait_for_selector("[data-testid='training-status']", state="attached")
        lecturer.get_by_role("link", name="Class").click()
        lecturer.get_by_label("Class name").fill("Bench")
        lecturer.get_by_role("button", name="Open a class", exact=True).click()
        try:
            code = lecturer.locator(".class-code").inner_text(timeout=30_000)
        except Exception:
            lecturer.screenshot(path="/tmp/loadbench/class-lecturer.png")
            raise

        pages = [new_context(browser) for _ in range(students)]
        for page in pages:  # outside the class first: the same pages on the playground
            page.goto(url, wait_until="commit")
        for page in pages:
            page.wait_for_selector("[data-testid='training-status']", state="attached")
        wait_until_resting(pids, notes)
        idle_outside = server_cpu(pids, WINDOW_SECONDS)

        joins = []
        for index, page in enumerate(pages):
            start = time.monotonic()
            page.goto(f"{url}/class?code={code}")
            page.get_by_label("Your name on the board (optional)").fill(f"Student {index + 1}")
            page.get_by_role("button", name="Join", exact=True).click()
            page.locator(BANNER).filter(has_text="you are").first.wait_for()
            joins.append(time.monotonic() - start)
        lecturer.get_by_text(f"The class: {students} student(s)").wait_for()
        time.sleep(3)
        idle_in_class = server_cpu(pids, WINDOW_SECONDS)

        for page in pages:
            page.evaluate(PUSH_WATCH)
        pushed_at = lecturer.evaluate("() => Date.now()")
        button(lecturer, "Push to every student").click()
        deadline = time.monotonic() + 30
        arrived: list = [None] * students
        while None in arrived and time.monotonic() < deadline:
            arrived = [page.evaluate("() => window.__pushedAt") for page in pages]
            time.sleep(0.2)
        push = [(at - pushed_at) / 1000 for at in arrived if at is not None]
        if len(push) < students:
            notes.append(f"{students - len(push)} page(s) did not show the push within 30 s")

        for page in pages:
            button(page, "Train").click()
        for page in pages:
            page.wait_for_function(
                "() => document.querySelector('[data-testid=\"training-status\"]')?.dataset.state === 'running'"
            )
        time.sleep(2)
        lecturer.evaluate(TILE_WATCH)
        meter = CpuMeter(family(pids))
        time.sleep(WINDOW_SECONDS)
        training_cpu = meter.read()[0]
        changes = lecturer.evaluate("() => window.__tileChanges")
        tile_updates = [changes.get(member, 0) / WINDOW_SECONDS for member in changes] + [0.0] * (
            students - len(changes)
        )

        start = time.monotonic()
        lecturer.get_by_role("radio", name="Student 1", exact=True).click()
        lecturer.get_by_text("Spotlight: ").first.wait_for()
        spotlight = time.monotonic() - start
        for page in [lecturer, *pages]:
            page.context.close()
    return ClassRow(students, joins, idle_outside, idle_in_class, push, tile_updates, spotlight, training_cpu, notes)


def simulated_students(code: str, students: int, stop: threading.Event) -> threading.Thread:
    """`students` who join through the class store and report a new epoch (and boundary) twice a
    second, as the reporter of the processes serving them would: the board without their browsers."""
    from playground.classes.class_store import ClassStore
    from playground.classes.class_tile import ClassTile, boundary_levels
    from playground.runs.run_store import RunStore

    store = ClassStore(RunStore())
    members = [store.join(code, f"simulated-{index:06d}", f"Student {index + 1}")[1] for index in range(students)]
    spec = PRESETS["tfp-default"].spec.to_json()
    x, y = np.meshgrid(np.linspace(-1, 1, 100), np.linspace(-1, 1, 100))

    def report() -> None:
        epoch = 0
        while not stop.wait(0.5):
            epoch += 20
            tiles = []
            for index, member in enumerate(members):
                grid = 1 / (1 + np.exp(-(x * np.cos(epoch / 100 + index) + y) * 4))
                tile = ClassTile(
                    "running",
                    epoch,
                    test_loss=1 / (1 + epoch / 100),
                    parameters=25,
                    architecture="2 → 4 tanh → 2 tanh",
                    boundary=boundary_levels(grid, "binary", 2),
                )
                tiles.append((member.id, spec, tile.to_json(), time.time()))
            store.report(tiles)

    thread = threading.Thread(target=report, daemon=True)
    thread.start()
    return thread


def measure_board(browser, students: int, options) -> tuple[list[float], float, float]:
    """The board alone, with simulated students: (tile updates/s per tile, spotlight seconds, server CPU %)."""
    port = free_port(options.port)
    url = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    with app_server(port, f"class-board-{students}.log") as server:
        wait_until_resting([server.pid], [])  # the workers compile ahead when they start
        lecturer = new_context(browser)
        lecturer.goto(url + "/class")
        lecturer.get_by_label("Class name").fill("Bench")
        lecturer.get_by_role("button", name="Open a class", exact=True).click()
        code = lecturer.locator(".class-code").inner_text()
        simulated_students(code, students, stop)
        lecturer.get_by_text(f"The class: {students} student(s)").wait_for()
        time.sleep(2)
        lecturer.evaluate(TILE_WATCH)
        meter = CpuMeter(family([server.pid]))
        time.sleep(WINDOW_SECONDS)
        cpu = meter.read()[0]
        changes = lecturer.evaluate("() => window.__tileChanges")
        updates = [changes.get(m, 0) / WINDOW_SECONDS for m in changes] + [0.0] * (students - len(changes))
        start = time.monotonic()
        lecturer.get_by_role("radio", name="Student 1", exact=True).click()
        lecturer.get_by_text("Spotlight: ").first.wait_for()
        spotlight = time.monotonic() - start
        stop.set()
        lecturer.context.close()
    return updates, spotlight, cpu


def spread(values: list[float], digits: int = 2) -> str:
    if not values:
        return "—"
    return f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f} / {max(values):.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, action="append", help="students (repeatable); default 8 and 16")
    parser.add_argument("--port", type=int)
    parser.add_argument(
        "--simulated", action="store_true", help="the board alone: students simulated in the class store, no browsers"
    )
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if options.simulated:
        print("The board with simulated students (each reports a new epoch twice a second); min / median / max")
        print(f"{'N':>3} | {'tile updates/s':>17} | {'spotlight (s)':>13} | {'server CPU':>10}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for students in options.students or [16, 32, 64]:
                updates, spotlight, cpu = measure_board(browser, students, options)
                print(f"{students:>3} | {spread(updates, 1):>17} | {spotlight:>13.2f} | {cpu:>8.0f} %")
            browser.close()
        return

    print("min / median / max over the students where there are three numbers; CPU: 100 % = one core")
    print(
        f"{'N':>3} | {'join (s)':>17} | {'idle CPU outside → in class':>27} | {'push (s)':>17} | "
        f"{'tile updates/s':>17} | {'spotlight (s)':>13} | {'training CPU':>12}"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for students in options.students or [8, 16]:
            row = measure(browser, students, options)
            print(
                f"{row.students:>3} | {spread(row.join):>17} | "
                f"{f'{row.idle_cpu_outside:.0f} % → {row.idle_cpu:.0f} %':>27} | {spread(row.push):>17} | "
                f"{spread(row.tile_updates, 1):>17} | {row.spotlight:>13.2f} | {row.training_cpu:>10.0f} %"
            )
            for note in row.notes:
                print("    " + note)
        browser.close()


if __name__ == "__main__":
    main()
