"""Reading an experiment spec from a config: a dict, JSON text or a shared link's string.

The reader walks the spec's dataclasses and their field tables (`playground.spec.field_settings`,
the layer types of `playground.layers.LAYERS`), so a new field or layer setting is read with no
code here. It judges the config's shape only: unknown keys, a section that is not an object, text
that is not text, sizes over their bounds. Missing fields take their defaults, and each layer's
missing settings its type's defaults. The values themselves are judged by
`playground.validation.validate`, every problem at once.

Example:

    spec = spec_from_json('{"training": {"learning_rate": 0.1}}')
    spec.training.learning_rate                  # -> 0.1
    spec_from_url(spec.to_url()) == spec         # -> True
"""

from __future__ import annotations

import base64
import dataclasses
import json
import typing
import zlib
from typing import Any

from playground.datasets import DATASETS
from playground.datasets.dataset import DatasetKind
from playground.layers import complete_layer, complete_network, layer_setting_names
from playground.registry import short_repr
from playground.spec import (
    MAX_CONFIG_BYTES,
    MAX_LAYERS,
    MAX_LINK_CHARS,
    SCHEMA_KEY,
    VERSION,
    CsvOptions,
    DatasetSpec,
    ExperimentSpec,
    LayerSpec,
    NetworkSpec,
    SpecError,
    field_settings,
)


def spec_from_dict(config: Any, allow_paths: bool = False) -> ExperimentSpec:
    """Reads a config dict. Missing fields take their defaults; unknown ones are errors.

    Args:
        config: the parsed JSON object.
        allow_paths: whether `dataset.csv.path` may name a file. Only the CLI, reading a
            config its user wrote, passes True; a link or an imported file must not make the
            server read its own files.

    Raises:
        SpecError: listing every structural problem (values are checked by `validate`).
    """
    if not isinstance(config, dict):
        raise SpecError([f"The config must be a JSON object, but got {type(config).__name__}."])
    problems: list[str] = []
    version = config.get("version", VERSION)
    if version != VERSION or isinstance(version, bool):  # true == 1 in Python, but not a version
        problems.append(
            f"version: this app reads config version {VERSION}, but got {short_repr(version)}. "
            f'Set "version": {VERSION}.'
        )
    reader = _Reader(problems, allow_paths)
    spec = reader.read(ExperimentSpec, {k: v for k, v in config.items() if k not in (SCHEMA_KEY, "version")}, "")
    if problems:
        raise SpecError(problems)
    return spec


def spec_from_json(text: str | bytes, allow_paths: bool = False) -> ExperimentSpec:
    """Reads a config from JSON text (or UTF-8 bytes), at most `MAX_CONFIG_BYTES` long."""
    if isinstance(text, bytes):
        if len(text) > MAX_CONFIG_BYTES:
            raise SpecError([_too_long(len(text))])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SpecError(
                [
                    "The config is not text (it is not UTF-8): it may be another kind of file. Choose the .json "
                    "file saved from the playground."
                ]
            ) from error
    if len(text) > MAX_CONFIG_BYTES:
        raise SpecError([_too_long(len(text))])
    try:
        config = json.loads(text)
    except (ValueError, TypeError) as error:  # a JSONDecodeError, or an integer of thousands of digits
        raise SpecError(
            [f"The config is not valid JSON: {str(error)[:200]}. Check for a missing comma or quote."]
        ) from error
    except RecursionError as error:
        raise SpecError(
            [
                "The config nests brackets thousands of levels deep; an experiment config is a few levels deep. "
                "Use a config saved from the playground."
            ]
        ) from error
    return spec_from_dict(config, allow_paths=allow_paths)


def spec_from_url(text: str) -> ExperimentSpec:
    """Reads a link's experiment (`ExperimentSpec.to_url`). The link and what it unpacks to are
    bounded before any work."""
    cut_short = "The link does not hold a valid experiment (it may be cut short). Copy the whole link again."
    if not isinstance(text, str) or len(text) > MAX_LINK_CHARS:
        raise SpecError(
            [
                f"The link is longer than any experiment's ({MAX_LINK_CHARS // 1024} KB at most), so it was not "
                "read. Copy the link from the playground's Share box."
            ]
        )
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        unpacker = zlib.decompressobj()
        raw = unpacker.decompress(packed, MAX_CONFIG_BYTES + 1)
    except (ValueError, zlib.error) as error:
        raise SpecError([cut_short]) from error
    if len(raw) > MAX_CONFIG_BYTES or unpacker.unconsumed_tail:
        raise SpecError([_too_long(len(raw), "link")])
    if not unpacker.eof:
        raise SpecError([cut_short])
    return spec_from_json(raw.decode("utf-8", errors="replace"))


