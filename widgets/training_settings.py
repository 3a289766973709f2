"""The training controls: optimizer, learning rate (TF Playground's ladder or any value), batch
size, epochs, loss, regularization, weight init, schedule and seed."""

from __future__ import annotations

import dataclasses

import streamlit as st

from playground.initializers import INITIALIZERS
from playground.learning_rates import LEARNING_RATE_LADDER
from playground.losses import LOSSES
from playground.optimizers import OPTIMIZERS
from playground.registry import Registry
from playground.regularization import REGULARIZATIONS
from playground.schedules import SCHEDULES
from playground.spec import RegularizationSpec, TrainingSpec
from playground.validation import MAX_EPOCHS, MAX_LEARNING_RATE, MAX_SEED, MIN_LEARNING_RATE
from widgets import session
from widgets.setting_input import setting_input
from widgets.widget_values import index_of as _index
from widgets.widget_values import number_in

REGULARIZATION_RATES = [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]


def _help(registry: Registry, name: object, default: str = "") -> str:
    entry = registry.lookup(name)
    return entry.help if entry else default


def training_settings(training: TrainingSpec) -> TrainingSpec:
    optimizer = st.selectbox(
        "Optimizer",
        list(OPTIMIZERS),
        index=_index(OPTIMIZERS, training.optimizer),
        format_func=OPTIMIZERS.label,
        key=session.key("optimizer"),
        help=_help(OPTIMIZERS, training.optimizer, "How each step uses the gradient."),
    )
    rate = number_in(training.learning_rate, MIN_LEARNING_RATE, MAX_LEARNING_RATE, 0.03)
    ladder = sorted(set(LEARNING_RATE_LADDER) | {rate})
    learning_rate = st.select_slider(
        "Learning rate",
        ladder,
        value=rate,
        key=session.key("learning_rate"),
        help="Changeable while training. Too high and the loss explodes; too low and nothing happens.",
    )
    typed = st.number_input(
        "…or type a learning rate",
        MIN_LEARNING_RATE,
        MAX_LEARNING_RATE,
        float(learning_rate),
        format="%.5f",
        key=session.key("learning_rate_typed"),
    )
    if typed != float(learning_rate):
        learning_rate = typed
    batch_size = st.number_input(
        "Batch size", 1, 100_000, number_in(training.batch_size, 1, 100_000, 10), key=session.key("batch_size")
    )
    epochs = st.number_input(
        "Epochs", 1, MAX_EPOCHS, number_in(training.epochs, 1, MAX_EPOCHS, 100), key=session.key("epochs")
    )
    with st.expander("More settings"):
        loss = st.selectbox(
            "Loss",
            list(LOSSES),
            index=_index(LOSSES, training.loss),
            format_func=LOSSES.label,
            key=session.key("loss"),
            help=_help(LOSSES, training.loss),
        )
        kind = st.selectbox(
            "Regularization",
            list(REGULARIZATIONS),
            index=_index(REGULARIZATIONS, training.regularization.kind),
            format_func=REGULARIZATIONS.label,
            key=session.key("reg_kind"),
            help=_help(REGULARIZATIONS, training.regularization.kind),
        )
        reg_rate = number_in(training.regularization.rate, 0.0, 10.0, 0.0)
        if kind != "none":
            reg_rate = st.select_slider(
                "Regularization rate",
                REGULARIZATION_RATES,
                value=reg_rate if reg_rate in REGULARIZATION_RATES else 0.001,
                key=session.key("reg_rate"),
            )
        weight_init = st.selectbox(
            "Weight init",
            list(INITIALIZERS),
            index=_index(INITIALIZERS, training.weight_init),
            format_func=INITIALIZERS.label,
            key=session.key("init"),
            help=_help(INITIALIZERS, training.weight_init),
        )
        schedule_kind = st.selectbox(
            "Learning-rate schedule",
            list(SCHEDULES),
            index=_index(SCHEDULES, training.schedule.kind),
            format_func=SCHEDULES.label,
            key=session.key("schedule"),
            help=_help(SCHEDULES, training.schedule.kind),
        )
        schedule = dataclasses.replace(
            training.schedule,
            kind=schedule_kind,
            **{
                setting.name: setting_input(
                    setting, getattr(training.schedule, setting.name), session.key(setting.name)
                )
                for setting in SCHEDULES[schedule_kind].settings
            },
        )
        seed = st.number_input(
            "Training seed", 0, MAX_SEED, number_in(training.seed, 0, MAX_SEED, 0), key=session.key("train_seed")
        )
        shuffle = st.toggle(
            "Shuffle every epoch",
            value=training.shuffle is not False,
            key=session.key("shuffle"),
            help="Off keeps one fixed order, as TF Playground does.",
        )
    return TrainingSpec(
        optimizer=optimizer,
        learning_rate=float(learning_rate),
        batch_size=int(batch_size),
        epochs=int(epochs),
        loss=loss,
        regularization=RegularizationSpec(kind, float(reg_rate)),
        weight_init=weight_init,
        schedule=schedule,
        seed=int(seed),
        shuffle=bool(shuffle),
    )
