"""The network drawing as the editor of Dense stacks, as in TF Playground: − and + for the hidden
layers and for each layer's neurons, each layer's activation and dropout one click away above
it, and the drawing itself (`playground.figures.network_drawing`) below, with every hidden
neuron's map inside its square, kept live by the page's stream while training.

The controls sit in page columns of equal width, one per drawn layer, over the drawing's columns.
The − and + are press counters (`playground/web/widgets/press_counter.py`): five quick clicks are five edits.
An edit is made in the control's callback, before the page runs (`_edit`): the experiment and the
controls that show the stack (these and the layer cards') are set to the edited network, and every
other control keeps its state. The drawing and its controls are one fragment of the page: the
edit's callback has that fragment run alone first, so the new network is drawn (and its trainer
asked for) at once, without waiting for the rest of the page; the fragment then has the whole page
run, which draws the rest (the cards, the outputs, the share link) for the edited network. The
cards stay for what the drawing cannot show (Conv2D settings, the order of the layers)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from playground.activations import ACTIVATIONS
from playground.datasets.dataset import Dataset, DatasetKind
from playground.engine.live_trainer import LiveTrainer
from playground.engine.snapshots import NEURON_GRID_SIZE
from playground.features import FEATURES
from playground.figures.chart_images import chart_config
from playground.figures.network_drawing import DrawnLayer, drawn_layers, feature_grids
from playground.network_edits import (
    add_layer,
    change_units,
    dense_places,
    dropout_of,
    remove_layer,
    set_activation,
    set_dropout,
)
from playground.network_shapes import LayerRow
from playground.spec import DatasetSpec, ExperimentSpec, NetworkSpec, TrainingSpec
from playground.web.live.chart import live_chart
from playground.web.live.shared_figures import network_figure
from playground.web.live.status import stream_url
from playground.web.widgets import session
from playground.web.widgets.layer_editor import set_layer_controls
from playground.web.widgets.press_counter import press_counter

MAPPED_LAYERS = ("Dense", "Dropout")  # stacks whose hidden neurons get maps (engine/snapshot_maker.py)
DRAWING_FRAGMENT = "drawing_with_controls"  # the key of the page's fragment that holds both
_EDITED_FIRST = "drawing_edited_first"  # session state: an edit that the drawing's fragment draws first


def _edit(change: Callable[..., NetworkSpec], *arguments) -> None:
    """A drawing control's callback: `change(network, *arguments)` applied to the experiment."""
    spec = session.spec()
    network = change(spec.network, *arguments)
    if network == spec.network:
        return
    session.edit(spec.replace(network=network))
    edited = session.spec().network
    set_layer_controls(edited.layers)
    _set_drawing_controls(edited)
    st.session_state[_EDITED_FIRST] = True


def _draw_edit_first() -> None:
    """After a drawing control's callbacks: when they edited the network, only the drawing's
    fragment runs, so the edit is drawn at once; it then has the whole page follow
    (`edit_drawn_first`). Otherwise the page runs as after any click."""
    if st.session_state.get(_EDITED_FIRST):
        st.rerun(scope=[DRAWING_FRAGMENT])


def edit_network(change: Callable[[NetworkSpec], NetworkSpec]) -> None:
    """A widget's callback elsewhere on the page that edits the network (the input features):
    `change` is applied and drawn first, as an edit on the drawing is."""
    _edit(change)
    _draw_edit_first()


def edit_data(dataset: DatasetSpec) -> None:
    """A data control's callback (another 2-D dataset, or its settings): the experiment's new data
    is drawn first, as an edit on the drawing is: the drawing's fragment asks for the new trainer
    and draws it, and the page follows with the rest (the preview, the outputs)."""
    _edit_experiment(session.spec().replace(dataset=dataset))


def edit_training(training: TrainingSpec) -> None:
    """A training control's callback: the trainer for the new settings is asked for first, by the
    drawing's fragment, as for an edit on the drawing; the page follows."""
    _edit_experiment(session.spec().replace(training=training))


def _edit_experiment(edited: ExperimentSpec) -> None:
    """`edited` (the network unchanged) made the experiment and drawn first, when it changed."""
    if edited == session.spec():
        return
    session.edit(edited)
    st.session_state[_EDITED_FIRST] = True
    _draw_edit_first()


def draw_loaded_first(*before: str) -> None:
    """In a callback that loaded another experiment of 2-D data (a class's push): the fragments
    `before`, then the drawing's, draw it first, alone; the page follows with the rest."""
    st.session_state[_EDITED_FIRST] = True
    st.rerun(scope=[*before, DRAWING_FRAGMENT])


def edit_drawn_first() -> bool:
    """Whether this run is the drawing's fragment drawing an edit first (a run of the whole page,
    which draws everything anyway, says no and forgets the edit's mark)."""
    return bool(st.session_state.pop(_EDITED_FIRST, False))


def _set_drawing_controls(network: NetworkSpec) -> None:
    """Each drawn layer's activation and dropout controls, set to `network`'s (places shift when a
    Dropout layer comes or goes)."""
    state = st.session_state
    names = list(ACTIVATIONS)
    for place in dense_places(network):
        activation = network.layers[place - 1].activation
        state[session.key(f"drawn_activation_{place}")] = activation if activation in names else names[0]
        state[session.key(f"drawn_dropout_{place}")] = dropout_of(network, place)


