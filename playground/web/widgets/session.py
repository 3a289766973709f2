"""The user's work in `st.session_state`: the current spec, a widget generation, the owner id and the trainer slot.

Widgets are keyed by the generation: loading a preset, a link or an edit of the stack's
structure bumps it, so every control shows the new values instead of its old state.

The owner id (whose saved runs these are) comes only from this browser's own cookie or a fresh
random token, never from the address: a link cannot make a visitor act as someone else. Showing
one's runs to others is an explicit, revocable link on the Runs page.
"""

from __future__ import annotations

import json
import re
import secrets

import streamlit as st

from playground.nearest_settings import nearest_settings
from playground.presets import DEFAULT_PRESET, PRESETS
from playground.spec import ExperimentSpec, SpecError
from playground.spec_reading import spec_from_url
from playground.validation import clean_title, oversize_problem, validate
from playground.web.live.trainer_slot import TrainerSlot
from playground.web.widgets.keras_state import keep_keras_state

OWNER_COOKIE = "playground_owner"
_OWNER_ID = re.compile(r"[A-Za-z0-9_-]{12,64}")


def init() -> None:
    keep_keras_state()  # also when a page runs on its own (tests), not through navigation.py
    state = st.session_state
    if "spec" not in state:
        state.spec = PRESETS[DEFAULT_PRESET].spec
        state.generation = 0
        link = st.query_params.get("x")
        if link:
            try:
                linked = spec_from_url(link)
            except SpecError as error:
                state.link_error = (
                    "This link does not hold a readable experiment, so the default is shown. "
                    + " ".join(error.problems[:3])
                )
            else:
                _open_link(linked)
    state.setdefault("generation", 0)
    if "owner" not in state:
        cookie = browser_cookie(OWNER_COOKIE)
        state.owner = cookie if is_owner_id(cookie) else secrets.token_urlsafe(9)
    if browser_cookie(OWNER_COOKIE) != state.owner:
        # Who the saved runs belong to, kept in a cookie so a reload (a new session) finds them again.
        # The value is a token we made (checked above), written as a JavaScript string literal all the same.
        # Drawn on every run of this session (the browser's cookie is read once, when it connects):
        # a run that follows at once could otherwise replace the script before the browser ran it.
        cookie = json.dumps(f"{OWNER_COOKIE}={state.owner}; path=/; max-age=31536000; SameSite=Lax")
        st.sidebar.html(f"<script>document.cookie = {cookie};</script>", unsafe_allow_javascript=True)  # takes no room
    if "slot" not in state:
        state.slot = TrainerSlot()


def is_owner_id(text) -> bool:
    """Whether `text` has the shape of an owner id this app hands out (URL-safe letters, 12 to 64)."""
    return isinstance(text, str) and _OWNER_ID.fullmatch(text) is not None


def browser_cookie(name: str) -> str | None:
    """The value of the browser's cookie `name` as this session saw it when it connected (None without one)."""
    try:
        value = st.context.cookies.get(name)
    except Exception:  # bare runs have no browser cookies
        return None
    return value if isinstance(value, str) else None  # AppTest answers with a stand-in object


def owner() -> str:
    return st.session_state.owner


def spec() -> ExperimentSpec:
    return st.session_state.spec


def key(name: str) -> str:
    return f"{name}_{st.session_state.generation}"


def _open_link(linked: ExperimentSpec) -> None:
    """Makes a link's experiment the user's, at the nearest settings the controls can show, and says what
    was changed. A network too big to build is refused here, before the page draws any of it."""
    state = st.session_state
    nearest = with_clean_title(nearest_settings(linked))
    too_big = oversize_problem(nearest)
    if too_big:
        state.link_error = f"This link's experiment was not loaded, so the default is shown. {too_big}"
        return
    state.spec = nearest
    problems = validate(linked)
    if problems:
        state.link_error = (
            f"This link's experiment has {len(problems)} problem(s). Values out of range were set to the nearest "
            "allowed ones, and values that could not be read to their defaults. "
            + " ".join(p.message for p in problems[:3])
        )


def with_clean_title(spec: ExperimentSpec) -> ExperimentSpec:
    """The page has no box to edit the title, so one from outside is made one short line here."""
    return spec.replace(title=clean_title(spec.title))


def edit(new_spec: ExperimentSpec) -> None:
    """Makes `new_spec`, the user's edit of their experiment, theirs, keeping every control: the
    caller (a widget's callback, before the page runs) sets the controls the edit changed."""
    st.session_state.pop("link_error", None)
    st.session_state.spec = with_clean_title(nearest_settings(new_spec))


def load(new_spec: ExperimentSpec, rerun: bool = True) -> None:
    """Makes `new_spec` the user's experiment and redraws every control from it."""
    st.session_state.pop("link_error", None)  # said about the link's experiment, which this one replaces
    st.session_state.spec = with_clean_title(nearest_settings(new_spec))  # a file or a stored run may hold anything
    st.session_state.generation += 1
    if rerun:
        st.rerun()
