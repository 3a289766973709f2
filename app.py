"""Neural Network Playground: the entry point. Run with `make run` (or `streamlit run app.py`)."""

import streamlit as st

st.set_page_config(page_title="Neural Network Playground", page_icon="🧠", layout="wide")

pages = [
    st.Page("pages/playground.py", title="Playground", icon="🧪", default=True),
    st.Page("pages/presets.py", title="Presets", icon="📚"),
]
st.navigation(pages).run()
