"""One control for one registry `Setting`: a select box for a choice, a toggle for yes or no, a
slider for a fraction or a whole number in a short range, a number input for other whole numbers.
The layer editor, the data picker and the training settings draw every entry's settings with it,
so a new setting needs no widget code."""

from __future__ import annotations

from typing import Any

import streamlit as st

from playground.registry import Setting
from widgets.widget_values import index_of, number_in


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
        return st.selectbox(
            setting.label,
            names,
            index=names.index(start),
            format_func=setting.choice_label,
            key=key,
            **options,
        )
    if setting.kind == "bool":
        return st.toggle(setting.label, value=start, key=key, **options)
    low, high = setting.editor_range
    if setting.kind == "int" and high - low <= 10:  # a few values: a slider shows them all
        return int(
            st.slider(
                setting.label,
                int(low),
                int(high),
                start,
                key=key,
                **options,
            )
        )
    if setting.kind == "int":
        return int(
            st.number_input(
                setting.label,
                int(low),
                int(high),
                start,
                key=key,
                **options,
            )
        )
    return float(
        st.slider(
            setting.label,
            float(low),
            float(high),
            start,
            setting.step,
            key=key,
            **options,
        )
    )
