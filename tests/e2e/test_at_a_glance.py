"""The playground at a glance, in a real browser: every view on one screen without scrolling, and the
network drawing as the editor (neurons, layers, activation, a link's weight under the mouse)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from playground.presets import load_preset
from playground.spec_reading import spec_from_url
from tests.e2e.conftest import SCREENSHOTS, choose, wait_for_app
from tests.e2e.test_playground_page import STATUS, button, train

SIZES = [(1280, 800), (1920, 1080)]
# What a student must see at once: (name, selector). The output is the boundary for 2-D data, the
# softmax outputs for images.
VIEWS = {
    "dataset preview": ".st-key-preview",
    "input features or samples": ".st-key-data_area",
    "network drawing": ".st-key-network_drawing",
    "run controls": ".st-key-run_area [data-testid='stHorizontalBlock']",
    "status": ".st-key-live_status",
    "loss curve": ".st-key-loss_chart",
}
OUTPUT = {"tfp-default": ".st-key-boundary", "digits-softmax": ".st-key-softmax"}
DRAWING = "document.querySelector('.st-key-network_drawing .js-plotly-plot')"


def open_preset(browser, app_url, preset: str, size: tuple[int, int], present: bool):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/?x={load_preset(preset).to_url()}{'&present=1' if present else ''}")
    wait_for_app(page)
    page.wait_for_selector("[data-testid='training-status']", state="attached")
    return context, page


def trained_a_little(page, epochs: int = 3) -> None:
    """Trains until `epochs`, then pauses (unless the run ended first) and lets the page redraw."""
    train(page)
    page.wait_for_function(
        f"() => {{ const e = {STATUS}; return e && Number(e.dataset.epoch) >= {epochs}; }}", timeout=60_000
    )
    try:
        button(page, "Pause").click(timeout=3_000)
    except Exception:  # the run ended first (a short one): nothing to pause
        pass
    page.wait_for_function(f"() => {{ const e = {STATUS}; return e && e.dataset.state !== 'running'; }}")
    page.wait_for_timeout(1500)  # the page's rerun after the state changed draws every view
    # ... and its last snapshot, which may come after that run: the page runs again to draw it.
    page.wait_for_function(
        f"""() => {{ const e = {STATUS}, drawn = e && e.parentElement.__drawn;
            return drawn && drawn.state === e.dataset.state && drawn.snapshot === Number(e.dataset.snapshot); }}""",
        timeout=15_000,
    )


def all_in_view(page, preset: str, size: tuple[int, int]) -> None:
    page.evaluate("() => window.scrollTo(0, 0)")
    width, height = size
    for name, selector in {**VIEWS, "output": OUTPUT[preset]}.items():
        element = page.locator(selector).first
        element.wait_for(state="attached")
        box = element.bounding_box()
        assert box is not None and box["width"] > 20 and box["height"] > 20, f"{name} is not drawn"
        inside = box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width
        assert inside and box["y"] + box["height"] <= height, f"{name} at {box} is not inside {width}x{height}"
    assert page.evaluate("() => window.scrollY") == 0
    if preset == "tfp-default":  # the inputs are the features, as pills beside the drawing
        assert page.locator(".st-key-data_area [data-testid='stButtonGroup']").is_visible()


def screen(page, preset: str, size: tuple[int, int], mode: str) -> None:
    """Resizes the window to `size` and checks every view is on it; keeps a screenshot."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_timeout(1000)  # the layout follows the window
    all_in_view(page, preset, size)
    page.screenshot(path=str(SCREENSHOTS / f"glance-{preset}-{size[0]}x{size[1]}-{mode}.png"))


@pytest.mark.browser
@pytest.mark.parametrize("preset", ["tfp-default", "digits-softmax"])
def test_every_view_is_on_screen_without_scrolling_normal_and_presenting(browser, app_url, preset):
    """One run, seen at each screen size, then presented (the same run) at each size."""
    context, page = open_preset(browser, app_url, preset, SIZES[0], present=False)
    try:
        trained_a_little(page)
        for size in SIZES:
            screen(page, preset, size, "normal")
        page.locator(".st-key-present").get_by_text("Presenter mode").click()
        page.locator("[data-testid='stSidebar']").wait_for(state="hidden")
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
        page.wait_for_timeout(1500)
        for size in reversed(SIZES):
            screen(page, preset, size, "presenter")
    finally:
        context.close()


def parameters(page) -> str:
    return page.locator(".st-key-network_area [data-testid='stMarkdownContainer']").first.inner_text()


def click_key(page, prefix: str) -> None:
    """Clicks the button whose key starts with `prefix` (keys end with the widget generation)."""
    before = parameters(page)
    page.locator(f"[class*='st-key-{prefix}_'] button").first.click()
    page.wait_for_function(
        "([before]) => { const e = document.querySelector('.st-key-network_area [data-testid=stMarkdownContainer]');"
        " return e && e.innerText !== before; }",
        arg=[before],
    )
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")


