"""A hyperparameter grid over a base experiment: parsing, checking and expanding it into specs.

`SWEEP_PARAMETERS` is the name table: each entry says how to read its values from text and how
to apply one value to a spec. A grid is {parameter: [values]}; it expands to every combination
(at most `MAX_RUNS`).

Example:

    grid = {"learning_rate": parse_values("learning_rate", "0.01, 0.1, 1"), "seed": parse_values("seed", "0 1")}
    runs = expand(ExperimentSpec(), grid)     # 6 (parameters, spec) pairs
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playground.layers import LAYERS, new_layer
from playground.registry import Setting, number_text
from playground.spec import MAX_LAYERS, ExperimentSpec, RegularizationSpec, TrainingSpec, field_settings
from playground.validation import validate

TRAINING = field_settings(TrainingSpec)
DENSE = LAYERS["Dense"]
MAX_RUNS = 200
MAX_VALUES_TEXT = 4_000  # characters typed for one parameter: 200 values with room to spare


class SweepError(ValueError):
    """A grid that cannot be run; `field` names the parameter (or "grid")."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def _training(spec: ExperimentSpec, **changes) -> ExperimentSpec:
    return spec.replace(training=dataclasses.replace(spec.training, **changes))


def _dense_layers(spec: ExperimentSpec) -> list[int]:
    return [i for i, layer in enumerate(spec.network.layers) if layer.type == "Dense"]


def _with_dense(spec: ExperimentSpec, **changes) -> ExperimentSpec:
    layers = tuple(layer.replace(**changes) if layer.type == "Dense" else layer for layer in spec.network.layers)
    return spec.replace(network=dataclasses.replace(spec.network, layers=layers))


def _with_depth(spec: ExperimentSpec, depth: int) -> ExperimentSpec:
    dense = [spec.network.layers[i] for i in _dense_layers(spec)]
    template = dense[0] if dense else new_layer("Dense", units=4, activation="tanh")
    others = [layer for layer in spec.network.layers if layer.type != "Dense"]
    return spec.replace(network=dataclasses.replace(spec.network, layers=tuple(others) + (template,) * depth))


def _with_regularization(spec: ExperimentSpec, rate: float) -> ExperimentSpec:
    kind = spec.training.regularization.kind
    return _training(spec, regularization=RegularizationSpec("l2" if kind == "none" else kind, rate))


@dataclass(frozen=True)
class SweepParameter:
    """One parameter a sweep can vary: the `Setting` that bounds its values (the spec's or a layer
    type's own), and how one value applies to a spec.

    Args:
        label: how messages and the sweep editor name it.
        setting: its kind, bounds or names.
        apply: (spec, value) -> the spec with that value.
        excluded: names of the setting's choices a sweep does not offer.
        help: what it changes, when the label does not say.
    """

    label: str
    setting: Setting
    apply: Callable[[ExperimentSpec, Any], ExperimentSpec]
    excluded: tuple[str, ...] = ()
    help: str = ""

    @property
    def kind(self) -> str:
        return self.setting.kind

    @property
    def minimum(self) -> float:
        return self.setting.low

    @property
    def maximum(self) -> float:
        return self.setting.high

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(name for name in self.setting.options() if name not in self.excluded)


SWEEP_PARAMETERS: dict[str, SweepParameter] = {
    "learning_rate": SweepParameter(
        "learning rate", TRAINING["learning_rate"], lambda s, v: _training(s, learning_rate=v)
    ),
    "batch_size": SweepParameter("batch size", TRAINING["batch_size"], lambda s, v: _training(s, batch_size=v)),
    "optimizer": SweepParameter("optimizer", TRAINING["optimizer"], lambda s, v: _training(s, optimizer=v)),
    "activation": SweepParameter(
        "activation",
        DENSE.setting("activation"),
        lambda s, v: _with_dense(s, activation=v),
        excluded=("softmax",),
        help="every hidden Dense layer",
    ),
    "layers": SweepParameter(
        "hidden layers",
        Setting("layers", "Hidden layers", 2, "int", low=0, high=MAX_LAYERS),
        _with_depth,
        help="copies of the first hidden Dense layer",
    ),
    "units": SweepParameter(
        "units per layer", DENSE.setting("units"), lambda s, v: _with_dense(s, units=v), help="every hidden Dense layer"
    ),
    "regularization_rate": SweepParameter(
        "regularization rate",
        field_settings(RegularizationSpec)["rate"],
        _with_regularization,
        help="L2 unless the base experiment uses L1",
    ),
    "seed": SweepParameter("seed (repeats)", TRAINING["seed"], lambda s, v: _training(s, seed=v)),
}


