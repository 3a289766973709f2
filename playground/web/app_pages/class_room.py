"""The class: a lecturer opens one and runs its board on the projector; students join it here.

The lecturer's browser holds the class's token (its cookie): only it sees the board and can
push, lock or end. Everyone else sees the join form, or the class they are in.
"""

from __future__ import annotations

import contextlib
import html
import io
import time

import segno
import streamlit as st

from playground.classes.class_pins import FREEDOMS
from playground.classes.class_results import class_results
from playground.classes.class_saves import ClassSaves, SaveAsk
from playground.classes.class_store import ClassInfo, ClassRefused, Member
from playground.classes.join_codes import shown
from playground.figures.chart_images import experiment_name
from playground.presets import PRESETS
from playground.runs.run_store import StoreError
from playground.spec import ExperimentSpec
from playground.web.page_turns import in_turn
from playground.web.widgets import session
from playground.web.widgets.class_board import SPOTLIGHT_KEY, leaderboard, rollup, spotlight_panel, tiles
from playground.web.widgets.class_mode import (
    CLASS_PARAMETER,
    class_store,
    join,
    lecturer_token,
    member,
    remember_lecturer,
    write_lecturer_cookie,
)
from playground.web.widgets.presenter import presenter_mode
from playground.web.widgets.safe_text import plain

BOARD_SECONDS = 1.0  # the count, the names and the spotlight; the tiles keep live on their own
RESULTS_SECONDS = 3.0
TOUCH_SECONDS = 30.0  # how often the open board marks the class as in use
CODE_CSS = """
<style>
.class-code { font-size: 4.2rem; font-weight: 700; letter-spacing: 0.3rem; line-height: 1.1; font-family: monospace; }
.class-link { font-size: 1.35rem; word-break: break-all; }
</style>
"""


def page_root() -> str:
    """The app's address without this page's path (for the join link)."""
    return str(st.context.url).split("?")[0].rsplit("/", 1)[0]


def join_link(info: ClassInfo) -> str:
    return f"{page_root()}/class?code={shown(info.code)}"


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def join_form() -> None:
    left, right = st.columns(2, gap="large")
    with left, st.form("join_class"):
        st.subheader("Join a class")
        code = st.text_input(
            "Class code", value=st.query_params.get("code", "")[:40], max_chars=40, placeholder="K7QM-3TXA"
        )
        name = st.text_input("Your name on the board (optional)", max_chars=40)
        if st.form_submit_button("Join", type="primary"):
            problem = join(code, name)
            joined = member()
            if problem or joined is None:
                st.error(plain(problem))
            else:
                st.switch_page("app_pages/playground.py", query_params={CLASS_PARAMETER: shown(joined["code"])})
    with right, st.form("open_class"):
        st.subheader("Teach: open a class")
        st.caption(
            "You get a code and a QR code for the room. Students join on their own devices and train on their own; "
            "you push experiments to them and watch every one of them learn on the board."
        )
        title = st.text_input("Class name", value="Lecture", max_chars=80)
        if st.form_submit_button("Open a class", type="primary"):
            try:
                _, token = class_store().open(title)
            except (ClassRefused, StoreError) as error:
                st.error(plain(error))
            else:
                remember_lecturer(token)
                st.rerun()


def student_view(joined: dict) -> None:
    st.success(f"You are in the class **{plain(joined['title'])}** as **{plain(joined['name'])}**.")
    if st.button("Go to the playground", type="primary"):
        st.switch_page("app_pages/playground.py", query_params={CLASS_PARAMETER: shown(joined["code"])})


def lecturer_view(token: str, info: ClassInfo) -> None:
    """The projector's screen: the code, link and QR code on top, then the board. The lecturer's
    controls (push, lock, end) are in the sidebar, which presenter mode hides."""
    st.html(CODE_CSS)
    link = join_link(info)
    words, picture = st.columns([3, 1], vertical_alignment="center")
    with words:
        st.markdown(f"### {plain(info.title)}: join with the code")
        st.html(f'<div class="class-code">{shown(info.code)}</div>')
        st.html(f'<div class="class-link">or open {html.escape(link)}</div>')  # the address is the browser's
        if info.locked:
            st.caption("Locked: no one new can join.")
    picture.image(qr_png(link), caption="Scan to join", width=200)
    with st.sidebar:
        push_panel(token, info)
        st.header("The class")
        st.toggle(
            "Locked",
            value=info.locked,
            key="class_locked",
            on_change=_lock,
            args=(token,),
            help="Locked: no one new can join; those in the class stay.",
        )
        st.button("End the class", on_click=_end, args=(token,))
    board(token)