def drawn(page, counts: list[str]) -> bool:
    """Waits until the drawing's hidden layers say `counts` ("4 neurons", ...); False if they never do."""
    try:
        page.wait_for_function(
            f"""([counts]) => {{ const d = {DRAWING}; if (!d || !d._fullLayout) return false;
            const shown = d._fullLayout.annotations.map(a => a.text).filter(t => /neuron/.test(t));
            return JSON.stringify(shown) === JSON.stringify(counts); }}""",
            arg=[counts],
            timeout=15_000,
        )
        return True
    except Exception:
        return False


@pytest.mark.browser
def test_plus_adds_a_neuron_and_a_layer_that_train(app_url, page):
    page.goto(f"{app_url}/?x={load_preset('tfp-default').to_url()}")
    wait_for_app(page)
    assert "2 hidden layers · 25 params" in parameters(page)
    assert drawn(page, ["4 neurons", "2 neurons"])
    click_key(page, "units_plus_1")
    assert "2 hidden layers · 30 params" in parameters(page)  # 2x5+5, 5x2+2, 2x1+1
    assert drawn(page, ["5 neurons", "2 neurons"])
    click_key(page, "layer_plus")
    assert "3 hidden layers · 36 params" in parameters(page)  # a layer like the last: 2 neurons, 2x2+2 more
    assert drawn(page, ["5 neurons", "2 neurons", "2 neurons"])
    trained_a_little(page, epochs=2)
    links = page.evaluate(f"() => {DRAWING}.data.find(t => t.name === 'weights').hovertext")
    assert any("Layer 1 n5 → Layer 2 n1" in text and "weight" in text for text in links)  # the trained model's own
    assert any("Layer 3 n2 → Output n1" in text for text in links)


@pytest.mark.browser
def test_the_activation_set_on_the_drawing_is_the_one_trained(app_url, page):
    page.goto(f"{app_url}/?x={load_preset('tfp-default').to_url()}")
    wait_for_app(page)
    page.locator("[class*='st-key-layer_popover_1_'] button").first.click()
    popover = page.locator("[data-testid='stPopoverBody']")
    choose(page, popover.get_by_label("Activation"), "ReLU")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.st-key-network_area [data-testid=stPopover] button')]"
        ".some(b => b.innerText.includes('ReLU'))"
    )
    page.keyboard.press("Escape")
    trained_a_little(page, epochs=5)
    # The first layer's four maps are its neurons' outputs over the plane: a ReLU never goes below 0
    # (and a trained one is not 0 everywhere), where the second layer, still tanh, does.
    ranges = page.evaluate(
        f"""() => {DRAWING}._fullData.slice(0, 6).map(t => {{
            const values = Array.from(t.z, row => Array.from(row)).flat();
            return [Math.min(...values), Math.max(...values)];
        }})"""
    )
    assert min(low for low, _ in ranges[:4]) >= 0 and max(high for _, high in ranges[:4]) > 0
    assert min(low for low, _ in ranges[4:]) < 0


@pytest.mark.browser
def test_a_hovered_link_shows_its_weight(app_url, page):
    page.goto(f"{app_url}/?x={load_preset('tfp-default').to_url()}")
    wait_for_app(page)
    trained_a_little(page)
    page.evaluate("() => window.scrollTo(0, 0)")
    x, y, expected = page.evaluate(
        f"""() => {{
        const div = {DRAWING}, layout = div._fullLayout, box = div.getBoundingClientRect();
        const trace = div.data.find(t => t.name === 'weights');
        return [box.left + layout.margin.l + layout.xaxis.l2p(trace.x[0]),
                box.top + layout.margin.t + layout.yaxis.l2p(trace.y[0]), trace.hovertext[0]];
    }}"""
    )
    page.mouse.move(x, y)
    label = page.locator(".st-key-network_drawing .hoverlayer .hovertext")
    label.wait_for(timeout=10_000)
    text = label.text_content() or ""
    assert "weight" in text and expected.split("<br>")[0].split()[-1] in text


@pytest.mark.browser
def test_five_quick_clicks_on_plus_add_five_neurons(app_url, page):
    """Clicks that come faster than the page redraws are each an edit: none is lost."""
    page.goto(f"{app_url}/?x={load_preset('tfp-default').to_url()}")
    wait_for_app(page)
    assert drawn(page, ["4 neurons", "2 neurons"])
    page.locator("[class*='st-key-units_plus_1_'] button").first.click()
    # Four more in one burst, while the first one's rerun runs: Streamlit folds them into one request.
    page.evaluate(
        "() => { const plus = document.querySelector(\"[class*='st-key-units_plus_1_'] button\");"
        " for (let i = 0; i < 4; i++) plus.click(); }"
    )
    assert drawn(page, ["9 neurons (8 drawn)", "2 neurons"]), parameters(page)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    assert "2 hidden layers · 50 params" in parameters(page)  # 2x9+9, 9x2+2, 2x1+1


