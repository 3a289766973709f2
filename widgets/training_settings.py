"""The training controls: optimizer, learning rate (TF Playground's ladder or any value), batch
size, epochs, loss, regularization, weight init, schedule and seed."""

from __future__ import annotations

import dataclasses

import streamlit as st

from playground.engine.trainer import LEARNING_RATE_LADDER
from playground.initializers import INITIALIZERS
from playground.losses import LOSSES
from playground.optimizers import OPTIMIZERS
from playground.regularization import REGULARIZATIONS
from playground.schedules import SCHEDULES
from playground.spec import RegularizationSpec, ScheduleSpec, TrainingSpec
from widgets import session


def _index(options, value) -> int:
    options = list(options)
    return options.index(value) if value in options else 0


def training_settings(training: TrainingSpec) -> TrainingSpec:
    optimizer = st.selectbox("Optimizer", list(OPTIMIZERS), index=_index(OPTIMIZERS, training.optimizer),
                             format_func=lambda o: OPTIMIZERS[o][0], key=session.key("optimizer"), help="How each step uses the gradient.")
    rate = training.learning_rate if isinstance(training.learning_rate, (int, float)) else 0.03
    ladder = sorted(set(LEARNING_RATE_LADDER) | {rate})
    learning_rate = st.select_slider("Learning rate", ladder, value=rate, key=session.key("learning_rate"),
                                     help="Changeable while training. Too high and the loss explodes; too low and nothing happens.")
    typed = st.number_input("…or type a learning rate", 0.00001, 10.0, float(learning_rate), format="%.5f", key=session.key("learning_rate_typed"))
    if typed != float(learning_rate):
        learning_rate = typed
    batch_size = st.number_input("Batch size", 1, 100_000, training.batch_size if isinstance(training.batch_size, int) and training.batch_size > 0 else 10, key=session.key("batch_size"))
    epochs = st.number_input("Epochs", 1, 100_000, training.epochs if isinstance(training.epochs, int) and training.epochs > 0 else 100, key=session.key("epochs"))
    with st.expander("More settings"):
        loss = st.selectbox("Loss", list(LOSSES), index=_index(LOSSES, training.loss), key=session.key("loss"), help=LOSSES.get(training.loss, ""))
        kind = st.selectbox("Regularization", list(REGULARIZATIONS), index=_index(REGULARIZATIONS, training.regularization.kind), key=session.key("reg_kind"))
        reg_rate = training.regularization.rate
        if kind != "none":
            reg_rate = st.select_slider("Regularization rate", [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0],
                                        value=reg_rate if reg_rate in (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0) else 0.001, key=session.key("reg_rate"))
        weight_init = st.selectbox("Weight init", list(INITIALIZERS), index=_index(INITIALIZERS, training.weight_init),
                                   format_func=lambda i: INITIALIZERS[i][0], key=session.key("init"))
        schedule_kind = st.selectbox("Learning-rate schedule", list(SCHEDULES), index=_index(SCHEDULES, training.schedule.kind),
                                     format_func=lambda s: SCHEDULES[s][0], key=session.key("schedule"))
        schedule = dataclasses.replace(training.schedule, kind=schedule_kind)
        if schedule_kind in ("step", "exponential"):
            schedule = dataclasses.replace(schedule, factor=st.slider("Decay factor", 0.05, 1.0, float(training.schedule.factor) if 0.05 <= training.schedule.factor <= 1 else 0.5, 0.05, key=session.key("factor")))
        if schedule_kind == "step":
            schedule = dataclasses.replace(schedule, every=int(st.number_input("Every N epochs", 1, 10_000, max(1, training.schedule.every), key=session.key("every"))))
        seed = st.number_input("Training seed", 0, 10_000, training.seed if isinstance(training.seed, int) and training.seed >= 0 else 0, key=session.key("train_seed"))
        shuffle = st.toggle("Shuffle every epoch", value=bool(training.shuffle), key=session.key("shuffle"),
                            help="Off keeps one fixed order, as TF Playground does.")
    return TrainingSpec(optimizer=optimizer, learning_rate=float(learning_rate), batch_size=int(batch_size), epochs=int(epochs), loss=loss,
                        regularization=RegularizationSpec(kind, float(reg_rate)), weight_init=weight_init, schedule=schedule,
                        seed=int(seed), shuffle=bool(shuffle))
