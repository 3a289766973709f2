"""The playground page: pick data, build a layer stack, train live and watch it learn."""

from __future__ import annotations

import dataclasses
import math
import time

import pandas as pd
import streamlit as st

from playground.activations import ACTIVATIONS
from playground.datasets import DATASETS, DatasetError, load_dataset
from playground.engine.trainer import LEARNING_RATE_LADDER, InvalidSpec
from playground.engine.trainer_slot import TrainerSlot
from playground.features import FEATURES
from playground.figures.confusion import confusion_matrix
from playground.figures.dataset_preview import dataset_preview
from playground.figures.decision_boundary import decision_boundary
from playground.figures.histograms import weight_histograms
from playground.figures.loss_curves import loss_curves
from playground.figures.softmax_bars import softmax_bars
from playground.initializers import INITIALIZERS
from playground.layers import LAYERS
from playground.network_shapes import layer_rows, total_parameters
from playground.optimizers import OPTIMIZERS
from playground.presets import DEFAULT_PRESET, PRESETS
from playground.spec import ExperimentSpec, LayerSpec, SpecError
from playground.training_data import training_data
from playground.validation import validate

LAYER_FIELDS = ["units", "activation", "rate", "filters", "kernel_size", "strides", "padding", "pool_size"]
REFRESH_SECONDS = 0.25

state = st.session_state
if "spec" not in state:
    state.spec = PRESETS[DEFAULT_PRESET].spec
    state.generation = 0
    link = st.query_params.get("x")
    if link:
        try:
            state.spec = ExperimentSpec.from_url(link)
        except SpecError as error:
            state.link_error = "This link does not hold a readable experiment, so the default is shown. " + " ".join(error.problems)
if "slot" not in state:
    state.slot = TrainerSlot()


def load_spec(spec: ExperimentSpec) -> None:
    state.spec = spec
    state.generation += 1  # new widget keys, so every control shows the loaded values


def key(name: str) -> str:
    return f"{name}_{state.generation}"


spec: ExperimentSpec = state.spec
st.title("Neural Network Playground")
if state.get("link_error"):
    st.warning(state.pop("link_error"))

# Presets.
with st.sidebar:
    st.header("Presets")
    names = list(PRESETS)
    preset = st.selectbox("Lecture topic", names, index=names.index(DEFAULT_PRESET), format_func=lambda n: PRESETS[n].spec.title or n, key="preset_choice")
    st.caption(PRESETS[preset].description)
    if st.button("Load preset", width="stretch"):
        load_spec(PRESETS[preset].spec)
        st.rerun()

# Data.
with st.sidebar:
    st.header("Data")
    data_names = list(DATASETS)
    name = st.selectbox("Dataset", data_names, index=data_names.index(spec.dataset.name), format_func=lambda n: DATASETS[n].label, key=key("dataset"))
    info = DATASETS[name]
    noise = st.slider("Noise (%)", 0, 50, int(spec.dataset.noise), key=key("noise"), disabled=info.kind != "2d")
    ratio = st.slider("Training share (%)", 10, 90, int(round(spec.dataset.train_ratio * 100)), step=10, key=key("ratio")) / 100
    data_seed = st.number_input("Data seed", 0, 10_000, spec.dataset.seed, key=key("data_seed"))
    classes = st.slider("Spiral arms", 3, 5, spec.dataset.classes, key=key("classes")) if name == "spiral-multi" else spec.dataset.classes
    default_features = list(spec.network.features) if info.kind == "2d" and spec.network.features else ["x1", "x2"]
    features = st.multiselect("Input features", list(FEATURES), default=default_features, format_func=lambda f: FEATURES[f][0], key=key("features")) if info.kind == "2d" else []
    padding = spec.dataset.padding if info.kind == "image" else 0

# Network.
st.subheader("Layers")
layer_table = pd.DataFrame([{"type": layer.type, **{f: getattr(layer, f) for f in LAYER_FIELDS}} for layer in spec.network.layers], columns=["type", *LAYER_FIELDS])
edited = st.data_editor(
    layer_table,
    num_rows="dynamic",
    width="stretch",
    key=key("layers"),
    column_config={
        "type": st.column_config.SelectboxColumn("Layer", options=list(LAYERS), required=True, default="Dense"),
        "activation": st.column_config.SelectboxColumn("Activation", options=list(ACTIVATIONS)),
        "padding": st.column_config.SelectboxColumn("Padding", options=["valid", "same"]),
        "units": st.column_config.NumberColumn("Units", min_value=1, step=1),
        "rate": st.column_config.NumberColumn("Dropout rate", min_value=0.0, max_value=0.95, step=0.05),
        "filters": st.column_config.NumberColumn("Filters", min_value=1, step=1),
        "kernel_size": st.column_config.NumberColumn("Kernel", min_value=1, step=1),
        "strides": st.column_config.NumberColumn("Stride", min_value=1, step=1),
        "pool_size": st.column_config.NumberColumn("Pool", min_value=1, step=1),
    },
)


