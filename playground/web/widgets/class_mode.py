"""Class mode on the pages: the shared class store and reporter, the lecturer's token, and the
banner that keeps a student's playground in their class.

- The lecturer's token lives in this session and in the browser's cookie (so a reload finds the
  class again), never in a link or on the page.
- A student's membership lives in this session; the playground's link carries the class code
  (`?class=`), so a reload joins again as the same member (`ClassStore.join` knows the owner id).
- A push reaches a student's page through its live stream: the process's reporter reads it
  from the store and sets a notice on the page's trainer (`LiveStreams.notify`), and the page's
  status component's callback loads it (`push_drawn_first`): the class line and the drawing draw
  it first, alone, and the page follows (a push of other data: the page runs whole, and loads it).
  A follow that did not come within `PUSH_FOLLOW_SECONDS` is asked for again by the class line.
- While a student is in a class, the banner's fragment also runs every `BANNER_SECONDS`: it tells
  the reporter the page is open, and loads a push the stream did not bring (a page without the
  stream, or one that reconnected as it came). While the page's stream works, the reporter sees
  the page open by its stream, and the banner runs every `STREAMED_BANNER_SECONDS`: in a class of
  32, its runs every 2 s were 16 page turns a second, each waited for by a push's runs.
"""

from __future__ import annotations

import json
import time

import streamlit as st

from playground.classes.class_pins import FREEDOMS, pinned
from playground.classes.class_reporter import ClassReporter
from playground.classes.class_store import ClassInfo, ClassRefused, ClassStore, UnknownClass
from playground.classes.join_codes import read_code, shown
from playground.classes.wrong_codes import WrongCodeLimiter
from playground.datasets import DATASETS
from playground.datasets.dataset import DatasetKind
from playground.engine.live_trainer import LiveTrainer
from playground.runs.run_store import StoreError
from playground.spec import ExperimentSpec
from playground.web.live.status import UNAVAILABLE_KEY
from playground.web.live.streams import LIVE_STREAMS
from playground.web.page_turns import in_turn
from playground.web.widgets import session
from playground.web.widgets.network_editor import draw_loaded_first
from playground.web.widgets.run_saving import run_store
from playground.web.widgets.safe_text import plain

LECTURER_COOKIE = "playground_lecturer"
MEMBER_KEY = "class_member"
CLASS_PARAMETER = "class"
BANNER_SECONDS = 2.0  # the heartbeat (a closed tab leaves the board within MEMBER_TIMEOUT_SECONDS)
STREAMED_BANNER_SECONDS = 5.0  # while the page's stream says it is open (and brings the pushes)
CLASS_LINE_FRAGMENT = "class_line"  # the key of the class line's fragment
PUSH_FOLLOW_SECONDS = 4.0  # a push drawn first whose page has not followed by then: the class line asks again
PUSH_DRAWN_AT = "class_push_drawn_at"  # when a push was drawn first (the page's next run forgets it)


@st.cache_resource
def _stores() -> dict:
    return {}


def class_store() -> ClassStore:
    """The classes of the run store in use (raises `StoreError` while the database cannot be used)."""
    store = run_store()
    stores = _stores()
    if stores.get("runs") is not store:
        stores["classes"], stores["runs"] = ClassStore(store), store
    return stores["classes"]


@st.cache_resource
def class_reporter() -> ClassReporter:
    """The process's one reporter (see `playground/classes/class_reporter.py`); it tells each page of
    a new push through the page's live stream."""
    return ClassReporter(
        class_store,
        pushed=lambda trainer, number: LIVE_STREAMS.notify(trainer, "class_push", number),
        watched=LIVE_STREAMS.watched,
    )


@st.cache_resource
def wrong_codes() -> WrongCodeLimiter:
    return WrongCodeLimiter()


def client_key() -> str:
    """Who is typing codes, for the rate limit: the address the request came from, else the owner id."""
    try:
        address = st.context.ip_address
    except Exception:  # bare runs have no request
        address = None
    return address if isinstance(address, str) and address else session.owner()


def _write_cookie(value: str, max_age: int) -> None:
    cookie = json.dumps(f"{LECTURER_COOKIE}={value}; path=/; max-age={max_age}; SameSite=Strict")
    st.html(f"<script>document.cookie = {cookie};</script>", unsafe_allow_javascript=True)


