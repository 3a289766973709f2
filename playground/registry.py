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
from collections.abc import Iterable, Iterator, Mapping
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


def number_text(value: float) -> str:
    """A bound as a message writes it: 100,000 and 0.00001, never 1e+05 or 1e-05."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.10f}".rstrip("0")


@dataclass(frozen=True)
class Setting:
    """One setting: a field of the experiment spec, or a setting an entry takes, with what it accepts.

    The validator checks it, the page draws its control (`widgets.setting_input`), the JSON schema
    lists it, the config reader knows it by its name and sweeps take their bounds from it, so a new
    setting is this one declaration.

    Args:
        name: the field's name in the config (e.g. "units").
        label: the control's label in the page, and the subject of messages about it.
        default: the value a new entry gets.
        kind: "int" (a whole number in [low, high]), "float" (a number in [low, high], or
            [low, high) when `below_high`), "choice" (one of `options()`), "bool" (true or false) or
            "text" (at most `high` characters, at least `low`).
        low, high: the bounds of a number, or of a text's length.
        above_low: the number must stay strictly above `low` (a decay factor above 0).
        below_high: the number must stay strictly below `high` (a dropout rate below 1).
        step: the editor's step for a float.
        choices: the names a "choice" accepts besides its registry's (e.g. "auto").
        registry: the `Registry.key` of the table whose names a "choice" accepts (e.g. "optimizer").
            The table is found by this name when it is needed, so a spec field can name a table
            that is defined above it.
        many: a "choice" takes a list of distinct names (the input features).
        optional: None is accepted too (and means "the default of what it describes").
        ladder: the values a slider offers, when the control is a ladder of usual values (the
            learning rate's).
        advice: what a message about a wrong value suggests.
        help: the control's tooltip.
    """

    name: str
    label: str
    default: Any
    kind: Literal["int", "float", "choice", "bool", "text"] = "int"
    low: float = 0
    high: float = 0
    above_low: bool = False
    below_high: bool = False
    step: float = 0.05
    choices: Iterable[str] = ()
    registry: str = ""
    many: bool = False
    optional: bool = False
    ladder: tuple[float, ...] = ()
    advice: str = ""
    help: str = ""

    def options(self) -> list[str]:
        """The names a "choice" accepts, in the order the page offers them."""
        return [*self.choices, *(registry_named(self.registry) if self.registry else ())]

    def option_label(self, name: str) -> str:
        """How the page writes the choice `name`."""
        return registry_named(self.registry).label(name) if self.registry else str(name)

    def option_help(self, name: Any) -> str:
        """The tooltip for the choice `name`: its entry's help, or the setting's own."""
        entry = registry_named(self.registry).lookup(name) if self.registry else None
        return entry.help if entry is not None and entry.help else self.help

    def accepts(self, value: Any) -> bool:
        if value is None:
            return self.optional
        if self.kind == "choice" and self.many:
            return (
                isinstance(value, (list, tuple))
                and all(isinstance(name, str) and name in self.options() for name in value)
                and len(set(value)) == len(value)
            )
        if self.kind == "choice":
            return isinstance(value, str) and value in self.options()
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "text":
            return isinstance(value, str) and self.low <= len(value) <= self.high
        if self.kind == "int" and not is_whole_number(value):
            return False
        if not is_finite_number(value) or value < self.low or (self.above_low and value == self.low):
            return False
        return value < self.high if self.below_high else value <= self.high

    def problem(self, value: Any, subject: str | None = None) -> str | None:
        """What is wrong with `value` for this setting, as a sentence about `subject` (default: the
        label); None when it is fine."""
        if self.accepts(value):
            return None
        subject = subject or self.label
        if value is None:
            return f"{subject} is missing. Set it, e.g. {self.name}: {self.default!r}."
        advice = f" {self.advice}" if self.advice else ""
        if self.kind == "bool":
            return f"{subject} must be true or false, but got {short_repr(value)}.{advice}"
        if self.kind == "text":
            return f"{subject} must be text of {self._text_length()}, but got {short_repr(value)}.{advice}"
        if self.kind == "choice" and self.many:
            names = ", ".join(self.options())
            return f"{subject} must list distinct names from: {names}, but got {short_repr(value)}.{advice}"
        if self.kind == "choice":
            return (
                f"{subject} {short_repr(value)} is not one we know. Pick one of: {', '.join(self.options())}.{advice}"
            )
        if self.kind == "int":
            return (
                f"{subject} must be a whole number from {number_text(self.low)} to {number_text(self.high)}, but got "
                f"{short_repr(value)}.{advice}"
            )
        if not self.above_low and not self.below_high:
            return (
                f"{subject} must be a number from {number_text(self.low)} to {number_text(self.high)}, but got "
                f"{short_repr(value)}.{advice}"
            )
        lower = f"above {number_text(self.low)}" if self.above_low else f"at least {number_text(self.low)}"
        upper = f"below {number_text(self.high)}" if self.below_high else f"at most {number_text(self.high)}"
        return f"{subject} must be {lower} and {upper}, but got {short_repr(value)}.{advice}"

    def _text_length(self) -> str:
        if self.low:
            return f"{number_text(self.low)} to {number_text(self.high)} characters"
        return f"at most {number_text(self.high)} characters"

    @property
    def editor_range(self) -> tuple[float, float]:
        """The smallest and largest values the editor offers (one step inside an open bound)."""
        low = self.low + self.step if self.above_low else self.low
        return low, self.high - self.step if self.below_high else self.high

    def nearest(self, value: Any) -> Any:
        """The nearest value this setting's control can show: `value` when it is accepted, a number
        moved into the editor's range (rounded when whole), a text cut to its length, else the default."""
        if self.accepts(value):
            return value
        if self.kind == "text" and isinstance(value, str):
            return value[: int(self.high)] if len(value) > self.high else self.default
        if self.kind not in ("int", "float"):
            return self.default
        low, high = self.editor_range  # one step inside an open bound (a dropout rate stays below 1)
        return nearest_number(value, low, high, self.default, whole=self.kind == "int")


def nearest_number(value: Any, low: float, high: float, default: Any, whole: bool = False) -> Any:
    """`value` moved into [low, high] (rounded when `whole`); `default` when it is not a number at all.

    Infinities go to the nearest bound; NaN, text, lists and true/false are not numbers."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (isinstance(value, float) and math.isnan(value))
    ):
        return default
    value = min(max(value, low), high)  # exact for integers of any length and for infinities
    if not whole:
        return float(value)
    return default if isinstance(value, float) and math.isinf(value) else int(round(value))


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
        key: the table's name for `Setting.registry` (and `registry_named`), e.g. "optimizer".
        entries: the entries, in the order to offer them.
    """

    def __init__(self, what: str, key: str, entries: Iterable[E]):
        if key in _REGISTRIES:
            raise ValueError(f"A registry named {key!r} exists already.")
        self.what = what
        self.key = key
        self._entries: dict[str, E] = {}
        for entry in entries:
            self.register(entry)
        _REGISTRIES[key] = self

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


_REGISTRIES: dict[str, Registry[Any]] = {}


def registry_named(key: str) -> Registry[Any]:
    """The registry whose `key` is `key`: how a `Setting` finds the table of its names."""
    if key not in _REGISTRIES:
        raise LookupError(f"No registry is named {key!r}: import the module that defines it (or `playground`).")
    return _REGISTRIES[key]
