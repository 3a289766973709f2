"""What lies below the fold waits until the first screen is drawn, on a session's first visit.

The browser draws none of a page's widgets until it has loaded the code of every kind of widget
the page holds (Streamlit loads each kind's code on first use), so a chart or a picker below the
fold holds up the Train button at the top. On the session's first run, `drawn_later` draws, in
place of such a part, a marker that asks for it once the browser has painted the first screen and
has nothing else to do; the part then comes in a run of its fragment alone. Every later run of
the page draws it at once.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function ({ parentElement, setTriggerValue }) {
  if (parentElement.__asked) return;
  parentElement.__asked = true;
  const ask = () => setTriggerValue("drawn", true);
  // After the next paint, when the browser is idle (or after 1.5 s at most).
  const whenIdle = () => (window.requestIdleCallback ? requestIdleCallback(ask, { timeout: 1500 }) : setTimeout(ask));
  requestAnimationFrame(whenIdle);
}
"""
_component = st.components.v2.component("playground_drawn_later", js=_JS, isolate_styles=False)
_SEEN = "_first_run_seen"  # session state: the page has run once in this session


def first_run_done() -> None:
    """Marks the page's first run in this session as done (at the end of the page's script)."""
    st.session_state[_SEEN] = True


def drawn_later(key: str) -> bool:
    """Whether to draw the part under `key` now: not in the session's first run, where a marker asks
    for it once the first screen is drawn (inside a fragment: a run of that fragment draws it)."""
    if st.session_state.get(_SEEN):
        return True
    _component(key=f"drawn_later_{key}", width="content", height="content", on_drawn_change=_asked)
    return False


def _asked() -> None:
    """The marker's ask: its fragment runs (after the first run, so `drawn_later` is then true)."""
