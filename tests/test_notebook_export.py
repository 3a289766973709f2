"""The notebook export: it runs top to bottom in a plain kernel and matches the app's run; titles stay text."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest
from markdown_it import MarkdownIt

from playground.engine.trainer import Trainer
from playground.notebook_export import export_notebook, markdown_text
from playground.presets import load_preset
from playground.spec import CsvOptions, DatasetSpec, ExperimentSpec, NetworkSpec

EPOCHS = 4
HOSTILE_TITLE = '"""\\ **bold** <script>alert(1)</script> `x` [link](javascript:alert(1)) # &amp; |a|b|'


def short(spec: ExperimentSpec) -> ExperimentSpec:
    return spec.replace(training=dataclasses.replace(spec.training, epochs=EPOCHS))


def csv_experiment(folder: Path) -> ExperimentSpec:
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{a:.3f},{b:.3f},{'yes' if a * b > 0 else 'no'}" for a, b in rng.normal(size=(120, 2)))
    (folder / "quadrants.csv").write_text("a,b,label\n" + rows)
    return ExperimentSpec(
        title="Quadrants from a CSV",
        dataset=DatasetSpec("csv", csv=CsvOptions(str(folder / "quadrants.csv"), "label")),
        network=NetworkSpec(features=()),
    )


def run_notebook(text: str, folder: Path) -> list[dict]:
    """Runs the notebook in a fresh Python kernel in `folder`; the `history` it ends with."""
    from nbclient import NotebookClient

    notebook = nbformat.reads(text, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import json\nprint(json.dumps(history))"))
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    return json.loads(notebook.cells[-1].outputs[0]["text"])


@pytest.mark.slow
@pytest.mark.parametrize("experiment", ["2-D", "CSV", "digits"])
def test_the_notebook_runs_in_a_plain_kernel_and_matches_the_apps_run(experiment, tmp_path):
    spec = short(
        {
            "2-D": lambda: load_preset("spiral-deep"),
            "CSV": lambda: csv_experiment(tmp_path),
            "digits": lambda: load_preset("digits-softmax"),
        }[experiment]()
    )
    text = export_notebook(spec)
    notebook = nbformat.reads(text, as_version=4)
    assert [cell.cell_type for cell in notebook.cells[:3]] == ["markdown", "markdown", "code"]
    charts = notebook.cells[-1].source
    assert "figure.show()" in charts and ("decision boundary" in notebook.cells[-2].source) == (experiment == "2-D")
    if experiment == "CSV":
        assert "**quadrants\\.csv**" in notebook.cells[0].source  # the file to put beside the notebook
        assert any("pd.read_csv('quadrants.csv'" in cell.source for cell in notebook.cells)

    history = run_notebook(text, tmp_path)
    trainer = Trainer(spec, warm_up=False, snapshots=False)
    try:
        trainer.run_to_end()
        app, train_size = trainer.history, len(trainer.data.dataset.x_train)
    finally:
        trainer.close()
    assert [row["epoch"] for row in history] == [row["epoch"] for row in app] == list(range(1, EPOCHS + 1))
    for mine, theirs in zip(history, app):
        assert mine["test_loss"] == pytest.approx(theirs["test_loss"], rel=1e-3)
        if train_size <= 1024:  # a larger set's training loss is the epoch's running mean in the app
            assert mine["train_loss"] == pytest.approx(theirs["train_loss"], rel=1e-3)


def test_a_hostile_title_is_shown_as_text_and_never_run():
    spec = load_preset("xor").replace(title=HOSTILE_TITLE, description="line one\n<img src=x onerror=alert(2)>")
    notebook = nbformat.reads(export_notebook(spec), as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "alert" not in code and "bold" not in code
    rendered = MarkdownIt("commonmark").render(notebook.cells[0].source)
    assert "<script" not in rendered and "<strong>" not in rendered and "<a " not in rendered and "<img" not in rendered
    assert "<code>" not in rendered and "<table" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered and "**bold**" in rendered
    assert "&amp;amp;" in rendered  # shown as the characters typed, not as an entity


def test_markdown_text_round_trips_through_a_markdown_renderer():
    for text in ["plain", "a_b*c*", "1. not a list", "- not a bullet", "> not a quote", "x\\y", "<b>&</b>"]:
        html = MarkdownIt("commonmark").render(markdown_text(text))
        assert html.startswith("<p>") and "<b>" not in html and "<li>" not in html and "<blockquote>" not in html


def test_cli_writes_the_notebook(tmp_path):
    from tests.test_cli import cli

    result = cli("export", "--preset", "xor", "--notebook", str(tmp_path / "xor.ipynb"))
    assert result.returncode == 0, result.stderr
    nbformat.validate(nbformat.read(tmp_path / "xor.ipynb", as_version=4))
    assert (
        cli("export", "--preset", "xor", "--format", "notebook", "--output", str(tmp_path / "x.ipynb")).returncode == 0
    )
    assert cli("export", "--preset", "xor").returncode == 2
    assert cli("export", "--preset", "xor", "--notebook", "a.ipynb", "--format", "python").returncode == 2


def test_the_share_panel_offers_the_notebook_beside_the_script():
    from streamlit.testing.v1 import AppTest

    from playground.web.widgets.share_export import SHARE_KEY

    app = AppTest.from_file(
        str(Path(__file__).parents[1] / "playground/web/app_pages" / "playground.py"), default_timeout=120
    )
    app.session_state[SHARE_KEY] = True  # the panel is drawn when open
    app.run()
    assert not app.exception
    buttons = {button.proto.label: button.proto for button in app.get("download_button")}
    assert {"Config JSON", "Python script", "Notebook"} <= set(buttons)
    # A download reruns nothing: a rerun would give the written-when-clicked buttons new file ids
    # under a second click, which then downloads nothing.
    assert all(button.ignore_rerun for button in buttons.values())
    app.session_state["slot"].close()
