"""The playground: pick data, build a layer stack, train a real Keras model live and watch it learn."""

from __future__ import annotations

import contextlib

import streamlit as st

from playground.datasets import DATASETS
from playground.datasets.dataset import DatasetKind
from playground.engine.device import training_device
from playground.engine.live_settings import model_spec
from playground.engine.trainer import InvalidSpec
from playground.engine.trainer_state import TrainerState
from playground.figures.chart_images import chart_config, experiment_name
from playground.presets import PRESETS
from playground.spec import ExperimentSpec, NetworkSpec
from playground.validation import check_spec
from playground.web.live.chart import live_chart
from playground.web.live.shared_figures import preview_figure
from playground.web.live.status import UNAVAILABLE_KEY
from playground.web.live.views import detail_views, loss_view, output_view, status_line
from playground.web.widgets import session
from playground.web.widgets.class_mode import class_banner, follow_in_class, keep_to_pins, push_drawn_first, take_push
from playground.web.widgets.controls import (
    RUN_FRAGMENT,
    apply_command,
    command_first,
    commanded_first,
    commands_waiting,
    controls,
    follow_command,
    page_fragment,
)
from playground.web.widgets.data_picker import data_picker, feature_picker
from playground.web.widgets.digit_canvas import digit_canvas
from playground.web.widgets.drawn_later import drawn_later, first_run_done
from playground.web.widgets.layer_editor import CARDS_KEY, layer_editor, show_cards, show_layer_checks
from playground.web.widgets.network_editor import (
    DRAWING_FRAGMENT,
    columns_of,
    drawing,
    edit_drawn_first,
    network_controls,
)
from playground.web.widgets.page_follows import page_follows
from playground.web.widgets.presenter import keep_while_presenting, presenter_mode
from playground.web.widgets.run_saving import save_runs_of, store_warning
from playground.web.widgets.safe_text import plain
from playground.web.widgets.share_export import SHARE_KEY, share_and_export
from playground.web.widgets.training_settings import training_settings

# While training, the status row, loss curve, decision boundary and neuron maps follow the page's
# live stream (playground/web/live/status.py): no script run refreshes them. Timers remain for what the
# stream does not carry, and for everything when the stream cannot connect.
REFRESH_SECONDS = 0.3  # without the stream: status, loss curve and decision boundary (or softmax outputs)
IDLE_REFRESH_SECONDS = 2.0  # without the stream, while idle or compiling: a slow heartbeat
IMAGE_REFRESH_SECONDS = 1.0  # with the stream, image data: the softmax outputs of the test samples
DETAIL_REFRESH_SECONDS = 2.5  # without the stream: histograms, network drawing, confusion matrix: heavier to draw
# With the stream, those are redrawn less often: a chart's redraw holds up the browser, and the live
# views' frames would wait for it (bench/load.py measures this with many pages in one browser).
STREAMING_DETAIL_REFRESH_SECONDS = 5.0

