"""The training controls: one control per field of `TrainingSpec`, drawn from the field's `Setting`.

The usual ones (optimizer, learning rate, batch size, epochs) come first; the rest wait under
"More settings". A section that picks a kind from a registry (the regularization, the schedule)
shows its kind, then the settings that kind's entry takes.

A change is drawn first, as an edit on the drawing is (`edit_training`): the control's callback
reads every control as the page's run then will (`control_value`), so the trainer the drawing's
fragment asks for is the one the page keeps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from typing import Any

import streamlit as st

from playground.registry import Setting, registry_named
from playground.spec import TrainingSpec, field_settings
from playground.web.widgets import session
from playground.web.widgets.network_editor import edit_training
from playground.web.widgets.setting_input import control_value, setting_input

FIRST = ("optimizer", "learning_rate", "batch_size", "epochs")

Control = Callable[[Setting, Any, str], Any]  # draws a setting's control or reads it: its value


def training_settings(training: TrainingSpec) -> TrainingSpec:
    """Draws the controls; returns the training settings as they now stand."""
    drawn: Control = partial(setting_input, on_change=_training_changed)
    values = {name: _field_value(training, name, drawn) for name in FIRST}
    with st.expander("More settings"):
        for f in dataclasses.fields(TrainingSpec):
            if f.name not in FIRST:
                values[f.name] = _field_value(training, f.name, drawn)
    return TrainingSpec(**values)


def _training_changed() -> None:
    """Every training control's callback: the settings as the controls now stand, drawn first."""
    training = session.spec().training
    fields = dataclasses.fields(TrainingSpec)
    edit_training(TrainingSpec(**{f.name: _field_value(training, f.name, control_value) for f in fields}))


def _field_value(section: Any, name: str, control: Control, prefix: str = "") -> Any:
    """The value of the control (or the section of controls) for the field `name` of `section`."""
    value = getattr(section, name)
    setting = field_settings(type(section)).get(name)
    if setting is not None:
        return control(setting, value, session.key(f"{prefix}{name}"))
    return _section_value(value, f"{prefix}{name}_", control)


def _section_value(section: Any, prefix: str, control: Control) -> Any:
    """A section with a `kind`: the kind's control, then the settings that kind's entry takes (the
    others keep their values)."""
    kind_setting = field_settings(type(section))["kind"]
    kind = control(kind_setting, section.kind, session.key(f"{prefix}kind"))
    taken = registry_named(kind_setting.registry)[kind].settings
    changes = {
        setting.name: control(setting, getattr(section, setting.name), session.key(f"{prefix}{setting.name}"))
        for setting in taken
    }
    return dataclasses.replace(section, kind=kind, **changes)
