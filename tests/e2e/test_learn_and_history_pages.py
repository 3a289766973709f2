"""The Learn pages and the History gallery in a real browser: each page opens and draws; every
gallery entry runs and shows its result. Screenshots of each go to screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playground.history.entries import HISTORY
from tests.e2e.conftest import shot

LEARN_PAGES = {
    "neuron": "A neuron",
    "activations": "Activation functions",
    "softmax": "Softmax",
    "gradient-descent": "Gradient descent and the learning rate",
    "minibatch": "Mini-batch SGD",
    "backprop": "Backpropagation, step by step",
    "landscape": "Loss landscape",
}


def main(page):
    return page.locator("[data-testid='stMainBlockContainer']")


def settle(page, timeout=90_000):
    """Waits until the script has finished running (no running indicator) and charts have drawn."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)


def no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']"
    ).first.inner_text()


@pytest.mark.parametrize("path, title", list(LEARN_PAGES.items()))
def test_learn_page_opens_and_draws(app_url, page, path, title):
    page.goto(f"{app_url}/{path}")
    expect(page.locator("h1", has_text=title)).to_be_visible(timeout=60_000)
    if path == "landscape":
        page.locator(".st-key-landscape_run button").click()
    page.wait_for_selector(".js-plotly-plot", timeout=90_000)
    settle(page)
    no_exception(page)
    assert page.locator(".katex").count() >= 1  # the formula is typeset
    shot(page, f"learn-{path}")


def test_backprop_page_steps_through_and_matches_tensorflow(app_url, page):
    page.goto(f"{app_url}/backprop")
    expect(main(page).get_by_text("All 9 gradients match")).to_be_visible()
    main(page).get_by_text("2. Loss", exact=True).click()
    expect(main(page).get_by_text("E = ").first).to_be_attached()
    main(page).get_by_text("3. Backward pass", exact=True).click()
    expect(main(page).get_by_text("δ = ").first).to_be_attached()  # the diagram now shows each unit's δ
    shot(page, "learn-backprop-backward")
    main(page).get_by_text("4. Update", exact=True).click()
    main(page).get_by_role("button", name="Apply the update and take the next step").click()
    expect(main(page).get_by_text("Steps applied so far: 1")).to_be_visible()
    no_exception(page)
    shot(page, "learn-backprop-update")


def test_history_gallery_runs_every_entry(app_url, page):
    page.goto(f"{app_url}/history")
    expect(page.locator("h1", has_text="A runnable history")).to_be_visible(timeout=60_000)
    expect(page.locator(".st-key-history_dbn")).to_be_visible()
    for entry in HISTORY:
        card = page.locator(f".st-key-history_{entry.key}")
        expect(card).to_contain_text(entry.year)
        card.locator(f".st-key-run_{entry.key} button").click()
        expect(card.locator(".js-plotly-plot").first).to_be_visible(timeout=120_000)
        settle(page, timeout=120_000)
        no_exception(page)
        assert card.locator("[data-testid='stAlert']:has-text('failed')").count() == 0
    gallery = main(page)
    expect(gallery.get_by_text("converged after")).to_be_visible()
    expect(gallery.get_by_text("completed exactly")).to_be_visible()
    expect(gallery.get_by_text("accuracy 100%")).to_be_visible()
    expect(gallery.get_by_text("Test accuracy 9")).to_be_visible()  # LeNet-5: 9x.x %
    expect(gallery.get_by_text("pre-trained vs")).to_be_visible()
    shot(page, "history-gallery")
