"""The playground: pick data, build a layer stack, train a real Keras model live and watch it learn."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from playground.datasets import DATASETS, DatasetError, load_dataset
from playground.engine.trainer import InvalidSpec
from playground.losses import LOSSES, output_for
from playground.network_shapes import layer_rows, total_parameters
from playground.presets import PRESETS
from playground.spec import ExperimentSpec, NetworkSpec
from playground.validation import validate
from widgets import session
from widgets.controls import controls
from widgets.data_picker import data_picker
from widgets.digit_canvas import digit_canvas
from widgets.layer_editor import layer_editor
from widgets.live_views import detail_views, live_views
from widgets.presenter import presenter_mode
from widgets.share_export import share_and_export
from widgets.training_settings import training_settings

REFRESH_SECONDS = 0.3  # status, loss curve and boundary
DETAIL_REFRESH_SECONDS = 1.5  # histograms, network drawing, neuron maps, confusion matrix

session.init()
state = st.session_state
spec: ExperimentSpec = session.spec()

title_column, toggle_column = st.columns([5, 1])
title_column.title("Neural Network Playground")
with toggle_column:
    present = presenter_mode()
if state.get("link_error"):
    st.warning(state.pop("link_error"))

with st.sidebar:
    st.header("Presets")
    names = list(PRESETS)
    choice = st.selectbox("Lecture topic", names, index=names.index("tfp-default"), format_func=lambda n: PRESETS[n].spec.title or n, key="preset_choice")
    st.caption(PRESETS[choice].description)
    if st.button("Load preset", width="stretch"):
        session.load(PRESETS[choice].spec)
    st.header("Data")
    dataset_spec, features = data_picker(spec)
    st.header("Training")
    training = training_settings(spec.training)

# The stack is drawn with the shapes of the data chosen above.
try:
    dataset = load_dataset(dataset_spec)
except DatasetError:
    dataset = None  # validation below says why

problems_now = validate(dataclasses.replace(spec, dataset=dataset_spec, training=training,
                                            network=dataclasses.replace(spec.network, features=features)))
layer_problems: dict[int, list[str]] = {}
for problem in problems_now:
    if problem.field.startswith("network.layers["):
        layer_problems.setdefault(int(problem.field.split("[")[1].rstrip("]")), []).append(problem.message)
rows: dict = {}
if dataset is not None and not (dataset.kind == "2d" and not features):
    loss = training.loss if training.loss in LOSSES else "auto"
    plan = output_for(dataset.task, dataset.num_classes, loss)
    table = layer_rows(spec.network, (len(features),) if dataset.kind == "2d" else dataset.sample_shape, plan.units)
    rows = {row.index: row for row in table}

if present:
    layers = spec.network.layers  # presenter mode hides the builder; the stack stays as it is
else:
    parameters = f" · {total_parameters(list(rows.values())):,} parameters" if rows else ""
    with st.expander(f"Network: {len(spec.network.layers)} hidden layer(s){parameters}", expanded=True):
        layers = layer_editor(spec, rows, layer_problems)
        if rows:
            output_row = rows[max(rows)]
            st.caption(f"Then the output layer: {output_row.output_shape[0] if output_row.output_shape else '?'} neuron(s), "
                       f"{output_row.parameters:,} parameters.")
outputs = st.container()

spec = ExperimentSpec(dataset=dataset_spec, network=NetworkSpec(features=features, layers=layers, output_activation=spec.network.output_activation),
                      training=training, title=spec.title)
state.spec = spec
st.query_params["x"] = spec.to_url()
problems = validate(spec)

trainer = None
if not problems:
    try:
        trainer = state.slot.get(spec)
    except InvalidSpec as error:  # the data changed on disk between validation and building
        problems = error.problems
running = trainer is not None and trainer.state == "running"

with outputs:
    st.caption(f"**{spec.title or 'Your experiment'}** · dataset: {DATASETS[dataset_spec.name].label} · {len(layers)} hidden layer(s)")
    for problem in problems:
        if not problem.field.startswith("network.layers[") or present:
            st.error(problem.message)
    reason = ""
    if problems:
        reason = f"{len(problems)} problem(s) to fix first: {problems[0].message}"
    controls(trainer, reason)

    def views() -> None:
        current = state.slot.trainer if not problems else None
        live_views(current, dataset, present)
        if running and (current is None or current.state != "running"):
            st.rerun()  # training ended: redraw the whole page so the buttons match

    st.fragment(run_every=REFRESH_SECONDS if running else None)(views)()

    if not present:
        def details() -> None:
            detail_views(state.slot.trainer if not problems else None)

        st.fragment(run_every=DETAIL_REFRESH_SECONDS if running else None)(details)()

if trainer is not None and trainer.data.dataset.kind == "image" and not present:
    digit_canvas(trainer)

if not present:
    with st.expander("Share, export and import"):
        share_and_export(spec, trainer, valid=not problems)
