"""AppTest: every Learn page renders, and its controls change what it shows."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[1] / "playground/web/app_pages"
LEARN_PAGES = [
    "learn_neuron",
    "learn_activations",
    "learn_softmax",
    "learn_gradient_descent",
    "learn_minibatch",
    "learn_backprop",
    "learn_landscape",
]


def page(name: str) -> AppTest:
    return AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=120)


def no_problems(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def figure(app: AppTest, key: str) -> dict:
    import json

    charts = [
        c
        for c in app.get("plotly_chart")
        if json.loads(c.proto.spec).get("layout") is not None and c.proto.id and key in c.proto.id
    ]
    assert charts, f"no chart with key {key}"
    return json.loads(charts[0].proto.spec)


@pytest.mark.parametrize("name", LEARN_PAGES)
def test_every_learn_page_renders_with_its_formula(name):
    app = page(name).run()
    no_problems(app)
    assert app.title[0].value
    assert app.latex, "every page shows its formula"
    assert app.get("plotly_chart") or name == "learn_landscape"  # the landscape waits for its button


def test_neuron_output_follows_the_sliders():
    app = page("learn_neuron").run()
    before = figure(app, "neuron_heatmap")["data"][0]["z"]
    app.slider(key="neuron_bias").set_value(3.0).run()
    no_problems(app)
    assert figure(app, "neuron_heatmap")["data"][0]["z"] != before


def test_activation_page_marks_sigmoid_saturated_and_relu_not():
    app = page("learn_activations").run()
    app.radio(key="activation_choice").set_value("sigmoid").run()
    assert any("Saturated" in m.value for m in app.markdown)
    assert any("2.50e-01" in m.value or "9.54e-07" in m.value for m in app.metric)
    app.radio(key="activation_choice").set_value("relu").run()
    no_problems(app)
    assert [m.value for m in app.metric] == ["1.00e+00"]


def test_softmax_page_shows_the_naive_form_failing_on_large_logits():
    app = page("learn_softmax").run()
    assert not app.error and any("Finite at this scale" in s.value for s in app.success)
    app.select_slider(key="softmax_scale").set_value(1000).run()
    assert not app.exception
    assert any("NaN" in e.value for e in app.error)
    assert any("sums to 1.000000" in s.value for s in app.success)


def test_gradient_descent_page_reports_each_optimizer():
    app = page("learn_gradient_descent").run()
    no_problems(app)
    text = " ".join(m.value for m in app.markdown)
    assert "SGD" in text and "Adam" in text and "good" in text
    app.select_slider(key="descent_rate_bowl").set_value(1.2).run()
    no_problems(app)
    assert "diverging" in " ".join(m.value for m in app.markdown)


def test_minibatch_page_compares_three_batch_sizes():
    app = page("learn_minibatch").run()
    no_problems(app)
    curves = figure(app, "minibatch_curves")
    assert [t["name"] for t in curves["data"]] == ["batch 1", "batch 10", "full batch"]
    spreads = [float(m.value) for m in app.metric]
    assert spreads == sorted(spreads, reverse=True)


def test_backprop_page_matches_tensorflow_and_applies_the_update():
    app = page("learn_backprop").run()
    no_problems(app)
    assert any("All 9 gradients match" in s.value for s in app.success)
    before = app.session_state["bp_w11"]
    app.session_state["bp_stage"] = "4. Update"
    app.run()
    app.button(key="bp_apply").click().run()
    no_problems(app)
    assert app.session_state["bp_w11"] != before
    assert app.session_state["bp_steps_taken"] == 1
    assert any("All 9 gradients match" in s.value for s in app.success)
    app.button(key="bp_reset").click().run()
    no_problems(app)
    assert app.session_state["bp_w11"] == before and app.session_state["bp_steps_taken"] == 0


def test_landscape_page_maps_the_current_experiment():
    app = page("learn_landscape").run()
    no_problems(app)
    app.select_slider(key="landscape_resolution").set_value(11).run()
    app.number_input(key="landscape_epochs").set_value(20).run()
    app.button(key="landscape_run").click().run()
    no_problems(app)
    contour = figure(app, "landscape_contour")
    assert len(contour["data"][0]["z"]) == 11