# The glance row's chart heights (px): drawing, output, loss, data preview. Chosen so that data,
# network, controls, status, loss and output all fit a 1280x800 screen, with the sidebar open or in
# presenter mode's large type (tests/e2e/test_at_a_glance.py checks it).
HEIGHTS = {False: (300, 265, 165, 190), True: (260, 250, 160, 165)}
COMPACT_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 1.1rem !important; padding-bottom: 2rem !important; }
[data-testid="stHeader"] { background: transparent !important; }
[data-testid="stHeader"], [data-testid="stHeader"] * { pointer-events: none !important; }
[data-testid="stHeader"] button, [data-testid="stHeader"] a { pointer-events: auto !important; }
.st-key-glance_title h1 { padding: 0 !important; font-size: 1.4rem !important; }
.st-key-network_area [data-testid="stButton"] button { min-height: 1.9rem; padding: 0 0.35rem; }
.st-key-network_area [data-testid="stPopover"] button { min-height: 2rem; padding: 0 0.4rem; }
</style>
"""
PRESENTER_GLANCE_CSS = """
<style>
[data-testid="stMainBlockContainer"].block-container { padding-top: 1.1rem !important; }
.st-key-glance_title h1 { font-size: 1.6rem !important; }
.playground-metric-value { font-size: 1.8rem !important; }
.playground-metric-note { min-height: 0 !important; }
.st-key-network_area p, .st-key-data_area p { font-size: 1.05rem !important; }
</style>
"""
COMPACT_STATUS_CSS = """
<style>
.playground-metric-value { font-size: 1.6rem !important; }
.playground-metric-note { min-height: 0 !important; }
</style>
"""

session.init()
edit_drawn_first()  # a run of the whole page draws the drawing's edit with everything else
commanded_first()  # and forgets a command drawn first by the buttons' fragment (it carries out commands itself)
take_push()  # a class's push that brought this run: drawn whole by it
state = st.session_state
spec: ExperimentSpec = session.spec()

title_column, experiment_column, toggle_column = st.columns([1.75, 1.2, 1], vertical_alignment="center")
with title_column.container(key="glance_title"):
    st.title("Neural Network Playground")
experiment_caption = experiment_column.empty()  # the experiment's title, once the stack is known
with toggle_column:
    present = presenter_mode()
if present:
    keep_while_presenting("log_scale", "show_test", "keep_models")
with st.sidebar:  # styles only: in the sidebar they take no room in the page
    st.html(COMPACT_CSS + (PRESENTER_GLANCE_CSS if present else COMPACT_STATUS_CSS))
drawing_height, output_height, loss_height, preview_height = HEIGHTS[present]
with st.container():  # the student's class line, in a class: drawn before the controls, so a push
    class_banner()  # is announced early in the run that loads it
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
    dataset_spec = data_picker(spec)
    st.header("Training")
    training = training_settings(spec.training)
    st.caption(
        f"Trains on this server's {training_device()}.",
        help="TensorFlow uses a GPU when one is set up (see the README).",
    )

# One screen, read left to right as in TF Playground: the run's controls and status on top, then the
# data and its features, the network (drawn, and edited on the drawing), and what it outputs.
run_place = st.container(key="run_area")
data_column, network_column, output_column = st.columns([0.8, 1.55, 1.15], gap="medium")
with data_column.container(key="data_area"):
    st.markdown(f"**Data** · {plain(DATASETS.label(dataset_spec.name))}")
    features = feature_picker(spec, dataset_spec.name)
    preview_place = st.container()
network_place = network_column.container(key="network_area")
output_place = output_column.container(key="output_area")

# Everything else below the fold: the layer cards (every setting, the order), details, sharing.
places: dict[int, tuple]
if present:
    layers, places = spec.network.layers, {}  # presenter mode hides the builder; the stack stays as it is
else:
    cards = st.expander("Layer cards: every layer's settings, and their order", key=CARDS_KEY, on_change=show_cards)
    if cards.open:  # drawn only when open: the first screen does not wait for what it does not show
        with cards:
            layers, places = layer_editor(spec)
            output_caption = st.empty()
    else:
        layers, places = spec.network.layers, {}

spec = ExperimentSpec(
    dataset=dataset_spec,
    network=NetworkSpec(features=features, layers=layers, output_activation=spec.network.output_activation),
    training=training,
    title=spec.title,
    description=spec.description,
)
spec = keep_to_pins(spec)  # in a class, only what the lecturer left free changes
state.spec = spec
st.query_params["x"] = spec.to_url()
subject = experiment_name(spec)  # what its charts' image files are named after
checked = check_spec(spec)
problems = checked.problems
dataset = checked.dataset
columns = columns_of(spec, dataset, checked.rows)
if places:  # shapes and parameters of the stack as it now stands, and each layer's problems beside it
    rows = {row.index: row for row in checked.rows}
    show_layer_checks(places, rows, checked.layer_problems())
    if rows:
        output_row = checked.rows[-1]
        output_caption.caption(
            f"Then the output layer: {output_row.output_shape[0] if output_row.output_shape else '?'} neuron(s), "
            f"{output_row.parameters:,} parameters. Total: {checked.parameters:,} parameters."
        )

trainer = None
if not problems:
    try:
        trainer = state.slot.get(spec)
        save_runs_of(trainer)
    except InvalidSpec as error:  # the data changed on disk between validation and building
        problems = error.problems
follow_in_class(trainer, checked.parameters)  # the class board's tile of this page
apply_command(trainer)  # the button pressed in this run (discarded when there is nothing to train)
running = trainer is not None and trainer.state == TrainerState.RUNNING
if trainer is not None and running:
    trainer.wait_for_first_epoch(0.5)  # just started: draw the first point now, not a refresh later
drawn_with_history = trainer is not None and trainer.points > 0  # else the views wait for a first epoch
drawn_snapshot = trainer.snapshots.latest()[0] if trainer is not None else None  # what the views below draw (or newer)
streaming = not state.get(UNAVAILABLE_KEY)

experiment_caption.caption(f"**{plain(spec.title) if spec.title else 'Your experiment'}** · {len(layers)} layer(s)")

# While training the stream keeps the status, drawing (maps and links), boundary and loss live; the timers are for
# what it does not carry, and for everything when it cannot connect.
views_every: float | None
if not streaming:
    views_every = REFRESH_SECONDS if running else IDLE_REFRESH_SECONDS
else:
    views_every = (
        IMAGE_REFRESH_SECONDS if running and dataset is not None and dataset.kind != DatasetKind.PLANE else None
    )
drawing_every = None if streaming else views_every  # frames repaint its maps and recolour its links


def current_trainer():
    return state.slot.trainer if not problems else None


def status() -> None:
    current = current_trainer()
    following = commanded_first()  # a button's command drawn first: the page follows it (`run_controls`)
    if streaming == bool(state.get(UNAVAILABLE_KEY)):
        st.rerun()  # the stream just failed, or works again: run the page again with the timers on, or off
    if current is None:
        return
    status_line(current, streaming, page_follows=following, on_notice=push_drawn_first)
    if not streaming:
        st.caption(
            "The live stream could not connect (a proxy may block WebSockets), so the views refresh a few times a "
            "second instead. The page keeps trying the stream and goes back to it when it connects."
        )
    if following:
        return
    if running != (current.state == TrainerState.RUNNING):
        st.rerun()  # training started or ended: redraw the page so the buttons match
    if current.points and not drawn_with_history:
        st.rerun()  # the first epoch came after the page was drawn: draw the views that follow the stream from it
    if not running and current.state != TrainerState.RUNNING and current.snapshots.latest()[0] != drawn_snapshot:
        st.rerun()  # at rest, a snapshot came after the page was drawn (a build's first, a pause's last): draw it


def run_controls() -> None:
    """The run's buttons over the status row. A click on a button runs this fragment alone (then
    the page's values are the last run's): its command is carried out on the session's trainer at
    once, and the buttons and the row are drawn for it. Then the whole page follows for what else
    the command changes (the views and their timers: `follow_command`)."""
    if commands_waiting() and not problems and state.slot.key != model_spec(keep_to_pins(session.spec())):
        st.rerun(scope="app")  # the drawing was edited since the page's run: the page carries out the command
    current = current_trainer()
    commanded = command_first(current)
    for problem in problems:
        st.error(plain(problem.message))
    reason = f"{len(problems)} problem(s) to fix first: {problems[0].message}" if problems else ""
    controls(current, reason)
    page_fragment(status, views_every)
    if commanded:
        follow_command(current)


def drawing_with_controls() -> None:
    """The drawing's buttons over the drawing. Run alone by an edit on the drawing first (then the
    page's values are the last run's): it draws the edited network, asks for its trainer, and then
    has the whole page follow."""
    edited_first = edit_drawn_first()
    shown, shown_checked, shown_columns = spec, checked, columns
    if edited_first:
        shown = keep_to_pins(session.spec())
        shown_checked = check_spec(shown)
        shown_columns = columns_of(shown, shown_checked.dataset, shown_checked.rows)
        if not shown_checked.problems:
            with contextlib.suppress(InvalidSpec):  # the full run that follows says what was wrong
                state.slot.get(shown)
    network_controls(shown, shown_columns, shown_checked.parameters)

    def network_view() -> None:
        trainer_shown = state.slot.trainer if not shown_checked.problems else None
        drawing(shown_columns, trainer_shown, shown_checked.dataset, drawing_height, streaming, experiment_name(shown))

    page_fragment(network_view, drawing_every)
    if edited_first:
        page_follows("drawing_edit_follows")


def outputs() -> None:
    output_view(current_trainer(), dataset, output_height, subject, present, streaming)
    if not present:  # the lecture's screen keeps to the charts
        row = st.columns([1.25, 1])
        if dataset is not None and dataset.kind == DatasetKind.PLANE and current_trainer() is not None:
            row[0].toggle("Test points", key="show_test", help="Also show the test set's points")
        row[1].toggle("Log scale", key="log_scale")
    loss_view(current_trainer(), loss_height, subject, present, streaming)


def preview() -> None:
    if dataset is not None:
        live_chart(
            preview_figure(dataset, count=12, height=preview_height, columns=4),
            key="preview",
            config=chart_config("data", subject),
        )


with run_place:
    page_fragment(run_controls, None, key=RUN_FRAGMENT, commands=True)
with network_place:
    page_fragment(drawing_with_controls, None, key=DRAWING_FRAGMENT)
with output_place:
    page_fragment(outputs, views_every)
with preview_place:
    preview()

if not present:
    saved_note, keep_column = st.columns([3, 1])
    saved_note.caption("Every run that finishes, is stopped or diverges is saved on the **Runs** page.")
    keep_column.checkbox(
        "Save the trained model too",
        key="keep_models",
        help="Stores the .keras model with each run, to download later.",
    )
    store_warning()

    def details() -> None:
        if drawn_later("details"):  # below the fold: not before the first screen is drawn
            detail_views(state.slot.trainer if not problems else None, subject, streaming)

    details_every = (STREAMING_DETAIL_REFRESH_SECONDS if streaming else DETAIL_REFRESH_SECONDS) if running else None
    page_fragment(details, details_every)

if trainer is not None and trainer.data.dataset.kind == DatasetKind.IMAGE and not present:
    digit_canvas(trainer)

if not present:
    sharing = st.expander("Share, export and import", key=SHARE_KEY, on_change="rerun")
    if sharing.open:
        with sharing:
            share_and_export(spec, trainer, valid=not problems)
first_run_done()
