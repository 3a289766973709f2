"""The experiment spec: one plain, versioned config that describes a whole experiment.

An `ExperimentSpec` holds three parts: the dataset, the network and the training settings.
It round-trips exactly through JSON (`to_json` / `from_json`) and through a compact,
URL-safe string (`to_url` / `from_url`) used for shareable links.

The spec itself does not judge its values: `playground.validation.validate` returns
every problem at once, in plain words.

Example:

    spec = ExperimentSpec()                  # TF Playground's default experiment
    text = spec.to_json()
    assert ExperimentSpec.from_json(text) == spec
    assert ExperimentSpec.from_url(spec.to_url()) == spec
"""

from __future__ import annotations

import base64
import dataclasses
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from playground.registry import short_repr

VERSION = 1
MAX_CONFIG_BYTES = 256 * 1024  # a config file or a decompressed link; real ones are under 4 KB
MAX_LINK_CHARS = 64 * 1024  # the `x=` part of a shared link
MAX_TITLE_CHARS = 120
MAX_DESCRIPTION_CHARS = 2_000
SCHEMA_KEY = "$schema"  # an editor's pointer to the JSON Schema (`playground schema`); ignored here
MAX_LAYERS = 16  # hidden layers: TF Playground allows 6; a deep sigmoid stack shows vanishing gradients in 10
MAX_EPOCHS = 100_000


