"""Learn: activation functions, their derivatives, saturation and vanishing gradients."""

import numpy as np
import streamlit as st

from playground.activations import ACTIVATIONS
from playground.figures.chart_images import chart_config
from playground.figures.lesson_charts import activation_plot
from playground.lessons.activation_curves import (
    LECTURE_ACTIVATIONS,
    curve,
    gradient_after_layers,
    max_derivative,
    saturated_intervals,
)

st.title("Activation functions")
st.write(
    "The activation makes a network more than a linear map: without it, any stack of layers collapses into one. Its "
    "derivative is what backpropagation multiplies by at every layer, so where the curve is flat (saturated) the "
    "gradient all but vanishes and the layers below learn slowly."
)
name = st.radio(
    "Activation",
    LECTURE_ACTIVATIONS,
    format_func=lambda n: ACTIVATIONS[n].label,
    horizontal=True,
    key="activation_choice",
)
activation = ACTIVATIONS[name]
z = np.linspace(-6, 6, 601)
values, derivative = curve(name, z)
saturated = saturated_intervals(name)
plot, notes = st.columns([3, 2])
plot.plotly_chart(
    activation_plot(name, activation.label, z, values, derivative, saturated),
    width="stretch",
    key="activation_plot",
    config=chart_config("activation_plot"),
)
with notes:
    st.latex(f"f(z) = {activation.latex}")
    st.write(f"Output range: {activation.output_range}. Largest slope: {max_derivative(name):.3g}.")
    if saturated and all(end <= 0.01 for _, end in saturated):
        st.write(
            "Flat only for negative inputs: a unit stuck there passes no gradient (a 'dead' unit), but it never "
            "saturates on the positive side."
        )
    elif saturated:
        spans = ", ".join(f"[{a:.1f}, {b:.1f}]" for a, b in saturated)
        st.write(f"Saturated (|f'(z)| < 0.05) on {spans} within [-6, 6].")
    else:
        st.write("Never saturates on the positive side: its gradient does not vanish there.")
    st.subheader("Vanishing gradients")
    layers = st.slider("Layers the gradient passes through", 1, 20, 10, key="activation_layers")
    kept = gradient_after_layers(name, layers)
    st.metric("At most this much of the gradient survives", f"{kept:.2e}")
    st.caption(
        "max|f'| multiplied once per layer (weights of 1). Sigmoid's slope is at most 0.25, so ten sigmoid layers "
        "keep less than a millionth; ReLU passes 1 wherever it is active."
    )
