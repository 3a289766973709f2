"""Learn: the loss landscape around the current experiment's trained weights."""

import streamlit as st

from playground.figures.chart_images import chart_config
from playground.figures.lesson_charts import landscape_contour, landscape_line, landscape_surface
from playground.lessons.loss_landscape import train_and_map
from playground.spec_reading import spec_from_json
from playground.validation import validate
from playground.web.widgets import session
from playground.web.widgets.safe_text import plain

MAX_EPOCHS = 200


@st.cache_data(max_entries=8, show_spinner=False)
def cached_landscape(spec_json, epochs, directions, extent, resolution, seed):

    return train_and_map(spec_from_json(spec_json), epochs, directions, extent, resolution, seed)


session.init()
spec = session.spec()
st.title("Loss landscape")
st.latex(r"L(w^* + \alpha\, d_1 + \beta\, d_2)")
st.write(
    "A network has far too many weights to draw its loss, but we can slice it: pick two directions d₁, d₂ in weight "
    "space and plot the loss around the trained weights w* along them. Each direction is random, then rescaled "
    "filter by filter to the size of the trained weights (Li et al., 2018), so flat and sharp regions compare "
    "fairly."
)
st.info(
    f"Experiment: **{plain(spec.title) if spec.title else 'the current playground experiment'}** "
    f"({len(spec.network.layers)} hidden layer(s), {plain(spec.dataset.name)} data). Change it on the Playground "
    "page; it is trained here again from the same starting weights, recording the weights as it goes."
)
problems = validate(spec)
if problems:
    st.error(
        plain("The current experiment cannot be trained: " + " ".join(f"{p.field}: {p.message}" for p in problems))
    )
    st.stop()
controls = st.columns(5)
epochs = controls[0].number_input("Epochs", 1, MAX_EPOCHS, min(spec.training.epochs, 100), key="landscape_epochs")
directions = controls[1].radio(
    "Directions",
    ["random", "pca"],
    format_func={"random": "random, filter-normalised", "pca": "main directions of the training path"}.get,
    key="landscape_directions",
)
extent = controls[2].select_slider("Range of α, β", [0.25, 0.5, 1.0, 2.0], value=1.0, key="landscape_extent")
resolution = controls[3].select_slider("Grid", [11, 21, 31], value=21, key="landscape_resolution")
seed = controls[4].number_input("Direction seed", 0, 9999, 0, key="landscape_seed")
if st.button("Train and map the landscape", type="primary", key="landscape_run"):
    try:
        with st.spinner("Training and evaluating the loss on the grid..."):
            st.session_state.landscape = cached_landscape(
                spec.to_json(), int(epochs), directions, extent, resolution, int(seed)
            )
    except FloatingPointError as error:
        st.error(plain(error))
result = st.session_state.get("landscape")
if result is None:
    st.caption("Press the button to train the experiment and map its loss.")
    st.stop()
st.plotly_chart(landscape_line(result), width="stretch", key="landscape_line", config=chart_config("landscape_line"))
contour, surface = st.columns(2)
contour.plotly_chart(
    landscape_contour(result), width="stretch", key="landscape_contour", config=chart_config("landscape_contour")
)
surface.plotly_chart(
    landscape_surface(result), width="stretch", key="landscape_surface", config=chart_config("landscape_surface")
)
st.write(
    f"Loss at the trained weights: {result.center_loss:.4f}; at the start of training: "
    f"{result.trajectory_loss[0]:.4f}. "
    + (
        "Random directions are nearly orthogonal to the path training took, so its projection stays close to the "
        "centre; switch to the path's main directions to see it."
        if result.directions == "random"
        else "These directions follow the path itself, so the whole trajectory shows."
    )
)
