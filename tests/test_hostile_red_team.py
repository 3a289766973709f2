"""Hostile input found by a red-team pass after issue 28: a forged digit canvas, forged rows and logits
on Learn › Softmax, `.keras` weights that do not fit, and damaged rows in the run store.

Each test is one case a crafted client or another writer of the database tries. The answer must be
a plain message (no exception box, no traceback), work bounded before anything big is decoded, and
every other run still shown and exported.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import struct
import time
import tomllib
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from PIL import Image
from streamlit.testing.v1 import AppTest

from playground.layers import complete_spec
from playground.runs.run_record import RunRecord
from playground.runs.run_store import RUNS, RunStore
from playground.spec import ExperimentSpec

ROOT = Path(__file__).resolve().parents[1]
CANVAS = 196
HISTORY = [{"epoch": e, "train_loss": 1 / e, "test_loss": 1 / e, "learning_rate": 0.03} for e in (1, 2, 3)]
DAMAGED_HISTORIES = {
    "not JSON": "not json",
    "null": "null",
    "nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "a dict": '{"a": 1}',
    "rows that are lists": "[[1, 2]]",
    "a text epoch": json.dumps([{"epoch": "x", "train_loss": 0.5}]),
    "a text loss": json.dumps([{"epoch": 1, "train_loss": "<b>big</b>"}]),
}


# The digit canvas: its value is a data URL a crafted client can replace with any image.


def data_url(content: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(content).decode()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header declares `width` x `height` RGBA pixels (gigabytes, were it decoded)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + chunk(b"IEND", b"")
    )


def a_drawn_digit() -> Image.Image:
    image = Image.new("RGBA", (CANVAS, CANVAS), (255, 255, 255, 255))
    image.paste((0, 0, 0, 255), (90, 40, 106, 160))  # a stroke: a "1"
    return image


@pytest.mark.parametrize("width, height", [(13_000, 13_000), (100_000, 100_000), (393, 10)])
def test_a_forged_drawing_bigger_than_twice_the_canvas_is_refused_from_its_header(width, height):
    from playground.drawn_digit import DrawingError, drawing_pixels

    forged = data_url(png_declaring(width, height))
    assert len(forged) < 10_000  # decoded, 13,000 x 13,000 is 676 MB of pixels and several GB of float copies
    with pytest.raises(DrawingError, match=f"{width:,} x {height:,} pixels, but the canvas is 196 x 196"):
        drawing_pixels(forged, CANVAS, CANVAS)


def test_a_forged_drawing_longer_than_any_png_of_the_canvas_is_refused_before_it_is_decoded():
    from playground.drawn_digit import DrawingError, drawing_pixels

    with pytest.raises(DrawingError, match="characters long"):
        drawing_pixels("data:image/png;base64," + "A" * 2_000_000, CANVAS, CANVAS)


@pytest.mark.parametrize(
    "value",
    [
        "data:image/png;base64," + base64.b64encode(b"hello").decode(),  # not an image
        "data:image/png,xyz",  # no ;base64, marker
        "data:image/png;base64,@@@@",  # not base64
        data_url(png(a_drawn_digit())[:80]),  # a truncated PNG
        "data:image/gif;base64," + base64.b64encode(b"GIF89a").decode(),  # not the canvas's PNG
        12,
        None,
    ],
)
def test_a_forged_drawing_that_is_not_a_png_gets_a_plain_message(value):
    from playground.drawn_digit import DrawingError, drawing_pixels

    with pytest.raises(DrawingError, match="Clear the canvas"):
        drawing_pixels(value, CANVAS, CANVAS)


def test_the_largest_png_of_a_canvas_twice_as_big_is_still_read():
    from playground.drawn_digit import drawing_pixels, drawing_to_image

    noise = np.random.default_rng(0).integers(0, 256, (2 * CANVAS, 2 * CANVAS, 4), dtype="uint8")
    pixels = drawing_pixels(data_url(png(Image.fromarray(noise))), CANVAS, CANVAS)
    assert pixels.shape == (2 * CANVAS, 2 * CANVAS, 4)
    grey = drawing_pixels(data_url(png(Image.new("L", (CANVAS, CANVAS), 0))), CANVAS, CANVAS)
    assert drawing_to_image(grey, 28).shape == (28, 28, 1)


def _canvas_page() -> None:
    """The digit canvas on a page; what the browser sent for it is `canvas_value` in Session State."""
    from types import SimpleNamespace

    import numpy as np
    import streamlit as st
    from streamlit_drawable_canvas import CanvasResult

    import playground.web.widgets.digit_canvas as canvas

    canvas.st_canvas = lambda **options: CanvasResult(None, st.session_state.canvas_value, True)
    dataset = SimpleNamespace(x_train=np.zeros((1, 28, 28, 1), "float32"), class_names=[str(i) for i in range(10)])
    trainer = SimpleNamespace(
        data=SimpleNamespace(dataset=dataset),
        spec=SimpleNamespace(dataset=SimpleNamespace(padding=0)),
        predict=lambda x: np.full((len(x), 10), 0.1, "float32"),
    )
    canvas.digit_canvas(trainer)


@pytest.mark.parametrize(
    "value, message",
    [
        (data_url(png(Image.new("RGBA", (1000, 1000), (0, 0, 0, 255)))), "1,000 x 1,000 pixels"),
        ("data:image/png;base64," + base64.b64encode(b"hello").decode(), "not a PNG image"),
        ("data:image/png,xyz", "did not send a PNG image"),
    ],
)
def test_the_canvas_answers_a_forged_drawing_with_a_message_then_reads_a_real_one(value, message):
    app = AppTest.from_function(_canvas_page, default_timeout=60)
    app.session_state["canvas_value"] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert any(message in w.value for w in app.warning), [w.value for w in app.warning]
    assert not app.get("plotly_chart")
    assert app.session_state["digit_canvas_generation"] == 1  # the next run's canvas has a new key: the value goes
    app.session_state["canvas_value"] = data_url(png(a_drawn_digit()))
    app.run()
    assert not app.exception and not app.warning
    assert app.get("plotly_chart") and app.session_state["digit_canvas_generation"] == 1


def test_the_server_takes_a_few_mb_of_widget_values_and_the_largest_canvas_fits_four_times():
    from playground.drawn_digit import drawing_pixels

    server = tomllib.loads((ROOT / "playground/web/.streamlit" / "config.toml").read_text())["server"]
    noise = np.random.default_rng(1).integers(0, 256, (2 * CANVAS, 2 * CANVAS, 4), dtype="uint8")
    largest = data_url(png(Image.fromarray(noise)))
    drawing_pixels(largest, CANVAS, CANVAS)  # accepted
    assert 4 * len(largest) <= server["maxWidgetStateSize"] * 10**6 <= 5 * 10**6
    assert server["maxWidgetStateSize"] <= server["maxMessageSize"]


# Learn › Softmax: a table editor applies every row the browser says it added, whatever num_rows says.


def softmax_page() -> AppTest:
    return AppTest.from_file(str(ROOT / "playground/web/app_pages" / "learn_softmax.py"), default_timeout=120).run()


def test_softmax_logits_are_ten_bounded_controls_not_a_table_that_can_grow():
    app = softmax_page()
    assert not app.exception
    assert all(frame.proto.editing_mode == frame.proto.EditingMode.READ_ONLY for frame in app.get("dataframe"))
    logits = [w for w in app.number_input if w.key and w.key.startswith("softmax_logit_")]
    assert len(logits) == 10
    assert all(w.min == -1e4 and w.max == 1e4 for w in logits)


def test_forged_logits_past_the_bounds_never_read_as_finite_nan():
    app = softmax_page()
    app.number_input(key="softmax_logit_0").set_value(1e308)
    app.number_input(key="softmax_logit_1").set_value(float("-inf"))
    app.number_input(key="softmax_logit_2").set_value(float("nan"))
    app.select_slider(key="softmax_scale").set_value(1000).run()
    assert not app.exception
    stable = [s.value for s in app.success if s.value.startswith("Finite;")]
    assert stable == ["Finite; sums to 1.000000."]
    assert not any("nan" in s.value for s in app.success)


# `.keras` weights that do not fit: the message names the layer and both shapes.


def _keras_file(change) -> bytes:
    """A two-layer model's `.keras` bytes, its weights passed through `change(data)` (None drops one)."""
    import tempfile

    import h5py
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, "relu"), keras.layers.Dense(1, "sigmoid")])
    with tempfile.TemporaryDirectory() as folder:
        model.save(Path(folder) / "m.keras")
        content = (Path(folder) / "m.keras").read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    weights = io.BytesIO()
    with h5py.File(io.BytesIO(members["model.weights.h5"]), "r") as source, h5py.File(weights, "w") as target:

        def copy(name, item):
            if isinstance(item, h5py.Group):
                target.require_group(name)
            elif (data := change(item[()])) is not None:
                target.create_dataset(name, data=data)

        source.visititems(copy)
    members["model.weights.h5"] = weights.getvalue()
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w") as archive:
        for name, member in members.items():
            archive.writestr(name, member)
    return rebuilt.getvalue()


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda data: data.T if data.shape == (2, 4) else data, "needs a kernel of shape (2, 4), but the file holds "),
        (lambda data: None if data.shape == (4,) else data, "has 2 weight arrays (kernel, bias), but the file holds 1"),
    ],
    ids=["kernel transposed", "bias missing"],
)
def test_weights_that_do_not_fit_name_the_layer_and_what_it_needs(change, expected):
    from playground.model_files import ModelFileError, load_model_bytes

    with pytest.raises(ModelFileError) as refused:
        load_model_bytes(_keras_file(change))
    message = str(refused.value)
    assert "layer 1 (Dense" in message and expected in message, message
    assert "Example error message" not in message and "value=" not in message


