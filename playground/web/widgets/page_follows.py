"""The rest of the page follows a part that a run of its fragment alone drew first.

A fragment run for one quick edit (the drawing's + and −) draws its part at once; the whole page
then has to run too, for what the edit changes elsewhere. That run must not start before the
browser has the fragment's part: a run that starts drops whatever its session has not sent yet, so
a `st.rerun()` at the end of the fragment would often lose the part it drew. Instead the fragment
ends with `page_follows`, a marker drawn last that asks for the whole page as soon as the browser
has it, after everything the fragment sent before it.
"""

from __future__ import annotations

import secrets

import streamlit as st

_JS = """
export default function ({ data, parentElement, setTriggerValue }) {
  if (parentElement.__asked === data.ask) return;
  parentElement.__asked = data.ask;
  setTriggerValue("asked", data.ask);
}
"""
_component = st.components.v2.component("playground_page_follows", js=_JS, isolate_styles=False)


def page_follows(key: str) -> None:
    """Draws the marker (nothing visible) that has the whole page run once the browser has it."""
    ask = secrets.token_hex(4)  # a new ask in each run that draws the marker
    _component(key=key, data={"ask": ask}, width="content", height="content", on_asked_change=_run_page)


def _run_page() -> None:
    st.rerun()  # in a callback: the interaction runs the whole page, not the fragment the marker is in
