"""Presets: ready-made experiments for each lecture topic, shipped as JSON files beside this one.

Adding a preset is adding one file: an experiment config (its `description` says what it shows),
valid as it is for the CLI (`playground train playground/presets/xor.json`) and for editors
(its `"$schema"` points at the generated schema).

Example:

    spec = load_preset("tfp-default")
    sorted(PRESETS)[:2]   # -> ['deep-sigmoid', 'digits-softmax']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playground.spec import ExperimentSpec
from playground.spec_reading import spec_from_json

FOLDER = Path(__file__).parent


@dataclass(frozen=True)
class Preset:
    name: str
    spec: ExperimentSpec

    @property
    def description(self) -> str:
        return self.spec.description


def _load_all() -> dict[str, Preset]:
    return {path.stem: Preset(path.stem, spec_from_json(path.read_text())) for path in sorted(FOLDER.glob("*.json"))}


PRESETS: dict[str, Preset] = _load_all()
DEFAULT_PRESET = "tfp-default"


def load_preset(name: str) -> ExperimentSpec:
    if name not in PRESETS:
        raise KeyError(f"Unknown preset {name!r}. Pick one of: {', '.join(PRESETS)}.")
    return PRESETS[name].spec
