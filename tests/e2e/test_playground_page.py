"""The playground page in a real browser: train the default and xor experiments live."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playground.spec import ExperimentSpec
from tests.e2e.conftest import shot, wait_for_app


def _status(page):
    element = page.locator("[data-testid='training-status']")
    return element.get_attribute("data-state"), int(element.get_attribute("data-epoch"))


def _load_preset(page, title: str) -> None:
    select = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    select.click()
    page.get_by_role("option", name=title).click()
    page.get_by_role("button", name="Load preset").click()
    wait_for_app(page)


def test_default_experiment_trains_live_and_pauses(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    page.wait_for_selector("[data-testid='training-status']", state="attached")
    shot(page, "playground-before-training")
    page.get_by_role("button", name="Train").click()
    page.wait_for_function("() => { const e = document.querySelector('[data-testid=\"training-status\"]'); return e && Number(e.dataset.epoch) > 0; }")
    shot(page, "playground-during-training")
    page.wait_for_function("() => { const e = document.querySelector('[data-testid=\"training-status\"]'); return e && e.dataset.state === 'finished'; }", timeout=90_000)
    state, epoch = _status(page)
    assert state == "finished" and epoch == 200
    assert page.locator(".js-plotly-plot").count() >= 3  # loss curves, decision boundary, histograms
    accuracy = page.locator("[data-testid='stMetric']:has-text('Test accuracy') [data-testid='stMetricValue']").inner_text()
    assert float(accuracy) >= 0.9
    shot(page, "playground-after-training")


def test_shared_url_restores_experiment_in_fresh_context(app_url, browser, page):
    page.goto(app_url)
    wait_for_app(page)
    page.wait_for_function("() => location.search.includes('x=')")
    before = page.url
    _load_preset(page, "XOR with a hidden layer")
    page.wait_for_function(f"() => location.href !== {before!r}")
    link = page.url
    shared = ExperimentSpec.from_url(parse_qs(urlparse(link).query)["x"][0])
    assert shared.dataset.name == "xor"
    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    other.goto(link)
    wait_for_app(other)
    other.wait_for_selector("[data-testid='training-status']", state="attached")
    assert "dataset: Exclusive or" in other.locator("[data-testid='stMain']").inner_text()
    other.get_by_role("button", name="Train").click()
    other.wait_for_function("() => { const e = document.querySelector('[data-testid=\"training-status\"]'); return e && e.dataset.state === 'finished'; }", timeout=90_000)
    accuracy = other.locator("[data-testid='stMetric']:has-text('Test accuracy') [data-testid='stMetricValue']").inner_text()
    assert float(accuracy) >= 0.9
    shot(other, "playground-xor-from-link")
    other.context.close()
