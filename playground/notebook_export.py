"""Export an experiment as a Jupyter notebook (`.ipynb`), for students to continue in Jupyter or Colab.

The notebook holds the exported script's code (`script_export.script_parts`), one code cell per
step, each after a Markdown cell saying what the step does; it ends with the loss curves and, for
2-D data, the decision boundary, drawn with plain Plotly. Run top to bottom in a plain Python
kernel (keras, numpy, plotly and the dataset's package; nothing is downloaded), it trains the same
network on the same batches as the app, so its losses match the app's run.

The experiment's title and description are text a shared link chose: they appear only in Markdown
cells, with every character that Markdown or HTML would read as markup escaped, and never in code.

Example:

    Path("spiral.ipynb").write_text(export_notebook(load_preset("spiral-deep")))
"""

from __future__ import annotations

import html
import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from playground.datasets import DATASETS
from playground.datasets.dataset import DatasetKind
from playground.datasets.registry import csv_file_name
from playground.script_export import ScriptPart, script_parts
from playground.spec import ExperimentSpec

# Characters Markdown gives a meaning to; each is written with a backslash before it. (`<`, `>` and
# `&` are HTML-escaped instead: a backslash before an entity would show the entity's letters.)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")

LOSS_CHART = """import plotly.graph_objects as go

epochs = [row["epoch"] for row in history]
figure = go.Figure()
figure.add_scatter(x=epochs, y=[row["train_loss"] for row in history], name="training loss")
figure.add_scatter(x=epochs, y=[row["test_loss"] for row in history], name="test loss")
figure.update_layout(xaxis_title="epoch", yaxis_title="loss", height=350)
figure.show()"""

BOUNDARY_CHART = """# The network's output over the plane, with the training points on top.
reach = float(np.ceil(max(6.0, np.abs(x).max())))
axis = np.linspace(-reach, reach, 101, dtype="float32")
grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
outputs = np.asarray(model(features(grid), training=False))
surface = outputs.argmax(axis=1) if outputs.shape[1] > 1 else outputs[:, 0]
points = x[:cut]
figure = go.Figure()
figure.add_heatmap(x=axis, y=axis, z=surface.reshape(len(axis), len(axis)), colorscale="RdBu", opacity=0.6)
figure.add_scatter(
    x=points[:, 0], y=points[:, 1], mode="markers",
    marker=dict(color=y[:cut], colorscale="RdBu", line=dict(width=1, color="white")), showlegend=False,
)
figure.update_layout(width=450, height=450, xaxis_range=[-reach, reach], yaxis_range=[-reach, reach])
figure.show()"""


def markdown_text(text: str) -> str:
    """`text` shown as itself in a Markdown cell: HTML escaped, Markdown's characters escaped, and
    line breaks kept as line breaks."""
    escaped = html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", str(text)), quote=True)
    return "  \n".join(escaped.splitlines())


def export_notebook(spec: ExperimentSpec) -> str:
    """The notebook for `spec` (which must be valid), as the text of an `.ipynb` file."""
    parts = script_parts(spec)
    plane = DATASETS[spec.dataset.name].kind == DatasetKind.PLANE
    charts = ScriptPart(
        "Charts",
        "The training and test losses after each epoch"
        + (", and the decision boundary the network learned." if plane else "."),
        LOSS_CHART + ("\n\n" + BOUNDARY_CHART if plane else ""),
    )
    packages = ", ".join(["keras (with TensorFlow)", "numpy", "plotly", *DATASETS[spec.dataset.name].packages])
    cells = [new_markdown_cell(_introduction(spec, packages))]
    for part in [*parts, charts]:
        cells.append(new_markdown_cell(f"## {part.title}\n\n{part.explanation}"))
        cells.append(new_code_cell(part.code))
    notebook = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(notebook)
    return nbformat.writes(notebook)


def _introduction(spec: ExperimentSpec, packages: str) -> str:
    title = markdown_text(spec.title) if spec.title else f"An experiment on {DATASETS.label(spec.dataset.name)}"
    lines = [f"# {title}", ""]
    if spec.description:
        lines += [markdown_text(spec.description), ""]
    lines += [
        "Exported from Neural Network Playground. Run the cells from top to bottom: they train the same network "
        "on the same data, in the same batch order, as the app did, so the losses match the app's curves.",
        "",
        f"Needs: {packages}.",
    ]
    if spec.dataset.csv is not None:
        lines += [
            "",
            f"Put the CSV file **{markdown_text(csv_file_name(spec.dataset))}** beside this notebook before "
            "running it.",
        ]
    return "\n".join(lines)