# The run store: rows another writer damaged. Each is read as "damaged"; every other run still works.


def _damage(store: RunStore, run_id: str, **columns) -> None:
    engine = sa.create_engine(store.url)
    with engine.begin() as connection:
        connection.execute(RUNS.update().where(RUNS.c.id == run_id).values(**columns))
    engine.dispose()


def _saved(store: RunStore, owner: str, title: str, **damage) -> RunRecord:
    record = RunRecord.new(owner, complete_spec(ExperimentSpec(title=title)), HISTORY, "finished", time.time(), 1.0)
    store.save(record)
    if damage:
        _damage(store, record.id, **damage)
    return record


@pytest.mark.parametrize("history", DAMAGED_HISTORIES.values(), ids=DAMAGED_HISTORIES.keys())
def test_a_run_whose_history_cannot_be_read_is_a_damaged_record(tmp_path, history):
    store = RunStore(tmp_path / "runs.sqlite3")
    good = _saved(store, "alice", "good")
    bad = _saved(store, "alice", "bad", history=history)
    record = store.load(bad.id)
    assert record is not None and record.damaged and record.history == [] and "damaged" in record.message
    assert record.spec == bad.spec  # its experiment can still be opened
    assert store.histories([good.id, bad.id], "alice") == {good.id: HISTORY}
    assert not store.load(good.id).damaged


