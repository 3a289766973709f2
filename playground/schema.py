"""The JSON Schema of an experiment config, generated from the spec's dataclasses and name tables.

Editors that know JSON Schema (VS Code, PyCharm) complete and check a config whose `"$schema"`
points at `playground/experiment.schema.json` (the presets do); `playground schema` prints it.
The schema describes the shape and the names; `playground.validation` still judges the values
(ranges that depend on the dataset, impossible stacks) with its plain-language messages.

Example:

    schema = experiment_schema()
    schema["properties"]["training"]["properties"]["optimizer"]["enum"]   # -> ['sgd', 'momentum', ...]
"""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path

from playground.activations import ACTIVATIONS
from playground.datasets import DATASETS
from playground.datasets.csv_table import CSV_TASK
from playground.features import FEATURES
from playground.initializers import INITIALIZERS
from playground.layers import LAYERS
from playground.losses import LOSSES
from playground.optimizers import OPTIMIZERS
from playground.registry import Setting
from playground.regularization import REGULARIZATIONS
from playground.schedules import SCHEDULES
from playground.spec import (
    MAX_DESCRIPTION_CHARS,
    MAX_LAYERS,
    MAX_TITLE_CHARS,
    SCHEMA_KEY,
    VERSION,
    CsvOptions,
    DatasetSpec,
    ExperimentSpec,
    LayerSpec,
    NetworkSpec,
    RegularizationSpec,
    ScheduleSpec,
    TrainingSpec,
)

SCHEMA_FILE = Path(__file__).parent / "experiment.schema.json"
SCHEMA_ID = "https://neural-network-playground.invalid/experiment.schema.json"

# The names each field takes, from the tables that define them.
NAMES: dict[tuple[type, str], list[str]] = {
    (DatasetSpec, "name"): list(DATASETS),
    (CsvOptions, "task"): CSV_TASK.options(),
    (NetworkSpec, "output_activation"): ["auto", *ACTIVATIONS],
    (TrainingSpec, "optimizer"): list(OPTIMIZERS),
    (TrainingSpec, "loss"): list(LOSSES),
    (TrainingSpec, "weight_init"): list(INITIALIZERS),
    (RegularizationSpec, "kind"): list(REGULARIZATIONS),
    (ScheduleSpec, "kind"): list(SCHEDULES),
}


def _setting_schema(setting: Setting) -> dict:
    if setting.kind == "choice":
        return {"type": "string", "enum": setting.options()}
    if setting.kind == "bool":
        return {"type": "boolean"}
    bounds = {
        "exclusiveMinimum" if setting.above_low else "minimum": setting.low,
        "exclusiveMaximum" if setting.below_high else "maximum": setting.high,
    }
    return {"type": "integer" if setting.kind == "int" else "number", **bounds}


def _layer_schema() -> dict:
    """A layer: its type, and the settings any layer type takes (the validator says which type takes which)."""
    settings = {
        setting.name: _setting_schema(setting) for layer_type in LAYERS.values() for setting in layer_type.settings
    }
    return {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": list(LAYERS)}, **settings},
        "additionalProperties": False,
    }


def _type_schema(owner: type, name: str, hint) -> dict:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is LayerSpec:
        return _layer_schema()
    if dataclasses.is_dataclass(hint):
        return _object_schema(typing.cast(type, hint))
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        options = [_type_schema(owner, name, a) for a in args if a is not type(None)]
        schema = options[0] if len(options) == 1 else {"anyOf": options}
        return {"anyOf": [schema, {"type": "null"}]} if type(None) in args else schema
    if origin is tuple:
        items = _type_schema(owner, name, args[0])
        if name == "features":
            items = {"enum": list(FEATURES)}
        return {"type": "array", "items": items, **({"maxItems": MAX_LAYERS} if name == "layers" else {})}
    if (owner, name) in NAMES:
        return {"type": "string", "enum": NAMES[(owner, name)]}
    return {str: {"type": "string"}, int: {"type": "integer"}, float: {"type": "number"}, bool: {"type": "boolean"}}[
        hint
    ]


def _object_schema(cls: type) -> dict:
    hints = typing.get_type_hints(cls)
    properties = {f.name: _type_schema(cls, f.name, hints[f.name]) for f in dataclasses.fields(cls)}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def experiment_schema() -> dict:
    """The schema of a config file: what `ExperimentSpec.from_json` reads."""
    schema = _object_schema(ExperimentSpec)
    schema["properties"]["title"]["maxLength"] = MAX_TITLE_CHARS
    schema["properties"]["description"]["maxLength"] = MAX_DESCRIPTION_CHARS
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Neural Network Playground experiment",
        "description": "One experiment: the dataset, the network and the training settings. Missing fields take their "
        "defaults.",
        **schema,
        "properties": {SCHEMA_KEY: {"type": "string"}, "version": {"const": VERSION}, **schema["properties"]},
    }


def schema_text() -> str:
    return json.dumps(experiment_schema(), indent=2) + "\n"
