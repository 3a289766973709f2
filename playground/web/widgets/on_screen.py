"""Whether a part of the page is on screen, so that views nobody looks at are not rebuilt.

The detail views below the fold (weight histograms, class probabilities, confusion matrix) are
redrawn by their fragment every few seconds while training, and each redraw builds new Plotly
figures: for a class of 32 students, two thirds of the app process's work (bench/classroom.py).
A marker at the top of such a part watches the part's block (`IntersectionObserver`: a tenth of
it in view) and keeps in its state whether it is on screen; the part's fragment runs when that
changes. Off screen, a part is drawn as it was last shown (its figures come from the cache).

Example:

    if on_screen("details_on_screen"):
        ...  # the newest
"""

from __future__ import annotations

import streamlit as st

_JS = """
const SHOWN_SHARE = 0.1;  // a part counts as on screen with a tenth of it in view, not its top edge alone
export default function ({ parentElement, setStateValue }) {
  if (parentElement.__watched) return;
  parentElement.__watched = true;
  const part = parentElement.closest('[data-testid="stVerticalBlock"]') || parentElement;
  let shown = null;
  new IntersectionObserver((entries) => {
    const now = entries.some((entry) => entry.intersectionRatio >= SHOWN_SHARE);
    if (now !== shown) {
      shown = now;
      setStateValue("shown", now);
    }
  }, { threshold: [0, SHOWN_SHARE] }).observe(part);
}
"""
_component = st.components.v2.component("playground_on_screen", js=_JS, isolate_styles=False)


def on_screen(key: str) -> bool:
    """Whether the part this marker heads (its block of the page) is on screen: True
    until the browser has said otherwise (any other value than false counts as on screen)."""
    _component(key=key, width="content", height="content", on_shown_change=lambda: None)
    value = st.session_state.get(key)
    return not (isinstance(value, dict) and value.get("shown") is False)
