"""The page as a user sees it, in headless Chromium against a real `streamlit run`.

Prints (issue 4 targets), for the default experiment:
- cold start: a fresh server, the page opened, until the trainer says its program is compiled;
- the time from pressing Train to the first point on the loss curve, with the server warm and the
  session's trainer compiled (target ≤ 1.5 s);
- refreshes per second the page shows while training (target ≥ 2): status redraws with a new
  epoch, engine snapshots shown, and drawings of the loss chart and the decision boundary.

And (issue 24 targets, `--edits`), medians of REPEATS tries on a warm server:
- open the link → Train enabled (drawn, not stale), on a page of its own;
- for each edit on the drawing (+/− neuron, +/− layer, activation, input feature): the click → the
  drawing updated, and → Train enabled (and not greyed out by a run) once the drawing is. An edit
  runs the drawing's fragment alone first, which leaves Train as it is, and a click on it during
  the page's run that follows trains the edited network (tests/e2e/test_at_a_glance.py);
- Train → first epoch shown, for a just-edited network (one neuron more, then one fewer: a new
  trainer each time, inside the envelope);
- another optimizer picked in the sidebar (a training setting: a new trainer, inside the
  envelope) → Train enabled, then Train pressed at once → first epoch shown.

Run: .venv/bin/python bench/ui.py              (about a minute)
     .venv/bin/python bench/ui.py --edits      (the edit timings only: 3-4 minutes)
     .venv/bin/python bench/ui.py --compare    (also the app without its speed-ups, one by one, in the
                                                same run, so the ratios compare like with like: 4-5 minutes)
"""

from __future__ import annotations

import argparse
import contextlib
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

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from playground.presets import load_preset  # noqa: E402

STATUS = "document.querySelector('[data-testid=\"training-status\"]')"
SECONDS = 5.0
REPEATS = 5
DRAWING = "document.querySelector('.st-key-network_drawing .playground-live-chart')"
# Train as the user sees it: enabled, and not greyed out as stale while a rerun is under way (the
# rest of the page may still be drawing below it: a click then starts training all the same).
TRAIN_READY = (
    "() => { const b = document.querySelector('.st-key-train button'); "
    "return b && !b.disabled && !b.closest('[data-stale=\"true\"]'); }"
)
# Each edit and the one that undoes it, so every try starts from the same network.
EDITS = {
    "+ neuron": ("[class*='st-key-units_plus_1_'] button", "[class*='st-key-units_minus_1_'] button"),
    "− neuron": ("[class*='st-key-units_minus_1_'] button", "[class*='st-key-units_plus_1_'] button"),
    "+ layer": ("[class*='st-key-layer_plus_'] button", "[class*='st-key-layer_minus_'] button"),
    "− layer": ("[class*='st-key-layer_minus_'] button", "[class*='st-key-layer_plus_'] button"),
    "input feature": ("[class*='st-key-features_'] button >> nth=2", "[class*='st-key-features_'] button >> nth=2"),
}

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


def _serve(port: int, args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "playground/web/app.py"),
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


def _wait_for_health(port: int) -> str:
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    return url


def _launch(playwright):
    return playwright.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )


def measure(playwright, name: str, args: list[str], env: dict[str, str]) -> dict:
    port = free_port()
    server = _serve(port, args, env)
    browser = None
    try:
        url = _wait_for_health(port)
        spec = load_preset("tfp-default")
        spec = spec.replace(training=dataclasses.replace(spec.training, epochs=100_000, learning_rate=0.003))
        browser = _launch(playwright)
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


