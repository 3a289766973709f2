"""The playground: pick data, build a layer stack, train a real Keras model live and watch it learn."""

from __future__ import annotations

import streamlit as st

from playground.datasets import DATASETS
from playground.datasets.dataset import DatasetKind
from playground.engine.device import training_device
from playground.engine.trainer import InvalidSpec
from playground.engine.trainer_state import TrainerState
from playground.presets import PRESETS
from playground.spec import ExperimentSpec, NetworkSpec
from playground.validation import check_spec
from widgets import session
from widgets.controls import apply_command, controls
from widgets.data_picker import data_picker
from widgets.digit_canvas import digit_canvas
from widgets.layer_editor import layer_editor, show_layer_checks
from widgets.live_status import UNAVAILABLE_KEY
from widgets.live_views import detail_views, live_views, status_line
from widgets.presenter import presenter_mode
from widgets.run_saving import save_runs_of, store_warning
from widgets.safe_text import plain
from widgets.share_export import share_and_export
from widgets.training_settings import training_settings

# While training, the status row, loss curve, decision boundary and neuron maps follow the page's
# live stream (widgets/live_status.py): no script run refreshes them. Timers remain for what the
# stream does not carry, and for everything when the stream cannot connect.
REFRESH_SECONDS = 0.3  # without the stream: status, loss curve and decision boundary (or softmax outputs)
IDLE_REFRESH_SECONDS = 2.0  # without the stream, while idle or compiling: a slow heartbeat
IMAGE_REFRESH_SECONDS = 1.0  # with the stream, image data: the softmax outputs of the test samples
DETAIL_REFRESH_SECONDS = 2.5  # without the stream: histograms, network drawing, confusion matrix: heavier to draw
# With the stream, those are redrawn less often: a chart's redraw holds up the browser, and the live
# views' frames would wait for it (bench/load.py measures this with many pages in one browser).
STREAMING_DETAIL_REFRESH_SECONDS = 5.0

session.init()
state = st.session_state
spec: ExperimentSpec = session.spec()

title_column, toggle_column = st.columns(
    [2.5, 1], vertical_alignment="center"
)  # the toggle's label in full at 1280 px, also in large type
title_column.title("Neural Network Playground")
with toggle_column:
    present = presenter_mode()
if state.get("link_error"):  # kept until another experiment is loaded: the page's own reruns must not hide it
    st.warning(plain(state.link_error))

with st.sidebar:
    st.header("Presets")
    names = list(PRESETS)
    choice = st.selectbox(
        "Lecture topic",
        names,
        index=names.index("tfp-default"),
        format_func=lambda n: PRESETS[n].spec.title or n,
        key="preset_choice",
    )
    st.caption(PRESETS[choice].description)
    if st.button("Load preset", width="stretch"):
        session.load(PRESETS[choice].spec)
    st.header("Data")
    dataset_spec, features = data_picker(spec)
    st.header("Training")
    training = training_settings(spec.training)
    st.caption(
        f"Trains on this server's {training_device()}.",
        help="TensorFlow uses a GPU when one is set up (see the README).",
    )

places: dict[int, tuple]
if present:
    layers, places = spec.network.layers, {}  # presenter mode hides the builder; the stack stays as it is
else:
    with st.expander("Network", expanded=True):
        layers, places = layer_editor(spec)
        output_place = st.empty()

spec = ExperimentSpec(
    dataset=dataset_spec,
    network=NetworkSpec(features=features, layers=layers, output_activation=spec.network.output_activation),
    training=training,
    title=spec.title,
    description=spec.description,
)
state.spec = spec
st.query_params["x"] = spec.to_url()
checked = check_spec(spec)
problems = checked.problems
dataset = checked.dataset
if not present:  # shapes and parameters of the stack as it now stands, and each layer's problems beside it
    rows = {row.index: row for row in checked.rows}
    show_layer_checks(places, rows, checked.layer_problems())
    if rows:
        output_row = checked.rows[-1]
        output_place.caption(
            f"Then the output layer: {output_row.output_shape[0] if output_row.output_shape else '?'} neuron(s), "
            f"{output_row.parameters:,} parameters. Total: {checked.parameters:,} parameters."
        )
outputs = st.container()

trainer = None
if not problems:
    try:
        trainer = state.slot.get(spec)
        save_runs_of(trainer)
    except InvalidSpec as error:  # the data changed on disk between validation and building
        problems = error.problems
shown = (
    problems if present else [problem for problem in problems if problem.layer is None]
)  # the others show beside their layers
apply_command(trainer)  # the button pressed in this run (discarded when there is nothing to train)
running = trainer is not None and trainer.state == TrainerState.RUNNING
if trainer is not None and running:
    trainer.wait_for_first_epoch(0.5)  # just started: draw the first point now, not a refresh later

with outputs:
    st.caption(
        f"**{plain(spec.title) if spec.title else 'Your experiment'}** · dataset: "
        f"{DATASETS[dataset_spec.name].label} · {len(layers)} hidden layer(s)"
    )
    for problem in shown:
        st.error(plain(problem.message))
    reason = ""
    if problems:
        reason = f"{len(problems)} problem(s) to fix first: {problems[0].message}"
    controls(trainer, reason)
    if not present:
        saved_note, keep_column = st.columns([3, 1])
        saved_note.caption("Every run that finishes, is stopped or diverges is saved on the **Runs** page.")
        keep_column.checkbox(
            "Save the trained model too",
            key="keep_models",
            help="Stores the .keras model with each run, to download later.",
        )
        store_warning()

    streaming = not state.get(UNAVAILABLE_KEY)

    def views() -> None:
        current = state.slot.trainer if not problems else None
        if streaming and state.get(UNAVAILABLE_KEY):
            st.rerun()  # the stream just failed: run the page again with the timers on
        if current is not None:
            status_line(current, streaming)
            if not streaming:
                st.caption(
                    "The live stream could not connect (a proxy may block WebSockets), so the views refresh a few "
                    "times a second instead. Reload the page to try the stream again."
                )
        live_views(current, dataset, present, streaming)
        if current is not None and running != (current.state == TrainerState.RUNNING):
            st.rerun()  # training started or ended: redraw the page so the buttons match

    views_every: float | None
    if not streaming:
        views_every = REFRESH_SECONDS if running else IDLE_REFRESH_SECONDS
    else:
        views_every = (
            IMAGE_REFRESH_SECONDS if running and dataset is not None and dataset.kind != DatasetKind.PLANE else None
        )
    st.fragment(run_every=views_every)(views)()

    if not present:

        def details() -> None:
            detail_views(state.slot.trainer if not problems else None, streaming)

        details_every = (STREAMING_DETAIL_REFRESH_SECONDS if streaming else DETAIL_REFRESH_SECONDS) if running else None
        st.fragment(run_every=details_every)(details)()

if trainer is not None and trainer.data.dataset.kind == DatasetKind.IMAGE and not present:
    digit_canvas(trainer)

if not present:
    with st.expander("Share, export and import"):
        share_and_export(spec, trainer, valid=not problems)
