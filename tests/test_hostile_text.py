"""User text shown as text: in every figure (Plotly draws `<a href>`, `<b>`, `<br>`, `<span style>`
in names, titles, tick, hover texts and annotations) and on every page (Streamlit draws Markdown).

Every public function of `playground/figures/` is either walked here with hostile strings in each
text it takes, or listed with the reason it takes none, so a new builder cannot be missed.
"""

from __future__ import annotations

import html
import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import playground.figures
from playground.classes.class_store import Member
from playground.classes.class_tile import ClassTile
from playground.datasets.dataset import Dataset, DatasetKind, Task
from playground.figures.class_rollup import class_rollup
from playground.figures.class_tiles import tiles_html
from playground.figures.confusion import confusion_matrix
from playground.figures.dataset_preview import dataset_preview
from playground.figures.figure_text import figure_text
from playground.figures.histograms import weight_histograms
from playground.figures.history_charts import accuracy_comparison, error_curves, hidden_codes, loss_curve
from playground.figures.image_grid import image_grid
from playground.figures.lesson_charts import activation_plot, neuron_heatmap
from playground.figures.lesson_charts import softmax_bars as lesson_softmax_bars
from playground.figures.network_drawing import DrawnLayer, network_drawing
from playground.figures.probe_samples import image_strip, probe_samples
from playground.figures.run_charts import overlaid_curves, parallel_coordinates, sweep_heatmap, sweep_heatmap_1d
from playground.figures.softmax_bars import softmax_bars
from tests.test_hostile_inputs import link_of, page

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = (
    '<a href="https://evil.example/login">evil link</a>',
    '<b style="font-size:80px">evil</b>',
    "<img src=x onerror=alert('evil')>",
    "evil<BR/>break",
    '<span style="color:red">evil</span> <i>%{x}</i><sub>s</sub><sup>p</sup> &amp;',
)


def hostile(count: int) -> list[str]:
    """`count` different hostile names (categorical axes need them distinct)."""
    return [f"{HOSTILE[i % len(HOSTILE)]} {i}" for i in range(count)]


def images(count: int, size: int = 4) -> np.ndarray:
    return np.random.default_rng(0).random((count, size, size, 1))


def image_dataset(class_names) -> Dataset:
    x, y = images(6), np.arange(6) % len(class_names)
    return Dataset("csv", Task.MULTICLASS, x, y, x, y, len(class_names), tuple(class_names), DatasetKind.IMAGE)


def sweep_table() -> pd.DataFrame:
    name, choice = hostile(2)
    return pd.DataFrame({name: [0.1, 0.1, 1.0, 1.0], choice: hostile(2) * 2, "test_loss": [0.5, 0.4, 0.3, np.nan]})


def drawn_network():
    layers = [DrawnLayer(HOSTILE[0], 2, tuple(hostile(2))), DrawnLayer(HOSTILE[1], 3, place=1), DrawnLayer("Out", 1)]
    return network_drawing(layers, weights=[(np.ones((2, 3)), np.zeros(3)), (np.ones((3, 1)), np.zeros(1))])


