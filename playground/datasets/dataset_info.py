"""What the app knows about a dataset before loading it: the shape of a `DATASETS` entry.

The entries themselves sit beside their data: the 2-D datasets in `plane.py` (next to their
generators), the image sets in `images.py`, the CSV file in `registry.py`.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import CodeType, FunctionType
from typing import Any

import numpy as np

from playground.datasets.dataset import DatasetKind, Task
from playground.registry import Entry
from playground.spec import DatasetSpec


@dataclass(frozen=True)
class DatasetInfo(Entry):
    """What the app knows about one dataset before loading it. `help` says where the data comes from.

    Args:
        kind: a point in the plane, an image or a table row.
        task: what is predicted; AUTO when the data decides (a CSV file).
        default_samples: samples generated or loaded when the spec says None.
        load: (spec, rng) -> (x, y, num_classes, class_names, task).
        code: spec -> the lines of Python an exported script makes `x` and `y` with, the same
            data as `load` gives for the same seed.
        packages: what the exported script needs besides keras and numpy.
        missing: returns why the data is not on this machine, or None when it is.
        max_samples: the most samples a spec may ask for (the set's size).
        settings: the `DatasetSpec` fields only this dataset uses, with their bounds.
    """

    kind: DatasetKind = DatasetKind.PLANE
    task: Task = Task.BINARY
    default_samples: int | None = None
    load: Callable[[DatasetSpec, np.random.Generator], tuple] = field(kw_only=True)
    code: Callable[[DatasetSpec], list[str]] = field(kw_only=True)
    packages: tuple[str, ...] = ()
    missing: Callable[[], str | None] = lambda: None
    max_samples: int | None = None

    @property
    def source(self) -> str:
        return self.help


def module_sources(function: Callable[..., Any]) -> list[str]:
    """The source of `function` and of every function and constant of its module it uses, those
    first: what a script needs to run it on its own."""
    assert isinstance(function, FunctionType)
    module = sys.modules[function.__module__]
    done: dict[str, str] = {}

    def visit(code: CodeType) -> None:
        for name in code.co_names:
            value = getattr(module, name, None)
            if name in done or value is None or value is np:
                continue
            if isinstance(value, FunctionType) and value.__module__ == module.__name__:
                visit(value.__code__)
                done[name] = inspect.getsource(value)
            elif isinstance(value, np.ndarray):
                done[name] = f"{name} = np.array({value.tolist()}, {str(value.dtype)!r})\n"
            elif isinstance(value, (int, float)):
                done[name] = f"{name} = {value!r}\n"
        for constant in code.co_consts:
            if isinstance(constant, CodeType):
                visit(constant)

    visit(function.__code__)
    return [*done.values(), inspect.getsource(function)]
