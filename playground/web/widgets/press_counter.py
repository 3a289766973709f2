"""A button that counts its presses, so that no click is lost however fast the clicks come.

`st.button` sends a trigger: Streamlit folds requests that arrive while the script is busy into one,
and two presses of the same button in that window become one (`_coalesce_widget_states` in
Streamlit's `script_requests.py`), so five quick clicks on + added three or four neurons on a busy
server. This button sends the number of times it has been pressed instead, a value that only
grows: a folded request carries the newest count, and the page applies every press it has not
applied yet (`presses_to_apply`), however many reruns the clicks shared.

The count lives in the browser page (`window`, by the button's key and the session's own tag),
so a button that Streamlit mounts anew keeps counting from where it was; the page hands back the
count it applied, and a fresh page starts from there. A new session in the same page (the server
restarted) counts afresh under its own tag, so no press of the old session is applied again. A
press is drawn at once (the button flashes), before the server answers.

A counter shows a Material icon (the drawing's − and +) or a label (Step batch, Step epoch).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Literal

import streamlit as st

# Material Symbols' "add" and "remove" (24x24), the icons `st.button` draws for the same controls.
ICONS = {"add": "M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z", "remove": "M19 13H5v-2h14v2z"}

# Streamlit's secondary button in the light theme (its primary colour, #ff4b4b, on hover).
_CSS = """
.playground-press {
  display: inline-flex; align-items: center; justify-content: center; box-sizing: border-box;
  min-height: 1.9rem; padding: 0 0.35rem; width: auto; cursor: pointer; user-select: none;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: #fff; color: rgb(49, 51, 63);
  font: inherit; line-height: 1; transition: border-color 0.1s, color 0.1s, background 0.1s;
}
.playground-press svg { width: 1.25rem; height: 1.25rem; fill: currentColor; }
.playground-press:hover:not(:disabled) { border-color: #ff4b4b; color: #ff4b4b; }
.playground-press:focus-visible { outline: 2px solid #ff4b4b; outline-offset: 1px; }
.playground-press.pressed { background: rgba(255, 75, 75, 0.12); }
.playground-press.labelled { width: 100%; min-height: 2.5rem; padding: 0.25rem 0.75rem; }
.playground-press p { margin: 0; font-size: 0.875rem; line-height: 1.6; }  /* as st.button's label */
.playground-press:disabled { cursor: not-allowed; color: rgba(49, 51, 63, 0.4); border-color: rgba(49, 51, 63, 0.1); }
"""

_JS = """
const COUNTS = (window.__playgroundPresses ??= {});

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let button = parentElement.querySelector(":scope > button.playground-press");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.className = "playground-press";
    button.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path></path></svg>';
    button.addEventListener("click", () => {
      const key = button.dataset.key;
      COUNTS[key] = (COUNTS[key] || 0) + 1;
      setStateValue("presses", COUNTS[key]);
      button.classList.add("pressed");
      setTimeout(() => button.classList.remove("pressed"), 150);
    });
    parentElement.appendChild(button);
  }
  const key = `${data.key}@${data.session}`;
  button.dataset.key = key;
  COUNTS[key] = Math.max(COUNTS[key] || 0, data.applied);
  if (data.label) {
    if (button.dataset.label !== data.label) {
      const text = document.createElement("p");
      text.textContent = data.label;
      button.replaceChildren(text);
      button.dataset.label = data.label;
    }
    button.classList.add("labelled");
    button.removeAttribute("aria-label");  // the label names it; the help is its tooltip
  } else {
    if (!button.querySelector("svg")) {
      button.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path></path></svg>';
      delete button.dataset.label;
    }
    button.querySelector("path").setAttribute("d", data.icon);
    button.setAttribute("aria-label", data.help);
  }
  button.title = data.help;
  button.disabled = data.disabled;
}
"""

_component = st.components.v2.component(
    "playground_press_counter",
    css=_CSS,
    js=_JS,
    isolate_styles=False,
)
# A bound on the presses one run applies: a forged count of a billion must not loop a billion edits.
# A person clicks a few times a second; a page run takes well under a second.
MAX_PRESSES_PER_RUN = 20
_APPLIED = "_presses_applied"  # session state: each counter's presses applied so far, by key
_SESSION_TAG = "_presses_session"  # session state: the tag the page counts this session's presses under


def presses_to_apply(key: str, presses: int) -> int:
    """How many of a counter's `presses` the page has not applied yet; they count as applied now."""
    applied = st.session_state.setdefault(_APPLIED, {})
    new = max(0, presses - applied.get(key, 0))
    applied[key] = max(presses, applied.get(key, 0))
    return new


def press_counter(
    icon: str | None,
    key: str,
    help: str,
    on_press: Callable[[], None],
    disabled: bool = False,
    label: str | None = None,
    width: Literal["content", "stretch"] = "content",
    after_presses: Callable[[], None] | None = None,
) -> None:
    """A button drawn with Material's `icon` ("add" or "remove"), or with `label` in Streamlit's
    button style, that calls `on_press` once per press, before the page runs (as a widget callback
    does), however many presses one run gets; then `after_presses`, once (it may choose what
    reruns: `st.rerun(scope=...)`)."""

    def pressed() -> None:
        value = st.session_state[key]
        presses = value.get("presses") if isinstance(value, dict) else None
        if isinstance(presses, int) and not isinstance(presses, bool):  # a forged value is ignored
            for _ in range(min(presses_to_apply(key, presses), MAX_PRESSES_PER_RUN)):
                on_press()
        if after_presses is not None:
            after_presses()

    applied = st.session_state.get(_APPLIED, {}).get(key, 0)
    session_tag = st.session_state.setdefault(_SESSION_TAG, secrets.token_hex(4))
    _component(
        key=key,
        data={
            "key": key,
            "session": session_tag,
            "icon": ICONS[icon] if icon else None,
            "label": label,
            "help": help,
            "disabled": disabled,
            "applied": applied,
        },
        width=width,
        on_presses_change=pressed,
    )
