"""Neural Network Playground: the entry point. Run with `make run` (or `streamlit run app.py`)."""

import streamlit as st

st.set_page_config(page_title="Neural Network Playground", page_icon="🧠", layout="wide")

pages = {
    "Build and train": [
        st.Page("pages/playground.py", title="Playground", icon="🧪", default=True),
        st.Page("pages/presets.py", title="Presets", icon="📚"),
    ],
    "Learn": [
        st.Page("pages/learn_neuron.py", title="A neuron", url_path="neuron"),
        st.Page("pages/learn_activations.py", title="Activation functions", url_path="activations"),
        st.Page("pages/learn_softmax.py", title="Softmax", url_path="softmax"),
        st.Page("pages/learn_gradient_descent.py", title="Gradient descent", url_path="gradient-descent"),
        st.Page("pages/learn_minibatch.py", title="Mini-batch SGD", url_path="minibatch"),
        st.Page("pages/learn_backprop.py", title="Backpropagation", url_path="backprop"),
        st.Page("pages/learn_landscape.py", title="Loss landscape", url_path="landscape"),
    ],
    "History": [
        st.Page("pages/history.py", title="History gallery", url_path="history"),
    ],
}
st.navigation(pages).run()