# Each builder that takes text, with hostile text in every text it takes.
BUILDERS = {
    "class_rollup.class_rollup": lambda: class_rollup(
        pd.DataFrame({"name": hostile(2), "test_loss": [0.5, 0.3], HOSTILE[0]: hostile(2)}), HOSTILE[0]
    ),
    "confusion.confusion_matrix": lambda: confusion_matrix(np.eye(3, dtype=int), hostile(3)),
    "dataset_preview.dataset_preview": lambda: dataset_preview(image_dataset(hostile(3)), count=6, columns=3),
    "histograms.weight_histograms": lambda: weight_histograms(
        [{"layer": HOSTILE[0], "weights": ([1, 2], [-1, 0, 1]), "biases": ([3], [-1, 1])}]
    ),
    "history_charts.accuracy_comparison": lambda: accuracy_comparison(
        dict(zip(hostile(2), ([0.5, 0.6], [0.4, 0.7]))), HOSTILE[1]
    ),
    "history_charts.error_curves": lambda: error_curves([[0.3, 0.2]], HOSTILE[2]),
    "history_charts.hidden_codes": lambda: hidden_codes(np.eye(2), hostile(2), HOSTILE[3]),
    "history_charts.loss_curve": lambda: loss_curve([0.5, 0.3], HOSTILE[4]),
    "image_grid.image_grid": lambda: image_grid(images(3)[..., 0], hostile(3), columns=2, title=HOSTILE[0]),
    "lesson_charts.activation_plot": lambda: activation_plot(
        HOSTILE[0], HOSTILE[1], np.linspace(-1, 1, 5), np.zeros(5), np.ones(5), [(-1.0, -0.5)]
    ),
    "lesson_charts.neuron_heatmap": lambda: neuron_heatmap(
        SimpleNamespace(xs=np.linspace(-1, 1, 3), ys=np.linspace(-1, 1, 3), output=np.zeros((3, 3))),
        (np.array([-1.0, 1.0]), np.array([1.0, -1.0])),
        HOSTILE[2],
    ),
    "lesson_charts.softmax_bars": lambda: lesson_softmax_bars(np.full(3, 1 / 3), np.zeros(3), hostile(3)),
    "network_drawing.network_drawing": drawn_network,
    "probe_samples.image_strip": lambda: image_strip(images(3), hostile(3)),
    "probe_samples.probe_samples": lambda: probe_samples(images(2), np.full((2, 3), 1 / 3), [0, 2], hostile(3)),
    "run_charts.overlaid_curves": lambda: overlaid_curves(
        dict(zip(hostile(2), ([{"epoch": 1, "test_loss": 0.5, "test_accuracy": 0.7}], []))),
        highlight=hostile(2)[0],
        metric=HOSTILE[3],
    ),
    "run_charts.parallel_coordinates": lambda: parallel_coordinates(
        sweep_table(), list(sweep_table().columns[:2]), "test_loss", HOSTILE[4], higher_is_better=False
    ),
    "run_charts.sweep_heatmap": lambda: sweep_heatmap(
        pd.DataFrame([[0.5, np.nan], [0.3, 0.2]], index=hostile(2), columns=hostile(2)),
        HOSTILE[0],
        HOSTILE[1],
        HOSTILE[2],
        higher_is_better=False,
    ),
    "run_charts.sweep_heatmap_1d": lambda: sweep_heatmap_1d(
        sweep_table(), sweep_table().columns[1], "test_loss", HOSTILE[3]
    ),
    "softmax_bars.softmax_bars": lambda: softmax_bars(np.full((2, 3), 1 / 3), [0, 2], hostile(3), numbered=True),
}
SAME_FIGURE_OTHER_TEXT = {  # builders whose other texts come from another argument
    "class_rollup.class_rollup (a bar per student)": lambda: class_rollup(
        pd.DataFrame({"name": hostile(2), "test_loss": [0.5, 0.3]}), None
    ),
    "probe_samples.probe_samples (titles)": lambda: probe_samples(
        None, np.full((1, 2), 0.5), [1], ["a", "b"], titles=[HOSTILE[0]]
    ),
}
NO_USER_TEXT = {
    "backprop_diagram.backprop_diagram": "the Backpropagation page's own 2-2-1 network: numbers only",
    "class_tiles.tile_png": "not a figure: a tile's boundary as an image, numbers only",
    "class_tiles.tiles_html": "not a figure: HTML (test_class_tiles_show_students_texts_as_text)",
    "chart_images.chart_config": "not a figure: a config, whose file name is checked in tests/test_chart_images.py",
    "chart_images.experiment_name": "not a figure (a file name: tests/test_chart_images.py)",
    "chart_images.file_name_part": "not a figure (a file name: tests/test_chart_images.py)",
    "chart_images.image_file_name": "not a figure (a file name: tests/test_chart_images.py)",
    "decision_boundary.decision_boundary": "points, grids and numbers; its trace names are its own",
    "figure_text.figure_text": "the escaping itself",
    "history_charts.energy_curve": "the History gallery's own run: numbers only",
    "history_charts.mistakes_per_epoch": "the History gallery's own run: numbers only",
    "history_charts.perceptron_lines": "the History gallery's own run: numbers and its gate's name",
    "lesson_charts.gradient_cloud": "a lesson's numbers",
    "lesson_charts.landscape_contour": "a lesson's numbers",
    "lesson_charts.landscape_line": "a lesson's numbers",
    "lesson_charts.landscape_surface": "a lesson's numbers",
    "lesson_charts.minibatch_curves": "a lesson's numbers",
    "lesson_charts.neuron_surface": "a lesson's numbers",
    "lesson_charts.path_losses": "a lesson's numbers and the optimizers' registry names",
    "lesson_charts.surface_paths": "a lesson's own surfaces and the optimizers' registry names",
    "loss_curves.loss_curves": "a run's history: numbers only",
    "network_drawing.drawn_layers": "not a figure (the drawing's columns)",
    "network_drawing.feature_grids": "not a figure",
    "network_drawing.link_style": "not a figure",
    "network_drawing.link_weights": "not a figure",
    "network_drawing.node_centres": "not a figure",
    "search_charts.parameter_importance": "a study's parameters are SWEEP_PARAMETERS names (sweep_grid checks them)",
    "search_charts.parameter_slices": "a study's parameters are SWEEP_PARAMETERS names (sweep_grid checks them)",
    "search_charts.search_history": "a study's parameters are SWEEP_PARAMETERS names (sweep_grid checks them)",
    "softmax_bars.probabilities": "not a figure",
    "style.compact": "lays out a built figure; its title is figure text already",
    "style.streamlit_look": "styles a built figure; no text",
}
OWN_MARKUP = re.compile(r"<br>|<extra></extra>")  # what the builders write themselves
PLAIN_TEXT = re.compile(r"data\.\d+\.dimensions\.\d+\.ticktext\.\d+")  # parallel coordinates' ticks: no markup


