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

from playground.activations import ACTIVATIONS
from playground.layers import LAYERS
from playground.optimizers import OPTIMIZERS
from playground.spec import MAX_LAYERS, ExperimentSpec, LayerSpec, RegularizationSpec
from playground.validation import MAX_LEARNING_RATE, MAX_SEED, MIN_LEARNING_RATE, validate

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
    template = dense[0] if dense else LayerSpec("Dense", units=4, activation="tanh")
    others = [layer for layer in spec.network.layers if layer.type != "Dense"]
    return spec.replace(network=dataclasses.replace(spec.network, layers=tuple(others) + (template,) * depth))


def _with_regularization(spec: ExperimentSpec, rate: float) -> ExperimentSpec:
    kind = spec.training.regularization.kind
    return _training(spec, regularization=RegularizationSpec("l2" if kind == "none" else kind, rate))


@dataclass(frozen=True)
class SweepParameter:
    label: str
    kind: str  # "float", "int" or "choice"
    apply: Callable[[ExperimentSpec, Any], ExperimentSpec]
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""


SWEEP_PARAMETERS: dict[str, SweepParameter] = {
    "learning_rate": SweepParameter(
        "learning rate",
        "float",
        lambda s, v: _training(s, learning_rate=v),
        minimum=MIN_LEARNING_RATE,
        maximum=MAX_LEARNING_RATE,
    ),
    "batch_size": SweepParameter("batch size", "int", lambda s, v: _training(s, batch_size=v), minimum=1),
    "optimizer": SweepParameter(
        "optimizer", "choice", lambda s, v: _training(s, optimizer=v), choices=tuple(OPTIMIZERS)
    ),
    "activation": SweepParameter(
        "activation",
        "choice",
        lambda s, v: _with_dense(s, activation=v),
        choices=tuple(n for n in ACTIVATIONS if n != "softmax"),
        help="every hidden Dense layer",
    ),
    "layers": SweepParameter(
        "hidden layers",
        "int",
        _with_depth,
        minimum=0,
        maximum=MAX_LAYERS,
        help="copies of the first hidden Dense layer",
    ),
    "units": SweepParameter(
        "units per layer",
        "int",
        lambda s, v: _with_dense(s, units=v),
        minimum=1,
        maximum=LAYERS["Dense"].setting("units").high,
        help="every hidden Dense layer",
    ),
    "regularization_rate": SweepParameter(
        "regularization rate",
        "float",
        _with_regularization,
        minimum=0.0,
        maximum=10.0,
        help="L2 unless the base experiment uses L1",
    ),
    "seed": SweepParameter("seed (repeats)", "int", lambda s, v: _training(s, seed=v), minimum=0, maximum=MAX_SEED),
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


def sweep_parameter(name) -> SweepParameter:
    """The parameter called `name`, or a `SweepError` listing the ones that can be swept."""
    if not isinstance(name, str) or name not in SWEEP_PARAMETERS:
        raise SweepError(str(name)[:40], f"'{name!s:.40}' cannot be swept; choose from {', '.join(SWEEP_PARAMETERS)}.")
    return SWEEP_PARAMETERS[name]


def check_value(name: str, item):
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
    if parameter.minimum is not None and number < parameter.minimum:
        raise SweepError(
            name, f"{word:.40} is too small; the {parameter.label} must be at least {parameter.minimum:g}."
        )
    if parameter.maximum is not None and number > parameter.maximum:
        raise SweepError(name, f"{word:.40} is too large; the {parameter.label} must be at most {parameter.maximum:g}.")
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
