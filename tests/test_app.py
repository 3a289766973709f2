"""AppTest: the playground page renders every preset without an exception, and trains."""

import dataclasses
import json
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.presets import PRESETS
from playground.spec import ExperimentSpec, LayerSpec, NetworkSpec
from playground.web.widgets.layer_editor import CARDS_KEY
from playground.web.widgets.safe_text import plain
from playground.web.widgets.share_export import SHARE_KEY
from tests.app_tree import click, components, details_shown, elements, follow, press, status_event

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "playground/web/app_pages" / "playground.py")


def page_with(spec=None, cards: bool = False):
    """The playground page, on `spec` if given; `cards`: with the layer cards open (drawn only then)."""
    app = AppTest.from_file(PAGE, default_timeout=120)
    if cards:
        app.session_state[CARDS_KEY] = True
    if spec is not None:
        app.session_state["spec"] = spec
        app.session_state["generation"] = 0
    return app


def trained_page(preset: str = "tfp-default", epochs: int | None = None):
    """The page after Train, with the run finished and drawn: (app, trainer)."""
    spec = PRESETS[preset].spec
    if epochs is not None:
        spec = spec.replace(training=dataclasses.replace(spec.training, epochs=epochs))
    app = page_with(spec).run()
    app.button(key="train").click().run()
    trainer = app.session_state["slot"].trainer
    trainer.wait(("finished",), 120)
    app.run()
    assert not app.exception
    return app, trainer


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_renders(name):
    app = page_with(PRESETS[name].spec).run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    assert any(plain(PRESETS[name].spec.title) in c.value for c in app.caption)  # shown as text, escaped for Markdown
    app.session_state["slot"].close()


