"""The live views: drawn from the trainer's snapshots when the page runs, and kept up to date
between runs by the page's live stream (status row, loss curve, decision boundary, neuron maps);
the heavier views (histograms, network, confusion) are redrawn by a slower fragment."""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable

import numpy as np
import streamlit as st

from playground.datasets.dataset import DatasetKind, Task
from playground.engine.live_trainer import LiveTrainer
from playground.engine.snapshots import GRID_SIZE
from playground.engine.trainer_state import TrainerState
from playground.figures.chart_images import chart_config
from playground.figures.loss_curves import loss_curves
from playground.figures.probe_samples import image_strip, probe_samples
from playground.learning_rates import safer_rate
from playground.web.live.chart import live_chart
from playground.web.live.details_shown import redraw_when_shown
from playground.web.live.hub_script import DETAILS_KEY
from playground.web.live.shared_figures import (
    boundary_figure,
    confusion_figure,
    histograms_figure,
    preview_figure,
    softmax_figure,
)
from playground.web.live.status import live_status, stream_url
from playground.web.live.streams import LIVE_STREAMS
from playground.web.widgets import session
from playground.web.widgets.safe_text import plain
from playground.web.widgets.watched_samples import sample_picker, watched

TEXT_SCALE = 1.5  # chart text in presenter mode, for the back of a lecture hall
UNPAINTED_GRID = np.full((GRID_SIZE, GRID_SIZE), np.nan, "float32")  # a boundary not known yet: drawn as nothing


def status_line(
    trainer: LiveTrainer, streaming: bool, page_follows: bool = False, on_notice: Callable[[], None] | None = None
) -> None:
    """The status row (live from the page's stream when `streaming`), and what to do after a failure.
    `page_follows`, `on_notice`: see `live_status`."""
    live_status(trainer, streaming, page_follows, on_notice)
    if trainer.state == TrainerState.FAILED:
        st.error(plain(trainer.message))
    if trainer.state == TrainerState.DIVERGED:
        st.error(plain(trainer.message))
        if st.button("Lower the learning rate and reset", key="lower_rate", type="primary"):
            spec = session.spec()
            trainer.reset()
            session.load(
                dataclasses.replace(
                    spec,
                    training=dataclasses.replace(spec.training, learning_rate=safer_rate(trainer.base_learning_rate)),
                )
            )


GLANCE_SAMPLES = 4  # test images whose softmax outputs the glance row shows (all of them below)


def loss_view(
    trainer: LiveTrainer | None, height: int, subject: str, present: bool = False, streaming: bool = False
) -> None:
    """The loss and accuracy curves, live from the stream while training. `subject`: the
    experiment's name in the charts' image files (`chart_images.experiment_name`)."""
    history = trainer.history if trainer is not None else []
    if trainer is None or not history:
        st.info("Press Train to start; the loss curve appears here.")
        return
    figure = loss_curves(history, st.session_state.get("log_scale", False), with_accuracy=False)
    figure.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=24, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right"),
    )
    figure.layout.annotations = ()  # the legend says what the curves are
    live_chart(
        figure,
        key="loss_chart",
        config=chart_config("loss curve", subject),
        text_scale=TEXT_SCALE if present else 1.0,
        stream=stream_url(trainer) if streaming else None,
        view="loss",
        points=len(history),
    )


def output_view(
    trainer: LiveTrainer | None, dataset, height: int, subject: str, present: bool = False, streaming: bool = False
) -> None:
    """What the network outputs: the decision boundary over the plane (2-D data), or the class
    probabilities of a few test samples; the data alone before there is a trainer."""
    if trainer is None:
        if dataset is not None:
            live_chart(
                preview_figure(dataset, count=24, height=height, columns=8),
                key="boundary",
                config=chart_config("data", subject),
            )
        return
    _, snapshot = trainer.snapshots.latest()
    data = trainer.data
    dataset = data.dataset
    if dataset.kind == DatasetKind.PLANE:
        chosen = (
            watched(trainer, snapshot)
            if snapshot is not None and dataset.task != Task.REGRESSION and not present
            else None
        )
        show_test = st.session_state.get("show_test")
        grid = snapshot.grid if snapshot is not None else None
        if grid is None and streaming:  # a trainer still being built: the stream paints its first boundary
            grid = UNPAINTED_GRID
        figure = boundary_figure(
            grid,
            dataset.bounds,
            dataset.x_train,
            dataset.y_train,
            dataset.task,
            dataset.num_classes,
            test_points=dataset.x_test if show_test else None,
            test_labels=dataset.y_test if show_test else None,
            threshold=data.plan.threshold,
            height=height,
            watched=dataset.x_test[chosen] if chosen is not None and len(chosen) else None,
            text_scale=TEXT_SCALE if present else 1.0,
        )
        live_chart(
            figure,
            key="boundary",
            config=chart_config("decision boundary", subject),
            stream=stream_url(trainer) if streaming else None,
            view="boundary",
        )
    elif snapshot is not None and snapshot.probe_outputs is not None and dataset.task != Task.REGRESSION:
        chosen = watched(trainer, snapshot)[:GLANCE_SAMPLES]
        outputs = snapshot.outputs_for(chosen)
        if not len(chosen) or outputs is None:
            st.caption("Pick test samples under the charts to see their class probabilities here.")
        else:
            figure = probe_samples(
                dataset.x_test[chosen] if dataset.kind == DatasetKind.IMAGE else None,
                outputs,
                dataset.y_test[chosen],
                dataset.class_names,
                data.plan.threshold,
            )
            figure.update_layout(height=height)
            live_chart(
                figure,
                key="softmax",
                config=chart_config("class probabilities", subject),
                text_scale=TEXT_SCALE if present else 1.0,
            )
    else:
        st.info("Press Train to start: the class probabilities of test samples appear here.")