def parse_values(name: str, text: str) -> list:
    """The values typed for a parameter ("0.01, 0.1 1"), checked as `check_values` does."""
    text = str(text)
    if len(text) > MAX_VALUES_TEXT:
        raise SweepError(
            str(name),
            f"{len(text):,} characters of values is more than a sweep can run ({MAX_RUNS} runs at most); give fewer "
            "values.",
        )
    return check_values(name, [w for w in re.split(r"[,\s;]+", text.strip()) if w])


def sweep_parameter(name: object) -> SweepParameter:
    """The parameter called `name`, or a `SweepError` listing the ones that can be swept."""
    if not isinstance(name, str) or name not in SWEEP_PARAMETERS:
        raise SweepError(str(name)[:40], f"'{name!s:.40}' cannot be swept; choose from {', '.join(SWEEP_PARAMETERS)}.")
    return SWEEP_PARAMETERS[name]


def check_value(name: str, item: object) -> Any:
    """One value for a parameter (a number, or its text), checked: the right type and in range."""
    parameter = sweep_parameter(name)
    word = str(item)
    if parameter.kind == "choice":
        if not isinstance(item, str) or item not in parameter.choices:
            raise SweepError(
                name, f"'{word:.40}' is not a known {parameter.label}; use {', '.join(parameter.choices)}."
            )
        return item
    if isinstance(item, bool) or not isinstance(item, (int, float, str)):
        raise SweepError(name, f"{word:.40} is not a number; the {parameter.label} takes numbers like 0.01, 0.1.")
    try:
        number = float(item)
    except ValueError:
        raise SweepError(
            name, f"'{word:.40}' is not a number; the {parameter.label} takes numbers like 0.01, 0.1."
        ) from None
    except OverflowError:  # a whole number of hundreds of digits, beyond any float
        digits = len(word.lstrip("+-"))
        raise SweepError(
            name,
            f"{word:.12}… ({digits:,} digits) is far out of range for the {parameter.label}; give a number of a "
            "few digits.",
        ) from None
    if not math.isfinite(number):
        raise SweepError(name, f"'{word:.40}' is not a finite number.")
    if parameter.kind == "int":
        if number != int(number):
            raise SweepError(name, f"'{word:.40}' is not a whole number; the {parameter.label} must be one.")
        number = int(number)
    if number < parameter.minimum:
        raise SweepError(
            name, f"{word:.40} is too small; the {parameter.label} must be at least {number_text(parameter.minimum)}."
        )
    if number > parameter.maximum:
        raise SweepError(
            name, f"{word:.40} is too large; the {parameter.label} must be at most {number_text(parameter.maximum)}."
        )
    return number


def check_values(name: str, items: list) -> list:
    """A parameter's list of values, checked: not empty, each value valid, no duplicates."""
    parameter = sweep_parameter(name)
    if not items:
        raise SweepError(name, f"give at least one value for the {parameter.label}, separated by commas.")
    if len(items) > MAX_RUNS:
        raise SweepError(
            name, f"{len(items):,} values make more than the {MAX_RUNS} runs a sweep may have; give fewer values."
        )
    values, seen = [], set()
    for item in items:
        value = check_value(name, item)
        if value in seen:
            raise SweepError(name, f"{str(item):.40} is listed twice; give each value once.")
        seen.add(value)
        values.append(value)
    return values


def run_count(grid: dict[str, list]) -> int:
    return math.prod(len(values) for values in grid.values()) if grid else 0


def expand(base: ExperimentSpec, grid: dict[str, list], max_runs: int = MAX_RUNS) -> list[tuple[dict, ExperimentSpec]]:
    """Every combination of the grid applied to `base`, checked as a whole before anything runs."""
    if not grid or not any(grid.values()):
        raise SweepError("grid", "the grid is empty; pick at least one parameter and give it values.")
    for name, values in grid.items():
        if not values:
            raise SweepError(name, "has no values; give at least one or remove it from the grid.")
    count = run_count(grid)
    if count > max_runs:
        sizes = " x ".join(f"{len(v)} {SWEEP_PARAMETERS[n].label}" for n, v in grid.items())
        raise SweepError("grid", f"{sizes} make {count} runs, more than the {max_runs} allowed; use fewer values.")
    names = list(grid)
    runs = []
    for combination in itertools.product(*(grid[n] for n in names)):
        parameters = dict(zip(names, combination))
        spec = base
        for name in names:
            spec = SWEEP_PARAMETERS[name].apply(spec, parameters[name])
        problems = validate(spec)
        if problems:
            where = ", ".join(f"{n}={v}" for n, v in parameters.items())
            raise SweepError(
                names[0] if len(names) == 1 else "grid", f"the run with {where} is not valid: {problems[0].message}"
            )
        runs.append((parameters, spec))
    return runs
