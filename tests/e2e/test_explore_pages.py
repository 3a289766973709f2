"""Runs and Sweeps in a real browser: a small two-parameter sweep, its heatmap and overlaid curves,
the best run opened in the builder, and the run saved by a playground training listed on the Runs page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import shot, wait_for_app
from tests.e2e.test_playground_page import STATUS, train, wait_state


def settle(page):
    """Waits until the page's script run has finished (no "Running..." widget)."""
    page.wait_for_timeout(200)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def main(page):
    return page.locator("[data-testid='stMainBlockContainer']")


def test_sweep_grid_heatmap_curves_and_best_run(app_url, page):
    # A 2 x 2 grid of 5-epoch runs: the browser part is the form, the progress and the charts (the
    # built-in 11-run ladder is run by the AppTest test, which needs no browser for it).
    page.goto(f"{app_url}/sweeps")
    expect(page.locator("h1", has_text="Sweeps")).to_be_visible(timeout=60_000)
    chooser = page.locator(".st-key-sweep_parameters input")
    chooser.click()
    chooser.fill("batch")
    page.get_by_role("option", name="batch size").first.click()
    page.keyboard.press("Escape")
    for key, value in (
        ("sweep_values_learning_rate", "0.03, 0.3"),
        ("sweep_values_batch_size", "10, 30"),
        ("sweep_epochs", "5"),
    ):
        settle(page)
        field = page.locator(f".st-key-{key} input")
        expect(field).to_have_count(1)  # a rerun briefly shows a stale copy beside the new one
        field.fill(value)
        field.press("Enter")
    settle(page)
    start = main(page).get_by_role("button", name="Run 4 runs of 5 epochs")  # the server has every value
    expect(start).to_be_enabled(timeout=30_000)
    start.click()
    expect(main(page).get_by_text("runs saved").first).to_be_visible(timeout=60_000)
    shot(page, "sweeps-running")
    expect(main(page).get_by_text("4 of 4 runs saved").first).to_be_visible(timeout=180_000)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
    expect(main(page).get_by_text("Best run").first).to_be_visible()
    curves = page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => (d.data || []).length)"
    )
    assert max(curves) >= 8  # four runs, loss and accuracy each
    # learning rate across, batch size down (Plotly draws the charts one after another)
    expect(page.locator(".js-plotly-plot .heatmaplayer").first).to_be_attached(timeout=30_000)
    page.set_viewport_size(
        {"width": 1280, "height": 3000}
    )  # the app scrolls inside its own pane: a tall window shows it all
    page.wait_for_timeout(1000)
    shot(page, "sweeps-results")
    page.set_viewport_size({"width": 1280, "height": 800})
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
    assert "owner=" not in page.url  # the owner id never travels in an address
    shot(page, "runs-table")
    assert page.evaluate(f"() => {STATUS} === null")


def test_smart_search_downloads_its_file_loads_it_back_and_runs(app_url, page, tmp_path):
    from playground.runs.sweep_file import SweepPlan

    page.goto(f"{app_url}/sweeps")
    expect(page.locator("h1", has_text="Sweeps")).to_be_visible(timeout=60_000)
    page.locator(".st-key-sweep_mode").get_by_text("Smart search").click()
    settle(page)
    for key, value in (("sweep_budget", "3"), ("sweep_epochs", "5"), ("sweep_low_learning_rate", "0.01")):
        settle(page)
        field = page.locator(f".st-key-{key} input")
        expect(field).to_have_count(1)
        field.fill(value)
        field.press("Enter")
    settle(page)
    expect(main(page).get_by_role("button", name="Search 3 runs of 5 epochs")).to_be_enabled(timeout=30_000)
    settle(page)
    download_button = main(page).get_by_role("button", name="Download this sweep")
    expect(download_button).to_have_count(1)
    with page.expect_download() as download:
        download_button.click()
    path = tmp_path / "search.sweep.json"
    download.value.save_as(path)
    plan = SweepPlan.from_json(path.read_text())
    assert (plan.mode, plan.budget, plan.base.training.epochs) == ("search", 3, 5)
    assert plan.search["learning_rate"].low == 0.01 and plan.search["learning_rate"].log

    page.goto(f"{app_url}/sweeps")  # a fresh page: the file alone brings the sweep back
    expect(page.locator("h1", has_text="Sweeps")).to_be_visible(timeout=60_000)
    page.locator(".st-key-sweep_file input[type=file]").set_input_files(str(path))
    start = main(page).get_by_role("button", name="Search 3 runs of 5 epochs")
    expect(start).to_be_enabled(timeout=60_000)
    expect(page.locator(".st-key-sweep_low_learning_rate input")).to_have_value("0.01")
    shot(page, "sweeps-search-loaded")
    start.click()
    expect(main(page).get_by_text("3 of 3 runs saved").first).to_be_visible(timeout=180_000)
    expect(main(page).get_by_role("tab", name="Search history")).to_be_visible(timeout=60_000)
    expect(page.locator(".st-key-search_history .js-plotly-plot")).to_be_visible(timeout=60_000)
    page.set_viewport_size({"width": 1280, "height": 3000})
    page.wait_for_timeout(1000)
    shot(page, "sweeps-search-results")
