"""Draw a digit and see the network's softmax output for it (digit datasets only)."""

from __future__ import annotations

import streamlit as st
from streamlit_drawable_canvas import st_canvas

from playground.drawn_digit import DrawingError, drawing_pixels, drawing_to_image
from playground.engine.live_trainer import LiveTrainer
from playground.figures.chart_images import chart_config
from playground.figures.probe_samples import probe_samples

CANVAS_SIDE = 196


def digit_canvas(trainer: LiveTrainer) -> None:
    dataset = trainer.data.dataset
    state = st.session_state
    generation = state.get("digit_canvas_generation", 0)
    st.markdown("**Draw a digit**")
    left, right = st.columns([1, 2])
    with left:
        try:
            result = st_canvas(
                stroke_width=16,
                stroke_color="#000000",
                background_color="#ffffff",
                height=CANVAS_SIDE,
                width=CANVAS_SIDE,
                drawing_mode="freedraw",
                return_image_data=True,
                key=f"digit_canvas_{generation}",
            )
            # Its `image_data` decodes whatever image the browser sent, of any size: the URL is checked first.
            data_url = getattr(result, "_image_data_url", None)
        except (AttributeError, KeyError, TypeError):  # a value of another shape than the canvas sends
            data_url = ""
    padding = trainer.spec.dataset.padding
    size = dataset.x_train.shape[1] - 2 * padding
    try:
        image = (
            None
            if data_url is None
            else drawing_to_image(drawing_pixels(data_url, CANVAS_SIDE, CANVAS_SIDE), size, padding)
        )
    except DrawingError as error:
        state.digit_canvas_generation = generation + 1  # a fresh canvas next run: the refused value is not kept
        right.warning(str(error))
        return
    with right:
        if image is None:
            st.caption("Draw with the mouse; the network's class probabilities appear here. Use the bin icon to clear.")
            return
        outputs = trainer.predict(image[None])
        st.plotly_chart(
            probe_samples(image[None], outputs, [int(outputs[0].argmax())], dataset.class_names, titles=["your digit"]),
            width="stretch",
            key="drawn_probe",
            config=chart_config("drawn_probe"),
        )
