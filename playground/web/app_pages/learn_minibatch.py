"""Learn: mini-batch SGD, batch size 1 vs 10 vs the whole set."""

import streamlit as st

from playground.figures.chart_images import chart_config
from playground.figures.lesson_charts import gradient_cloud, minibatch_curves
from playground.lessons.minibatch import gradient_spread, train_with_batch_size, two_clouds

BATCH_SIZES = [1, 10, 200]


@st.cache_data(max_entries=32, show_spinner=False)
def cached_runs(epochs, learning_rate, seed):
    data = two_clouds(seed=seed)
    return [train_with_batch_size(data, size, epochs, learning_rate, seed) for size in BATCH_SIZES]


@st.cache_data(max_entries=32, show_spinner=False)
def cached_spreads(seed):
    data = two_clouds(seed=seed)
    return [gradient_spread(data, size, seed) for size in (1, 10, 50)]


st.title("Mini-batch SGD")
st.latex(r"w \leftarrow w - \eta\, \frac{1}{B} \sum_{i \in \text{batch}} \nabla L_i(w)")
st.write(
    "Computing the gradient on the whole training set is exact but costs a pass over all the data for one step. A "
    "mini-batch of B examples gives a noisy estimate of the same gradient for a fraction of the cost, so in one "
    "pass over the data (an epoch) small batches take many steps. The same logistic regression on 200 points is "
    "trained three ways below; the loss is measured on all 200 points after every step."
)
left, right = st.columns([1, 3])
with left:
    epochs = st.slider("Epochs", 1, 20, 5, key="minibatch_epochs")
    rate = st.select_slider("Learning rate", [0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0], value=0.5, key="minibatch_rate")
    per = st.radio(
        "Horizontal axis",
        ["epoch", "step"],
        format_func={"epoch": "epochs (data seen)", "step": "steps (updates)"}.get,
        key="minibatch_axis",
    )
    seed = st.number_input("Seed", 0, 9999, 0, key="minibatch_seed")
runs = cached_runs(epochs, rate, int(seed))
with right:
    st.plotly_chart(
        minibatch_curves(runs, per),
        width="stretch",
        key="minibatch_curves",
        config=chart_config("minibatch_curves"),
    )
st.write(
    " · ".join(f"batch {r.batch_size}: {r.steps_per_epoch * epochs} steps, final loss {r.losses[-1]:.3f}" for r in runs)
)

st.subheader("How noisy is a mini-batch gradient?")
st.write(
    "At the starting weights, each dot is the gradient of one mini-batch of one epoch; the cross is the gradient on "
    "the whole set. The dots average exactly to the cross, and their spread shrinks like 1/B."
)
spreads = cached_spreads(int(seed))
cloud, numbers = st.columns([3, 1])
cloud.plotly_chart(
    gradient_cloud(spreads), width="stretch", key="minibatch_cloud", config=chart_config("minibatch_cloud")
)
with numbers:
    for spread in spreads:
        st.metric(
            f"Spread, batch {spread.batch_size}",
            f"{spread.mean_squared_deviation:.4f}",
            help="Mean squared distance of the mini-batch gradients from the full gradient.",
        )
