"""A sweep as a file: the base experiment, a grid or a search space, and a budget.

A `SweepPlan` round-trips exactly through a versioned JSON document, which the Sweeps page
downloads and loads back and `python -m playground sweep FILE` runs headless. Reading one checks
everything and reports every problem at once (`SweepFileError`), in the same words as the page.

A grid lists values; a search gives ranges (`SearchRange`), and the budget says how many runs
the smart search may train:

    {
      "playground_sweep": 1,
      "name": "rates and widths",
      "base": {...an experiment config...},
      "search": {"learning_rate": {"low": 0.0001, "high": 1, "log": true},
                 "units": {"low": 2, "high": 8},
                 "activation": {"choices": ["relu", "tanh"]}},
      "budget": 60
    }

Example:

    plan = SweepPlan.from_json(text)     # SweepFileError lists what is wrong
    plan.runs()                           # a grid's (parameters, spec) pairs
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from playground.registry import short_repr
from playground.runs.sweep_grid import (
    MAX_RUNS,
    SWEEP_PARAMETERS,
    SweepError,
    check_value,
    check_values,
    expand,
    sweep_parameter,
)
from playground.spec import MAX_CONFIG_BYTES, ExperimentSpec, SpecError
from playground.spec_reading import spec_from_dict
from playground.validation import unprintable_character, validate

SWEEP_VERSION = 1
VERSION_KEY = "playground_sweep"
MAX_SWEEP_BYTES = MAX_CONFIG_BYTES + 64 * 1024  # the base experiment plus the grid or space
MAX_NAME_CHARS = 120
MODES = ("grid", "search")


class SweepFileError(ValueError):
    """A sweep document that cannot be run; `problems` lists every reason, in plain words."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class SearchRange:
    """Where a smart search may pick a parameter's value: `low`..`high` for numbers (`log` spreads
    the tries evenly over orders of magnitude, as learning rates want), `choices` for names."""

    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        if self.choices:
            return {"choices": list(self.choices)}
        return {"low": self.low, "high": self.high, "log": self.log}

    @classmethod
    def from_dict(cls, name: str, config: Any) -> SearchRange:
        """The range given for parameter `name`, checked (`SweepError` says what is wrong)."""
        parameter = sweep_parameter(name)
        if parameter.kind == "choice":
            if not isinstance(config, dict) or set(config) != {"choices"} or not isinstance(config["choices"], list):
                raise SweepError(
                    name, f'give the choices to try, like {{"choices": {json.dumps(list(parameter.choices[:2]))}}}.'
                )
            return cls(choices=tuple(check_values(name, config["choices"])))
        if (
            not isinstance(config, dict)
            or not {"low", "high"} <= set(config)
            or not set(config) <= {"low", "high", "log"}
        ):
            raise SweepError(
                name, 'give the range as {"low": ..., "high": ...} (and "log": true to search orders of magnitude).'
            )
        low, high = check_value(name, config["low"]), check_value(name, config["high"])
        log = config.get("log", False)
        if not isinstance(log, bool):
            raise SweepError(name, f'"log" must be true or false, but got {short_repr(log)}.')
        if low >= high:
            raise SweepError(name, f"low ({low:g}) must be below high ({high:g}).")
        if log and low <= 0:
            raise SweepError(name, f'a log range needs a low above 0, but got {low:g}; raise it or drop "log".')
        return cls(low=low, high=high, log=log)