def row_to_layer(row) -> LayerSpec:
    """Keeps the fields the layer type uses, filling empty ones with the type's defaults."""
    type_name = row["type"] if isinstance(row["type"], str) and row["type"] in LAYERS else "Dense"
    values = {}
    for field, default in LAYERS[type_name].defaults.items():
        value = row.get(field)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            value = default
        elif field not in ("activation", "padding", "rate"):
            value = int(value)
        elif field == "rate":
            value = float(value)
        values[field] = value
    return LayerSpec(type=type_name, **values)


layers = tuple(row_to_layer(row) for row in edited.to_dict("records"))

# Training settings.
with st.sidebar:
    st.header("Training")
    optimizer = st.selectbox("Optimizer", list(OPTIMIZERS), index=list(OPTIMIZERS).index(spec.training.optimizer), format_func=lambda o: OPTIMIZERS[o][0], key=key("optimizer"))
    ladder = sorted(set(LEARNING_RATE_LADDER) | {spec.training.learning_rate})
    learning_rate = st.select_slider("Learning rate", ladder, value=spec.training.learning_rate, key=key("learning_rate"))
    batch_size = st.number_input("Batch size", 1, 10_000, spec.training.batch_size, key=key("batch_size"))
    epochs = st.number_input("Epochs", 1, 100_000, spec.training.epochs, key=key("epochs"))
    inits = list(INITIALIZERS)
    weight_init = st.selectbox("Weight init", inits, index=inits.index(spec.training.weight_init), format_func=lambda i: INITIALIZERS[i][0], key=key("init"))
    train_seed = st.number_input("Training seed", 0, 10_000, spec.training.seed, key=key("train_seed"))
    speed = st.select_slider("Speed (epochs per second)", ["slow: 2", "5", "20", "fastest"], value="fastest", key="speed")

spec = ExperimentSpec(
    dataset=dataclasses.replace(spec.dataset, name=name, noise=float(noise), train_ratio=ratio, seed=int(data_seed), classes=int(classes), padding=padding,
                                samples=spec.dataset.samples if name == spec.dataset.name else None),
    network=dataclasses.replace(spec.network, features=tuple(features), layers=layers),
    training=dataclasses.replace(spec.training, optimizer=optimizer, learning_rate=float(learning_rate), batch_size=int(batch_size), epochs=int(epochs), weight_init=weight_init, seed=int(train_seed)),
    title=spec.title,
)
state.spec = spec
st.query_params["x"] = spec.to_url()

st.caption(f"**{spec.title or 'Your experiment'}** · dataset: {DATASETS[name].label} · {len(layers)} hidden layer(s)")
problems = validate(spec)
problem_fields = {p.field for p in problems}

# Stack table with shapes and parameters.
try:
    dataset = load_dataset(spec.dataset)
except DatasetError as error:
    dataset = None
if dataset is not None and not (dataset.kind == "2d" and not features):
    from playground.losses import output_for

    plan = output_for(dataset.task, dataset.num_classes, spec.training.loss, spec.network.output_activation)
    rows = layer_rows(spec.network, (len(features),) if dataset.kind == "2d" else dataset.sample_shape, plan.units)
    st.dataframe(
        pd.DataFrame([{"#": r.index, "layer": r.name, "output shape": "x".join(map(str, r.output_shape)) if r.output_shape else "—", "parameters": r.parameters} for r in rows]),
        hide_index=True, width="stretch",
    )
    st.caption(f"Total parameters: {total_parameters(rows):,}")
for problem in problems:
    st.error(problem.message, icon="⚠️")

# Training controls.
trainer = None
if not problems:
    try:
        trainer = state.slot.get(spec)
    except InvalidSpec as error:
        st.error(str(error))
if trainer is not None:
    trainer.set_speed(None if speed == "fastest" else float(speed.split(": ")[-1]))

running = trainer is not None and trainer.state == "running"
reason = "Fix the problems above to train." if problems else ""
buttons = st.columns(7)
if buttons[0].button("Train", disabled=trainer is None or running, help=reason or "Start training", type="primary", key="train"):
    trainer.start()
    st.rerun()
