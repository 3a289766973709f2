"""Learn: backpropagation step by step on a 2-2-1 network, every gradient checked against TensorFlow."""

import pandas as pd
import streamlit as st

from playground.activations import ACTIVATIONS
from playground.figures.backprop_diagram import backprop_diagram
from playground.figures.chart_images import chart_config
from playground.lessons.backprop_steps import PARAMETERS, STEP_ACTIVATIONS, TinyNetwork, backpropagate, check

STAGES = ["1. Forward pass", "2. Loss", "3. Backward pass", "4. Update"]
state = st.session_state
defaults = TinyNetwork()
for name in ["x1", "x2", "target", *PARAMETERS, "learning_rate"]:
    state.setdefault(f"bp_{name}", float(getattr(defaults, name)))


# Callbacks run before the widgets are drawn, the only time their values may be set.
def reset_numbers():
    for name in ["x1", "x2", "target", *PARAMETERS, "learning_rate"]:
        state[f"bp_{name}"] = float(getattr(defaults, name))
    state.bp_steps_taken = 0


def apply_update(updated: TinyNetwork):
    for name in PARAMETERS:
        state[f"bp_{name}"] = float(getattr(updated, name))
    state.bp_steps_taken = state.get("bp_steps_taken", 0) + 1


st.title("Backpropagation, step by step")
st.write(
    "Backpropagation is the chain rule applied from the loss backwards: each weight's gradient is the product of "
    "the factors along the path from the loss to it. Step through one training step of this tiny network: forward, "
    "loss, backward, update. Every gradient is checked against TensorFlow's automatic differentiation."
)
with st.sidebar:
    st.header("The numbers")
    activation = st.selectbox(
        "Activation f", STEP_ACTIVATIONS, format_func=lambda n: ACTIVATIONS[n].label, key="bp_activation"
    )
    a, b, c = st.columns(3)
    a.number_input("x1", step=0.05, key="bp_x1", format="%.3f")
    b.number_input("x2", step=0.05, key="bp_x2", format="%.3f")
    c.number_input("target t", step=0.05, key="bp_target", format="%.3f")
    st.caption("Input → hidden weights (w_ji: from input i to hidden unit j) and biases")
    row = st.columns(3)
    for index, name in enumerate(["w11", "w12", "b1", "w21", "w22", "b2"]):
        row[index % 3].number_input(name, step=0.05, key=f"bp_{name}", format="%.4f")
    st.caption("Hidden → output")
    row = st.columns(3)
    for index, name in enumerate(["v1", "v2", "c"]):
        row[index].number_input(name, step=0.05, key=f"bp_{name}", format="%.4f")
    st.number_input("Learning rate η", min_value=0.0, max_value=100.0, step=0.1, key="bp_learning_rate")
    st.button("Reset the numbers", width="stretch", on_click=reset_numbers, key="bp_reset")