def test_swept_values_nested_thousands_deep_do_not_stop_the_listing(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite3")
    bad = _saved(store, "alice", "bad", parameters="[" * 100_000 + "]" * 100_000)
    odd = _saved(store, "alice", "odd", parameters=json.dumps({"learning_rate": 0.1, "deep": [[[1]]]}))
    runs = store.list_runs("alice").set_index("id")
    assert runs.loc[bad.id, "parameters"] == {} and runs.loc[odd.id, "parameters"] == {"learning_rate": 0.1}


def cli(*args):
    from playground.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_runs_export_skips_damaged_runs_says_which_and_exports_the_others(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS_DB", str(tmp_path / "runs.sqlite3"))
    store = RunStore()
    good = _saved(store, "alice", "good")
    broken = [
        _saved(store, "alice", f"bad {i}", history=history) for i, history in enumerate(DAMAGED_HISTORIES.values())
    ]
    _damage(store, good.id, started_at=-1e18)  # a time no clock shows is still exported

    code, out, err = cli("runs", "export", "--tensorboard", str(tmp_path / "tb"))
    assert code == 0, err
    assert f"skipped {len(broken)} run(s)" in err and all(record.id in err for record in broken)
    assert "Traceback" not in err and "wrote 1 run(s)" in out
    assert [p.name for p in (tmp_path / "tb").iterdir() if p.is_dir()] == [f"good-{good.id}"]

    code, out, err = cli("runs", "export", "--tensorboard", str(tmp_path / "tb2"), "--run", broken[0].id)
    assert code == 2 and "No run was exported" in err and "Traceback" not in err


def runs_page(owner: str, **query) -> AppTest:
    app = AppTest.from_file(str(ROOT / "playground/web/app_pages" / "runs.py"), default_timeout=120)
    app.session_state["owner"] = owner
    for name, value in query.items():
        app.query_params[name] = value
    return app.run()


@pytest.mark.parametrize(
    "history", [DAMAGED_HISTORIES[k] for k in ("not JSON", "nested 100,000 deep", "a dict", "a text epoch")]
)
def test_a_shared_link_to_a_damaged_run_says_so_instead_of_an_exception(history):
    from playground.web.widgets.run_saving import run_store

    store = run_store()
    damaged = _saved(store, "sharer-owner-0123456789", "damaged", history=history)
    app = runs_page("visitor-owner-0123456789", run=store.share(damaged.id, "sharer-owner-0123456789"))
    assert not app.exception, [e.value for e in app.exception]
    assert any("record is damaged" in w.value for w in app.warning)
    assert app.button(key="open_shared")  # its experiment still opens


def test_a_shared_list_with_a_run_from_before_the_clock_and_a_damaged_run_still_shows_every_run():
    from playground.web.widgets.run_saving import run_store

    store = run_store()
    sharer, visitor = "list-sharer-0123456789", "list-visitor-0123456789"
    damaged = _saved(store, sharer, "damaged", history="not json")
    _saved(store, sharer, "long ago", started_at=-1e18)
    _saved(store, sharer, "fine")
    _saved(store, visitor, "mine, long ago", started_at=-1e18)
    app = runs_page(visitor, runs=store.share_list(sharer))
    assert not app.exception, [e.value for e in app.exception]
    assert any("Runs shared with you (3)" in s.value for s in app.subheader)
    labels = app.selectbox(key="shared_list_run").options
    assert any("long ago --:--:--" in label for label in labels)
    chosen = next(i for i, label in enumerate(labels) if damaged.id[:6] in label)
    app.selectbox(key="shared_list_run").set_value(chosen).run()
    assert not app.exception and any("record is damaged" in w.value for w in app.warning)
    assert app.get("arrow_data_frame") or app.get("dataframe")  # the visitor's own runs, below


def test_selecting_a_damaged_run_of_ones_own_warns_and_leaves_it_out_of_the_tensorboard_files():
    from playground.web.widgets.run_saving import run_store

    store = run_store()
    owner = "own-damaged-0123456789"
    _saved(store, owner, "fine")
    _saved(store, owner, "damaged", history="null")
    app = runs_page(owner)
    app.session_state["runs_table"] = {"selection": {"rows": [0, 1], "columns": []}}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("record is damaged" in w.value for w in app.warning)
    assert app.button(key="runs_tensorboard").label.startswith("Prepare TensorBoard files for 1 run(s)")


def test_runs_list_writes_a_huge_loss_in_powers_of_ten_and_escapes_every_text_column(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS_DB", str(tmp_path / "runs.sqlite3"))
    store = RunStore()
    record = _saved(store, "alice", "diverged", state="\x1b[2Jfinished", parameters=json.dumps({"act\x07": "re\rlu"}))
    _damage(store, record.id, test_loss=1e308)
    code, out, err = cli("runs", "list")
    assert code == 0, err
    assert "test loss 1.000e+308" in out and "0" * 20 not in out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out and "\\x1b[2Jfinished" in out


@pytest.mark.parametrize(
    "title, named",
    [
        ("ok\ud83dno", "half of a character pair (U+D83D)"),
        ("a\x1bb", "a control character (U+001B)"),
        ("a\nb", "a line break"),
    ],
)
def test_a_title_names_the_character_it_cannot_show(title, named):
    from playground.validation import validate

    (problem,) = [p for p in validate(ExperimentSpec(title=title)) if p.field == "title"]
    assert named in problem.message


def test_a_sweep_name_with_a_control_character_is_refused_like_a_title():
    from playground.runs.sweep_file import SweepFileError, SweepPlan

    document = {"playground_sweep": 1, "name": "rates\x1b]0;pwned\x07", "base": {}, "grid": {"learning_rate": [0.1]}}
    with pytest.raises(SweepFileError) as refused:
        SweepPlan.from_dict(document)
    assert any("name holds a control character (U+001B)" in problem for problem in refused.value.problems)


def test_the_runs_page_draws_at_most_its_limit_of_selected_runs():
    from playground.web.widgets.run_saving import run_store

    store = run_store()
    owner = "many-runs-0123456789"
    for i in range(51):
        _saved(store, owner, f"run {i}")
    app = runs_page(owner)
    app.session_state["runs_table"] = {"selection": {"rows": list(range(51)), "columns": []}}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("51 runs are selected: the first 50 are drawn" in i.value for i in app.info)
    curves = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert len({trace.get("legendgroup") or trace.get("name") for trace in curves["data"]}) == 50
    assert app.button(key="runs_delete").label == "Delete 51 selected run(s)"