def test_train_button_trains_and_shows_metrics(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_COMPILE_AHEAD", "1")  # as users get it: compiled while they look at the page
    app = page_with().run()
    app.session_state["slot"].trainer.wait_until_ready(60)
    app.button(key="train").click().run()
    trainer = app.session_state["slot"].trainer
    assert trainer.history, "the page drawn right after Train already has the first epoch"
    assert status_of(app)["train_loss"] is not None and status_of(app)["state"] == "running"
    trainer.wait(("finished",), 120)
    app.run()
    assert not app.exception
    status = status_of(app)
    assert status["state"] == "finished" and status["test_accuracy"] >= 0.9 and status["epoch"] == trainer.epochs
    app.session_state["slot"].close()


def test_invalid_stack_disables_train_and_says_why():
    from playground.spec import ExperimentSpec, LayerSpec, NetworkSpec

    spec = ExperimentSpec(
        network=NetworkSpec(
            layers=(LayerSpec("Conv2D", filters=4, kernel_size=3, strides=1, padding="valid", activation="relu"),)
        )
    )
    app = page_with(spec).run()
    assert not app.exception
    assert app.button(key="train").disabled
    assert any("needs image input" in e.value for e in app.error)
    assert any("Train is off" in w.value and "needs image input" in w.value for w in app.warning)


def test_bad_link_shows_a_message_and_the_default():
    app = AppTest.from_file(PAGE, default_timeout=120)
    app.query_params["x"] = "garbage"
    app.run()
    assert not app.exception
    assert any("does not hold a readable experiment" in w.value for w in app.warning)
    app.run()  # the page's own reruns (the live status asks for them) keep the message
    assert any("does not hold a readable experiment" in w.value for w in app.warning)
    app.session_state["slot"].close()


def test_bad_link_message_goes_when_another_experiment_is_loaded():
    app = AppTest.from_file(PAGE, default_timeout=120)
    app.query_params["x"] = "garbage"
    app.run()
    next(b for b in app.button if b.label == "Load preset").click().run()
    assert not any("does not hold a readable experiment" in w.value for w in app.warning)
    app.session_state["slot"].close()


def test_presets_page_lists_every_preset():
    app = AppTest.from_file(str(ROOT / "playground/web/app_pages" / "presets.py"), default_timeout=60).run()
    assert not app.exception
    keys = {b.key for b in app.button}
    assert {f"open_{name}" for name in PRESETS} <= keys


def test_presenter_mode_from_the_link_hides_the_builder():
    app = AppTest.from_file(PAGE, default_timeout=120)
    app.query_params["present"] = "1"
    app.run()
    assert not app.exception
    assert app.session_state["present"] is True
    assert not [e for e in app.expander if e.label.startswith("Network")]
    app.session_state["slot"].close()


def test_lowering_the_learning_rate_after_divergence():
    from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec, TrainingSpec

    spec = ExperimentSpec(
        dataset=DatasetSpec("reg-plane"),
        network=NetworkSpec(layers=(LayerSpec("Dense", units=8, activation="relu"),) * 3),
        training=TrainingSpec(learning_rate=10.0, epochs=50),
    )
    app = page_with(spec).run()
    app.button(key="train").click().run()
    app.session_state["slot"].trainer.wait(("diverged",), 60)
    app.run()
    message = next(e.value for e in app.error if "too high" in e.value)
    suggested = float(re.search(r"try ([0-9.e\\-]+) or lower", message).group(1).replace("\\", ""))  # as markdown
    app.button(key="lower_rate").click().run()
    assert app.session_state["spec"].training.learning_rate == suggested < 10.0  # the button does what the message says
    app.session_state["slot"].close()


def test_a_layer_edit_is_checked_in_the_same_run():
    from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec

    spec = ExperimentSpec(
        dataset=DatasetSpec("digits"),
        network=NetworkSpec(
            features=(),
            layers=(
                LayerSpec("Conv2D", filters=4, kernel_size=3, strides=1, padding="valid", activation="relu"),
                LayerSpec("Flatten"),
            ),
        ),
    )
    app = page_with(spec, cards=True).run()
    assert not app.exception and not app.error
    app.number_input(key="layer1_kernel_size_0").set_value(9).run()
    assert any("9x9 window but its input is only 8x8" in e.value for e in app.error)
    assert app.button(key="train").disabled
    app.number_input(key="layer1_kernel_size_0").set_value(5).run()
    assert not app.error
    assert not app.button(key="train").disabled
    app.session_state["slot"].close()


def command_in_a_fragment_script():
    """A page with a fragment made by `page_fragment`, which applies a waiting command from its
    second run on (its first run plays a run of the fragment alone, where the page does not apply it)."""
    import streamlit as st

    from playground.web.widgets.controls import COMMAND_KEY, page_fragment

    st.session_state.runs = st.session_state.get("runs", 0) + 1
    if st.session_state.runs > 1:
        st.session_state.applied = st.session_state.pop(COMMAND_KEY, None)
    page_fragment(lambda: st.write("the fragment's views"), None)


def test_a_command_that_reaches_a_fragment_runs_the_whole_page():
    """Streamlit's browser side can send a click on Train as a run of a fragment beside it: the
    command its callback recorded is applied by a run of the whole page, at once."""
    from playground.web.widgets.controls import COMMAND_KEY

    app = AppTest.from_function(command_in_a_fragment_script, default_timeout=30)
    app.session_state[COMMAND_KEY] = ["start"]
    app.run()
    assert app.session_state.runs == 2 and app.session_state.applied == ["start"]
    assert [m.value for m in app.markdown] == ["the fragment's views"] and not app.exception


def test_train_pressed_with_an_edit_trains_the_edited_network():
    # The click and the changed unit count reach the server in one run: Train must start the
    # network as edited, not the one the edit replaces (the button only records the command).
    app = page_with(cards=True).run()
    first = app.session_state["slot"].trainer
    app.number_input(key="layer1_units_0").set_value(6)
    app.button(key="train").click().run()
    trainer = app.session_state["slot"].trainer
    assert trainer is not first
    assert trainer.spec.network.layers[0].units == 6
    assert trainer.state in ("running", "finished")
    app.session_state["slot"].close()


def test_train_runs_the_buttons_fragment_alone_then_the_page_follows(monkeypatch):
    """A click on Train runs the fragment of the buttons and the status row alone: the trainer
    starts, and they are drawn for it at once, with a row that asks for nothing. The server then has
    the whole page run, once the first epoch is in, which draws the rest for the training."""
    from playground.web.widgets import controls
    from playground.web.widgets.controls import RUN_FRAGMENT

    followed = []
    follow = controls.follow_command

    def seen_follow(trainer):
        followed.append((trainer.state, status_of(app), [n for n in app.number_input if n.key.startswith("layer")]))
        follow(trainer)

    monkeypatch.setenv("PLAYGROUND_COMPILE_AHEAD", "1")  # compiled before Train: its first epoch comes at once
    monkeypatch.setattr(controls, "follow_command", seen_follow)  # before the page's run binds the name
    app = page_with(cards=True).run()
    trainer = app.session_state["slot"].trainer
    assert trainer.wait_until_ready(120)
    click(app, "train", fragment=RUN_FRAGMENT)
    ((state_then, _, _),) = followed  # one follow, from the fragment's run
    assert state_then in ("running", "finished") and app.session_state["slot"].trainer is trainer
    assert trainer.points > 0  # the page's run came once the first epoch was in
    assert app.button(key="train").disabled or trainer.state == "finished"
    assert status_of(app)["state"] in ("running", "finished") and status_of(app)["points"] > 0
    assert app.number_input(key="layer1_units_0").value == 4  # the whole page ran after the fragment
    ((_, row),) = components(app, "playground_live_status")
    assert row["follows"] is False  # the page's own row asks again when the state changes
    assert not app.exception and not app.error
    trainer.stop()
    trainer.wait()
    app.session_state["slot"].close()


def test_the_row_a_command_draws_first_does_not_ask_for_the_page(monkeypatch):
    """The fragment's row says `follows`: the server has the page follow, so the row's own ask
    (on the first epoch's frame) would be a second run. Without the stream the page follows too."""
    from playground.web.live.status import UNAVAILABLE_KEY
    from playground.web.widgets import controls
    from playground.web.widgets.controls import RUN_FRAGMENT

    rows = []

    def seen_follow(trainer):
        rows.append(components(app, "playground_live_status"))

    monkeypatch.setattr(controls, "follow_command", seen_follow)
    for streaming in (True, False):
        app = page_with().run()
        app.session_state[UNAVAILABLE_KEY] = not streaming
        app.run()
        click(app, "train", fragment=RUN_FRAGMENT)
        ((_, row),) = rows.pop()
        assert row["follows"] is True and (row["stream"] is not None) == streaming
        app.session_state["slot"].trainer.stop()
        app.session_state["slot"].trainer.wait()
        app.session_state["slot"].close()


def test_a_click_after_an_experiment_changed_unseen_is_carried_out_by_the_page():
    """When the experiment changed since the page's run without its trainer being built (a callback
    that edits it), the buttons' fragment leaves the command to a run of the whole page, which trains
    the experiment as it now stands."""
    from playground.web.widgets.controls import RUN_FRAGMENT

    app = page_with(cards=True).run()
    layers = (LayerSpec("Dense", units=6, activation="tanh"), LayerSpec("Dense", units=2, activation="tanh"))
    app.session_state["spec"] = ExperimentSpec(network=NetworkSpec(layers=layers))
    app.session_state["generation"] += 1
    click(app, "train", fragment=RUN_FRAGMENT)
    trainer = app.session_state["slot"].trainer
    assert trainer.spec.network.layers[0].units == 6 and trainer.state in ("running", "finished")
    assert [n for n in app.number_input if n.key.startswith("layer")]  # the whole page ran
    app.session_state["slot"].close()


def test_status_says_loading_until_the_program_is_compiled(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_COMPILE_AHEAD", "1")
    # A network of its own (outside the envelope, whose program may be compiled already): a compile.
    layers = (LayerSpec("Dense", units=11, activation="tanh"), LayerSpec("Dense", units=3, activation="tanh"))
    spec = ExperimentSpec(network=NetworkSpec(layers=layers))
    app = page_with(spec).run()
    trainer = app.session_state["slot"].trainer
    assert (
        status_of(app)["compiled"] == trainer.is_ready
    )  # the compile takes seconds: nearly always "loading" (not compiled)
    assert trainer.wait_until_ready(60)
    app.run()
    assert status_of(app)["compiled"] and status_of(app)["state"] == "ready"
    app.session_state["slot"].close()


def decoded(values):
    """Plotly sends numeric arrays as base64 ("bdata"); back to numbers."""
    import base64

    import numpy as np

    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return values


def status_of(app) -> dict:
    """The status row's values, as the page hands them to its live status component."""
    ((_, data),) = components(app, "playground_live_status")
    return data["status"]


def live_charts(app) -> dict:
    """The live charts on the page: their key → (figure, plotly.js address)."""
    import plotly.io

    return {
        key.removesuffix("_plot"): (plotly.io.from_json(data["figure"]), data["src"])
        for key, data in components(app, "playground_live_chart")
    }


def test_live_views_are_charts_updated_in_place():
    import plotly

    from playground.web.live.chart import PLOTLY_FILE
    from playground.web.static_files import STATIC_DIR

    app, _ = trained_page(epochs=8)
    charts = live_charts(app)
    assert {"loss_chart", "boundary", "histograms", "network_drawing", "preview"} <= set(charts)
    loss, src = charts["loss_chart"]
    assert max(decoded(loss.data[0].x)) == 8  # every epoch drawn
    assert loss.layout.uirevision  # Plotly.react keeps the user's zoom across updates
    assert loss.layout.template.layout.font.family.startswith('"Source Sans"')  # looks like Streamlit's charts
    # plotly.js comes from the installed plotly package, served by Streamlit from static/: no download
    assert src == f"/app/static/{PLOTLY_FILE}"
    served = STATIC_DIR / PLOTLY_FILE
    assert served.read_bytes() == (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    assert not app.get("plotly_chart") or all("preview" not in c.proto.id for c in app.get("plotly_chart"))
    app.session_state["slot"].close()


def test_live_views_fall_back_to_streamlit_charts_without_static_serving():
    from streamlit import config

    config.set_option("server.enableStaticServing", False)
    try:
        app = page_with().run()
        app.button(key="train").click().run()
        app.session_state["slot"].trainer.wait(("finished",), 120)
        app.run()
        assert not app.exception
        assert not live_charts(app)
        assert any("loss_chart" in c.proto.id for c in app.get("plotly_chart"))
    finally:
        config.set_option("server.enableStaticServing", True)
        app.session_state["slot"].close()


def test_streamlit_no_longer_clears_keras_after_each_run():
    # Streamlit calls keras.backend.clear_session() after every script run, under the trainers
    # running in the background; the app turns that off (playground/web/widgets/keras_state.py).
    from keras.src.backend.common import global_state

    global_state.set_global_attribute("playground_probe", "kept")
    app = page_with().run()
    app.run()
    assert not app.exception
    assert global_state.get_global_attribute("playground_probe") == "kept"
    app.session_state["slot"].close()


def test_step_batch_and_step_epoch_buttons_show_the_position():
    app = page_with().run()
    press(app, "step_batch")
    assert (status_of(app)["epoch"], status_of(app)["batch"]) == (0, 1)
    press(app, "step_epoch")  # to the end of that epoch
    status = status_of(app)
    assert (status["epoch"], status["batch"], status["state"]) == (1, 0, "paused")
    assert app.session_state["slot"].trainer.position == (1, 0)
    app.session_state["slot"].close()


def test_the_histograms_epoch_follows_new_epochs_unless_an_older_one_is_chosen():
    app = page_with().run()
    trainer = app.session_state["slot"].trainer
    for _ in range(2):
        press(app, "step_epoch")
        trainer.wait(("paused",), 60)
    app.run()
    assert app.select_slider(key="histogram_epoch").value == 2
    press(app, "step_epoch")
    app.run()  # the step's snapshot came after the press's run
    assert app.select_slider(key="histogram_epoch").value == 3  # at the newest, it moves on with it
    app.select_slider(key="histogram_epoch").set_value(1).run()
    press(app, "step_epoch")
    app.run()
    assert app.select_slider(key="histogram_epoch").value == 1  # an older one chosen stays
    assert not app.exception
    app.session_state["slot"].close()


def test_quick_steps_folded_into_one_run_each_take_their_step():
    # Clicks that reach the server while the page runs come in one request: three presses of Step
    # epoch are three epochs, two of Step batch two batches (a button's folded clicks were one).
    app = page_with().run()
    press(app, "step_batch", times=2)
    assert (status_of(app)["epoch"], status_of(app)["batch"]) == (0, 2)
    press(app, "step_epoch", times=3)  # the rest of this epoch, then two more
    assert (status_of(app)["epoch"], status_of(app)["batch"], status_of(app)["state"]) == (3, 0, "paused")
    assert len(app.session_state["slot"].trainer.history) == 3
    app.session_state["slot"].close()


def test_plotly_script_is_copied_once_and_a_read_only_install_falls_back(tmp_path, monkeypatch):
    import plotly

    from playground.web import static_files
    from playground.web.live import chart as live_chart

    monkeypatch.setattr(static_files, "STATIC_DIR", tmp_path / "static")
    live_chart.plotly_script_served.cache_clear()
    try:
        assert live_chart.plotly_script_served()
        copied = tmp_path / "static" / live_chart.PLOTLY_FILE
        assert copied.read_bytes() == (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
        assert [p.name for p in copied.parent.iterdir()] == [live_chart.PLOTLY_FILE]  # no partial file left behind
        live_chart.plotly_script_served.cache_clear()
        monkeypatch.setattr(static_files, "STATIC_DIR", Path("/proc/no-such-dir/static"))  # cannot be created
        assert not live_chart.plotly_script_served()  # the page then uses st.plotly_chart
    finally:
        live_chart.plotly_script_served.cache_clear()


def test_live_components_load_their_script_once_from_the_static_files():
    """A page run sends each live chart and the status row with a one-line loader, not their
    script (about 35 kB each): the browser fetches that once, from the static files."""
    from playground.web.static_files import LOADER, STATIC_DIR

    app, _ = trained_page(epochs=3)
    live = [
        e
        for e in elements(app)
        if getattr(e, "type", "") == "bidi_component"
        and e.proto.component_name in ("playground_live_chart", "playground_live_status")
    ]
    assert len(live) >= 5
    for element in live:
        assert element.proto.js_content == LOADER
        module = json.loads(element.proto.json)["module"]
        assert module.startswith(f"/app/static/{element.proto.component_name}-") and module.endswith(".js")
        script = (STATIC_DIR / module.rsplit("/", 1)[-1]).read_text()
        assert "export default function" in script and "function planeViews" in script
        assert len(element.proto.SerializeToString()) - len(element.proto.json) < 2000  # the loader, names, CSS
    app.session_state["slot"].close()


def picker(app):
    return next(m for m in app.multiselect if m.label.startswith("Test samples to watch"))


def test_chosen_digits_get_their_softmax_bars():
    app, trainer = trained_page("digits-softmax", epochs=2)
    _, snapshot = trainer.snapshots.latest()
    assert sorted(picker(app).value) == sorted(int(i) for i in snapshot.probe_indices)  # eight at random to start with
    picker(app).set_value([5, 0]).run()
    assert not app.exception
    figure, _ = live_charts(app)["softmax"]
    bars = [trace for trace in figure.data if trace.type == "bar"]
    assert len(bars) == 2
    assert [list(decoded(b.y)) for b in bars] == [
        list(p) for p in trainer.snapshots.latest()[1].test_outputs[[5, 0]].astype(float)
    ]
    labels = trainer.data.dataset.y_test
    assert [a.text for a in figure.layout.annotations][:2] == [f"true: {labels[5]}", f"true: {labels[0]}"]
    picker(app).set_value([]).run()
    assert "softmax" not in live_charts(app) and any("Pick test samples" in c.value for c in app.caption)
    app.session_state["slot"].close()


def test_chosen_digits_stay_chosen_through_presenter_mode():
    """Presenter mode hides the picker and the log-scale toggle (Streamlit then drops their widget
    state); the glance row keeps the chosen samples, the loss its scale, and both controls come back as left."""
    app, trainer = trained_page("digits-softmax", epochs=2)
    picker(app).set_value([5, 0, 9]).run()
    app.toggle(key="log_scale").set_value(True).run()
    app.toggle(key="present").set_value(True).run()
    app.run()  # a second run while presenting: Streamlit has forgotten the values of widgets it did not draw
    assert not app.exception and not [m for m in app.multiselect if m.label.startswith("Test samples to watch")]
    figure, _ = live_charts(app)["softmax"]
    labels = trainer.data.dataset.y_test
    assert [a.text for a in figure.layout.annotations][:3] == [f"true: {labels[i]}" for i in (5, 0, 9)]
    loss, _ = live_charts(app)["loss_chart"]
    assert loss.layout.yaxis.type == "log"
    app.toggle(key="present").set_value(False).run()
    assert picker(app).value == [5, 0, 9] and app.toggle(key="log_scale").value is True
    app.session_state["slot"].close()


def test_chosen_points_are_numbered_on_the_plane_with_their_bars():
    app, trainer = trained_page(epochs=3)
    picker(app).set_value([7, 2, 11]).run()
    assert not app.exception
    boundary, _ = live_charts(app)["boundary"]
    ring = next(trace for trace in boundary.data if trace.name == "watched")
    x_test = trainer.data.dataset.x_test
    assert list(zip(decoded(ring.x), decoded(ring.y))) == [tuple(x_test[i]) for i in (7, 2, 11)] and list(
        ring.text
    ) == ["1", "2", "3"]
    bars, _ = live_charts(app)["softmax2d"]
    assert [a.text.split(" · ")[0] for a in bars.layout.annotations] == ["1", "2", "3"]
    app.session_state["slot"].close()


def test_status_carries_the_training_time():
    app = page_with().run()
    assert status_of(app)["points"] == 0 and status_of(app)["elapsed"] == 0  # nothing trained yet
    app.button(key="train").click().run()
    trainer = app.session_state["slot"].trainer
    trainer.wait(("finished",), 120)
    app.run()
    status = status_of(app)
    assert status["state"] == "finished" and status["elapsed"] == round(trainer.elapsed, 3) > 0
    app.session_state["slot"].close()


def test_the_status_and_live_charts_follow_a_stream_of_this_sessions_trainer():
    from playground.web.live.streams import LIVE_STREAMS

    app, trainer = trained_page(epochs=3)
    ((_, status),) = components(app, "playground_live_status")
    token = status["stream"].rsplit("/", 1)[-1]
    assert status["stream"] == f"/api/live/{token}" and LIVE_STREAMS.trainer_for(token) is trainer
    charts = dict(components(app, "playground_live_chart"))
    streamed = ("loss_chart_plot", "boundary_plot", "network_drawing_plot")
    assert {key: charts[key]["view"] for key in streamed} == {
        "loss_chart_plot": "loss",
        "boundary_plot": "boundary",
        "network_drawing_plot": "network",  # the hidden neurons' maps inside the drawing
    }
    assert {charts[key]["stream"] for key in streamed} == {status["stream"]}
    assert charts["loss_chart_plot"]["points"] == 3  # the rows the page drew; the stream sends only later ones
    assert charts["histograms_plot"]["stream"] is None  # redrawn by the slower fragment
    other = page_with().run()  # another session: another trainer, another token
    ((_, other_status),) = components(other, "playground_live_status")
    assert other_status["stream"] != status["stream"]
    assert LIVE_STREAMS.trainer_for(other_status["stream"].rsplit("/", 1)[-1]) is other.session_state["slot"].trainer
    app.session_state["slot"].close()
    other.session_state["slot"].close()
    assert LIVE_STREAMS.trainer_for(token) is None  # a closed trainer's stream is refused


def test_without_the_stream_the_page_refreshes_on_a_timer_and_says_so():
    from playground.web.live.status import UNAVAILABLE_KEY

    app = page_with().run()
    assert not any("live stream could not connect" in c.value for c in app.caption)
    ((_, status),) = components(app, "playground_live_status")
    status_event(app, "unavailable", "/api/live/an-earlier-sessions-token")  # a row another session drew
    assert UNAVAILABLE_KEY not in app.session_state
    status_event(app, "unavailable", status["stream"])  # what the row reports when its socket cannot open
    assert app.session_state[UNAVAILABLE_KEY]
    assert not app.exception
    assert any("live stream could not connect" in c.value for c in app.caption)
    ((_, status),) = components(app, "playground_live_status")
    assert status["stream"] is None and all(
        data["stream"] is None for _, data in components(app, "playground_live_chart")
    )
    assert status["retry"] is not None  # the stream the browser keeps trying meanwhile
    app.button(key="train").click().run()
    trainer = app.session_state["slot"].trainer
    trainer.wait(("finished",), 120)
    app.run()
    assert status_of(app)["state"] == "finished"  # the page still trains and shows the end
    status_event(app, "available", True)  # a frame of the stream tried again came: back to the stream
    assert not app.exception and UNAVAILABLE_KEY not in app.session_state
    assert not any("live stream could not connect" in c.value for c in app.caption)
    ((_, status),) = components(app, "playground_live_status")
    assert status["stream"] is not None and status["retry"] is None
    app.session_state["slot"].close()


def test_the_default_speed_is_the_watch_pace():
    from playground.engine.trainer import WATCH_EPOCHS_PER_SECOND
    from playground.web.widgets.controls import WATCH

    app = page_with().run()
    assert app.select_slider(key="speed").value == WATCH and str(WATCH_EPOCHS_PER_SECOND) in WATCH
    assert app.session_state["slot"].trainer.epochs_per_second == WATCH_EPOCHS_PER_SECOND
    app.select_slider(key="speed").set_value("fastest").run()
    assert app.session_state["slot"].trainer.epochs_per_second is None
    app.session_state["slot"].close()


def sortable_of(app) -> tuple[str, list[str]]:
    """The drag-to-reorder component's id and items."""
    import json

    (element,) = [e for e in elements(app) if getattr(e, "type", "") == "component_instance"]
    return element.proto.id, json.loads(element.proto.json_args)["items"][0]["items"]


def test_a_drawing_edit_keeps_every_other_control():
    """The edit is made before the page runs: the layer cards show it, and a control changed just
    before (the batch size) keeps its value (no new widget generation redraws them all)."""
    app = page_with(cards=True).run()
    generation = app.session_state["generation"]
    follow(app.number_input(key=f"batch_size_{generation}").set_value(32).run())  # drawn first, then the page
    sortable = sortable_of(app)
    press(app, f"units_plus_1_{generation}")
    # The drag-to-reorder component shows the new stack: a new key, since it keeps the items it got first.
    assert sortable_of(app)[0] != sortable[0] and sortable_of(app)[1] == ["1. Dense 5 tanh", "2. Dense 2 tanh"]
    assert app.session_state["generation"] == generation
    assert app.session_state["spec"].network.layers[0].units == 5
    assert app.session_state["spec"].training.batch_size == 32
    assert app.number_input(key=f"batch_size_{generation}").value == 32
    assert app.number_input(key=f"layer1_units_{generation}").value == 5  # the card shows the edit
    follow(app.selectbox(key=f"drawn_activation_1_{generation}").set_value("relu").run())
    assert app.session_state["spec"].network.layers[0].activation == "relu"
    assert app.selectbox(key=f"layer1_activation_{generation}").value == "relu"
    assert not app.exception and not app.error
    app.session_state["slot"].close()


def test_a_drawing_edit_is_drawn_by_the_drawings_fragment_alone_then_the_page_follows():
    """+ on the drawing runs the drawing's fragment alone: it draws the edited network and builds
    its trainer at once, and ends with the marker that asks for the whole page; that run then
    draws the rest (here the layer cards) for the edited network, with no marker."""
    app = page_with(cards=True).run()
    generation = app.session_state["generation"]
    first_trainer = app.session_state["slot"].trainer
    press(app, f"units_plus_1_{generation}", follow_page=False)
    assert "**2 hidden layers** · 30 params" in [m.value for m in app.markdown]  # 2x5+5, 5x2+2, 2x1+1
    assert [key for key, _ in components(app, "playground_page_follows")] == ["drawing_edit_follows"]
    assert not [n for n in app.number_input if n.key.startswith("layer")]  # the cards were not run
    trainer = app.session_state["slot"].trainer
    assert trainer is not first_trainer and trainer.spec.network.layers[0].units == 5
    follow(app)
    assert app.number_input(key=f"layer1_units_{generation}").value == 5
    assert not list(components(app, "playground_page_follows"))
    assert app.session_state["slot"].trainer is trainer  # the page trains the trainer the fragment built
    assert not app.exception and not app.error
    app.session_state["slot"].close()


def test_an_input_feature_is_drawn_first_as_an_edit_on_the_drawing_is():
    """A feature pill's change runs the drawing's fragment alone first (the new input drawn, its
    trainer built), then the page follows with the pills as picked."""
    app = page_with().run()
    generation = app.session_state["generation"]
    app.button_group(key=f"features_{generation}").set_value(["x1", "x2", "x1^2"]).run()
    assert "**2 hidden layers** · 29 params" in [m.value for m in app.markdown]  # 3x4+4, 4x2+2, 2x1+1
    assert [key for key, _ in components(app, "playground_page_follows")] == ["drawing_edit_follows"]
    assert app.session_state["slot"].trainer.spec.network.features == ("x1", "x2", "x1^2")
    follow(app)
    assert app.button_group(key=f"features_{generation}").value == ["x1", "x2", "x1^2"]
    assert app.session_state["spec"].network.features == ("x1", "x2", "x1^2")
    assert not list(components(app, "playground_page_follows"))
    assert not app.exception and not app.error
    app.session_state["slot"].close()


def test_another_plane_dataset_is_drawn_first_as_an_edit_on_the_drawing_is():
    """Circle → Exclusive or runs the drawing's fragment alone first (the new data's trainer built
    and drawn), then the page follows with the data's preview and the same trainer; images instead
    run the whole page at once."""
    app = page_with().run()
    generation = app.session_state["generation"]
    app.selectbox(key=f"dataset_{generation}").set_value("xor").run()
    assert [key for key, _ in components(app, "playground_page_follows")] == ["drawing_edit_follows"]
    trainer = app.session_state["slot"].trainer
    assert trainer.spec.dataset.name == "xor" and trainer.spec.network == app.session_state["spec"].network
    follow(app)
    assert not list(components(app, "playground_page_follows"))
    assert "**Data** · Exclusive or" in [m.value for m in app.markdown]
    assert app.session_state["slot"].trainer is trainer  # the page found the data as the fragment set it
    assert not app.exception and not app.error
    app.selectbox(key=f"dataset_{generation}").set_value("digits").run()
    assert not list(components(app, "playground_page_follows"))
    assert app.session_state["spec"].dataset.name == "digits"  # drawn by a run of the whole page
    assert not app.exception
    app.session_state["slot"].close()


def test_a_plane_datasets_settings_are_drawn_first_as_another_dataset_is():
    """Noise, the training share and the seed of 2-D data run the drawing's fragment alone first
    (the new data's trainer built), then the page follows and keeps that trainer."""
    app = page_with().run()
    generation = app.session_state["generation"]
    for control, key, value, read in (
        (app.slider, "noise", 20.0, lambda data: data.noise),
        (app.slider, "ratio", 70, lambda data: round(data.train_ratio * 100)),
        (app.number_input, "data_seed", 7, lambda data: data.seed),
    ):
        control(key=f"{key}_{generation}").set_value(value).run()
        assert [key for key, _ in components(app, "playground_page_follows")] == ["drawing_edit_follows"], key
        trainer = app.session_state["slot"].trainer
        assert read(trainer.spec.dataset) == value, key
        follow(app)
        assert not list(components(app, "playground_page_follows"))
        assert app.session_state["slot"].trainer is trainer, key  # the page read the data as the fragment set it
        assert not app.exception and not app.error
    assert app.session_state["spec"].dataset.noise == 20.0 and app.session_state["spec"].dataset.seed == 7
    app.session_state["slot"].close()


def test_the_training_settings_are_drawn_first_as_the_data_is():
    """Each training control (a choice, the learning rate's ladder and its typed box, a whole
    number, a section's kind and that kind's own setting, a toggle) runs the drawing's fragment
    alone first, which builds the trainer for the new settings (or sets the learning rate on the
    one it keeps); the page then follows, reads the
    same settings from the controls and keeps that trainer."""
    app = page_with().run()
    generation = app.session_state["generation"]
    for control, key, value, read in (
        ("selectbox", "optimizer", "adam", lambda training: training.optimizer),
        ("select_slider", "learning_rate", 0.1, lambda training: training.learning_rate),
        ("number_input", "learning_rate_typed", 0.05, lambda training: training.learning_rate),
        ("number_input", "batch_size", 32, lambda training: training.batch_size),
        ("selectbox", "regularization_kind", "l2", lambda training: training.regularization.kind),
        ("select_slider", "regularization_rate", 0.003, lambda training: training.regularization.rate),
        ("toggle", "shuffle", False, lambda training: training.shuffle),
    ):
        name = f"{key.removesuffix('_typed')}_{generation}" + ("_typed" if key.endswith("_typed") else "")
        getattr(app, control)(key=name).set_value(value).run()  # the controls as this run drew them
        assert [key for key, _ in components(app, "playground_page_follows")] == ["drawing_edit_follows"], key
        trainer = app.session_state["slot"].trainer
        assert read(trainer.current_spec().training) == value, key  # the rate is set on the trainer it keeps
        follow(app)
        assert not list(components(app, "playground_page_follows")), key
        assert app.session_state["slot"].trainer is trainer, key  # the page read the settings as the fragment did
        assert read(app.session_state["spec"].training) == value, key
        assert not app.exception and not app.error, key
    training = app.session_state["spec"].training
    assert (training.optimizer, training.learning_rate, training.batch_size) == ("adam", 0.05, 32)
    assert (training.regularization.kind, training.regularization.rate) == ("l2", 0.003)
    app.session_state["slot"].close()


def test_the_first_screen_leaves_the_closed_panels_for_later():
    """The layer cards and the share panel are drawn when opened, not on the first screen; cards
    opened after an edit on the drawing show the edited stack."""
    app = page_with().run()
    cards = [n for n in app.number_input if n.key.startswith("layer")]
    assert not cards and not app.get("download_button") and not app.get("file_uploader")
    press(app, f"units_plus_1_{app.session_state['generation']}")
    app.session_state[CARDS_KEY] = True
    app.session_state[SHARE_KEY] = True
    app.run()
    assert app.number_input(key=f"layer1_units_{app.session_state['generation']}").value == 5
    assert [b.label for b in app.get("download_button")][:1] and app.get("file_uploader")
    assert not app.exception and not app.error
    app.session_state["slot"].close()


def test_presses_folded_into_one_run_are_each_an_edit():
    """Five clicks on + that reach the server as one request (Streamlit folds requests that come
    while the page runs) add five neurons; a forged count adds at most MAX_PRESSES_PER_RUN."""
    from playground.web.widgets.press_counter import MAX_PRESSES_PER_RUN

    app = page_with().run()
    key = f"units_plus_1_{app.session_state['generation']}"
    press(app, key, times=5)
    assert app.session_state["spec"].network.layers[0].units == 9
    assert dict(components(app, "playground_press_counter"))[key]["applied"] == 5  # a fresh page counts on from 5
    press(app, key, times=10**9)
    assert app.session_state["spec"].network.layers[0].units == 9 + MAX_PRESSES_PER_RUN
    assert not app.exception and not app.error
    app.session_state["slot"].close()


def test_the_network_drawing_edits_the_stack():
    app = page_with().run()
    assert not app.exception

    def generation():
        return app.session_state["generation"]

    press(app, f"units_plus_1_{generation()}")
    assert app.session_state["spec"].network.layers[0].units == 5
    press(app, f"layer_plus_{generation()}")
    assert [layer.units for layer in app.session_state["spec"].network.layers] == [5, 2, 2]
    app.selectbox(key=f"drawn_activation_2_{generation()}").set_value("relu").run()
    assert app.session_state["spec"].network.layers[1].activation == "relu"
    app.slider(key=f"drawn_dropout_1_{generation()}").set_value(0.3).run()
    assert [layer.type for layer in app.session_state["spec"].network.layers] == ["Dense", "Dropout", "Dense", "Dense"]
    press(app, f"units_minus_3_{generation()}")  # layer 2 is third in the stack now
    press(app, f"layer_minus_{generation()}")
    assert [(layer.type, layer.units) for layer in app.session_state["spec"].network.layers] == [
        ("Dense", 5),
        ("Dropout", None),
        ("Dense", 1),
    ]
    assert not app.exception and not app.error
    app.session_state["slot"].close()


def test_the_learning_rate_ladder_sets_the_learning_rate():
    """The box for typing any rate follows the ladder: before, it kept the rate it showed first, and won."""
    app = page_with().run()
    follow(app.select_slider(key="learning_rate_0").set_value(0.3).run())
    assert app.session_state["spec"].training.learning_rate == 0.3
    assert app.number_input(key="learning_rate_0_typed").value == 0.3
    follow(app.number_input(key="learning_rate_0_typed").set_value(0.07).run())
    assert app.session_state["spec"].training.learning_rate == 0.07
    app.session_state["slot"].close()


def test_detail_views_off_screen_are_drawn_as_last_shown_while_training(monkeypatch):
    """While training, a run of the page whose stream said the detail views are off screen builds
    no figure (it draws the snapshot they last showed, from the cache); back on screen (the hook's
    trigger, as the browser sets it when they come into view), the newest."""
    from playground.web.live import shared_figures
    from playground.web.live.streams import LIVE_STREAMS

    builds = []
    build = shared_figures.confusion_matrix
    monkeypatch.setattr(shared_figures, "confusion_matrix", lambda *args: builds.append(args) or build(*args))
    shared_figures.confusion_figure.clear()
    spec = PRESETS["tfp-default"].spec
    app = page_with(spec.replace(training=dataclasses.replace(spec.training, epochs=100_000))).run()
    app.button(key="train").click().run()
    trainer = app.session_state["slot"].trainer
    try:

        def histograms() -> str:
            return dict(components(app, "playground_live_chart"))["histograms_plot"]["figure"]

        def newer_snapshot() -> None:
            """Waits for a snapshot newer than the page's last run can have drawn."""
            seen, snapshot = trainer.snapshots.latest()
            deadline = time.monotonic() + 60
            while trainer.snapshots.latest()[0] == seen and time.monotonic() < deadline:
                time.sleep(0.05)

        newer_snapshot()
        app.run()
        shown, built = histograms(), len(builds)
        assert built >= 1  # the confusion matrix, through the shared figures' cache
        LIVE_STREAMS.say_details_on_screen(trainer, False)
        newer_snapshot()
        app.run()
        assert trainer.state == "running" and histograms() == shown
        assert len(builds) == built
        newer_snapshot()
        details_shown(app)  # scrolled into view: the run the hook asks for draws the newest
        assert LIVE_STREAMS.details_on_screen(trainer)
        assert histograms() != shown
    finally:
        app.session_state["slot"].close()
