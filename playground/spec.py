"""The experiment spec: one plain, versioned config that describes a whole experiment.

An `ExperimentSpec` holds three parts: the dataset, the network and the training settings.
Every field that holds a value carries its `Setting` (kind, bounds, label, advice): the one
table of the spec's fields, which the validator, the page's controls, the JSON schema, the config
reader, the sweeps and the nearest-value repair all read (`field_settings`). A field naming a
choice names its registry (`Setting.registry`), so this module stands below the tables.

A spec writes itself as JSON (`to_json`) and as a compact, URL-safe string (`to_url`) for
shareable links; `playground.spec_reading` reads them back, and `playground.validation.validate`
judges the values, every problem at once, in plain words.

Example:

    spec = ExperimentSpec()                  # TF Playground's default experiment
    text = spec.to_json()
    assert spec_from_json(text) == spec      # playground.spec_reading
"""

from __future__ import annotations

import base64
import dataclasses
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from playground.learning_rates import LEARNING_RATE_LADDER
from playground.registry import Setting

VERSION = 1
MAX_CONFIG_BYTES = 256 * 1024  # a config file or a decompressed link; real ones are under 4 KB
MAX_LINK_CHARS = 64 * 1024  # the `x=` part of a shared link
MAX_TITLE_CHARS = 120
MAX_DESCRIPTION_CHARS = 2_000
SCHEMA_KEY = "$schema"  # an editor's pointer to the JSON Schema (`playground schema`); ignored here
MAX_LAYERS = 16  # hidden layers: TF Playground allows 6; a deep sigmoid stack shows vanishing gradients in 10
MAX_EPOCHS = 100_000
MAX_SEED = 1_000_000  # layer seeds are seed * 1000 + layer, which must stay a 32-bit integer
MAX_SAMPLES = 20_000  # generated 2-D data; image sets are bounded by their size
MAX_BATCH_SIZE = 100_000  # and at most the training set, which the validator checks against the data
MAX_PATH_CHARS = 4_096


def setting_field(setting: Setting) -> Any:
    """A dataclass field whose default and description are `setting`'s."""
    return field(default=setting.default, metadata={"setting": setting})


def field_settings(cls: type) -> dict[str, Setting]:
    """The `Setting` of each field of the spec dataclass `cls` that holds a value, by field name."""
    return {f.name: f.metadata["setting"] for f in dataclasses.fields(cls) if "setting" in f.metadata}


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

    path: str = setting_field(Setting("path", "CSV file path", "", "text", high=MAX_PATH_CHARS))
    label_column: str = setting_field(
        Setting("label_column", "Label column", "label", "text", low=1, high=200, advice="Name a column.")
    )
    task: str = setting_field(
        Setting("task", "CSV task", "auto", "choice", choices=("auto", "classification", "regression"))
    )
    upload: str = setting_field(Setting("upload", "Uploaded file", "", "text", high=64))


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

    name: str = setting_field(Setting("name", "Dataset", "circle", "choice", registry="dataset"))
    noise: float = setting_field(
        Setting(
            "noise",
            "Noise (%)",
            0.0,
            "float",
            low=0,
            high=50,
            step=1.0,
            advice="Try 0 (clean) to 25 (very noisy).",
            help="Only for the 2-D datasets: how much the labels are blurred.",
        )
    )
    train_ratio: float = setting_field(
        Setting(
            "train_ratio",
            "The training share",
            0.5,
            "float",
            low=0.1,
            high=0.9,
            step=0.1,
            advice="TF Playground uses 0.5.",
        )
    )
    samples: int | None = setting_field(
        Setting(
            "samples",
            "Samples",
            None,
            "int",
            low=20,
            high=MAX_SAMPLES,
            optional=True,
            advice="Leave it empty for the dataset's default.",
        )
    )
    seed: int = setting_field(Setting("seed", "Data seed", 0, "int", low=0, high=MAX_SEED))
    classes: int = setting_field(Setting("classes", "Spiral arms", 3, "int", low=3, high=5))
    padding: int = setting_field(
        Setting("padding", "Padding", 0, "int", low=0, high=8, advice="LeNet-5 uses 2 (28x28 becomes 32x32).")
    )
    csv: CsvOptions | None = None


class LayerSpec:
    """One layer of the stack: its type and the settings given for it.

    Which settings a type takes, with their defaults and bounds, is its entry in
    `playground.layers.LAYERS`: a setting left out means that default, and
    `playground.layers.complete_layer` fills them in (the config reader does). Layers are
    immutable and hashable; a setting that is not given reads as None.

    Args:
        type: one of the names in `playground.layers.LAYERS` ("Dense", "Conv2D", ...).
        **settings: the layer's settings, e.g. `units=4, activation="tanh"`.
    """

    __slots__ = ("type", "_settings")
    type: str
    _settings: tuple[tuple[str, Any], ...]

    def __init__(self, type: str = "Dense", **settings: Any):
        given = {name: value for name, value in settings.items() if value is not None}
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "_settings", tuple(sorted(given.items())))

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

    features: tuple[str, ...] = setting_field(
        Setting(
            "features",
            "Input features",
            ("x1", "x2"),
            "choice",
            registry="feature",
            many=True,
            help="What the network sees of each point (x₁, x₂ and functions of them).",
        )
    )
    layers: tuple[LayerSpec, ...] = (
        LayerSpec("Dense", units=4, activation="tanh"),
        LayerSpec("Dense", units=2, activation="tanh"),
    )
    output_activation: str = setting_field(
        Setting("output_activation", "Output activation", "auto", "choice", choices=("auto",), registry="activation")
    )


