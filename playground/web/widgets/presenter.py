"""Presenter mode for a lecture hall: large type, no sidebar, only the controls and big charts."""

from __future__ import annotations

import streamlit as st

CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarCollapseButton"] { display: none !important; }
html, body, [data-testid="stMarkdownContainer"] p { font-size: 1.3rem !important; }
button p, button [data-testid="stMarkdownContainer"] p { font-size: 0.95rem !important; }  /* labels fit their buttons */
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p, .playground-metric-value { font-size: 2.1rem !important; line-height: 1.25 !important; }
.playground-metric-label, .playground-metric-note { font-size: 1.1rem !important; }
h1 { font-size: 2.3rem !important; padding: 0.25rem 0 !important; }
.block-container { max-width: 100% !important; padding-top: 3.5rem !important; }  /* below the app header, which would cover the toggle */
</style>
"""


def keep_while_presenting(*keys: str) -> None:
    """Keeps the values of controls that presenter mode hides: Streamlit forgets a widget's value
    once a run does not draw it, and the log scale or a checkbox must be as left when it comes back."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def presenter_mode() -> bool:
    """True when presenting: `?present=1` in the link or the toggle; draws the styles and the toggle."""
    if "present" not in st.session_state:
        st.session_state.present = st.query_params.get("present") == "1"
    present = st.toggle(
        "Presenter mode",
        key="present",
        help="Large type, sidebar and advanced controls hidden. Also ?present=1 in the link.",
    )
    if present:
        st.query_params["present"] = "1"
        st.markdown(CSS, unsafe_allow_html=True)
    elif "present" in st.query_params:
        del st.query_params["present"]
    return present
