"""Class mode in a real browser: a lecturer and three students, each in a browser context of their
own (their own cookies), through open, join, push, pin, board, spotlight (and saving a student's
run from it), lock and end."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import choose, shot
from tests.e2e.test_playground_page import STATUS, button, train, wait_state

HOSTILE = "<img src=x onerror=alert(1)>Cid"
# Keeps what the status row announced (it says a push came, until the page's run for it redraws the row).
RECORD_ANNOUNCEMENTS = """() => { window.__announced = "";
    new MutationObserver(() => { const note = document.querySelector(".playground-status-notice");
                                 if (note) window.__announced = note.textContent; })
        .observe(document.body, {childList: true, subtree: true, characterData: true}); }"""


def new_page(browser, width=1280, height=800):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


def banner(page):
    return page.locator("[data-testid='stAlertContentInfo']").filter(has_text="Class ").first


def join(browser, link: str, name: str):
    context, page = new_page(browser)
    page.goto(link)
    page.get_by_label("Your name on the board (optional)").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(banner(page)).to_contain_text(f"you are {name}", timeout=60_000)
    return context, page


def test_a_lecturer_runs_a_class_of_three(app_url, browser):
    contexts = []
    try:
        lecturer_context, lecturer = new_page(browser, 1920, 1080)
        contexts.append(lecturer_context)
        lecturer.goto(app_url + "/class")
        lecturer.get_by_label("Class name").fill("Lecture 3")
        lecturer.get_by_role("button", name="Open a class", exact=True).click()
        code = lecturer.locator(".class-code").inner_text(timeout=60_000)
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        link = lecturer.locator(".class-link").inner_text().removeprefix("or open ")
        assert link.endswith(f"/class?code={code}")
        expect(
            lecturer.get_by_alt_text("Scan to join").or_(lecturer.locator("img[src*='media']")).first
        ).to_be_visible()

        students = []
        for name in ["Ada", "Bob", HOSTILE]:
            context, page = join(browser, link.replace(re.sub(r"/class.*", "", link), app_url), name)
            contexts.append(context)
            students.append(page)
        expect(lecturer.get_by_text("The class: 3 student(s)")).to_be_visible(timeout=10_000)
        tiles = lecturer.locator(".class-tile")
        expect(tiles).to_have_count(3)
        expect(tiles.nth(2).locator(".class-tile-name")).to_have_text(HOSTILE)  # as text, not an image
        assert lecturer.locator(".class-tile img[src='x']").count() == 0

        # Push a preset with a task, pinning all but the learning rate (the panel is open until the first push).
        choose(lecturer, lecturer.get_by_label("Experiment"), "Preset: XOR with a hidden layer")
        lecturer.get_by_label("Task for the class (optional)").fill("Find the <b>best</b> learning rate")
        for label in [
            "batch size",
            "optimizer",
            "regularization",
            "layers, neurons and activations",
            "input features",
            "dataset and its noise",
            "epochs and seed",
        ]:
            lecturer.get_by_role("button", name=f"Remove {label}").click()
        expect(lecturer.get_by_role("button", name=re.compile("^Remove "))).to_have_count(1)
        lecturer.get_by_role("heading", name="Push to the class").click()  # the open list would take the next click
        for page in students:
            page.evaluate(RECORD_ANNOUNCEMENTS)
        lecturer.get_by_role("button", name="Push to every student", exact=True).click()
        expect(lecturer.get_by_text("Pushed 1 time(s)")).to_be_visible(timeout=10_000)
        for page in students:
            expect(banner(page)).to_contain_text("the lecturer pushed this experiment", timeout=10_000)
            page.wait_for_function(f"() => Number({STATUS}.dataset.notices) >= 1")  # it came by the live stream
            assert "The lecturer pushed an experiment" in page.evaluate("() => window.__announced")  # said at once
            expect(banner(page)).to_contain_text("Find the <b>best</b> learning rate")
            expect(banner(page)).to_contain_text("You may change: learning rate and its schedule.")
        shot(students[0], "class-student-pushed")

        # Each student trains; their tiles show it live.
        for page in students:
            train(page)
        for page in students:
            wait_state(page, "finished", timeout=120_000)
        expect(tiles.first.locator("img")).to_be_visible(timeout=10_000)
        expect(tiles.first).to_contain_text("finished", timeout=10_000)
        expect(lecturer.get_by_text("Leaderboard")).to_be_visible()
        shot(lecturer, "class-board")

        # Spotlight one student.
        lecturer.get_by_role("radio", name="Ada", exact=True).click()
        expect(lecturer.get_by_text("Spotlight: Ada")).to_be_visible(timeout=5_000)
        shot(lecturer, "class-spotlight")
        lecturer.get_by_role("button", name="Save as a run", exact=True).click()
        expect(lecturer.get_by_text("Saved as a run")).to_be_visible(timeout=10_000)  # by Ada's server
        shot(lecturer, "class-spotlight-saved")

        # Lock: a fourth student is refused; end: the students are told.
        lecturer.get_by_text("Locked", exact=True).click()
        late_context, late = new_page(browser)
        contexts.append(late_context)
        late.goto(app_url + f"/class?code={code}")
        late.get_by_role("button", name="Join", exact=True).click()
        expect(late.get_by_text("locked this class")).to_be_visible(timeout=30_000)
        button(lecturer, "End the class").click()
        expect(lecturer.get_by_role("button", name="Open a class")).to_be_visible(timeout=30_000)
        for page in students:
            expect(page.get_by_text("Your class has ended")).to_be_visible(timeout=10_000)
    finally:
        for context in contexts:
            context.close()
