"""Neural Network Playground: the entry point. Run with `make run` (or `python -m playground app`).

The app is Streamlit's own server (`st.App`) for the pages in `navigation.py`, with routes of
ours beside Streamlit's: the live stream that pushes each page's training frames
(`playground/web/live/route.py`) and the class board's tiles (`playground/web/live/board_route.py`).
The pages' trainers run in training worker processes, one per core
(`playground/engine/training_workers.py`), started with the server.
"""

import streamlit as st
from streamlit import config

from playground.engine.device import training_device
from playground.engine.training_workers import training_workers
from playground.web.live.board_route import board_routes
from playground.web.live.route import live_routes
from playground.web.lost_fragments import run_page_for_lost_fragments

training_workers()  # the training worker processes start with the server, ready for the first page
training_device()  # imports TensorFlow now (the pages use it), not while the first visitor waits
run_page_for_lost_fragments()  # a click after the page's server changed runs the page (see the module)
base_url_path = config.get_option("server.baseUrlPath") or ""
app = st.App("navigation.py", routes=live_routes(base_url_path) + board_routes(base_url_path))

if __name__ == "__main__":
    app.run()