def check_search_space(base: ExperimentSpec, search: dict[str, SearchRange]) -> None:
    """Refuses a search space that reaches runs which cannot train (a network over the parameter
    limit, a batch larger than the training set), so no run of the budget is spent failing.

    What makes a run invalid grows or shrinks with each number (more units or layers, more
    parameters; a larger batch), so the corners of the ranges are the runs to check, the largest
    first; each choice is checked on the largest of them. `SweepError` names the run that fails.
    """
    numbers = {name: (entry.high, entry.low) for name, entry in search.items() if not entry.choices}
    choices = {name: entry.choices for name, entry in search.items() if entry.choices}
    first_choices = {name: values[0] for name, values in choices.items()}
    corners = [dict(zip(numbers, ends)) for ends in itertools.product(*numbers.values())]
    tries = [{**corner, **first_choices} for corner in corners]
    tries += [{**corners[0], **first_choices, name: value} for name, values in choices.items() for value in values[1:]]
    for parameters in tries:
        spec = base
        for name, value in parameters.items():
            spec = SWEEP_PARAMETERS[name].apply(spec, value)  # a whole-number range holds ints (`check_value`)
        problems = validate(spec)
        if problems:
            where = ", ".join(
                f"{name}={value:g}" if name in numbers else f"{name}={value}" for name, value in parameters.items()
            )
            raise SweepError(
                "search",
                f"the ranges reach runs that cannot train. With {where}: {problems[0].message} Narrow the ranges so "
                "every run the search may try can train.",
            )


@dataclass(frozen=True)
class SweepPlan:
    """A sweep over `base`: a `grid` of values, or a `search` space tried `budget` times.

    Args:
        base: the experiment every run starts from.
        grid: {parameter: [values]}; every combination runs.
        search: {parameter: SearchRange}; a smart search (Optuna's TPE) picks `budget` runs.
        budget: how many runs a search trains.
        name: shown on the page and in the run store.
        seed: the search's own seed (its choices repeat with it).
    """

    base: ExperimentSpec
    grid: dict[str, list] = field(default_factory=dict)
    search: dict[str, SearchRange] = field(default_factory=dict)
    budget: int = 0
    name: str = ""
    seed: int = 0

    @property
    def mode(self) -> str:
        return "search" if self.search else "grid"

    def runs(self) -> list[tuple[dict, ExperimentSpec]]:
        """A grid's runs (every combination applied to the base)."""
        return expand(self.base, self.grid)

    def to_dict(self) -> dict:
        document = {VERSION_KEY: SWEEP_VERSION, "name": self.name, "base": self.base.to_dict()}
        if self.search:
            document.update(
                search={name: r.to_dict() for name, r in self.search.items()}, budget=self.budget, seed=self.seed
            )
        else:
            document["grid"] = {name: list(values) for name, values in self.grid.items()}
        return document

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> SweepPlan:
        if len(text) > MAX_SWEEP_BYTES:
            raise SweepFileError(
                [
                    f"The sweep file is {len(text):,} bytes; the limit is {MAX_SWEEP_BYTES:,}. Is it a sweep file? "
                    "Download one from the Sweeps page to see the format."
                ]
            )
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise SweepFileError(
                [f"The sweep file is not valid JSON ({str(error)[:120]}). Check for a missing comma or quote."]
            ) from None
        return cls.from_dict(document)

    @classmethod
    def from_dict(cls, document: Any) -> SweepPlan:
        """Reads a sweep document; `SweepFileError` lists every problem found."""
        if not isinstance(document, dict):
            raise SweepFileError(
                [f'A sweep file must be a JSON object with "{VERSION_KEY}", "base" and a "grid" or "search".']
            )
        problems: list[str] = []
        version = document.get(VERSION_KEY)
        if version != SWEEP_VERSION:
            problems.append(
                f"{VERSION_KEY}: this app reads sweep files of version {SWEEP_VERSION}, but got {short_repr(version)}. "
                f'Set "{VERSION_KEY}": {SWEEP_VERSION}.'
            )
        unknown = sorted(
            str(key)[:40]
            for key in document
            if key not in {VERSION_KEY, "name", "base", "grid", "search", "budget", "seed"}
        )
        if unknown:
            problems.append(
                f"Unknown keys {', '.join(unknown)}: a sweep file has {VERSION_KEY}, name, base, grid or search, "
                "budget and seed."
            )
        name = document.get("name", "")
        if not isinstance(name, str) or len(name) > MAX_NAME_CHARS:
            problems.append(f"name must be text of at most {MAX_NAME_CHARS} characters, but got {short_repr(name)}.")
            name = ""
        elif not name.isprintable():
            problems.append(f"name holds {unprintable_character(name)}. Write it on one line, without it.")
            name = ""
        base = _base(document.get("base"), problems)
        has_grid, has_search = "grid" in document, "search" in document
        if has_grid == has_search:
            problems.append(
                'Give either a "grid" (values to try, every combination) or a "search" (ranges, with a "budget" of '
                "runs), not " + ("both." if has_grid else "neither.")
            )
        grid: dict = {}
        search: dict = {}
        budget: Any = 0
        seed: Any = 0
        if has_grid and not has_search:
            grid = _parameters(document["grid"], "grid", check_values, problems)
            if grid and base is not None and not problems:
                try:
                    expand(base, grid)
                except SweepError as error:
                    problems.append(f"grid: {error.message}")
        if has_search and not has_grid:
            search = _parameters(document["search"], "search", SearchRange.from_dict, problems)
            if search and base is not None and not problems:
                try:
                    check_search_space(base, search)
                except SweepError as error:
                    problems.append(f"search: {error.message}")
            budget = document.get("budget")
            if isinstance(budget, bool) or not isinstance(budget, int) or not 1 <= budget <= MAX_RUNS:
                problems.append(
                    f"budget must be a whole number of runs from 1 to {MAX_RUNS}, but got {short_repr(budget)}."
                )
            seed = document.get("seed", 0)
            if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
                problems.append(f"seed must be a whole number from 0 to {2**32 - 1}, but got {short_repr(seed)}.")
        elif "budget" in document or "seed" in document:
            problems.append('budget and seed belong to a "search"; a grid runs every combination once.')
        if problems or base is None:
            raise SweepFileError(problems or ["base: the sweep needs a base experiment."])
        return cls(base=base, grid=grid, search=search, budget=budget, name=name, seed=seed)