class _Reader:
    """Walks one config along the spec's dataclasses, collecting its structural problems."""

    def __init__(self, problems: list[str], allow_paths: bool):
        self.problems = problems
        self.allow_paths = allow_paths

    def read(self, cls: type, config: dict, where: str) -> Any:
        """An instance of the spec dataclass `cls` from the object `config` found at `where`."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for key in config:
            if key not in fields:
                known = ", ".join(sorted(fields))
                self.problems.append(f"{where}unknown setting {short_repr(key)}. Known settings: {known}.")
        hints = typing.get_type_hints(cls)
        settings = field_settings(cls)
        values: dict[str, Any] = {}
        for name in fields:
            section = _dataclass_of(hints[name])
            if name not in config:
                if cls is NetworkSpec and name == "features":
                    values[name] = self.default_features
                elif section is not None and not _optional(hints[name]):
                    values[name] = self.read(section, {}, f"{where}{name}.")
                continue
            value, path = config[name], f"{where}{name}"
            if cls is ExperimentSpec and name in settings and not isinstance(value, str):
                self.problems.append(settings[name].problem(value, path) or "")
                continue
            if cls is NetworkSpec and name == "layers":
                values[name] = self._layers(value)
            elif cls is NetworkSpec and name == "features" and not isinstance(value, list):
                self.problems.append('network.features must be a list of feature names, like ["x1", "x2"].')
                values[name] = ()
            elif section is not None:
                values[name] = self._section(section, value, path, optional=_optional(hints[name]))
            else:
                values[name] = tuple(value) if isinstance(value, list) and name == "features" else value
        if cls is DatasetSpec:
            self.dataset_name = values.get("name", DatasetSpec.name)
        if cls is CsvOptions and values.get("path") and not self.allow_paths:
            self.problems.append(
                "dataset.csv.path names a file on the server, which links and imported configs may not do. "
                "Upload the CSV file in the Data panel instead (or run the config with the command line)."
            )
            values["path"] = ""
        if cls is NetworkSpec:  # the default stack too: every layer as its type's defaults complete it
            return complete_network(cls(**values))
        return cls(**values)

    @property
    def default_features(self) -> tuple[str, ...]:
        """x1 and x2 for the 2-D datasets; none for images and tables, which feed their own inputs."""
        info = DATASETS.lookup(getattr(self, "dataset_name", DatasetSpec.name))
        return NetworkSpec().features if info is None or info.kind == DatasetKind.PLANE else ()

    def _section(self, cls: type, value: Any, path: str, optional: bool) -> Any:
        if value is None and optional:
            return None
        if not isinstance(value, dict):
            example = json.dumps(_plain_example(cls))
            self.problems.append(
                f"{path} must be an object (a {{...}} block) like {example}, but got {type(value).__name__}."
            )
            return None if optional else cls()
        return self.read(cls, value, f"{path}.")

    def _layers(self, value: Any) -> tuple[LayerSpec, ...]:
        if not isinstance(value, list):
            self.problems.append("network.layers must be a list of layers.")
            return ()
        if len(value) > MAX_LAYERS:
            self.problems.append(
                f"network.layers lists {len(value):,} layers; the limit is {MAX_LAYERS}. Remove some layers."
            )
            return ()
        known = layer_setting_names()
        layers = []
        for index, layer in enumerate(value, start=1):
            if not isinstance(layer, dict):
                self.problems.append(f'network.layers[{index}] must be an object like {{"type": "Dense", "units": 4}}.')
                continue
            for key in layer:
                if key not in known:
                    names = ", ".join(sorted(known))
                    self.problems.append(f"Layer {index}: unknown setting {short_repr(key)}. Known settings: {names}.")
            layers.append(complete_layer(LayerSpec(**{key: item for key, item in layer.items() if key in known})))
        return tuple(layers)


def _dataclass_of(hint: Any) -> type | None:
    """The spec dataclass a field holds (also through `X | None`), or None."""
    options = [hint] if not typing.get_args(hint) else [a for a in typing.get_args(hint) if a is not type(None)]
    classes = [option for option in options if dataclasses.is_dataclass(option) and isinstance(option, type)]
    return classes[0] if len(classes) == 1 and len(options) == 1 else None


def _optional(hint: Any) -> bool:
    return type(None) in typing.get_args(hint)


def _plain_example(cls: type) -> dict:
    return {f.name: f.default for f in dataclasses.fields(cls) if "setting" in f.metadata}


def _too_long(size: int, what: str = "config") -> str:
    return (
        f"The {what} holds more than {MAX_CONFIG_BYTES // 1024} KB of settings (an experiment needs a few KB), so it "
        "was not read. Check that it is an experiment saved from the playground."
    )