def _wait_until_quiet(pid: int, share: float = 0.1, timeout: float = 120.0) -> None:
    """Waits until the server and its workers use less than `share` of a core over a second."""
    import psutil

    deadline = time.monotonic() + timeout
    server = psutil.Process(pid)

    def cpu() -> float:
        processes = [server, *server.children(recursive=True)]
        return sum(sum(p.cpu_times()[:2]) for p in processes)

    while time.monotonic() < deadline:
        before = cpu()
        time.sleep(1.0)
        if cpu() - before < share:
            return


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _timed_edit(page, click) -> tuple[float, float]:
    """(click → drawing updated, click → Train ready) in seconds, for the edit `click` makes: a
    function, or the selector of the button to click. Timed in the page, as its user sees it: from
    the last press of the pointer (the option, for a dropdown) to the first animation frame that
    shows the change (Playwright's own click, 0.1-0.4 s of checks and scrolling, is left out)."""
    if isinstance(click, str):
        selector = click
        click = lambda: page.locator(selector).first.click()  # noqa: E731
    page.wait_for_function(TRAIN_READY, polling=20)
    page.wait_for_timeout(300)
    page.wait_for_function(f"() => {DRAWING} && {DRAWING}.__figure", polling=20)
    page.evaluate(
        f"""() => {{
        window.__drawn = {DRAWING}.__figure;
        window.__pressedAt = null;
        if (!window.__pressListener) {{  // the last press before the change: the option, for a dropdown
            window.__pressListener = () => {{ window.__pressedAt = performance.now(); }};
            document.addEventListener('pointerdown', window.__pressListener, {{capture: true}});
        }}
    }}"""
    )
    click()
    drawn_at = page.evaluate(
        _first_frame_when(
            f"(() => {{ const d = {DRAWING}; return d && d.__figure !== "
            "window.__drawn && !d.__pending && !d.__drawing; })()"
        )
    )
    ready_at = page.evaluate(_first_frame_when(f"({TRAIN_READY})()"))
    pressed_at = page.evaluate("() => window.__pressedAt")
    return (drawn_at - pressed_at) / 1000, (ready_at - pressed_at) / 1000


def _first_frame_when(condition: str) -> str:
    """A page function: the time (performance.now) of the first animation frame where `condition` holds."""
    return (
        "() => new Promise(resolve => { const check = () => { "
        f"if ({condition}) resolve(performance.now()); else requestAnimationFrame(check); }}; check(); }})"
    )


def measure_edits(playwright, args: list[str], env: dict[str, str]) -> dict:
    """The issue-24 timings on a warm server (see the module's docstring)."""
    port = free_port()
    server = _serve(port, args, env)
    browser = None
    try:
        url = _wait_for_health(port)
        spec = load_preset("tfp-default")
        browser = _launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(120_000)
        page.goto(f"{url}/?x={spec.to_url()}")  # warms the server: its first page, the default program
        page.wait_for_function(f"() => {STATUS} && {STATUS}.dataset.compiled === '1'", polling=100)
        _wait_until_quiet(server.pid)  # the workers compile ahead (the envelope's program after the default's)
        result: dict = {"open": []}
        for _ in range(REPEATS):
            fresh = browser.new_page(viewport={"width": 1280, "height": 800})
            fresh.goto(f"{url}/?x={spec.to_url()}")
            # performance.now() counts from the navigation's start.
            result["open"].append(fresh.evaluate(_first_frame_when(f"({TRAIN_READY})()")) / 1000)
            fresh.close()
        page.reload()
        page.wait_for_function(TRAIN_READY, polling=20)
        for name, (edit, undo) in EDITS.items():
            drawn, ready = [], []
            for _ in range(REPEATS):
                timings = _timed_edit(page, edit)
                drawn.append(timings[0])
                ready.append(timings[1])
                _timed_edit(page, undo)
            result[name] = (drawn, ready)
        drawn, ready = [], []
        for activation in ["ReLU", "tanh"] * ((REPEATS + 1) // 2):
            page.locator("[class*='st-key-layer_popover_1_'] button").first.click()
            box = page.locator("[data-testid='stPopoverBody']").get_by_label("Activation")

            def choose(box=box, activation=activation):
                box.click()
                page.get_by_role("option", name=activation, exact=True).click()

            timings = _timed_edit(page, choose)
            drawn.append(timings[0])
            ready.append(timings[1])
            _close_popover(page)
        result["activation"] = (drawn[:REPEATS], ready[:REPEATS])
        first = []
        for attempt in range(REPEATS):  # a new trainer each time, inside the envelope: ±1 neuron, then Train
            _timed_edit(page, EDITS["− neuron" if attempt % 2 else "+ neuron"][0])
            page.wait_for_function(TRAIN_READY, polling=10)
            first.append(_train_to_first_epoch(page))
        result["first_epoch_new_architecture"] = first
        result["optimizer"] = _optimizer_then_train(page)
        return result
    finally:
        if browser is not None:
            browser.close()
        server.terminate()
        server.wait(10)


def _close_popover(page) -> None:
    """Closes the layer's popover and any list left open in it (Escape, again while anything is
    still open): left open, they make the rest of the page inert to clicks."""
    for _ in range(5):
        page.keyboard.press("Escape")
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stPopoverBody\"], [inert]')", timeout=1000
            )
            return