@dataclass(frozen=True)
class RegularizationSpec:
    """Weight penalty added to the loss.

    Args:
        kind: a name from `playground.regularization.REGULARIZATIONS` ("none", "l1", "l2").
        rate: strength of the penalty (TF Playground offers 0.001..10). Default 0.
    """

    kind: str = setting_field(Setting("kind", "Regularization", "none", "choice", registry="regularization"))
    rate: float = setting_field(
        Setting(
            "rate",
            "Regularization rate",
            0.0,
            "float",
            low=0,
            high=10,
            ladder=(0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
            advice="Try 0.001.",
        )
    )


@dataclass(frozen=True)
class ScheduleSpec:
    """How the learning rate changes with the epoch.

    Args:
        kind: a name from `playground.schedules.SCHEDULES`: "constant", "step" (multiply by
            `factor` every `every` epochs), "exponential" (multiply by `factor` each epoch) or
            "cosine" (to zero at the last epoch).
        factor: the multiplier for "step" and "exponential". Default 0.5.
        every: epochs between steps for "step". Default 10.
    """

    kind: str = setting_field(Setting("kind", "Learning-rate schedule", "constant", "choice", registry="schedule"))
    factor: float = setting_field(
        Setting("factor", "Decay factor", 0.5, "float", low=0, high=1, above_low=True, advice="0.5 halves the rate.")
    )
    every: int = setting_field(Setting("every", "Every N epochs", 10, "int", low=1, high=MAX_EPOCHS))


@dataclass(frozen=True)
class TrainingSpec:
    """How to train. Each field's `Setting` gives its bounds; the names come from the registries.

    Args:
        optimizer: a name from `playground.optimizers.OPTIMIZERS`. Default "sgd".
        learning_rate: step size. Default 0.03.
        batch_size: examples per gradient step, at most the training-set size. Default 10.
        epochs: passes over the training set. Default 100.
        loss: a name from `playground.losses.LOSSES`: "auto" (cross-entropy for classes, MSE for
            regression) or another loss.
        regularization: the weight penalty.
        weight_init: a name from `playground.initializers.INITIALIZERS`.
        schedule: the learning-rate schedule.
        seed: seed for weight initialisation, shuffling and dropout. Default 0.
        shuffle: reshuffle the training set every epoch. False keeps TF Playground's fixed order.
    """

    optimizer: str = setting_field(
        Setting(
            "optimizer", "Optimizer", "sgd", "choice", registry="optimizer", help="How each step uses the gradient."
        )
    )
    learning_rate: float = setting_field(
        Setting(
            "learning_rate",
            "Learning rate",
            0.03,
            "float",
            low=0.00001,
            high=10,
            ladder=LEARNING_RATE_LADDER,
            advice="TF Playground starts at 0.03.",
            help="Changeable while training. Too high and the loss explodes; too low and nothing happens.",
        )
    )
    batch_size: int = setting_field(
        Setting("batch_size", "Batch size", 10, "int", low=1, high=MAX_BATCH_SIZE, advice="10 to 32 is usual.")
    )
    epochs: int = setting_field(Setting("epochs", "Epochs", 100, "int", low=1, high=MAX_EPOCHS))
    loss: str = setting_field(Setting("loss", "Loss", "auto", "choice", registry="loss"))
    regularization: RegularizationSpec = RegularizationSpec()
    weight_init: str = setting_field(
        Setting("weight_init", "Weight init", "glorot_uniform", "choice", registry="initializer")
    )
    schedule: ScheduleSpec = ScheduleSpec()
    seed: int = setting_field(Setting("seed", "Training seed", 0, "int", low=0, high=MAX_SEED))
    shuffle: bool = setting_field(
        Setting(
            "shuffle", "Shuffle every epoch", True, "bool", help="Off keeps one fixed order, as TF Playground does."
        )
    )


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
    title: str = setting_field(Setting("title", "Title", "", "text", high=MAX_TITLE_CHARS, advice="Shorten it."))
    description: str = setting_field(Setting("description", "Description", "", "text", high=MAX_DESCRIPTION_CHARS))

    def to_dict(self) -> dict[str, Any]:
        """The spec as a config: plain JSON values, every field written (the description only when set)."""
        plain = _plain(self)
        if not self.description:
            del plain["description"]
        order = ["title", "description", "dataset", "network", "training"]
        return {"version": VERSION, **{name: plain[name] for name in order if name in plain}}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def to_url(self) -> str:
        """A compact URL-safe string: compressed JSON in base64url, no padding."""
        raw = json.dumps(self.to_dict(), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")

    def replace(self, **changes: Any) -> ExperimentSpec:
        return dataclasses.replace(self, **changes)


def _plain(value: Any) -> Any:
    """A spec's value as JSON holds it: dataclasses and layers as objects, tuples as lists."""
    if isinstance(value, LayerSpec):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value
