"""Neural Network Playground: the entry point. Run with `make run` (or `streamlit run app.py`).

The app is Streamlit's own server (`st.App`) for the pages in `navigation.py`, with one route of
ours beside Streamlit's: the live stream that pushes each page's training frames
(`server/live_route.py`).
"""

import streamlit as st
from streamlit import config

from server.live_route import live_routes

app = st.App("navigation.py", routes=live_routes(config.get_option("server.baseUrlPath") or ""))

if __name__ == "__main__":
    app.run()
