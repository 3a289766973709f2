"""A student beside the worst neighbour: how long until their page is ready and training.

On a fresh `streamlit run` for each try, one student (headless Chromium, the default experiment)
opens the link and presses Train; printed are open → ready (the trainer says its program is
compiled) and Train → first epoch, min/median/max over the tries:

- alone: nothing else on the server;
- beside a hostile user: one other browser (one owner, several tabs) that, just before the
  student opens the link, does the worst that one user can:
  - opens the default experiment (its live token is the one flooded below), and the heaviest
    network the playground accepts, in two tabs (each compiles a program);
  - opens a link with 64 layers of 4,096 units, in two tabs (it must be refused before any work);
  - loads a sweep file with the largest sweep allowed (200 runs in 8 programs, 1,000 epochs each)
    and starts it;
  - opens 200 live-stream connections on its own token and sends four 50 MB messages.

The issue's target: beside the hostile user, the student's figures stay within 1.5x of alone.

Run: .venv/bin/python bench/neighbour.py               (3 tries each: about 5 minutes on 2 cores)
     .venv/bin/python bench/neighbour.py --tries 5
Server logs go to /tmp/loadbench/. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    app_server,
    experiment_link,
    free_port,
    new_student,
    read_status,
    seconds_until_compiled,
    seconds_until_first_epoch,
    spread,
)

from playground.presets import PRESETS  # noqa: E402
from playground.spec import LayerSpec  # noqa: E402

STREAM_CONNECTIONS = 200
BIG_MESSAGE_BYTES = 50 * 2**20
BIG_MESSAGES = 4
SWEEP_EPOCHS = 1000
FLOOD_HELD_S = 30.0  # the connections stay open this long, while the student opens and trains
SETTLE_S = 5.0  # the hostile user's work is under way before the student opens the link


def network_link(url: str, units: list[int]) -> str:
    spec = PRESETS["tfp-default"].spec
    layers = tuple(LayerSpec(units=n, activation="relu") for n in units)
    spec = spec.replace(network=dataclasses.replace(spec.network, layers=layers))
    return f"{url}/?x={spec.to_url()}"


def heaviest_units() -> list[int]:
    """The costliest Dense stack on the plane data the playground accepts: its most layers (each a
    step of the compiled program), as wide as its parameter limit allows."""
    from playground.spec import MAX_LAYERS
    from playground.validation import MAX_PARAMETERS

    width = 1
    while MAX_LAYERS * ((width + 1) ** 2 + width + 1) <= MAX_PARAMETERS:
        width += 1
    return [width] * MAX_LAYERS


def largest_sweep():
    """The largest sweep a user may start: 200 runs (8 widths, each its own program, x 25 learning
    rates) of 1,000 epochs."""
    from playground.runs.sweep_file import SweepPlan

    spec = PRESETS["tfp-default"].spec
    spec = spec.replace(training=dataclasses.replace(spec.training, epochs=SWEEP_EPOCHS))
    rates = [round(0.001 * 1.25**i, 6) for i in range(25)]
    return SweepPlan(spec, grid={"units": list(range(1, 9)), "learning_rate": rates}, name="largest")


def live_token_urls(page) -> list[str]:
    return page.evaluate("() => Array.from((window.__playgroundLive || {streams: new Map()}).streams.keys())")


async def flood_stream(ws_url: str) -> tuple[int, int]:
    """Opens `STREAM_CONNECTIONS` connections to one token and sends big messages on a few; how many
    were accepted and how many big messages went out before the server closed them."""
    import websockets

    accepted, sent, sockets = 0, 0, []
    for _ in range(STREAM_CONNECTIONS):
        try:
            socket = await asyncio.wait_for(websockets.connect(ws_url, max_size=None), 5)
            await socket.send('{"points": 0}')
            sockets.append(socket)
            accepted += 1
        except Exception:
            pass
    for socket in sockets[:BIG_MESSAGES]:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(socket.send("x" * BIG_MESSAGE_BYTES), 10)
            sent += 1
    await asyncio.sleep(FLOOD_HELD_S)
    for socket in sockets:
        with contextlib.suppress(Exception):
            await socket.close()
    return accepted, sent


def hostile_user(browser, url: str, notes: list[str]) -> tuple[list, threading.Thread | None]:
    """Starts the worst one user can do; returns the pages to close afterwards and the thread that
    floods the live stream (it adds its report to `notes` when it ends)."""
    pages = [new_student(browser)]
    pages[0].goto(experiment_link(url, 0.1), wait_until="commit")  # a page of its own whose live token is flooded
    heaviest = heaviest_units()
    for units in (heaviest, heaviest, [4096] * 64, [4096] * 64):
        page = pages[0].context.new_page()
        page.goto(network_link(url, units), wait_until="commit")
        pages.append(page)
    sweeps = pages[0].context.new_page()
    pages.append(sweeps)
    try:
        sweeps.goto(f"{url}/sweeps")
        sweeps.locator(".st-key-sweep_file input[type=file]").set_input_files(
            {"name": "largest.json", "mimeType": "application/json", "buffer": largest_sweep().to_json().encode()}
        )
        start = sweeps.locator(".st-key-sweep_start button", has_text=f"Run 200 runs of {SWEEP_EPOCHS} epochs")
        start.wait_for(timeout=60_000)  # the file is read
        for _ in range(3):  # a click that lands during a rerun can be lost
            start.click(timeout=60_000)
            with contextlib.suppress(Exception):
                sweeps.get_by_text("runs saved").first.wait_for(timeout=20_000)
                break
        else:
            notes.append("sweep not started: no progress shown")
    except Exception as error:
        notes.append(f"sweep not started: {str(error).splitlines()[0][:120]}")
    try:
        pages[0].wait_for_function(
            "() => (window.__playgroundLive || {streams: new Map()}).streams.size > 0", timeout=60_000
        )
        token_url = live_token_urls(pages[0])[0]
        ws_url = "ws://" + url.split("://", 1)[1] + token_url
        flood = threading.Thread(target=lambda: notes.append(flood_report(ws_url)), daemon=True)
        flood.start()
        return pages, flood
    except Exception as error:
        notes.append(f"no live token to flood: {str(error).splitlines()[0][:120]}")
    return pages, None


def flood_report(ws_url: str) -> str:
    accepted, sent = asyncio.run(flood_stream(ws_url))
    return f"stream flood: {accepted}/{STREAM_CONNECTIONS} connections accepted, {sent} big messages sent"


def one_try(browser, hostile: bool) -> tuple[float | None, float | None, list[str]]:
    notes: list[str] = []
    port = free_port(None)
    url = f"http://127.0.0.1:{port}"
    with app_server(port, f"neighbour-{'hostile' if hostile else 'alone'}.log"):
        attacker, flood = hostile_user(browser, url, notes) if hostile else ([], None)
        time.sleep(SETTLE_S if hostile else 0)
        student = new_student(browser)
        try:
            student.goto(experiment_link(url, 0.03), wait_until="commit")
            ready = seconds_until_compiled([student], notes)
            first = seconds_until_first_epoch([student], notes)
            if read_status(student)["state"] is None:
                notes.append("the student's page never showed its status")
            if flood is not None:
                flood.join(FLOOD_HELD_S + 60)
        finally:
            for page in [student, *attacker]:
                with contextlib.suppress(Exception):
                    page.context.close()
    return (ready[0] if ready else None), (first[0] if first else None), notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=3, help="fresh servers per condition (default 3)")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"A student beside the worst neighbour: {options.tries} tries each, a fresh server per try")
    units = heaviest_units()
    print(f"heaviest accepted network: {len(units)} Dense layers of {units[0]} units on the plane data")
    results: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for condition in ("alone", "beside a hostile user"):
                rows: dict[str, list[float]] = {"ready": [], "first": []}
                for _ in range(options.tries):
                    ready, first, notes = one_try(browser, condition != "alone")
                    if ready is not None:
                        rows["ready"].append(ready)
                    if first is not None:
                        rows["first"].append(first)
                    shown = [f"{value:.2f} s" if value is not None else "never" for value in (ready, first)]
                    print(f"  {condition}: ready {shown[0]}, first epoch {shown[1]}; {'; '.join(notes)}", flush=True)
                results[condition] = rows
        finally:
            browser.close()
    print()
    print(f"{'':24}{'open → ready (s)':>22}{'Train → first epoch (s)':>26}")
    for condition, rows in results.items():
        print(f"{condition:24}{spread(rows['ready']):>22}{spread(rows['first'], 2):>26}")
    alone, hostile = results["alone"], results["beside a hostile user"]
    for key, name in (("ready", "open → ready"), ("first", "Train → first epoch")):
        if alone[key] and hostile[key]:
            print(f"{name}: {statistics.median(hostile[key]) / statistics.median(alone[key]):.2f}x alone (medians)")


if __name__ == "__main__":
    main()
