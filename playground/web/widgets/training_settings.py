"""The training controls: one control per field of `TrainingSpec`, drawn from the field's `Setting`.

The usual ones (optimizer, learning rate, batch size, epochs) come first; the rest wait under
"More settings". A section that picks a kind from a registry (the regularization, the schedule)
shows its kind, then the settings that kind's entry takes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

from playground.registry import registry_named
from playground.spec import TrainingSpec, field_settings
from playground.web.widgets import session
from playground.web.widgets.setting_input import setting_input

FIRST = ("optimizer", "learning_rate", "batch_size", "epochs")


def training_settings(training: TrainingSpec) -> TrainingSpec:
    """Draws the controls; returns the training settings as they now stand."""
    values = {name: _field_input(training, name) for name in FIRST}
    with st.expander("More settings"):
        for f in dataclasses.fields(TrainingSpec):
            if f.name not in FIRST:
                values[f.name] = _field_input(training, f.name)
    return TrainingSpec(**values)


def _field_input(section: Any, name: str, prefix: str = "") -> Any:
    """The control (or the section of controls) for the field `name` of `section`."""
    value = getattr(section, name)
    setting = field_settings(type(section)).get(name)
    if setting is not None:
        return setting_input(setting, value, session.key(f"{prefix}{name}"))
    return _section_input(value, f"{prefix}{name}_")


def _section_input(section: Any, prefix: str) -> Any:
    """A section with a `kind`: the kind's control, then the settings that kind's entry takes (the
    others keep their values)."""
    kind_setting = field_settings(type(section))["kind"]
    kind = setting_input(kind_setting, section.kind, session.key(f"{prefix}kind"))
    taken = registry_named(kind_setting.registry)[kind].settings
    changes = {
        setting.name: setting_input(setting, getattr(section, setting.name), session.key(f"{prefix}{setting.name}"))
        for setting in taken
    }
    return dataclasses.replace(section, kind=kind, **changes)
