"""The app's script: settings for every session, then the pages and the navigation between them.

`app.py` serves it (with the live stream's route beside it); `make run` starts that.
"""

import os
import sys

import streamlit as st

from playground.logs import configure_logging
from playground.web.page_turns import page_turn
from playground.web.widgets.keras_state import keep_keras_state
from playground.web.widgets.server_notice import server_notice

configure_logging("INFO")  # trainer failures, saved runs, sweeps and store errors, to the server's stderr
keep_keras_state()  # before any page runs: Streamlit would clear Keras after every run (see the module)
# Threads take turns with the GIL every 1 ms instead of Python's 5 ms: the trainers' threads and
# the page's script runs wait less for each other, so more of the engine's snapshots reach the page
# while it trains (bench/ui.py measures how many). PLAYGROUND_GIL_SWITCH_S overrides it.
sys.setswitchinterval(float(os.environ.get("PLAYGROUND_GIL_SWITCH_S", "0.001")))

st.set_page_config(page_title="Neural Network Playground", page_icon="🧠", layout="wide")

pages = {
    "Build and train": [
        st.Page("app_pages/playground.py", title="Playground", icon=":material/science:", default=True),
        st.Page("app_pages/presets.py", title="Presets", icon=":material/collections_bookmark:"),
        st.Page("app_pages/class_room.py", title="Class", icon=":material/school:", url_path="class"),
    ],
    "Explore": [
        st.Page("app_pages/runs.py", title="Runs", icon=":material/table_chart:", url_path="runs"),
        st.Page("app_pages/sweeps.py", title="Sweeps", icon=":material/grid_on:", url_path="sweeps"),
    ],
    "Learn": [
        st.Page("app_pages/learn_neuron.py", title="A neuron", icon=":material/circle:", url_path="neuron"),
        st.Page(
            "app_pages/learn_activations.py",
            title="Activation functions",
            icon=":material/show_chart:",
            url_path="activations",
        ),
        st.Page("app_pages/learn_softmax.py", title="Softmax", icon=":material/bar_chart:", url_path="softmax"),
        st.Page(
            "app_pages/learn_gradient_descent.py",
            title="Gradient descent",
            icon=":material/south_east:",
            url_path="gradient-descent",
        ),
        st.Page(
            "app_pages/learn_minibatch.py", title="Mini-batch SGD", icon=":material/shuffle:", url_path="minibatch"
        ),
        st.Page("app_pages/learn_backprop.py", title="Backpropagation", icon=":material/undo:", url_path="backprop"),
        st.Page(
            "app_pages/learn_landscape.py", title="Loss landscape", icon=":material/landscape:", url_path="landscape"
        ),
    ],
    "History": [
        st.Page("app_pages/history.py", title="History gallery", icon=":material/history_edu:", url_path="history"),
    ],
}
page = st.navigation(pages)
with page_turn():  # at most a few pages run at once (see the module)
    server_notice()  # above every page: the server that held it went away
    page.run()
