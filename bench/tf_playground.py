"""TF Playground's own build, measured as `bench/classroom.py` measures one student: the bar we are held to.

TF Playground trains in the page (JavaScript, no server) and redraws everything each epoch. This
serves its built `dist/` from 127.0.0.1, opens it in headless Chromium at 1280x800 (the same
browser and flags as the other benchmarks), presses play and, over a window while it trains,
counts the epochs, the animation frames that showed a new epoch, and the CPU of every Chromium
process per such frame (its training included, as it runs in the page).

Its build needs npm and its public repository, so it is not made here:

    git clone https://github.com/tensorflow/playground /tmp/tfp && cd /tmp/tfp
    npm install && npm run build          # writes dist/

Run: .venv/bin/python bench/tf_playground.py --dist /tmp/tfp/dist
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from load import CHROMIUM, CHROMIUM_ARGS, CpuMeter, family  # noqa: E402

WINDOW_S = 10.0
WARM_UP_S = 3.0

# Counts, per animation frame, whether the epoch counter shown changed since the last frame.
COUNT_FRAMES = """() => { const shown = document.querySelector('#iter-number');
    const b = (window.__tfp = {frames: 0, last: shown.textContent, start: performance.now()});
    const tick = () => { if (shown.textContent !== b.last) { b.frames++; b.last = shown.textContent; }
                         requestAnimationFrame(tick); };
    requestAnimationFrame(tick); }"""
READ_FRAMES = """() => ({frames: window.__tfp.frames, seconds: (performance.now() - window.__tfp.start) / 1000,
    epoch: Number(document.querySelector('#iter-number').textContent.replace(/,/g, ''))})"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # the requests are not this bench's output
        pass


@contextlib.contextmanager
def served(folder: Path):
    """`folder` over HTTP on a free port of 127.0.0.1 (Python's own file server, on a thread)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()


def measure(url: str, window: float) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        started = time.monotonic()
        page.goto(url)
        page.wait_for_selector("#play-pause-button")
        ready = time.monotonic() - started
        page.click("#play-pause-button")
        page.wait_for_timeout(WARM_UP_S * 1000)
        page.evaluate(COUNT_FRAMES)
        before = page.evaluate(READ_FRAMES)
        meter = CpuMeter([pid for pid in family([os.getpid()]) if "chrom" in Path(f"/proc/{pid}/comm").read_text()])
        page.wait_for_timeout(window * 1000)
        after = page.evaluate(READ_FRAMES)
        cpu_percent = meter.read()[0]
        page.screenshot(path="/tmp/loadbench/tf-playground.png")
        browser.close()
    seconds, frames = after["seconds"] - before["seconds"], after["frames"] - before["frames"]
    return {
        "ready_s": ready,
        "epochs_per_s": (after["epoch"] - before["epoch"]) / seconds,
        "frames_per_s": frames / seconds,
        "cpu_ms_per_frame": 10 * cpu_percent * seconds / max(frames, 1),
        "cpu_percent": cpu_percent,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, required=True, help="TF Playground's built dist/ folder")
    parser.add_argument("--window", type=float, default=WINDOW_S, help="seconds of measuring while it trains")
    parser.add_argument("--repeat", type=int, default=3, help="measurements, each in a fresh browser")
    options = parser.parse_args()
    if not (options.dist / "index.html").is_file():
        sys.exit(f"{options.dist} has no index.html: build TF Playground first (see this script's docstring)")
    Path("/tmp/loadbench").mkdir(exist_ok=True)
    print(
        "| run | open → play button s | epochs/s | frames/s with a new epoch | browser CPU % "
        "| browser CPU ms per frame |"
    )
    print("|---|---|---|---|---|---|")
    with served(options.dist) as url:
        for run in range(1, options.repeat + 1):
            row = measure(url, options.window)
            print(
                f"| {run} | {row['ready_s']:.2f} | {row['epochs_per_s']:.1f} | {row['frames_per_s']:.1f} "
                f"| {row['cpu_percent']:.0f} | {row['cpu_ms_per_frame']:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
