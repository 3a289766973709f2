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
from typing import Any

from playground.layers import LAYERS
from playground.registry import Setting
from playground.spec import MAX_LAYERS, SCHEMA_KEY, VERSION, ExperimentSpec, field_settings

SCHEMA_FILE = Path(__file__).parent / "experiment.schema.json"
SCHEMA_ID = "https://neural-network-playground.invalid/experiment.schema.json"
SCHEMA_COMMAND = "python -m playground schema > playground/experiment.schema.json"


def setting_schema(setting: Setting) -> dict:
    """The schema of one `Setting`: its type, and its names or bounds."""
    schema: dict[str, Any]
    if setting.kind == "choice":
        names = {"type": "string", "enum": setting.options()}
        schema = {"type": "array", "items": names, "uniqueItems": True} if setting.many else names
    elif setting.kind == "bool":
        schema = {"type": "boolean"}
    elif setting.kind == "text":
        schema = {
            "type": "string",
            "maxLength": int(setting.high),
            **({"minLength": int(setting.low)} if setting.low else {}),
        }
    else:
        schema = {
            "type": "integer" if setting.kind == "int" else "number",
            "exclusiveMinimum" if setting.above_low else "minimum": setting.low,
            "exclusiveMaximum" if setting.below_high else "maximum": setting.high,
        }
    return {"anyOf": [schema, {"type": "null"}]} if setting.optional else schema


def _layer_schema() -> dict:
    """A layer: its type, and the settings any layer type takes (the validator says which type takes which)."""
    settings = {
        setting.name: setting_schema(setting) for layer_type in LAYERS.values() for setting in layer_type.settings
    }
    return {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": list(LAYERS)}, **settings},
        "additionalProperties": False,
    }


def _object_schema(cls: type) -> dict:
    """A spec dataclass: each field's `Setting`, a section's own object, or the layer stack."""
    hints = typing.get_type_hints(cls)
    settings = field_settings(cls)
    properties = {}
    for f in dataclasses.fields(cls):
        if f.name in settings:
            properties[f.name] = setting_schema(settings[f.name])
        elif f.name == "layers":
            properties[f.name] = {"type": "array", "items": _layer_schema(), "maxItems": MAX_LAYERS}
        else:
            args = typing.get_args(hints[f.name])
            section = _object_schema(next((a for a in args if a is not type(None)), hints[f.name]))
            properties[f.name] = {"anyOf": [section, {"type": "null"}]} if type(None) in args else section
    return {"type": "object", "properties": properties, "additionalProperties": False}


def experiment_schema() -> dict:
    """The schema of a config file: what `spec_from_json` reads."""
    schema = _object_schema(ExperimentSpec)
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