@pytest.mark.browser
def test_three_quick_step_epoch_clicks_train_three_epochs(app_url, page):
    """Step epoch pressed faster than the page runs: each press is an epoch, none is folded away."""
    page.goto(f"{app_url}/?x={load_preset('tfp-default').to_url()}")
    wait_for_app(page)
    step = page.locator(".st-key-step_epoch button")
    expect(step).to_have_text("Step epoch")
    expect(step).to_be_enabled(timeout=60_000)  # the program is compiled
    step.click()
    # Two more in one burst, while the first one's run steps: Streamlit folds them into one request.
    page.evaluate(
        "() => { const button = document.querySelector('.st-key-step_epoch button'); button.click(); button.click(); }"
    )
    at_three = f"() => {{ const e = {STATUS}; return e && e.dataset.state === 'paused' && e.dataset.epoch === '3'; }}"
    page.wait_for_function(at_three, timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    page.wait_for_timeout(500)
    assert page.evaluate(at_three)


@pytest.mark.browser
def test_an_edit_is_drawn_before_the_page_runs_for_it(app_url, page):
    """+ layer: the drawing gets the edited network from a run of its fragment alone, before the
    run of the whole page that follows it changes the rest (the experiment's line at the top)."""
    page.goto(f"{app_url}/?x={load_preset('tfp-default').to_url()}")
    wait_for_app(page)
    assert drawn(page, ["4 neurons", "2 neurons"])
    # Each event in the order it happens: a figure given to any live chart is set on its element as
    # `__figureText` (playground/web/live/chart.py), a caption's change is seen by an observer.
    page.evaluate(
        """() => {
        window.__order = [];
        Object.defineProperty(HTMLElement.prototype, '__figureText', {
            configurable: true,
            get() { return this.___figureText; },
            set(text) {
                this.___figureText = text;
                if (text && this.closest('.st-key-network_drawing')) {
                    const layers = JSON.parse(text).layout.annotations.filter(a => /neuron/.test(a.text)).length;
                    window.__order.push('drawing ' + layers);
                }
            },
        });
        for (const element of document.querySelectorAll('*')) {  // charts drawn before: their own value hides the hook
            if (!Object.prototype.hasOwnProperty.call(element, '__figureText')) continue;
            const text = element.__figureText;
            delete element.__figureText;
            element.___figureText = text;
        }
        new MutationObserver(() => {
            const line = [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
                .map(e => e.innerText).find(t => t.includes('layer(s)'));
            if (line && line !== window.__line) { window.__line = line; window.__order.push(line); }
        }).observe(document.body, {subtree: true, childList: true, characterData: true});
    }"""
    )
    page.locator("[class*='st-key-layer_plus_'] button").first.click()
    page.wait_for_function("() => window.__order.some(e => e.includes('3 layer(s)'))")
    order = page.evaluate("() => window.__order")
    assert "drawing 3" in order, order
    assert order.index("drawing 3") < next(i for i, e in enumerate(order) if "3 layer(s)" in e), order


@pytest.mark.browser
@pytest.mark.parametrize("when", ["at once", "once the edit is drawn"])
def test_a_single_train_click_during_a_rerun_starts_training(app_url, page, when):
    """Train pressed once, straight after an edit (or as soon as the drawing shows it), while the
    page still runs for it: the click is not lost, and the network trained is the edited one."""
    page.goto(f"{app_url}/?x={load_preset('tfp-default').to_url()}")
    wait_for_app(page)
    expect(button(page, "Train")).to_be_enabled(timeout=60_000)
    page.locator("[class*='st-key-units_plus_1_'] button").first.click()
    if when == "once the edit is drawn":
        page.wait_for_function(
            f"() => {{ const d = {DRAWING}; return d && d._fullLayout && d._fullLayout.annotations"
            ".some(a => a.text === '5 neurons'); }",
            polling=10,
        )
    button(page, "Train").click()  # no wait: the edit's runs are under way
    page.wait_for_function(f"() => {{ const e = {STATUS}; return e && e.dataset.state !== 'ready'; }}", timeout=30_000)
    # On a loaded machine the edited network's program may still be compiling: the click was taken.
    first_epoch = f"() => {{ const e = {STATUS}; return e && Number(e.dataset.epoch) >= 1; }}"
    page.wait_for_function(first_epoch, timeout=120_000)
    assert "2 hidden layers · 30 params" in parameters(page)
    assert drawn(page, ["5 neurons", "2 neurons"])


@pytest.mark.browser
def test_another_optimizer_then_train_at_once_trains_with_it(app_url, page):
    """Another optimizer picked in the sidebar, then Train pressed straight away, while the page
    still follows the change: the click is not lost, and the run is the new optimizer's."""
    page.goto(f"{app_url}/?x={load_preset('tfp-default').to_url()}")
    wait_for_app(page)
    expect(button(page, "Train")).to_be_enabled(timeout=60_000)
    choose(page, page.locator("[data-testid='stSidebar']").get_by_role("combobox", name="Optimizer"), "Adam")
    button(page, "Train").click()  # no wait: the change's runs are under way
    first_epoch = f"() => {{ const e = {STATUS}; return e && Number(e.dataset.epoch) >= 1; }}"
    page.wait_for_function(first_epoch, timeout=120_000)  # Adam's program may compile first
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    assert spec_from_url(parse_qs(urlparse(page.url).query)["x"][0]).training.optimizer == "adam"