class SpecError(ValueError):
    """A config that cannot be read as an experiment spec at all (wrong shape, unknown keys).

    Args:
        problems: the list of plain-language messages, one per problem.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class CsvOptions:
    """Where a CSV dataset comes from and which column holds the label.

    Args:
        path: a CSV file named on the command line. Only configs read with `allow_paths=True`
            (the CLI's own files) may set it: links, imports and stored runs never name server paths.
        label_column: name of the column to predict.
        task: "auto" (classes when the label has few distinct values), "classification"
            or "regression".
        upload: the id of a file uploaded in the page (`playground.datasets.uploads`).
    """

    path: str = ""
    label_column: str = "label"
    task: str = "auto"
    upload: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    """Which data to train on.

    Args:
        name: a dataset name from `playground.datasets.DATASETS` (default "circle").
        noise: noise level in percent, 0..50 (TF Playground's slider). Default 0.
        train_ratio: fraction of samples used for training, 0.1..0.9. Default 0.5.
        samples: how many samples to generate or load; None means the dataset's default.
        seed: random seed for generating, shuffling and splitting. Default 0.
        classes: number of classes for datasets that let you choose (spiral-multi: 3..5).
        padding: pixels of zeros added on each side of images (LeNet-5 pads 28x28 to 32x32).
        csv: options for the "csv" dataset.
    """

    name: str = "circle"
    noise: float = 0.0
    train_ratio: float = 0.5
    samples: int | None = None
    seed: int = 0
    classes: int = 3
    padding: int = 0
    csv: CsvOptions | None = None


class LayerSpec:
    """One layer of the stack: its type and the settings that type takes.

    The settings are whatever the type's entry in `playground.layers.LAYERS` declares (units and
    activation for Dense, filters, kernel_size, ... for Conv2D), so a new layer setting is one
    entry there. Layers are immutable and hashable.

    Args:
        type: one of the names in `playground.layers.LAYERS` ("Dense", "Conv2D", ...).
        **settings: the layer's settings, e.g. `units=4, activation="tanh"`. Those left out take
            the type's defaults, so a config written before a setting existed still reads.
    """

    __slots__ = ("type", "_settings")
    type: str
    _settings: tuple[tuple[str, Any], ...]

    def __init__(self, type: str = "Dense", **settings: Any):
        from playground.layers import LAYERS  # the layer table builds on this module

        layer_type = LAYERS.lookup(type)
        given = {name: value for name, value in settings.items() if value is not None}
        settings = {**(layer_type.defaults if layer_type else {}), **given}
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "_settings", tuple(sorted(settings.items())))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return dict(self._settings).get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LayerSpec) and (self.type, self._settings) == (other.type, other._settings)

    def __hash__(self) -> int:
        return hash((self.type, self._settings))

    def __repr__(self) -> str:
        settings = "".join(f", {name}={value!r}" for name, value in self._settings)
        return f"LayerSpec({self.type!r}{settings})"

    def __reduce__(self) -> tuple:
        return (_layer_from_settings, (self.type, self._settings))

    @property
    def settings(self) -> dict[str, Any]:
        """The settings that are set, by name."""
        return dict(self._settings)

    def replace(self, **changes: Any) -> LayerSpec:
        return LayerSpec(self.type, **{**self.settings, **changes})

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.settings}


def _layer_from_settings(type: str, settings: tuple[tuple[str, Any], ...]) -> LayerSpec:
    return LayerSpec(type, **dict(settings))


def layer_setting_names() -> set[str]:
    """Every setting any layer type takes, plus "type": the keys a layer in a config may have."""
    from playground.layers import LAYERS  # the layer table builds on this module

    return {"type"} | {setting.name for layer_type in LAYERS.values() for setting in layer_type.settings}


@dataclass(frozen=True)
class NetworkSpec:
    """The network: its inputs, the hidden layer stack and the output layer.

    Args:
        features: input features for 2-D datasets (names from `playground.features.FEATURES`);
            must be empty for image and CSV datasets, which feed their own columns.
        layers: the hidden layers, first to last.
        output_activation: "auto" derives it from the task (sigmoid for two classes,
            softmax for more, linear for regression), or an activation name.
    """

    features: tuple[str, ...] = ("x1", "x2")
    layers: tuple[LayerSpec, ...] = (
        LayerSpec("Dense", units=4, activation="tanh"),
        LayerSpec("Dense", units=2, activation="tanh"),
    )
    output_activation: str = "auto"


@dataclass(frozen=True)
class RegularizationSpec:
    """Weight penalty added to the loss.

    Args:
        kind: "none", "l1" or "l2".
        rate: strength of the penalty (TF Playground offers 0.001..10). Default 0.
    """

    kind: str = "none"
    rate: float = 0.0


@dataclass(frozen=True)
class ScheduleSpec:
    """How the learning rate changes with the epoch.

    Args:
        kind: "constant", "step" (multiply by `factor` every `every` epochs),
            "exponential" (multiply by `factor` each epoch) or "cosine" (to zero at the last epoch).
        factor: the multiplier for "step" and "exponential". Default 0.5.
        every: epochs between steps for "step". Default 10.
    """

    kind: str = "constant"
    factor: float = 0.5
    every: int = 10


@dataclass(frozen=True)
class TrainingSpec:
    """How to train.

    Args:
        optimizer: "sgd", "momentum", "adam" or "rmsprop". Default "sgd".
        learning_rate: step size, 0.00001..10. Default 0.03.
        batch_size: examples per gradient step, 1..training-set size. Default 10.
        epochs: passes over the training set, 1..100,000. Default 100.
        loss: "auto" (cross-entropy for classes, MSE for regression) or "mse".
        regularization: the weight penalty.
        weight_init: "glorot_uniform", "he_normal", "tfp_uniform" (U(-0.5, 0.5), TF
            Playground's) or "zeros".
        schedule: the learning-rate schedule.
        seed: seed for weight initialisation, shuffling and dropout. Default 0.
        shuffle: reshuffle the training set every epoch. False keeps TF Playground's fixed order.
    """

    optimizer: str = "sgd"
    learning_rate: float = 0.03
    batch_size: int = 10
    epochs: int = 100
    loss: str = "auto"
    regularization: RegularizationSpec = RegularizationSpec()
    weight_init: str = "glorot_uniform"
    schedule: ScheduleSpec = ScheduleSpec()
    seed: int = 0
    shuffle: bool = True


@dataclass(frozen=True)
class ExperimentSpec:
    """A whole experiment: data, network and training. The default is TF Playground's default.

    Args:
        dataset: the `DatasetSpec`.
        network: the `NetworkSpec`.
        training: the `TrainingSpec`.
        title: a short human name, shown in the page and in saved runs.
        description: what the experiment shows, in a sentence or two (presets have one).
    """

    dataset: DatasetSpec = field(default_factory=DatasetSpec)
    network: NetworkSpec = field(default_factory=NetworkSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)
    title: str = ""
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = self.dataset
        return {
            "version": VERSION,
            "title": self.title,
            **({"description": self.description} if self.description else {}),
            "dataset": {
                "name": data.name,
                "noise": data.noise,
                "train_ratio": data.train_ratio,
                "samples": data.samples,
                "seed": data.seed,
                "classes": data.classes,
                "padding": data.padding,
                "csv": None if data.csv is None else dataclasses.asdict(data.csv),
            },
            "network": {
                "features": list(self.network.features),
                "layers": [layer.to_dict() for layer in self.network.layers],
                "output_activation": self.network.output_activation,
            },
            "training": {
                **{
                    f.name: getattr(self.training, f.name)
                    for f in dataclasses.fields(TrainingSpec)
                    if f.name not in ("regularization", "schedule")
                },
                "regularization": dataclasses.asdict(self.training.regularization),
                "schedule": dataclasses.asdict(self.training.schedule),
            },
        }

    @classmethod
    def from_dict(cls, config: Any, allow_paths: bool = False) -> ExperimentSpec:
        """Reads a config dict. Missing fields take their defaults; unknown ones are errors.

        Args:
            config: the parsed JSON object.
            allow_paths: whether `dataset.csv.path` may name a file. Only the CLI, reading a
                config its user wrote, passes True; a link or an imported file must not make the
                server read its own files.

        Raises:
            SpecError: listing every structural problem (values are checked by `validate`).
        """
        problems: list[str] = []
        if not isinstance(config, dict):
            raise SpecError([f"The config must be a JSON object, but got {type(config).__name__}."])
        title = config.get("title", "")
        if not isinstance(title, str):
            problems.append(f'title must be text in quotes, like "XOR with 4 neurons", but got {short_repr(title)}.')
            title = ""
        description = config.get("description", "")
        if not isinstance(description, str) or len(description) > MAX_DESCRIPTION_CHARS:
            problems.append(
                f"description must be text of at most {MAX_DESCRIPTION_CHARS:,} characters, but got "
                f"{short_repr(description)}."
            )
            description = ""
        version = config.get("version", VERSION)
        if version != VERSION or isinstance(version, bool):  # true == 1 in Python, but not a version
            problems.append(
                f"version: this app reads config version {VERSION}, but got {short_repr(version)}. "
                f'Set "version": {VERSION}.'
            )
        _unknown(
            config, {SCHEMA_KEY, "version", "title", "description", "dataset", "network", "training"}, "", problems
        )

        data_cfg = _section(config, "dataset", problems)
        csv_cfg = data_cfg.get("csv")
        csv = None
        if csv_cfg is not None:
            if isinstance(csv_cfg, dict):
                _unknown(csv_cfg, _names(CsvOptions), "dataset.csv.", problems)
                csv = CsvOptions(**_known(csv_cfg, CsvOptions))
                if csv.path and not allow_paths:
                    problems.append(
                        "dataset.csv.path names a file on the server, which links and imported configs may not do. "
                        "Upload the CSV file in the Data panel instead (or run the config with the command line)."
                    )
                    csv = dataclasses.replace(csv, path="")
            else:
                problems.append('dataset.csv must be an object like {"upload": ..., "label_column": "label"}.')
        _unknown(data_cfg, _names(DatasetSpec), "dataset.", problems)
        dataset = DatasetSpec(**{**_known(data_cfg, DatasetSpec), "csv": csv})

        net_cfg = _section(config, "network", problems)
        _unknown(net_cfg, _names(NetworkSpec), "network.", problems)
        layers_cfg = net_cfg.get("layers", None)
        layers: tuple[LayerSpec, ...] = NetworkSpec().layers
        if layers_cfg is not None:
            if not isinstance(layers_cfg, list):
                problems.append("network.layers must be a list of layers.")
                layers_cfg = []
            elif len(layers_cfg) > MAX_LAYERS:
                problems.append(
                    f"network.layers lists {len(layers_cfg):,} layers; the limit is {MAX_LAYERS}. Remove some layers."
                )
                layers_cfg = []
            parsed = []
            for i, layer_cfg in enumerate(layers_cfg, start=1):
                if not isinstance(layer_cfg, dict):
                    problems.append(f'network.layers[{i}] must be an object like {{"type": "Dense", "units": 4}}.')
                    continue
                _unknown(layer_cfg, layer_setting_names(), f"Layer {i}: ", problems)
                known = layer_setting_names()
                parsed.append(LayerSpec(**{key: value for key, value in layer_cfg.items() if key in known}))
            layers = tuple(parsed)
        features = net_cfg.get("features", _default_features(data_cfg.get("name", DatasetSpec.name)))
        if not isinstance(features, list):
            problems.append('network.features must be a list of feature names, like ["x1", "x2"].')
            features = []
        network = NetworkSpec(
            features=tuple(features),
            layers=layers,
            output_activation=net_cfg.get("output_activation", "auto"),
        )

        train_cfg = _section(config, "training", problems)
        _unknown(train_cfg, _names(TrainingSpec), "training.", problems)
        reg = _subsection(train_cfg, "regularization", RegularizationSpec, problems)
        schedule = _subsection(train_cfg, "schedule", ScheduleSpec, problems)
        training = TrainingSpec(**{**_known(train_cfg, TrainingSpec), "regularization": reg, "schedule": schedule})

        if problems:
            raise SpecError(problems)
        return cls(dataset=dataset, network=network, training=training, title=title, description=description)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes, allow_paths: bool = False) -> ExperimentSpec:
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
        return cls.from_dict(config, allow_paths=allow_paths)

    def to_url(self) -> str:
        """A compact URL-safe string: compressed JSON in base64url, no padding."""
        raw = json.dumps(self.to_dict(), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")

    @classmethod
    def from_url(cls, text: str) -> ExperimentSpec:
        """Reads a link's experiment. The link and what it unpacks to are bounded before any work."""
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
        return cls.from_json(raw.decode("utf-8", errors="replace"))

    def replace(self, **changes: Any) -> ExperimentSpec:
        return dataclasses.replace(self, **changes)


def _default_features(dataset_name: Any) -> list[str]:
    """x1 and x2 for the 2-D datasets; none for images and tables, which feed their own inputs."""
    from playground.datasets import DATASETS  # the dataset table builds on this module
    from playground.datasets.dataset import DatasetKind

    info = DATASETS.get(dataset_name) if isinstance(dataset_name, str) else None
    return list(NetworkSpec().features) if info is None or info.kind == DatasetKind.PLANE else []


def _too_long(size: int, what: str = "config") -> str:
    return (
        f"The {what} holds more than {MAX_CONFIG_BYTES // 1024} KB of settings (an experiment needs a few KB), so it "
        "was not read. Check that it is an experiment saved from the playground."
    )


def _names(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def _known(config: dict, cls) -> dict:
    names = _names(cls) - {"csv", "regularization", "schedule", "layers"}
    return {k: v for k, v in config.items() if k in names}


def _unknown(config: dict, allowed: set[str], where: str, problems: list[str]) -> None:
    for key in config:
        if key not in allowed:
            problems.append(f"{where}unknown setting {short_repr(key)}. Known settings: {', '.join(sorted(allowed))}.")


def _section(config: dict, name: str, problems: list[str]) -> dict:
    value = config.get(name, {})
    if not isinstance(value, dict):
        problems.append(f"{name} must be an object (a {{...}} block), but got {type(value).__name__}.")
        return {}
    return value


def _subsection(config: dict, name: str, cls, problems: list[str]):
    value = config.get(name, {})
    if not isinstance(value, dict):
        problems.append(f"training.{name} must be an object, like {json.dumps(dataclasses.asdict(cls()))}.")
        return cls()
    _unknown(value, _names(cls), f"training.{name}.", problems)
    return cls(**{k: v for k, v in value.items() if k in _names(cls)})