def detail_views(trainer: LiveTrainer | None, subject: str, streaming: bool = False) -> None:
    """The slower views (histograms, confusion, class probabilities, mistakes), redrawn less often.

    While training, a redraw with the views off screen (the page's stream says where they are:
    `LiveStreams.details_on_screen`) draws the snapshot they last showed, whose figures come from
    the cache: nothing is built that nobody sees. Scrolled into view, they are redrawn at once
    (`details_shown`)."""
    if trainer is None:
        return
    with st.container(key=DETAILS_KEY):  # the block whose place on screen the page's live hub watches
        _detail_views(trainer, subject)
        if streaming:  # come into view while training, they are redrawn at once (not at the next timed run)
            redraw_when_shown(trainer, training=trainer.state == TrainerState.RUNNING)


def _detail_views(trainer: LiveTrainer, subject: str) -> None:
    newest = trainer.state != TrainerState.RUNNING or LIVE_STREAMS.details_on_screen(trainer)
    snapshot = _shown_snapshot(trainer, newest)
    if snapshot is None:
        return
    data = trainer.data
    dataset = data.dataset
    columns = st.columns([1, 1])
    with columns[0]:
        st.markdown("**Weights and biases per layer**")
        frames = trainer.snapshots.histogram_frames()
        histograms = snapshot.histograms
        if trainer.state != TrainerState.RUNNING and len(frames) > 1:
            epochs = [epoch for epoch, _ in frames]
            chosen = st.select_slider("Epoch of the histograms", epochs, key=_newest_unless_chosen(epochs))
            histograms = dict(frames)[chosen]
        live_chart(histograms_figure(histograms), key="histograms", config=chart_config("weight histograms", subject))
        if snapshot.gradient_norms:
            st.caption(
                "Gradient norm per layer: "
                + " · ".join(f"{h['layer']}: {g:.2e}" for h, g in zip(snapshot.histograms, snapshot.gradient_norms))
            )
    with columns[1]:
        if snapshot.confusion is not None:
            st.markdown("**Confusion matrix (test set)**")
            live_chart(
                confusion_figure(snapshot.confusion, dataset.class_names),
                key="confusion",
                config=chart_config("confusion matrix", subject),
            )
        if snapshot.probe_outputs is not None and dataset.task != Task.REGRESSION:
            st.markdown(
                "**Class probabilities of the numbered test points**"
                if dataset.kind == DatasetKind.PLANE
                else "**Softmax outputs for test samples**"
            )
            picked = sample_picker(trainer, snapshot)
            outputs = snapshot.outputs_for(picked)
            if len(picked) and outputs is not None:
                live_chart(
                    probe_samples(
                        dataset.x_test[picked],
                        outputs,
                        dataset.y_test[picked],
                        dataset.class_names,
                        data.plan.threshold,
                    )
                    if dataset.kind == DatasetKind.IMAGE
                    else softmax_figure(
                        outputs,
                        dataset.y_test[picked],
                        tuple(dataset.class_names),
                        data.plan.threshold,
                        numbered=True,
                    ),
                    key="softmax2d",
                    config=chart_config("test sample probabilities", subject),
                )
            else:
                st.caption("Pick test samples above to see their class probabilities.")
    if (
        dataset.kind == DatasetKind.IMAGE
        and snapshot.misclassified is not None
        and snapshot.misclassified_as is not None
        and snapshot.confusion is not None
        and len(snapshot.misclassified)
    ):
        st.markdown(
            f"**Misclassified test samples** ({int(snapshot.confusion.sum() - np.trace(snapshot.confusion))} in all)"
        )
        images = dataset.x_test[snapshot.misclassified]
        captions = [
            f"{dataset.class_names[int(t)]}→{dataset.class_names[int(p)]}"
            for t, p in zip(dataset.y_test[snapshot.misclassified], snapshot.misclassified_as)
        ]
        live_chart(image_strip(images, captions), key="misclassified", config=chart_config("misclassified", subject))


HISTOGRAM_EPOCH_KEY = "histogram_epoch"
NEWEST_HISTOGRAM_EPOCH = "_histogram_epoch_newest"  # session state: the newest epoch the slider last offered


def _newest_unless_chosen(epochs: list[int]) -> str:
    """The histograms' epoch slider's key, its value set to the newest of `epochs` unless the user
    chose an older one that is still there (a step or a resumed run adds epochs: a slider at the
    newest moves with them)."""
    state = st.session_state
    chosen = state.get(HISTOGRAM_EPOCH_KEY)
    if chosen not in epochs or chosen == state.get(NEWEST_HISTOGRAM_EPOCH):
        state[HISTOGRAM_EPOCH_KEY] = epochs[-1]
    state[NEWEST_HISTOGRAM_EPOCH] = epochs[-1]
    return HISTOGRAM_EPOCH_KEY


SHOWN_SNAPSHOT = "_details_snapshot"  # session state: (the trainer, weakly; the snapshot the detail views last drew)


def _shown_snapshot(trainer: LiveTrainer, newest: bool):
    """The snapshot the detail views draw: the trainer's newest, or with `newest=False` the one
    they last drew of this trainer (the same figures, from the cache)."""
    kept = st.session_state.get(SHOWN_SNAPSHOT)
    if not newest and kept is not None and kept[0]() is trainer:
        return kept[1]
    _, snapshot = trainer.snapshots.latest()
    st.session_state[SHOWN_SNAPSHOT] = (weakref.ref(trainer), snapshot)
    return snapshot