def lecturer_token() -> str | None:
    """This browser's lecturer token: the session's, else the cookie's (a reload), else None."""
    state = st.session_state
    if "lecturer_token" not in state:
        cookie = session.browser_cookie(LECTURER_COOKIE)
        state.lecturer_token = cookie if session.is_owner_id(cookie) else None
    return state.lecturer_token


def remember_lecturer(token: str | None) -> None:
    """Keeps (or, for None, forgets) the lecturer's token in the session and the browser's cookie."""
    st.session_state.lecturer_token = token
    st.session_state.lecturer_cookie = token


def write_lecturer_cookie() -> None:
    """Draws the script that stores the token kept by `remember_lecturer` (in every run of the page
    until the next: a run that follows at once could otherwise replace the script unrun)."""
    state = st.session_state
    if "lecturer_cookie" not in state:
        return
    token = state.lecturer_cookie
    with st.container(height=1, border=False):  # takes no room
        _write_cookie(token or "", 31536000 if token else 0)


def member() -> dict | None:
    """This session's class membership: {"id", "class_id", "code", "name", "push_seen"}, or None."""
    return st.session_state.get(MEMBER_KEY)


def join(code: object, name: object) -> str | None:
    """Joins the class as this session's student; returns what went wrong, or None."""
    limiter, client = wrong_codes(), client_key()
    wait = limiter.wait(client)
    if wait:
        return f"Too many wrong codes from here. Try again in {int(wait) + 1} s."
    if read_code(code) is None:
        limiter.wrong(client)
        return "A class code is 8 letters and digits, such as K7QM-3TXA. Check it on the lecturer's screen."
    try:
        info, joined = class_store().join(code, session.owner(), name)
    except UnknownClass as refusal:
        limiter.wrong(client)
        return str(refusal)
    except ClassRefused as refusal:
        return str(refusal)
    except StoreError as error:
        return str(error)
    st.session_state[MEMBER_KEY] = {
        "id": joined.id,
        "class_id": info.id,
        "code": info.code,
        "title": info.title,
        "name": joined.name,
        "push_seen": 0,
    }
    st.query_params[CLASS_PARAMETER] = shown(info.code)
    return None


def rejoin_from_link() -> None:
    """A playground link with `?class=` (a reload, or a link the lecturer shared) joins that class."""
    code = st.query_params.get(CLASS_PARAMETER)
    if member() is None and code and "class_link_tried" not in st.session_state:
        st.session_state.class_link_tried = True
        problem = join(code, "")
        if problem:
            st.session_state.class_problem = f"This link's class could not be joined: {problem}"
            del st.query_params[CLASS_PARAMETER]


def leave() -> None:
    """Takes this session out of its class (a button's callback: the banner then runs the whole page)."""
    st.session_state.class_rerun = True
    joined = st.session_state.pop(MEMBER_KEY, None)
    if joined is not None:
        class_reporter().forget(joined["id"])
        try:
            class_store().leave(joined["id"])
        except StoreError:
            pass  # it leaves the board when its page stops reporting
    st.session_state.pop("class_own_spec", None)
    if CLASS_PARAMETER in st.query_params:
        del st.query_params[CLASS_PARAMETER]


def back_to_own() -> None:
    st.session_state.class_rerun = True
    own = st.session_state.pop("class_own_spec", None)
    if own is not None:
        session.load(own, rerun=False)


def _pins(joined: dict | None) -> tuple[ExperimentSpec, list[str]] | None:
    """The pushed experiment and what may change in it, while pins hold this student's experiment
    (they work on the push); else None."""
    if joined is None or "class_own_spec" not in st.session_state:
        return None
    info = class_reporter().class_info(joined["class_id"])
    if info is None or info.push_free is None or info.push_spec is None:
        return None
    return info.push_spec, info.push_free


def keep_to_pins(spec: ExperimentSpec) -> ExperimentSpec:
    """`spec` as the student edited it, or, where they changed what the lecturer pinned, the pushed
    experiment with only their free choices (the controls are drawn again with it, and a note says why)."""
    pins = _pins(member())
    if pins is None:
        return spec
    kept = session.with_clean_title(pinned(spec, *pins))
    if kept == spec or st.session_state.pop("class_pins_applied", False):  # once a run: never a loop of runs
        return spec
    st.session_state.class_pins_applied = True
    st.session_state.class_pin_note = "That setting is pinned by the lecturer for this task, so it was set back."
    session.load(kept)  # runs the page again, its controls showing the kept experiment
    return kept


def free_text(free: list[str]) -> str:
    return ", ".join(FREEDOMS[name].label for name in free) or "nothing"