def _edit_activation(place: int) -> None:
    _edit(set_activation, place, st.session_state[session.key(f"drawn_activation_{place}")])
    _draw_edit_first()


def _edit_dropout(place: int) -> None:
    _edit(set_dropout, place, st.session_state[session.key(f"drawn_dropout_{place}")])
    _draw_edit_first()


def columns_of(spec: ExperimentSpec, dataset: Dataset | None, rows: list[LayerRow]) -> list[DrawnLayer]:
    """The drawing's columns for `spec`: the inputs the first Dense layer gets (the features of
    2-D data, else the numbers it is fed: pixels, columns), the Dense layers, and the output."""
    network = spec.network
    output = rows[-1].output_shape[0] if rows and rows[-1].output_shape else 1
    if dataset is not None and dataset.kind == DatasetKind.PLANE:
        return drawn_layers(network, [FEATURES.label(name) for name in network.features], output)
    first = next((row for row in rows[1:] if row.name == "Dense"), None)
    before = rows[rows.index(first) - 1] if first is not None else (rows[-2] if len(rows) > 1 else None)
    count = 1
    for size in before.output_shape if before is not None and before.output_shape else (0,):
        count *= size
    return drawn_layers(network, [], output, inputs=count)


def network_controls(spec: ExperimentSpec, columns: list[DrawnLayer], parameters: int) -> None:
    """The buttons over the drawing: hidden layers, and per layer its neurons, activation and dropout."""
    hidden = [column for column in columns if column.place is not None]
    top = st.columns([1, 1, 7], vertical_alignment="center", gap="small")
    with top[0]:
        press_counter(
            "remove",
            session.key("layer_minus"),
            "Remove the last hidden layer",
            lambda: _edit(remove_layer),
            disabled=not hidden,
            after_presses=_draw_edit_first,
        )
    with top[1]:
        press_counter(
            "add",
            session.key("layer_plus"),
            "Add a hidden layer like the last one",
            lambda: _edit(add_layer),
            after_presses=_draw_edit_first,
        )
    top[2].markdown(
        f"**{len(hidden)} hidden layer{'s' if len(hidden) != 1 else ''}** · {parameters:,} params",
        help="The drawing edits the Dense layers; the layer cards below hold every setting and the order.",
    )
    places = st.columns(len(columns), gap="small")
    for place, column in zip(places, columns):
        with place:
            if column.place is None:
                st.caption(column.title)
            else:
                _layer_controls(spec, column)


def _layer_controls(spec: ExperimentSpec, column: DrawnLayer) -> None:
    index = column.place
    assert index is not None
    layer = spec.network.layers[index - 1]
    minus, plus = st.columns(2, gap=None)
    with minus:
        press_counter(
            "remove",
            session.key(f"units_minus_{index}"),
            f"One neuron fewer in {column.title}",
            lambda: _edit(change_units, index, -1),
            after_presses=_draw_edit_first,
        )
    with plus:
        press_counter(
            "add",
            session.key(f"units_plus_{index}"),
            f"One more neuron in {column.title}",
            lambda: _edit(change_units, index, +1),
            after_presses=_draw_edit_first,
        )
    dropout = dropout_of(spec.network, index)
    with st.popover(
        ACTIVATIONS.label(layer.activation),
        width="stretch",
        help=f"{column.title}: activation and dropout",
        key=session.key(f"layer_popover_{index}"),
    ):
        names = list(ACTIVATIONS)
        st.selectbox(
            "Activation",
            names,
            index=names.index(layer.activation) if layer.activation in names else 0,
            format_func=ACTIVATIONS.label,
            key=session.key(f"drawn_activation_{index}"),
            on_change=_edit_activation,
            args=(index,),
        )
        st.slider(
            "Dropout",
            0.0,
            0.9,
            dropout,
            0.05,
            key=session.key(f"drawn_dropout_{index}"),
            on_change=_edit_dropout,
            args=(index,),
        )


def drawing(
    columns: list[DrawnLayer],
    trainer: LiveTrainer | None,
    dataset: Dataset | None,
    height: int,
    streaming: bool,
    subject: str,
) -> None:
    """The drawing: the trainer's weights and maps when there is a trainer, else the bare stack.
    `subject`: the experiment's name in its image files (`chart_images.experiment_name`)."""
    snapshot = trainer.snapshots.latest()[1] if trainer is not None else None
    plane = dataset is not None and dataset.kind == DatasetKind.PLANE
    inputs = None
    if plane and dataset is not None and trainer is not None:
        inputs = feature_grids(list(trainer.spec.network.features), dataset.bounds, NEURON_GRID_SIZE)
    maps = snapshot.neuron_grids if snapshot is not None else None
    layers = trainer.spec.network.layers if trainer is not None else ()
    live = plane and len(columns) > 2 and all(layer.type in MAPPED_LAYERS for layer in layers)
    figure = network_figure(
        tuple(columns),
        weights=snapshot.weights if snapshot is not None else None,
        neuron_grids=maps,
        input_grids=inputs,
        map_size=NEURON_GRID_SIZE if live else 0,
        height=height,
    )
    live_chart(
        figure,
        key="network_drawing",
        config=chart_config("network", subject),
        stream=stream_url(trainer) if streaming and trainer is not None and live else None,
        view="network",
    )