def push_panel(token: str, info: ClassInfo) -> None:
    st.header("Push to the class")
    mine = session.spec()
    names = list(PRESETS)
    choice = st.selectbox(
        "Experiment",
        ["mine", *names],
        format_func=lambda n: (
            f"The one open on my playground: {mine.title or experiment_name(mine)}"
            if n == "mine"
            else f"Preset: {PRESETS[n].spec.title or n}"
        ),
        key="push_choice",
    )
    st.text_area(
        "Task for the class (optional)",
        max_chars=500,
        key="push_task",
        placeholder="Find the smallest network that separates the spiral",
    )
    st.multiselect(
        "The class may change",
        list(FREEDOMS),
        default=list(FREEDOMS),
        format_func=lambda name: FREEDOMS[name].label,
        key="push_free",
        help="Pin the rest: for a class-sourced sweep, leave only what varies (say, the learning rate)",
    )
    st.button(
        "Push to every student", type="primary", key="push", width="stretch", on_click=_push, args=(token, choice, mine)
    )  # a callback: the board's fragment runs twice a second, and a click may come with one of its runs
    pushed = st.session_state.pop("class_pushed", None)
    if pushed:
        st.toast(pushed)
    if info.push_number:
        st.caption(f"Pushed {info.push_number} time(s); the last {_ago(info.push_at)}.")


def _push(token: str, choice: str, mine: ExperimentSpec) -> None:
    state = st.session_state
    spec = mine if choice == "mine" else PRESETS[choice].spec
    free = state.get("push_free", list(FREEDOMS))
    try:
        class_store().push(token, spec, state.get("push_task", ""), None if len(free) == len(FREEDOMS) else free)
    except (ClassRefused, StoreError) as error:
        state.class_error = str(error)
    else:
        state.class_pushed = "Pushed: every student's page loads it now."


def _ago(moment: float | None) -> str:
    if moment is None:
        return "never"
    seconds = max(time.time() - moment, 0)
    return f"{seconds:.0f} s ago" if seconds < 120 else f"{seconds / 60:.0f} min ago"


def _lock(token: str) -> None:
    try:
        class_store().lock(token, st.session_state.class_locked)
    except (ClassRefused, StoreError) as error:
        st.session_state.class_error = str(error)


def _end(token: str) -> None:
    try:
        class_store().end(token)
    except (ClassRefused, StoreError) as error:
        st.session_state.class_error = str(error)
    remember_lecturer(None)


def _open_on_projector(student: Member) -> None:
    if student.spec is not None:
        session.load(student.spec, rerun=False)
        st.session_state.present = True
        st.session_state.class_switch = True


def _push_student(student: Member) -> None:
    token = lecturer_token()
    if student.spec is not None and token:
        try:
            class_store().push(token, student.spec, f"{student.name}'s experiment")
        except (ClassRefused, StoreError) as error:
            st.session_state.class_error = str(error)


def _save_student(student: Member) -> None:
    token = lecturer_token()
    if token:
        try:
            ClassSaves(class_store()).ask(token, student.id, session.owner())
        except (ClassRefused, StoreError) as error:
            st.session_state.class_error = str(error)


def _save_state(token: str, student: Member) -> SaveAsk | None:
    try:
        return ClassSaves(class_store()).state(token, student.id)
    except StoreError:
        return None


def _members(token: str) -> list[Member] | None:
    try:
        return class_store().board(token)
    except (ClassRefused, StoreError) as error:
        st.error(plain(error))
        return None


def board(token: str) -> None:
    """The count, the names and the spotlight every second (the tiles, drawn by the browser, keep
    live on their own); the leaderboard and the roll-up, heavier for the projector's browser to
    draw, every few seconds."""

    @st.fragment(run_every=BOARD_SECONDS)
    @in_turn
    def live_tiles() -> None:
        state = st.session_state
        if time.monotonic() - state.get("class_touched", 0.0) > TOUCH_SECONDS:
            with contextlib.suppress(StoreError):
                class_store().touch(token)
            state.class_touched = time.monotonic()
        members = _members(token)
        if members is None:
            return
        st.markdown(f"#### The class: {len(members)} student(s)")
        spotlit = next((m for m in members if m.id == state.get(SPOTLIGHT_KEY)), None)
        with st.container():  # always there, so the tiles keep their place in the page as a spotlight opens
            if spotlit is not None:
                with st.container(border=True):
                    spotlight_panel(
                        spotlit, _open_on_projector, _push_student, _save_student, _save_state(token, spotlit)
                    )
        tiles(members)

    @st.fragment(run_every=RESULTS_SECONDS)
    @in_turn
    def results() -> None:
        members = _members(token)
        if not members:
            return
        table, varied = class_results(members)
        st.markdown("#### Leaderboard")
        leaderboard(table, varied)
        st.markdown("#### What the class found")
        rollup(table, varied, "class")

    live_tiles()
    results()


session.init()
title_column, toggle_column = st.columns([3, 1], vertical_alignment="center")
title_column.title("Class")
with toggle_column:
    presenter_mode()
write_lecturer_cookie()
if st.session_state.pop("class_switch", False):
    st.switch_page("app_pages/playground.py", query_params={"present": "1"})
error = st.session_state.pop("class_error", None)
if error:
    st.error(plain(error))
token = lecturer_token()
try:
    opened = class_store().lecturer_class(token)
except StoreError as problem:
    st.error(plain(problem))
    st.stop()
if opened is not None and token is not None:
    lecturer_view(token, opened)
elif (joined := member()) is not None:
    student_view(joined)
else:
    if token is not None and "lecturer_cookie" not in st.session_state:
        remember_lecturer(None)  # the class of this browser's cookie has ended
    join_form()
