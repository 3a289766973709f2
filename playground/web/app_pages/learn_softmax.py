"""Learn: softmax turns logits into probabilities; temperature; the numerically stable form."""

import numpy as np
import pandas as pd
import streamlit as st

from playground.figures.chart_images import chart_config
from playground.figures.lesson_charts import softmax_bars
from playground.lessons.softmax import naive_softmax, overflow_limit, softmax, tensorflow_softmax

DEFAULT_LOGITS = [1.0, 2.0, 0.5, -1.0, 3.0, 0.0, -0.5, 1.5, 0.2, -2.0]
LOGIT_LIMIT = 1e4

st.title("Softmax")
st.latex(r"p_i = \frac{e^{z_i / T}}{\sum_{j} e^{z_j / T}}")
st.write(
    "The last layer of a classifier gives one score (logit) per class. Softmax turns them into probabilities: all "
    "positive, summing to 1, the largest logit getting the largest share. The temperature T sharpens (T < 1) or "
    "flattens (T > 1) the distribution without changing the order."
)
left, right = st.columns([1, 2])
with left:
    # Ten fixed controls, not a table: a table editor takes whatever rows the browser says it added.
    st.markdown("**Logits**")
    halves = st.columns(2)
    values = [
        halves[i // 5].number_input(
            f"class {i}",
            min_value=-LOGIT_LIMIT,
            max_value=LOGIT_LIMIT,
            value=logit,
            step=0.1,
            key=f"softmax_logit_{i}",
        )
        for i, logit in enumerate(DEFAULT_LOGITS)
    ]
    temperature = st.slider("Temperature T", 0.1, 5.0, 1.0, 0.1, key="softmax_temperature")
    scale = st.select_slider(
        "Multiply every logit by",
        [1, 10, 100, 1000],
        value=1,
        key="softmax_scale",
        help="Large logits make the naive formula overflow.",
    )
# Streamlit itself resets a value sent past the bounds, or not finite, to the default: every logit is finite.
logits = np.asarray(values, float) * scale
stable = softmax(logits, temperature)
naive = naive_softmax(logits, temperature)
with right:
    st.plotly_chart(
        softmax_bars(stable, logits), width="stretch", key="softmax_bars", config=chart_config("softmax_bars")
    )
    st.caption(
        f"Sum of the probabilities: {stable.sum():.6f}. Same through tf.nn.softmax: largest difference "
        f"{np.max(np.abs(tensorflow_softmax(logits, temperature) - stable)):.1e}."
    )

st.subheader("Why subtract the largest logit")
st.latex(r"\frac{e^{z_i}}{\sum_j e^{z_j}} = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}},\quad m = \max_j z_j")
st.write(
    f"In float32, e^z overflows to infinity once z passes {overflow_limit():.1f}, and ∞/∞ is not a number. "
    "Subtracting the largest logit changes nothing mathematically (e^(−m) cancels) but keeps every exponent at most "
    "0."
)
naive_column, stable_column = st.columns(2)
with naive_column:
    st.markdown("**Naive: exp(z) / sum(exp(z))**")
    if np.isfinite(naive).all():
        st.success("Finite at this scale. Multiply the logits by 100 to see it fail.")
    else:
        st.error(f"{int(np.sum(~np.isfinite(naive)))} of 10 probabilities are NaN: exp overflowed.")
    st.dataframe(pd.DataFrame({"class": range(10), "probability": naive}), hide_index=True, height=220)
with stable_column:
    st.markdown("**Stable: exp(z − max z) / sum(exp(z − max z))**")
    st.success(f"Finite; sums to {stable.sum():.6f}.")
    st.dataframe(pd.DataFrame({"class": range(10), "probability": stable}), hide_index=True, height=220)
