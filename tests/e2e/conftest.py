"""End-to-end fixtures: a real `streamlit run` on a free port and headless system Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The server as `make run` starts it: compiling ahead, trainers in worker processes (one per core).
AS_USERS_GET_IT = {
    **{k: v for k, v in os.environ.items() if k != "PLAYGROUND_TRAINING_WORKERS"},
    "PLAYGROUND_COMPILE_AHEAD": "1",
}


@pytest.fixture(scope="session")
def app_url(browser):
    port = _free_port()
    log = open(ROOT / "screenshots" / "streamlit.log", "w") if SCREENSHOTS.mkdir(exist_ok=True) is None else None
    process = subprocess.Popen(
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
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=AS_USERS_GET_IT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"streamlit did not start; see {ROOT / 'screenshots' / 'streamlit.log'}")
        time.sleep(0.3)
    _warm_up(browser, url)
    _wait_until_compiled_ahead(process.pid)
    yield url
    process.terminate()
    process.wait(10)


def _warm_up(browser, url: str) -> None:
    """Opens the home page once, as a user would after `make run`: the first session imports
    TensorFlow, which would otherwise count against the first test's timeouts."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("[data-testid='training-status']", state="attached", timeout=120_000)
    finally:
        context.close()


def _wait_until_compiled_ahead(pid: int, timeout: float = 180.0) -> None:
    """Waits until the server and its training workers rest (under a tenth of a core over a
    second): the workers compile ahead when they start (the default experiment's programs, then
    the envelope's), and the tests' timeouts are for a warm server."""
    import psutil

    server = psutil.Process(pid)

    def cpu_seconds() -> float:
        total = 0.0
        for process in [server, *server.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += sum(process.cpu_times()[:2])
        return total

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds()
        time.sleep(1.0)
        if cpu_seconds() - before < 0.1:
            return


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}. Install it with: sudo apt-get install chromium (or set "
            "CHROMIUM=/path/to/chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def choose(page, select_box, option: str) -> None:
    """Opens `select_box` and picks `option`. A rerun that starts as the list opens (the trainer
    saying it has compiled, say) can redraw the box and close its list: it is opened again."""
    for attempt in range(3):
        select_box.click()
        choice = page.get_by_role("option", name=option, exact=True)
        try:
            choice.wait_for(state="visible", timeout=10_000)
        except Exception:
            if attempt == 2:
                raise
            continue
        choice.click()
        return


def wait_for_app(page) -> None:
    page.wait_for_selector("h1:has-text('Neural Network Playground')")
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
