"""One control for one `Setting`: a select box for a choice, a toggle for yes or no, a slider for a
fraction or a whole number in a short range, a number input for other whole numbers, a ladder of
usual values (with a box to type any other) for a setting that has one.

The layer editor, the data picker and the training settings draw every field with it, so a new
setting needs no widget code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from playground.registry import Setting
from playground.web.widgets.widget_values import index_of, number_in


def start_value(setting: Setting, current: Any) -> Any:
    """The value `setting`'s control starts from: `current` when the control can show it, else the
    nearest value it can (a choice it does not offer: the default)."""
    if setting.kind == "choice":
        names = setting.options()
        return names[index_of(names, current, index_of(names, setting.default))]
    if setting.kind == "bool":
        return current if isinstance(current, bool) else setting.default
    low, high = setting.editor_range
    if setting.kind == "int":
        return number_in(current, low, high, int(setting.default))
    return number_in(current, low, high, float(setting.default))


def setting_input(setting: Setting, current: Any, key: str, **options: Any) -> Any:
    """Draws the control for `setting`, starting from `current` when the control can show it."""
    start = start_value(setting, current)
    if setting.kind == "choice":
        names = setting.options()
        options.setdefault("help", setting.option_help(start) or None)
        return st.selectbox(
            setting.label, names, index=names.index(start), format_func=setting.option_label, key=key, **options
        )
    options.setdefault("help", setting.help or None)
    if setting.kind == "bool":
        return st.toggle(setting.label, value=start, key=key, **options)
    if setting.ladder:
        return _ladder_input(setting, start, key, **options)
    low, high = setting.editor_range
    if setting.kind == "int" and high - low <= 10:  # a few values: a slider shows them all
        return int(st.slider(setting.label, int(low), int(high), start, key=key, **options))
    if setting.kind == "int":
        return int(st.number_input(setting.label, int(low), int(high), start, key=key, **options))
    return float(st.slider(setting.label, float(low), float(high), start, setting.step, key=key, **options))


def control_value(setting: Setting, current: Any, key: str) -> Any:
    """What `setting_input(setting, current, key)` will return in the page's next run, read in a
    widget's callback before that run: the control's value in the session state, or the value the
    control starts from when it has none yet."""
    state = st.session_state
    if key not in state:
        return start_value(setting, current)
    value = state[key]
    if setting.kind in ("choice", "bool"):
        return value
    if setting.ladder:
        typed = state.get(f"{key}_typed", float(value))
        return float(typed if typed != float(value) else value)
    return int(value) if setting.kind == "int" else float(value)


def _follow_the_ladder(key: str, then: Callable[[], None] | None) -> None:
    """A value picked on the ladder replaces the one typed (which would otherwise win, as it
    differs); then the control's own callback, if it has one, runs."""
    st.session_state[f"{key}_typed"] = float(st.session_state[key])
    if then is not None:
        then()


def _ladder_input(setting: Setting, start: float, key: str, **options: Any) -> float:
    """A slider over the setting's usual values, and a box to type any value it accepts (both call
    the control's `on_change`, when it has one)."""
    then = options.pop("on_change", None)
    ladder = sorted(set(setting.ladder) | {start})
    chosen = st.select_slider(
        setting.label, ladder, value=start, key=key, on_change=_follow_the_ladder, args=(key, then), **options
    )
    low, high = setting.editor_range
    typed = st.number_input(
        f"…or type a {setting.label.lower()}",
        float(low),
        float(high),
        float(chosen),
        format="%.5f",
        key=f"{key}_typed",
        disabled=options.get("disabled", False),
        on_change=then,
    )
    return float(typed if typed != float(chosen) else chosen)