def _base(config: Any, problems: list[str]) -> ExperimentSpec | None:
    if config is None:
        problems.append(
            "base is missing: give the experiment to sweep over (a config, as the Playground page exports it)."
        )
        return None
    csv_path = _csv_path(config)
    if csv_path:
        problems.append(
            f"base: dataset.csv.path names the file {short_repr(csv_path)}, which a sweep file may not do: its runs "
            "are saved, and a saved run never names a file. Upload the CSV in the Playground page's Data panel, then "
            "download the sweep from the Sweeps page: its base names the upload, which `playground sweep` reads too "
            "on the app's machine (PLAYGROUND_UPLOADS_DIR). To train on the file by its path, use `playground train "
            "CONFIG.json`."
        )
        config = {**config, "dataset": {**config["dataset"], "csv": {**config["dataset"]["csv"], "path": ""}}}
    try:
        base = spec_from_dict(config)
    except SpecError as error:
        problems.extend(f"base: {problem}" for problem in error.problems)
        return None
    if csv_path:
        return None
    found = validate(base)
    problems.extend(f"base: {problem.message}" for problem in found)
    return None if found else base


def _csv_path(config: Any):
    """The CSV path the base experiment names (links and saved runs may not name one), or None."""
    dataset = config.get("dataset") if isinstance(config, dict) else None
    csv = dataset.get("csv") if isinstance(dataset, dict) else None
    return csv.get("path") if isinstance(csv, dict) else None


def _parameters(section: Any, where: str, read, problems: list[str]) -> dict:
    """Each parameter's entry of a grid or a search space, read with `read(name, entry)`."""
    if not isinstance(section, dict) or not section:
        problems.append(f'{where} must be an object naming at least one parameter, like {{"learning_rate": ...}}.')
        return {}
    read_ok = {}
    for name, entry in section.items():
        try:
            read_ok[name] = read(name, entry)
        except SweepError as error:
            problems.append(f"{where}.{error.field}: {error.message}")
    return read_ok if len(read_ok) == len(section) else {}