def public_functions() -> set[str]:
    found = set()
    for info in pkgutil.iter_modules(playground.figures.__path__):
        module = importlib.import_module(f"playground.figures.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                found.add(f"{info.name}.{name}")
    return found


def strings(value, path: str = ""):
    """(path, text) for every string in a figure's JSON."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}.{index}")


def test_class_tiles_show_students_texts_as_text():
    tiles = [ClassTile(state=HOSTILE[0], architecture=HOSTILE[1]), ClassTile(state="running", test_accuracy=0.5)]
    members = [Member(name, "class", name, 0.0, 0.0, None, tile) for name, tile in zip(HOSTILE[2:4], tiles)]
    shown = tiles_html(members)
    for text in HOSTILE[:4]:
        assert html.escape(text) in shown
    assert not re.search(r"<(a|b|img|br|span)\b", shown)  # tiles without a boundary: no image of ours
    assert shown.count('class="class-tile"') == 2


def test_every_public_function_of_the_figures_is_walked_or_says_why_it_takes_no_user_text():
    assert public_functions() == set(BUILDERS) | set(NO_USER_TEXT)


@pytest.mark.parametrize("name", sorted(BUILDERS) + sorted(SAME_FIGURE_OTHER_TEXT))
def test_hostile_text_reaches_a_figure_only_as_text(name):
    figure = {**BUILDERS, **SAME_FIGURE_OTHER_TEXT}[name]()
    texts = list(strings(json.loads(figure.to_json())))
    assert any("&lt;" in text for _, text in texts), "the hostile text never reached the figure"
    for path, text in texts:
        if not PLAIN_TEXT.fullmatch(path):
            assert "<" not in OWN_MARKUP.sub("", text), f"{path} = {text!r}"
        if path.endswith("template"):
            assert "evil" not in text, f"user text in {path}: {text!r}"  # a template would run its %{...}


def test_parallel_coordinates_ticks_are_plain_text_and_show_the_names_as_typed():
    figure = BUILDERS["run_charts.parallel_coordinates"]()
    ticks = [tick for dimension in figure.data[0].dimensions if dimension.ticktext for tick in dimension.ticktext]
    assert set(hostile(2)) <= set(ticks)


def test_figure_text_shows_as_typed_once_plotly_reads_its_entities():
    for text in (*HOSTILE, "R&amp;D", "a < b > c", "quote \" and ' apostrophe"):
        assert html.unescape(figure_text(text)) == text and "<" not in figure_text(text)
    assert figure_text(3) == "3" and figure_text(np.int64(4)) == "4"


def test_sweep_heatmap_hover_shows_each_cell_without_a_template():
    figure = BUILDERS["run_charts.sweep_heatmap"]()
    trace = figure.data[0]
    assert trace.hovertemplate is None and trace.hoverinfo == "text"
    assert trace.hovertext[0][0].endswith("=0.5") and trace.hovertext[0][1].endswith("=no finished run")


# Pages: a hostile title (and dataset name) from a link, shown as text on every page.

HOSTILE_TITLE = "![evil](https://evil.example/i.png)[evil](https://evil.example)<img src=x><a href=//evil.example>"
PAGES = sorted(path.stem for path in (ROOT / "playground/web/app_pages").glob("*.py"))
MARKDOWN_FIELDS = ("body", "label", "help", "text", "message")  # fields Streamlit draws as Markdown
RAW_LINK = re.compile(r"(?<!\\)\]\(|(?<!\\)<(a|img)\b|://", re.IGNORECASE)


def markdown_texts(app) -> list[str]:
    """Every text of the page that Streamlit draws as Markdown (bodies, labels, help, progress text)."""
    found: list[str] = []

    def read(message):
        for field, value in message.ListFields():
            if field.message_type is not None:
                for item in value if field.is_repeated else [value]:
                    read(item)
            elif field.name in MARKDOWN_FIELDS and isinstance(value, str):
                found.append(value)

    def visit(node):
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", "") not in ("text", "code", "html"):
            read(proto)
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(app._tree)
    return found


def test_this_test_sees_an_unescaped_link_in_a_page():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_string(f"import streamlit as st\nst.info({HOSTILE_TITLE!r})").run()
    assert any(RAW_LINK.search(text) for text in markdown_texts(app))


@pytest.mark.parametrize("name", PAGES)
def test_a_hostile_title_is_text_on_every_page(name):
    app = page(name, x=link_of({"title": HOSTILE_TITLE}))
    assert not app.exception
    shown = [text for text in markdown_texts(app) if "evil" in text]
    assert not [text for text in shown if RAW_LINK.search(text)]
    if name in ("playground", "learn_landscape"):  # the pages that show the experiment's title
        assert shown


def test_a_shared_run_with_a_hostile_title_is_text_in_the_chart_and_the_page():
    from playground.runs.run_record import RunRecord
    from playground.spec import ExperimentSpec
    from playground.web.widgets.run_saving import run_store

    page("runs")  # opens the store this process's pages use
    store = run_store()
    history = [{"epoch": 1, "test_loss": 0.4, "test_accuracy": 0.8}]
    store.save(RunRecord.new("eve-owner-12345", ExperimentSpec(title=HOSTILE[0]), history, "finished", 0.0, 1.0))
    app = page("runs", runs=store.share_list("eve-owner-12345"))
    assert not app.exception
    texts = [text for chart in app.get("plotly_chart") for _, text in strings(json.loads(chart.proto.spec))]
    assert any("&lt;a href" in text for text in texts)
    assert not any("<a" in text for text in texts)
    assert not [text for text in markdown_texts(app) if "evil" in text and RAW_LINK.search(text)]
