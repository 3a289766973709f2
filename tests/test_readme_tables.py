"""The README's lists of what the tables hold (activations, optimizers, datasets, layer settings,
presets, ...) are checked against the tables, so a new entry that the README does not mention
fails here with the line to change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from playground.activations import ACTIVATIONS
from playground.datasets import DATASETS
from playground.initializers import INITIALIZERS
from playground.layers import LAYERS
from playground.losses import LOSSES
from playground.optimizers import OPTIMIZERS
from playground.presets import PRESETS
from playground.regularization import REGULARIZATIONS
from playground.schedules import SCHEDULES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def listed(pattern: str) -> list[str]:
    """The names in the README's text that `pattern`'s group holds: backticked, or comma-separated."""
    match = re.search(pattern, README, re.S)
    assert match, f"the README no longer has the list {pattern!r}"
    text = " ".join(match.group(1).split())
    names = re.findall(r"`([^`]+)`", text) or [name.strip() for name in re.split(r",| or ", text)]
    return [name for name in names if name]


@pytest.mark.parametrize(
    "table, pattern",
    [
        (ACTIVATIONS, r"Activations: ([^.]+)\."),
        (OPTIMIZERS, r"`training`: optimizer ([^;]+);"),
        (LOSSES, r"; loss (`auto`[^;]+);"),
        (REGULARIZATIONS, r"regularization (`none`[^;]+);"),
        (INITIALIZERS, r"weight init ([^;]+?) or `zeros`"),
        (SCHEDULES, r"schedule (`constant`[^.]+)\."),
        (PRESETS, r"`python -m playground presets` lists them: ([^.]+)\. Each"),
    ],
    ids=["activations", "optimizers", "losses", "regularizations", "initializers", "schedules", "presets"],
)
def test_each_readme_list_names_its_whole_table(table, pattern):
    names = listed(pattern)
    if table is INITIALIZERS:
        names.append("zeros")
    assert set(names) == set(table), f"update the README: it lists {sorted(names)}, the table holds {sorted(table)}"


def test_the_readme_dataset_table_names_every_dataset():
    section = README.split("## Datasets")[1].split("\n## ")[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    names = {name.strip() for row in rows for name in row.split(",")}
    assert names == set(DATASETS), f"update the README's Datasets table: it lists {sorted(names)}"


def test_the_readme_lists_each_layer_types_settings():
    bullet = re.search(r"- `network.layers`: (.+?)\n- ", README, re.S)
    assert bullet, "the README no longer lists the layer types"
    text = " ".join(bullet.group(1).split())
    for name, layer_type in LAYERS.items():
        match = re.search(rf"`{name}`(?: / `\w+`)? \(([^)]*)\)", text) or re.search(
            rf"`\w+` / `{name}` \(([^)]*)\)", text
        )
        settings = [s.strip() for s in match.group(1).split(",")] if match else []
        expected = [setting.name for setting in layer_type.settings]
        assert settings == expected or (not expected and f"`{name}`" in text), (
            f"update the README's `network.layers` list: {name} takes {', '.join(expected) or 'no settings'}"
        )