net = TinyNetwork(
    **{name: float(state[f"bp_{name}"]) for name in ["x1", "x2", "target", *PARAMETERS, "learning_rate"]},
    activation=activation,
)
trace = backpropagate(net)
stage = st.segmented_control("Step", STAGES, default=STAGES[0], key="bp_stage") or STAGES[0]
kind = {STAGES[0]: "forward", STAGES[1]: "loss", STAGES[2]: "backward", STAGES[3]: "update"}[stage]
diagram, maths = st.columns([1, 1])
diagram.plotly_chart(
    backprop_diagram(net, trace, kind), width="stretch", key="bp_diagram", config=chart_config("bp_diagram")
)
f = ACTIVATIONS[activation].label
with maths:
    if kind == "forward":
        st.latex(rf"""\begin{{aligned}}
net_{{h1}} &= w_{{11}}x_1 + w_{{12}}x_2 + b_1 \\ &= {net.w11:g}\cdot{net.x1:g} + {net.w12:g}\cdot{net.x2:g} + {net.b1:g} = {trace.net["h1"]:.4f} \\
h_1 &= f(net_{{h1}}) = {trace.out["h1"]:.4f} \\
net_{{h2}} &= w_{{21}}x_1 + w_{{22}}x_2 + b_2 = {trace.net["h2"]:.4f} \\
h_2 &= f(net_{{h2}}) = {trace.out["h2"]:.4f} \\
net_o &= v_1 h_1 + v_2 h_2 + c = {trace.net["o"]:.4f} \\
o &= f(net_o) = {trace.out["o"]:.4f}
\end{{aligned}}""")
        st.caption(f"f is {f}. Each node shows its total input (net) and its output (out).")
    elif kind == "loss":
        st.latex(rf"E = \tfrac12 (o - t)^2 = \tfrac12 ({trace.out['o']:.4f} - {net.target:g})^2 = {trace.loss:.6f}")
        st.write("The squared error measures how far the output is from the target; training makes it smaller.")
    elif kind == "backward":
        st.latex(rf"""\begin{{aligned}}
\delta_o &= \frac{{\partial E}}{{\partial net_o}} = (o - t)\, f'(net_o) \\ &= {trace.out["o"] - net.target:.4f} \cdot {trace.derivative["o"]:.4f} = {trace.delta["o"]:.5f} \\
\frac{{\partial E}}{{\partial v_1}} &= \delta_o\, h_1 = {trace.delta["o"]:.5f} \cdot {trace.out["h1"]:.4f} = {trace.gradients["v1"]:.6f} \\
\delta_{{h1}} &= \delta_o\, v_1\, f'(net_{{h1}}) \\ &= {trace.delta["o"]:.5f} \cdot {net.v1:g} \cdot {trace.derivative["h1"]:.4f} = {trace.delta["h1"]:.6f} \\
\frac{{\partial E}}{{\partial w_{{11}}}} &= \delta_{{h1}}\, x_1 = {trace.delta["h1"]:.6f} \cdot {net.x1:g} = {trace.gradients["w11"]:.6f}
\end{{aligned}}""")
        st.caption(
            "The same pattern gives every other weight: the δ of the unit the edge enters, times the value the edge "
            "carries."
        )
    else:
        st.latex(rf"w \leftarrow w - \eta\, \frac{{\partial E}}{{\partial w}},\quad \eta = {net.learning_rate:g}")
        st.latex(rf"E: {trace.loss:.6f} \rightarrow {trace.updated_loss:.6f}")
        if trace.updated_loss < trace.loss:
            st.success("The loss went down after one step.")
        else:
            st.warning("The loss went up: this learning rate overshoots. Try a smaller η.")
        st.button(
            "Apply the update and take the next step",
            type="primary",
            on_click=apply_update,
            args=(trace.updated,),
            key="bp_apply",
        )
        st.caption(f"Steps applied so far: {state.get('bp_steps_taken', 0)}")

st.subheader("Every gradient, checked against tf.GradientTape")
result = check(net, trace)
table = pd.DataFrame(
    {
        "parameter": PARAMETERS,
        "value": [getattr(net, name) for name in PARAMETERS],
        "chain rule (by hand)": [trace.gradients[name] for name in PARAMETERS],
        "TensorFlow": [result.tensorflow[name] for name in PARAMETERS],
        "difference": [result.differences[name] for name in PARAMETERS],
        "matches (≤ 1e-6)": ["yes" if result.differences[name] <= 1e-6 else "NO" for name in PARAMETERS],
    }
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "chain rule (by hand)": st.column_config.NumberColumn(format="%.8f"),
        "TensorFlow": st.column_config.NumberColumn(format="%.8f"),
        "difference": st.column_config.NumberColumn(format="%.1e"),
    },
)
if result.matches():
    st.success(f"All 9 gradients match TensorFlow's (largest difference {result.max_difference:.1e}).")
else:
    st.error(f"Largest difference {result.max_difference:.1e}: the hand computation disagrees with TensorFlow.")
