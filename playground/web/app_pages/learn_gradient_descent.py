"""Learn: gradient descent on 2-D loss surfaces, SGD vs momentum vs Adam, and the learning rate."""

import streamlit as st

from playground.figures.chart_images import chart_config
from playground.figures.lesson_charts import path_losses, surface_paths
from playground.lessons.loss_surfaces import SURFACES
from playground.lessons.optimizer_paths import PATH_OPTIMIZERS, optimizer_path
from playground.optimizers import OPTIMIZERS

VERDICTS = {
    "slow": "too small: still far from the minimum",
    "good": "reaches the minimum",
    "oscillating": "bounces from wall to wall",
    "diverging": "too large: every step overshoots further",
    "stalled": "stuck near the saddle point",
    "escaped": "escaped the saddle",
}


@st.cache_data(max_entries=64, show_spinner=False)
def cached_path(surface, optimizer, learning_rate, steps, start):
    return optimizer_path(surface, optimizer, learning_rate, steps, start)


st.title("Gradient descent and the learning rate")
st.latex(r"w \leftarrow w - \eta\, \nabla L(w)")
st.write(
    "Training walks downhill on the loss surface, one step against the gradient at a time; the learning rate η sets "
    "the step length. Too small and it crawls, too large and it overshoots, bounces or flies off. Momentum "
    "accumulates past steps; Adam scales each coordinate by the size of its recent gradients."
)
controls, chart = st.columns([1, 3])
with controls:
    name = st.selectbox("Loss surface", list(SURFACES), format_func=lambda n: SURFACES[n].label, key="descent_surface")
    surface = SURFACES[name]
    st.latex(surface.latex)
    rate = st.select_slider(
        "Learning rate η",
        options=sorted(
            {surface.learning_rate * f for f in (0.1, 0.3, 1, 3, 5, 8, 10, 12)} | {0.001, 0.01, 0.1, 0.5, 1.0}
        ),
        value=surface.learning_rate,
        format_func=lambda v: f"{v:g}",
        key=f"descent_rate_{name}",
    )
    chosen = st.multiselect(
        "Optimizers",
        list(PATH_OPTIMIZERS),
        default=list(PATH_OPTIMIZERS),
        format_func=OPTIMIZERS.label,
        key="descent_optimizers",
    )
    steps = st.slider("Steps", 10, 400, surface.steps, 10, key=f"descent_steps_{name}")
    start_x = st.slider(
        "Start w₁",
        float(surface.extent[0]),
        float(surface.extent[1]),
        float(surface.start[0]),
        0.1,
        key=f"descent_x_{name}",
    )
    start_y = st.slider(
        "Start w₂",
        float(surface.extent[2]),
        float(surface.extent[3]),
        float(surface.start[1]),
        0.01,
        key=f"descent_y_{name}",
    )
paths = [cached_path(name, optimizer, rate, steps, (start_x, start_y)) for optimizer in chosen]
with chart:
    if not paths:
        st.info("Pick at least one optimizer to draw its path.")
    else:
        st.plotly_chart(
            surface_paths(surface, paths),
            width="stretch",
            key="descent_paths",
            config=chart_config("descent_paths"),
        )
        st.plotly_chart(
            path_losses(paths), width="stretch", key="descent_losses", config=chart_config("descent_losses")
        )
st.write(surface.note)
for path in paths:
    st.markdown(
        f"- **{OPTIMIZERS.label(path.optimizer)}** at η = {rate:g}: {path.verdict}, {VERDICTS[path.verdict]} (ends "
        f"at ({path.points[-1][0]:.3g}, {path.points[-1][1]:.3g}) after {len(path.points) - 1} steps)."
    )
st.caption(
    "Real Keras optimizers update two weights with gradients from tf.GradientTape. On the bowl, plain SGD contracts "
    "each step by |1 − 2η|: slow below 0.1, oscillating above 0.5, diverging above 1."
)