def _optimizer_then_train(page) -> tuple[list[float], list[float]]:
    """(option picked → Train enabled, Train → first epoch shown), REPEATS tries, for another
    optimizer picked in the sidebar (Adam and SGD in turn: a new trainer each time, inside the
    envelope) and Train pressed as soon as it is enabled."""
    ready, first = [], []
    for optimizer in ["Adam", "SGD"] * ((REPEATS + 1) // 2):
        page.wait_for_function(TRAIN_READY, polling=20)
        page.wait_for_timeout(300)
        box = page.locator("[data-testid='stSidebar']").get_by_role("combobox", name="Optimizer")
        option = page.get_by_role("option", name=optimizer, exact=True)
        for _ in range(3):  # a click on the box as the sidebar scrolls to it can leave the list shut
            box.click()
            with contextlib.suppress(PlaywrightTimeout):
                option.wait_for(state="visible", timeout=1000)
                break
            page.keyboard.press("Escape")
        option.click()
        picked_at = page.evaluate("() => window.__pressedAt")
        ready.append((page.evaluate(_first_frame_when(f"({TRAIN_READY})()")) - picked_at) / 1000)
        first.append(_train_to_first_epoch(page))
    return ready[:REPEATS], first[:REPEATS]


def _train_to_first_epoch(page) -> float:
    """Presses Train: the seconds from the press to the frame that shows the first epoch. Then
    stops and resets, so the next try starts from a network at rest."""
    page.locator(".st-key-train button:enabled").first.click()
    shown_at = page.evaluate(_first_frame_when(f"{STATUS} && Number({STATUS}.dataset.epoch) >= 1"))
    seconds = (shown_at - page.evaluate("() => window.__pressedAt")) / 1000
    page.locator(".st-key-stop button:enabled").first.click()
    page.wait_for_function(f"() => {STATUS} && {STATUS}.dataset.state === 'stopped'")
    page.locator(".st-key-reset button:enabled").first.click()
    return seconds


def report_edits(r: dict) -> None:
    print(f"Edits (medians of {REPEATS}, warm server, 1280x800):")
    print(f"  open the link → Train enabled: {_median(r['open']):.2f} s (target ≤ 2.0 s)")
    for name in [*EDITS, "activation"]:
        drawn, ready = r[name]
        print(
            f"  {name:<14} drawing updated {_median(drawn):.2f} s (target ≤ 0.25), Train enabled "
            f"{_median(ready):.2f} s (target ≤ 0.3)"
        )
    first = r["first_epoch_new_architecture"]
    print(
        f"  Train → first epoch, a just-edited network: {_median(first):.2f} s (target ≤ 0.25 s; each: "
        + ", ".join(f"{seconds:.2f}" for seconds in first)
        + ")"
    )
    ready, first = r["optimizer"]
    print(
        f"  another optimizer in the sidebar: Train enabled {_median(ready):.2f} s (target ≤ 0.3), then Train → "
        f"first epoch {_median(first):.2f} s (target ≤ 0.25 s; each: " + ", ".join(f"{s:.2f}" for s in first) + ")"
    )


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
    parser.add_argument("--edits", action="store_true", help="measure the edit timings (issue 24) instead")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if options.edits:
        with sync_playwright() as playwright:
            report_edits(measure_edits(playwright, *VARIANTS["as shipped"]))
        return

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