def follow_in_class(trainer: LiveTrainer | None, parameters: int) -> None:
    """Tells the process's reporter which trainer this student's tile shows (nothing outside a class)."""
    joined = member()
    if joined is not None:
        class_reporter().follow(joined["id"], joined["class_id"], trainer, session.spec(), parameters)


def take_push(info: ClassInfo | None = None) -> bool:
    """Makes the class's newest push this student's experiment, once (True then). The page calls it
    first thing, so the run that a push's notice brings draws the pushed experiment whole; `info`:
    the class as the banner read it (else as the reporter last read it)."""
    joined = member()
    if joined is None:
        return False
    info = info or class_reporter().class_info(joined["class_id"])
    if info is None or info.push_number <= joined["push_seen"]:
        return False
    joined["push_seen"] = info.push_number
    if info.push_spec is None:
        return False
    st.session_state.setdefault("class_own_spec", session.spec())
    session.load(info.push_spec, rerun=False)
    return True


def push_drawn_first() -> None:
    """The callback of the live stream's notice of a push (the status row's): a push of 2-D data,
    onto 2-D data, is loaded at once and drawn first by the class line's and the drawing's
    fragments alone (a fraction of the page's run); the page follows with the rest. Any other push
    returns, and the page's run for the notice loads it."""
    joined = member()
    info = class_reporter().class_info(joined["class_id"]) if joined is not None else None
    if info is None or info.push_spec is None or not (_plane(info.push_spec) and _plane(session.spec())):
        return
    if take_push(info):
        st.session_state[PUSH_DRAWN_AT] = time.monotonic()
        draw_loaded_first(CLASS_LINE_FRAGMENT)


def _plane(spec: ExperimentSpec) -> bool:
    data = DATASETS.lookup(spec.dataset.name)
    return data is not None and data.kind == DatasetKind.PLANE


def class_banner() -> None:
    """The student's class line on the playground page (nothing outside a class): kept live by a fragment
    that loads a push as soon as it arrives."""
    rejoin_from_link()
    st.session_state.pop(PUSH_DRAWN_AT, None)  # the page runs whole: it draws the push, if one was drawn first
    problem = st.session_state.pop("class_problem", None)
    if problem:
        st.warning(plain(problem))
    joined = member()
    if joined is None:
        return
    reporter = class_reporter()
    streamed = not st.session_state.get(UNAVAILABLE_KEY, False)

    @st.fragment(run_every=STREAMED_BANNER_SECONDS if streamed else BANNER_SECONDS, key=CLASS_LINE_FRAGMENT)
    @in_turn
    def banner() -> None:
        if st.session_state.pop("class_rerun", False):  # a button of this fragment changed the experiment
            st.rerun(scope="app")
        drawn_at = st.session_state.get(PUSH_DRAWN_AT)
        if drawn_at is not None and time.monotonic() - drawn_at > PUSH_FOLLOW_SECONDS:
            st.rerun(scope="app")  # the page's ask after a push drawn first was lost (its messages dropped): ask again
        reporter.seen(joined["id"])
        class_id = joined["class_id"]
        if reporter.known(class_id):
            info = reporter.class_info(class_id)
        else:  # just joined: this once, from the store (the reporter reads it from its next tick)
            try:
                info = class_store().classes([class_id]).get(class_id)
            except StoreError as error:
                st.warning(plain(error))
                return
        if info is None:
            st.warning("Your class has ended. Your experiment stays as it is.")
            if st.button("OK", key="class_ended"):
                leave()
                st.rerun(scope="app")
            return
        if take_push(info):
            st.rerun(scope="app")
        text, buttons = st.columns([4, 1.2], vertical_alignment="center")
        pushed = " · the lecturer pushed this experiment" if "class_own_spec" in st.session_state else ""
        pins = _pins(joined)
        text.info(
            f"**Class {plain(info.title)}** ({shown(info.code)}) · you are **{plain(joined['name'])}**{pushed}"
            + (f"  \n**Task:** {plain(info.push_task)}" if info.push_task else "")
            + (f"  \nYou may change: {free_text(pins[1])}." if pins is not None else ""),
            icon=":material/school:",
        )
        note = st.session_state.pop("class_pin_note", None)
        if note:
            st.toast(note)
        with buttons:
            if "class_own_spec" in st.session_state:
                st.button("Back to my experiment", key="class_back", on_click=back_to_own, width="stretch")
            st.button("Leave the class", key="class_leave", on_click=leave, width="stretch")

    banner()
