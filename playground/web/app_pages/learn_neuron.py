"""Learn: a single neuron, output = f(w·x + b), over the plane."""

import streamlit as st

from playground.activations import ACTIVATIONS
from playground.figures.chart_images import chart_config
from playground.figures.lesson_charts import neuron_heatmap, neuron_surface
from playground.lessons.neuron import NEURON_ACTIVATIONS, decision_line, neuron_grid

st.title("A neuron")
st.latex(r"\text{output} = f(w_1 x_1 + w_2 x_2 + b)")
st.write(
    "A neuron weighs its inputs, adds a bias and passes the total through an activation function f. The weights set "
    "the direction in which the output changes and how steeply; the bias shifts the line w·x + b = 0 where the "
    "total input is zero. Move the sliders and watch the output over the plane."
)
left, right = st.columns([1, 3])
with left:
    w1 = st.slider("Weight w₁", -5.0, 5.0, 1.0, 0.1, key="neuron_w1")
    w2 = st.slider("Weight w₂", -5.0, 5.0, -0.5, 0.1, key="neuron_w2")
    bias = st.slider("Bias b", -5.0, 5.0, 0.5, 0.1, key="neuron_bias")
    activation = st.selectbox(
        "Activation f", NEURON_ACTIVATIONS, format_func=lambda n: ACTIVATIONS[n].label, key="neuron_activation"
    )
    st.latex(f"f(z) = {ACTIVATIONS[activation].latex}")
    st.caption(f"Output range: {ACTIVATIONS[activation].output_range}")
grid = neuron_grid((w1, w2), bias, activation)
with right:
    heat, surface = st.columns(2)
    heat.plotly_chart(
        neuron_heatmap(grid, decision_line((w1, w2), bias), ACTIVATIONS[activation].label),
        width="stretch",
        key="neuron_heatmap",
        config=chart_config("neuron_heatmap"),
    )
    surface.plotly_chart(
        neuron_surface(grid), width="stretch", key="neuron_surface", config=chart_config("neuron_surface")
    )
st.caption("Computed by a real Keras Dense layer with one unit holding exactly these weights.")
