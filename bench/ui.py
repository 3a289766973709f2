"""The page as a user sees it, in headless Chromium against a real `streamlit run`.

Prints (issue 4 targets), for the default experiment:
- cold start: a fresh server, the page opened, until the trainer says its program is compiled;
- the time from pressing Train to the first point on the loss curve, with the server warm and the
  session's trainer compiled (target ≤ 1.5 s);
- refreshes per second the page shows while training (target ≥ 2): status redraws with a new
  epoch, engine snapshots shown, and drawings of the loss chart and the decision boundary.

Run: .venv/bin/python bench/ui.py              (about a minute)
     .venv/bin/python bench/ui.py --compare    (also the app without its speed-ups, one by one, in the
                                                same run, so the ratios compare like with like: 4-5 minutes)
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playground.presets import load_preset  # noqa: E402

STATUS = "document.querySelector('[data-testid=\"training-status\"]')"
SECONDS = 5.0

VARIANTS = {
    "as shipped": ([], {}),
    # st.plotly_chart (a new plot on every update) instead of the live charts that call Plotly.react
    "charts by st.plotly_chart": (["--server.enableStaticServing", "false"], {}),
    # and Python's default 5 ms GIL switch interval
    "…and a 5 ms GIL switch interval": (
        ["--server.enableStaticServing", "false"],
        {"PLAYGROUND_GIL_SWITCH_S": "0.005"},
    ),
    # and Streamlit's own clean-up after every run: keras clear_session() and a full gc.collect()
    "…and Streamlit's Keras clean-up": (
        ["--server.enableStaticServing", "false", "--runner.postScriptGC", "true"],
        {"PLAYGROUND_GIL_SWITCH_S": "0.005", "PLAYGROUND_STREAMLIT_KERAS_CLEANUP": "1"},
    ),
}

# Counts, inside the page, each new epoch and engine snapshot the status shows (every status redraw)
# and each drawing of the loss chart and of the decision boundary: a live chart counts its
# Plotly.react calls in data-draws; a chart drawn by st.plotly_chart is a new plot element each time.
COUNTER = """() => { window.__epochs = new Set(); window.__snapshots = new Set(); window.__fresh = {loss_chart: 0, boundary: 0};
    window.__draws = () => Object.fromEntries(Object.keys(window.__fresh).map(key => [key,
        Array.from(document.querySelectorAll(`.st-key-${key} .playground-live-chart`)).reduce((n, d) => n + Number(d.dataset.draws || 0), 0) + window.__fresh[key]]));
    const note = () => { const e = document.querySelector('[data-testid="training-status"]'); if (e) { window.__epochs.add(e.dataset.epoch); window.__snapshots.add(e.dataset.snapshot); }
        for (const key of Object.keys(window.__fresh)) document.querySelectorAll(`.st-key-${key} .js-plotly-plot:not(.playground-live-chart)`).forEach(d => {
            if (!d.__seen) { d.__seen = true; window.__fresh[key]++; } }); };
    note(); window.__before = window.__draws();
    new MutationObserver(note).observe(document.body, {subtree: true, childList: true, attributes: true}); }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(playwright, name: str, args: list[str], env: dict[str, str]) -> dict:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            *args,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    browser = None
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        spec = load_preset("tfp-default")
        spec = spec.replace(training=dataclasses.replace(spec.training, epochs=100_000, learning_rate=0.003))
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        train = page.locator(".st-key-train button:enabled").first  # a rerun briefly leaves a stale, disabled copy
        result: dict = {"variant": name}
        for attempt in ("cold", "warm"):
            opened = time.perf_counter()
            page.goto(f"{url}/?x={spec.to_url()}")
            # The trainer compiles in the background while the user looks at the page; the first-point
            # target is for a warm server, so wait until the page says it is compiled.
            page.wait_for_function(
                f"() => {STATUS} && {STATUS}.dataset.state === 'ready' && {STATUS}.dataset.compiled === '1'",
                polling=100,
            )
            if attempt == "cold":
                result["cold_start"] = time.perf_counter() - opened
            page.wait_for_timeout(1000)
            started = time.perf_counter()
            train.click()
            page.wait_for_function(
                f"() => document.querySelector('.st-key-loss_chart .js-plotly-plot') !== null || ({STATUS} && "
                f"Number({STATUS}.dataset.points) > 0)",
                polling=10,
            )
            result[f"first_point_{attempt}"] = time.perf_counter() - started
            if attempt == "warm":
                page.wait_for_timeout(1000)
                page.evaluate(COUNTER)
                epoch_before = page.evaluate(f"() => Number({STATUS}.dataset.epoch)")
                page.wait_for_timeout(SECONDS * 1000)
                result["training_speed"] = (
                    page.evaluate(f"() => Number({STATUS}.dataset.epoch)") - epoch_before
                ) / SECONDS
                result["epochs"] = page.evaluate("() => window.__epochs.size") / SECONDS
                result["snapshots"] = page.evaluate("() => window.__snapshots.size") / SECONDS
                draws = page.evaluate(
                    "() => { const now = window.__draws(); return Object.fromEntries(Object.keys(now).map(k => [k, "
                    "now[k] - window.__before[k]])); }"
                )
                result["loss_chart"] = draws["loss_chart"] / SECONDS
                result["boundary"] = draws["boundary"] / SECONDS
            page.locator(".st-key-stop button:enabled").first.click()
            page.wait_for_function(f"() => {STATUS} && {STATUS}.dataset.state === 'stopped'")  # no trainer left running
        return result
    finally:
        if browser is not None:
            browser.close()
        server.terminate()
        server.wait(10)


def report(r: dict) -> None:
    print(f"{r['variant']}:")
    print(f"  cold server, page opened → trainer compiled: {r['cold_start']:.1f} s")
    print(
        f"  Train pressed → first loss point: {r['first_point_warm']:.2f} s (target ≤ 1.5 s; on the cold page "
        f"{r['first_point_cold']:.2f} s)"
    )
    print(
        f"  while training, per second (target ≥ 2): {r['epochs']:.1f} status redraws with a new epoch, "
        f"{r['snapshots']:.1f} engine snapshots shown, {r['loss_chart']:.1f} loss-chart and {r['boundary']:.1f} "
        "boundary drawings"
    )
    print(f"  training speed meanwhile: {r['training_speed']:,.0f} epochs/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--compare", action="store_true", help="also measure the app without its speed-ups, in the same run"
    )
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    names = list(VARIANTS) if options.compare else ["as shipped"]
    with sync_playwright() as playwright:
        results = [measure(playwright, name, *VARIANTS[name]) for name in names]
    for r in results:
        report(r)
    if options.compare:
        base, last = results[0], results[-1]
        ratio = lambda key: base[key] / max(last[key], 0.01)  # noqa: E731
        print(
            f"as shipped vs without the three speed-ups: status redraws x{ratio('epochs'):.1f}, engine snapshots "
            f"shown x{ratio('snapshots'):.1f}, loss-chart drawings x{ratio('loss_chart'):.1f}, boundary drawings "
            f"x{ratio('boundary'):.1f}, training speed x{ratio('training_speed'):.2f}"
        )


if __name__ == "__main__":
    main()
