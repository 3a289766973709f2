"""Draw a digit and see the network's softmax output for it (digit datasets only)."""

from __future__ import annotations

import streamlit as st
from streamlit_drawable_canvas import st_canvas

from playground.drawn_digit import drawing_to_image
from playground.engine.trainer import Trainer
from playground.figures.probe_samples import probe_samples


def digit_canvas(trainer: Trainer) -> None:
    dataset = trainer.data.dataset
    st.markdown("**Draw a digit**")
    left, right = st.columns([1, 2])
    with left:
        result = st_canvas(
            stroke_width=16,
            stroke_color="#000000",
            background_color="#ffffff",
            height=196,
            width=196,
            drawing_mode="freedraw",
            return_image_data=True,
            key="digit_canvas",
        )
    padding = trainer.spec.dataset.padding
    size = dataset.x_train.shape[1] - 2 * padding
    image = (
        drawing_to_image(result.image_data, size, padding)
        if result is not None and result.image_data is not None
        else None
    )
    with right:
        if image is None:
            st.caption("Draw with the mouse; the network's class probabilities appear here. Use the bin icon to clear.")
            return
        outputs = trainer.predict(image[None])
        st.plotly_chart(
            probe_samples(image[None], outputs, [int(outputs[0].argmax())], dataset.class_names, titles=["your digit"]),
            width="stretch",
            key="drawn_probe",
        )
