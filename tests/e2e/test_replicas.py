"""Two replicas behind HAProxy (`make serve REPLICAS=2`, playground/web/replicas.py): sessions stick to
their replica through the live stream, runs are shared between replicas, and a replica that dies
leaves the other's pages working while its own pages say what happened."""

from __future__ import annotations

import time
import urllib.request

import pytest
from playwright.sync_api import expect

from playground.web.replicas import Replicas
from tests.e2e.conftest import ROOT, _free_port, shot, wait_for_app
from tests.e2e.test_playground_page import STATUS, button, train, wait_state

REPLICA_COOKIE = "playground_replica"


def _reaches(url: str, replica: str) -> bool:
    """Whether HAProxy sends a browser whose cookie names `replica` to it (it is up in HAProxy's
    eyes: otherwise the answer comes from another replica, with a new cookie)."""
    request = urllib.request.Request(url + "/_stcore/health", headers={"Cookie": f"{REPLICA_COOKIE}={replica}"})
    try:
        with urllib.request.urlopen(request, timeout=2) as answer:
            return answer.read() == b"ok" and f"{REPLICA_COOKIE}=" not in (answer.headers.get("Set-Cookie") or "")
    except OSError:
        return False


@pytest.fixture(scope="module")
def balanced():
    """Two fresh replicas and HAProxy on free ports, sharing this test session's run database."""
    logs = ROOT / "screenshots"
    logs.mkdir(exist_ok=True)
    replicas = Replicas([_free_port(), _free_port()], _free_port(), address="127.0.0.1", log_folder=logs)
    replicas.start()
    url = f"http://127.0.0.1:{replicas.port}"
    deadline = time.monotonic() + 120
    while not all(_reaches(url, replica) for replica in ("app1", "app2")):
        if time.monotonic() > deadline:
            replicas.stop()
            pytest.fail(f"The replicas or HAProxy did not start; see {logs}/app1.log, app2.log and haproxy.log")
        time.sleep(0.5)
    yield replicas, url
    replicas.stop()


def open_on(browser, url: str, replica: str, path: str = "/"):
    """A page of a browser whose balancer cookie sends it to `replica`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": REPLICA_COOKIE, "value": replica, "url": url}])
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url + path)
    return context, page


def served_by(page, replica: str) -> None:
    """Waits until this page's server cookie names `replica` (each page's session writes it)."""
    try:
        page.wait_for_function(f"() => document.cookie.includes('playground_server={replica}-')", timeout=30_000)
    except Exception:
        raise AssertionError(f"not served by {replica}: {page.evaluate('() => document.cookie')}") from None


def test_a_run_trained_on_one_replica_is_listed_by_the_other(browser, balanced):
    replicas, url = balanced
    context, page = open_on(browser, url, "app1")
    try:
        wait_for_app(page)
        served_by(page, "app1")
        train(page)  # the live stream's WebSocket goes through HAProxy to the same replica
        page.wait_for_function(f"() => Number({STATUS}.dataset.frames) > 5", timeout=60_000)
        wait_state(page, "finished", timeout=120_000)
        context.add_cookies(
            [{"name": REPLICA_COOKIE, "value": "app2", "url": url}]
        )  # the next page lands on the other replica
        page.goto(url + "/runs")  # app2's first page: straight to a subpage, as a shared link does
        expect(page.locator("h1", has_text="Saved runs")).to_be_visible(timeout=60_000)
        served_by(page, "app2")  # the app's own script ran (it writes that cookie), not just the page's
        expect(page.locator("[data-testid='stSidebarNav']").get_by_text("Playground")).to_be_visible()
        expect(page.get_by_text("run(s). Click column headers")).to_be_visible(timeout=30_000)
        shot(page, "replicas-runs-on-the-other-replica")
    finally:
        context.close()


def test_a_push_from_a_lecturer_on_one_replica_reaches_a_student_on_the_other(browser, balanced):
    """A class lives in the shared run database: pushes and tiles cross replicas."""
    replicas, url = balanced
    lecturer_context, lecturer = open_on(browser, url, "app1", "/class")
    student_context, student = open_on(browser, url, "app2", "/class")
    try:
        lecturer.get_by_label("Class name").fill("Across replicas")
        lecturer.get_by_role("button", name="Open a class", exact=True).click()
        code = lecturer.locator(".class-code").inner_text(timeout=60_000)
        served_by(lecturer, "app1")
        student.get_by_label("Class code").fill(code)
        student.get_by_label("Your name on the board (optional)").fill("Ada on app2")
        student.get_by_role("button", name="Join", exact=True).click()
        line = student.locator("[data-testid='stAlertContentInfo']").filter(has_text="you are").first
        expect(line).to_be_visible(timeout=60_000)
        served_by(student, "app2")
        expect(lecturer.locator(".class-tile-name")).to_have_text("Ada on app2", timeout=10_000)
        lecturer.get_by_label("Task for the class (optional)").fill("From app1")
        lecturer.get_by_role("button", name="Push to every student", exact=True).click()
        expect(line).to_contain_text("From app1", timeout=5_000)
    finally:
        lecturer_context.close()
        student_context.close()


def test_a_replica_that_dies_leaves_the_other_working_and_its_pages_are_told(browser, balanced):
    replicas, url = balanced
    doomed_context, doomed = open_on(browser, url, "app1")
    living_context, living = open_on(browser, url, "app2")
    try:
        wait_for_app(doomed)
        wait_for_app(living)
        served_by(doomed, "app1")
        served_by(living, "app2")
        replicas.apps["app1"].kill()
        # The page's connection moves to app2 by itself; its next action runs there, in a new session.
        notice = doomed.get_by_text("The server that held this page stopped")
        deadline = time.monotonic() + 90
        while notice.count() == 0 and time.monotonic() < deadline:
            button(doomed, "Train").click(timeout=10_000)
            doomed.wait_for_timeout(3_000)
        expect(notice).to_be_visible()
        notice.scroll_into_view_if_needed()
        shot(doomed, "replicas-replica-went-away")
        served_by(doomed, "app2")
        # The page's first tries of its new session's stream may reach HAProxy before its health checks
        # took app1 out: the page then refreshes on timers, and the stream, tried again, brings it back.
        doomed.wait_for_function(f"() => {STATUS}.dataset.stream === 'live'", timeout=90_000)
        train(living)  # the other replica's pages never noticed
        living.wait_for_function(f"() => Number({STATUS}.dataset.epoch) > 3", timeout=60_000)
        expect(living.get_by_text("The server that held this page stopped")).to_have_count(0)
    finally:
        doomed_context.close()
        living_context.close()
