"""The one shape every registry shares: named entries that build, validate, describe and export themselves.

Every choice the app offers (an activation, an input feature, a weight initialisation, an
optimizer, a schedule, a regularizer, a loss, a dataset, a layer type) is an `Entry` in a
`Registry`. As in Keras's `get_config`, an entry carries everything about itself:

- `name`, `label` and `help`: what the page shows;
- `settings`: the `Setting`s it takes, with their defaults and bounds, which the validator
  checks, the editor draws and the JSON schema lists;
- how to build its Keras object and how to write the same thing as Python code (`Code`), so
  the exported script is made from the entry itself.

Generic code (the validator, the layer editor, the shape arithmetic, the script exporter, the
every-entry test) loops over registries, so adding a choice is adding one entry.

Example:

    OPTIMIZERS["adam"].label                   # -> "Adam"
    OPTIMIZERS.problem("adamw", "Optimizer")   # -> "Optimizer 'adamw' is not one we know. Pick one of: ..."
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar


def short_repr(value: Any, limit: int = 40) -> str:
    """A received value as a message quotes it: its repr, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def is_whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_finite_number(value: Any) -> bool:
    # An int is finite however long (math.isfinite would overflow converting it to a float).
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (isinstance(value, int) or math.isfinite(value))
    )


class Code(str):
    """Python source text that `repr` writes as itself, so that arguments holding Keras objects
    print as the code that makes them: `repr(Code("keras.initializers.Zeros()"))` is that text."""

    def __repr__(self) -> str:
        return str(self)


def call_code(callee: str, arguments: Iterable[Any] = (), keywords: Mapping[str, Any] | None = None) -> Code:
    """`callee(arg, ..., key=value, ...)` as code, each value written with `repr`."""
    parts = [repr(value) for value in arguments]
    parts += [f"{key}={value!r}" for key, value in (keywords or {}).items()]
    return Code(f"{callee}({', '.join(parts)})")


@dataclass(frozen=True)
class Setting:
    """One setting an entry takes, with what values it accepts.

    Args:
        name: the field's name in the config (e.g. "units").
        label: the control's label in the page.
        default: the value a new entry gets.
        kind: "int" (a whole number in [low, high]), "float" (a number in [low, high], or
            [low, high) when `below_high`), "choice" (one of `choices`) or "bool" (true or false).
        low, high: the bounds of a number.
        above_low: the number must stay strictly above `low` (a decay factor above 0).
        below_high: the number must stay strictly below `high` (a dropout rate below 1).
        step: the editor's step for a float.
        choices: the names a "choice" accepts, or a function returning them (a registry).
        choice_label: how the editor writes a choice.
        advice: what a message about a wrong value suggests.
    """

    name: str
    label: str
    default: Any
    kind: Literal["int", "float", "choice", "bool"] = "int"
    low: float = 0
    high: float = 0
    above_low: bool = False
    below_high: bool = False
    step: float = 0.05
    choices: Iterable[str] | Callable[[], Iterable[str]] = ()
    choice_label: Callable[[str], str] = str
    advice: str = ""

    def options(self) -> list[str]:
        return list(self.choices() if callable(self.choices) else self.choices)

    def accepts(self, value: Any) -> bool:
        if self.kind == "choice":
            return isinstance(value, str) and value in self.options()
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "int" and not is_whole_number(value):
            return False
        if not is_finite_number(value) or value < self.low or (self.above_low and value == self.low):
            return False
        return value < self.high if self.below_high else value <= self.high

    def problem(self, value: Any, subject: str) -> str | None:
        """What is wrong with `value` for this setting, as a sentence about `subject`; None when it is fine."""
        if value is None:
            return f"{subject} is missing. Set it, e.g. {self.name}: {self.default!r}."
        if self.accepts(value):
            return None
        advice = f" {self.advice}" if self.advice else ""
        if self.kind == "bool":
            return f"{subject} must be true or false, but got {short_repr(value)}.{advice}"
        if self.kind == "choice":
            return (
                f"{subject} {short_repr(value)} is not one we know. Pick one of: {', '.join(self.options())}.{advice}"
            )
        if self.kind == "int":
            return (
                f"{subject} must be a whole number from {self.low:g} to {self.high:g}, but got "
                f"{short_repr(value)}.{advice}"
            )
        lower = f"above {self.low:g}" if self.above_low else f"at least {self.low:g}"
        upper = f"below {self.high:g}" if self.below_high else f"at most {self.high:g}"
        return f"{subject} must be {lower} and {upper}, but got {short_repr(value)}.{advice}"

    @property
    def editor_range(self) -> tuple[float, float]:
        """The smallest and largest values the editor offers (one step inside an open bound)."""
        low = self.low + self.step if self.above_low else self.low
        return low, self.high - self.step if self.below_high else self.high


@dataclass(frozen=True)
class Entry:
    """What every registry entry has: its name, what the page shows, and the settings it takes."""

    name: str
    label: str
    help: str = ""
    settings: tuple[Setting, ...] = field(default=(), kw_only=True)

    @property
    def defaults(self) -> dict[str, Any]:
        return {setting.name: setting.default for setting in self.settings}

    def setting(self, name: str) -> Setting:
        return next(setting for setting in self.settings if setting.name == name)

    def get_config(self) -> dict[str, Any]:
        """The entry as plain data (for the JSON schema and the docs)."""
        return {
            "name": self.name,
            "label": self.label,
            "help": self.help,
            "settings": {setting.name: setting.default for setting in self.settings},
        }


E = TypeVar("E", bound=Entry)


class Registry(Mapping[str, E], Generic[E]):
    """An ordered table of entries by name; the order is the order the page offers them in.

    Args:
        what: what an entry is, for messages ("Optimizer", "Dataset").
        entries: the entries, in the order to offer them.
    """

    def __init__(self, what: str, entries: Iterable[E]):
        self.what = what
        self._entries: dict[str, E] = {}
        for entry in entries:
            self.register(entry)

    def register(self, entry: E) -> E:
        """Adds `entry` (a plugin's own choice, say) and returns it."""
        if entry.name in self._entries:
            raise ValueError(f"{self.what} {entry.name!r} is registered twice.")
        self._entries[entry.name] = entry
        return entry

    def __getitem__(self, name: str) -> E:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._entries

    def lookup(self, name: Any) -> E | None:
        """The entry for `name`, or None (also for a value that is not text at all)."""
        return self._entries.get(name) if isinstance(name, str) else None

    def label(self, name: str) -> str:
        entry = self.lookup(name)
        return entry.label if entry else str(name)

    def problem(self, value: Any, what: str | None = None, *, extra: Iterable[str] = ()) -> str | None:
        """None when `value` names an entry (or one of `extra`); else what is wrong and what to pick."""
        if value in self or value in tuple(extra):
            return None
        names = ", ".join([*extra, *self._entries])
        return f"{what or self.what} {short_repr(value)} is not one we know. Pick one of: {names}."
