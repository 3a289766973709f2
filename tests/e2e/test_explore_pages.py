"""Runs and Sweeps in a real browser: the built-in learning-rate sweep with a small epoch budget,
its heatmap and overlaid curves, the best run opened in the builder, and the run saved by a
playground training listed on the Runs page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import shot, wait_for_app
from tests.e2e.test_playground_page import STATUS, train, wait_state


def main(page):
    return page.locator("[data-testid='stMainBlockContainer']")


def test_builtin_sweep_heatmap_curves_and_best_run(app_url, page):
    page.goto(f"{app_url}/sweeps")
    expect(page.locator("h1", has_text="Sweeps")).to_be_visible(timeout=60_000)
    epochs = page.locator(".st-key-builtin_epochs input")
    epochs.fill("5")
    epochs.press("Enter")
    page.wait_for_timeout(500)
    page.locator(".st-key-sweep_builtin button").click()
    expect(main(page).get_by_text("runs saved").first).to_be_visible(timeout=60_000)
    shot(page, "sweeps-running")
    expect(main(page).get_by_text("11 of 11 runs saved").first).to_be_visible(timeout=240_000)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
    expect(main(page).get_by_text("Best run").first).to_be_visible()
    curves = page.evaluate("() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => (d.data || []).length)")
    assert max(curves) >= 22  # eleven runs, loss and accuracy each
    assert page.locator(".js-plotly-plot .heatmaplayer, .js-plotly-plot .barlayer .trace").count() >= 1  # heatmap (or bars for one parameter)
    shot(page, "sweeps-results")
    page.locator(".st-key-sweep_open_best button").click()
    wait_for_app(page)
    expect(page.locator("[data-testid='training-status']")).to_be_attached(timeout=60_000)


def test_a_playground_run_is_listed_on_the_runs_page(app_url, page):
    page.goto(f"{app_url}/")
    wait_for_app(page)
    page.wait_for_selector("[data-testid='training-status']", state="attached")
    train(page)
    wait_state(page, "finished", timeout=120_000)
    page.goto(f"{app_url}/runs")  # a new page load is a new session: the owner cookie finds the run
    expect(page.locator("h1", has_text="Saved runs")).to_be_visible(timeout=60_000)
    expect(main(page).get_by_text("run(s). Click column headers")).to_be_visible()
    assert "owner=" in page.url  # bookmarkable
    shot(page, "runs-table")
    assert page.evaluate(f"() => {STATUS} === null")