if buttons[1].button("Pause", disabled=not running, key="pause"):
    trainer.pause()
    st.rerun()
if buttons[2].button("Step batch", disabled=trainer is None or running, key="step_batch"):
    trainer.step_batch()
    trainer.wait(timeout=30)
if buttons[3].button("Step epoch", disabled=trainer is None or running, key="step_epoch"):
    trainer.step_epoch()
    trainer.wait(timeout=60)
if buttons[4].button("Stop", disabled=trainer is None or trainer.state not in ("running", "paused"), key="stop"):
    trainer.stop()
    st.rerun()
if buttons[5].button("Reset", disabled=trainer is None, key="reset"):
    trainer.reset()
    st.rerun()
if reason:
    buttons[6].caption(f"Train is off: {reason}")


def live_views() -> None:
    current = state.slot.trainer
    if current is None:
        if dataset is not None:
            st.plotly_chart(dataset_preview(dataset), width="stretch", key="preview")
        return
    history = current.history
    epoch, batch = current.position
    last = history[-1] if history else {}
    status = {"ready": "ready", "running": "training", "paused": "paused", "finished": "finished", "stopped": "stopped", "diverged": "diverged"}.get(current.state, current.state)
    metrics = st.columns(5)
    metrics[0].metric("Epoch", f"{epoch}" + (f" · batch {batch}" if batch else ""))
    metrics[1].metric("Test loss", f"{last['test_loss']:.4f}" if last else "—")
    metrics[2].metric("Test accuracy", f"{last['test_accuracy']:.3f}" if last.get("test_accuracy") is not None else "—")
    metrics[3].metric("Learning rate", f"{current.learning_rate():g}")
    metrics[4].metric("Status", status, help=f"{current.elapsed:.1f} s of training")
    st.markdown(f'<div data-testid="training-status" data-state="{current.state}" data-epoch="{epoch}"></div>', unsafe_allow_html=True)
    if current.state == "diverged":
        st.error(current.message)
        if st.button("Lower the learning rate and reset", key="lower_rate"):
            lower = [r for r in LEARNING_RATE_LADDER if r < current.base_learning_rate / 3] or [LEARNING_RATE_LADDER[0]]
            state.spec = dataclasses.replace(state.spec, training=dataclasses.replace(state.spec.training, learning_rate=lower[-1]))
            state.generation += 1
            current.reset()
            st.rerun()
    _, snapshot = current.snapshots.latest()
    data = current.data
    left, right = st.columns([1, 1])
    with left:
        log_scale = st.toggle("Log scale", key="log_scale")
        if history:
            st.plotly_chart(loss_curves(history, log_scale), width="stretch", key="loss_chart")
        else:
            st.info("Press Train to start. The loss curve appears here.")
    with right:
        dataset_now = data.dataset
        if dataset_now.kind == "2d":
            grid = snapshot.grid if snapshot is not None else None
            st.plotly_chart(decision_boundary(grid, dataset_now.bounds, dataset_now.x_train, dataset_now.y_train, dataset_now.task, dataset_now.num_classes, threshold=data.plan.threshold), width="stretch", key="boundary")
        elif snapshot is not None and snapshot.probe_outputs is not None:
            st.plotly_chart(softmax_bars(snapshot.probe_outputs, dataset_now.y_test[snapshot.probe_indices], dataset_now.class_names, data.plan.threshold), width="stretch", key="softmax")
    if snapshot is not None:
        below = st.columns([1, 1])
        with below[0]:
            st.markdown("**Weights and biases**")
            st.plotly_chart(weight_histograms(snapshot.histograms), width="stretch", key="histograms")
        with below[1]:
            if snapshot.confusion is not None:
                st.markdown("**Confusion matrix (test set)**")
                st.plotly_chart(confusion_matrix(snapshot.confusion, dataset_now.class_names), width="stretch", key="confusion")
            if dataset_now.kind == "2d" and snapshot.probe_outputs is not None and dataset_now.task != "regression":
                st.plotly_chart(softmax_bars(snapshot.probe_outputs, dataset_now.y_test[snapshot.probe_indices], dataset_now.class_names, data.plan.threshold), width="stretch", key="softmax2d")
    if running and current.state != "running":
        st.rerun()  # training ended: redraw the whole page so the buttons match


st.fragment(run_every=REFRESH_SECONDS if running else None)(live_views)()
