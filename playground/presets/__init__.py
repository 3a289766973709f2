"""Presets: ready-made experiments for each lecture topic, shipped as JSON files beside this one.

Adding a preset is adding one file: {"description": "...", "experiment": {...spec...}}.

Example:

    spec = load_preset("tfp-default")
    sorted(PRESETS)[:2]   # -> ['deep-sigmoid', 'digits-softmax']
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from playground.spec import ExperimentSpec

FOLDER = Path(__file__).parent


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    spec: ExperimentSpec


def _load_all() -> dict[str, Preset]:
    presets = {}
    for path in sorted(FOLDER.glob("*.json")):
        content = json.loads(path.read_text())
        presets[path.stem] = Preset(path.stem, content["description"], ExperimentSpec.from_dict(content["experiment"]))
    return presets


PRESETS: dict[str, Preset] = _load_all()
DEFAULT_PRESET = "tfp-default"


def load_preset(name: str) -> ExperimentSpec:
    if name not in PRESETS:
        raise KeyError(f"Unknown preset {name!r}. Pick one of: {', '.join(PRESETS)}.")
    return PRESETS[name].spec
