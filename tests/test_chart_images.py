"""Charts for slides: every chart's toolbar saves a sharp image named after the experiment and the view."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.figures.chart_images import (
    IMAGE_SCALE,
    MAX_NAME_LENGTH,
    chart_config,
    experiment_name,
    file_name_part,
    image_file_name,
)
from playground.presets import PRESETS
from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec
from tests.app_tree import components

ROOT = Path(__file__).resolve().parents[1]
SAFE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*(_[a-z0-9]+(-[a-z0-9]+)*)?")
HOSTILE = [
    "../../etc/passwd",
    "C:\\Windows\\system32",
    '<img src=x onerror="alert(1)">',
    "a\x00b\nc\rd\te",
    "name.png.exe",
    "Spirale à 6×8 — ReLU",
    "…" * 500,
    "x" * 10_000,
    "",
    "---",
    "💥",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_file_names_are_safe_whatever_the_text(text):
    name = image_file_name(text, text)
    assert SAFE_NAME.fullmatch(name), name
    assert len(name) <= 2 * MAX_NAME_LENGTH + 1


def test_names_keep_what_can_be_kept():
    assert file_name_part("Spirale à six — ReLU") == "spirale-a-six-relu"
    assert image_file_name("spiral-6x8-relu", "decision boundary") == "spiral-6x8-relu_decision-boundary"
    assert image_file_name("", "softmax_bars") == "softmax-bars"
    assert image_file_name("", "") == "chart"


def test_experiment_names_describe_the_network_as_it_stands():
    names = {name: experiment_name(preset.spec) for name, preset in PRESETS.items()}
    assert names["spiral-deep"] == "spiral-6x8-relu"
    assert names["tfp-default"] == "circle-4-2-tanh"
    assert names["gauss-single-neuron"] == "gauss-no-hidden-layers"
    assert names["lenet5-mnist"].startswith("mnist-c6-c16-120-84")
    hostile = ExperimentSpec(
        title='"><script>alert(1)</script>',
        dataset=DatasetSpec(name="../../x"),
        network=NetworkSpec(layers=(LayerSpec("<b>Dense</b>"), LayerSpec("Dense", units=3, activation="..\\relu"))),
    )
    assert SAFE_NAME.fullmatch(experiment_name(hostile))
    assert "script" not in experiment_name(hostile)  # the title is never part of it


def test_the_config_asks_for_a_png_at_twice_the_resolution():
    config = chart_config("decision boundary", "circle-4-2-tanh")
    assert config["toImageButtonOptions"] == {
        "format": "png",
        "filename": "circle-4-2-tanh_decision-boundary",
        "scale": IMAGE_SCALE,
    }
    assert IMAGE_SCALE == 2 and config["displaylogo"] is False


def chart_calls(folder: Path):
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ("plotly_chart", "live_chart"):
                    yield f"{path.name}:{node.lineno}", {keyword.arg for keyword in node.keywords}


def test_every_chart_in_the_app_is_given_its_image_options():
    calls = [
        call for folder in ("app_pages", "widgets", "live") for call in chart_calls(ROOT / "playground/web" / folder)
    ]
    assert len(calls) > 40
    assert [place for place, keywords in calls if "config" not in keywords] == []


def live_chart_configs(app) -> dict:
    return {key: data["config"] for key, data in components(app, "playground_live_chart")}


def test_the_playground_charts_are_named_after_the_experiment_even_from_a_hostile_link():
    spec = PRESETS["spiral-deep"].spec.replace(title='../"><img src=x onerror=alert(1)> \\ *bold*')
    app = AppTest.from_file(str(ROOT / "playground/web/app_pages" / "playground.py"), default_timeout=120)
    app.query_params["x"] = spec.to_url()
    app.run()
    assert not app.exception
    configs = live_chart_configs(app)
    names = sorted(config["toImageButtonOptions"]["filename"] for config in configs.values())
    assert names == ["spiral-6x8-relu_data", "spiral-6x8-relu_decision-boundary", "spiral-6x8-relu_network"]
    assert all(config["toImageButtonOptions"]["scale"] == 2 for config in configs.values())
    app.session_state["slot"].close()


def test_the_lesson_charts_carry_the_image_options_too():
    app = AppTest.from_file(str(ROOT / "playground/web/app_pages" / "learn_softmax.py"), default_timeout=120).run()
    assert not app.exception
    configs = [json.loads(chart.proto.config) for chart in app.get("plotly_chart")]
    assert [config["toImageButtonOptions"]["filename"] for config in configs] == ["softmax-bars"]
    assert configs[0]["toImageButtonOptions"]["scale"] == 2
