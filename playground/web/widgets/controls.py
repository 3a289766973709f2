"""Train, Pause/Resume, Step batch, Step epoch, Stop and Reset, plus the speed control.

A button only records the command (in its `on_click` callback); the run that the click brings
carries it out with `apply_command`, before anything is drawn. The buttons and the status row are
one fragment of the page (`RUN_FRAGMENT`): a click runs it alone, which carries out the command on
the session's trainer and draws the buttons and the row for it at once; the rest of the page then
follows (`playground/web/app_pages/playground.py`). A click that comes folded with another change
(a changed unit count, say) into a run of the whole page is carried out by that run, so it acts on
the edited experiment, not on the one it replaces.

Step batch and Step epoch count their presses (`press_counter`): three quick clicks while the page
runs are three steps, not the one that Streamlit's folding of a button's clicks would leave.

Streamlit's browser side may send a button's click as a run of another fragment (seen with Train
and the status row's fragment, when the status asked for a run just before): the callback records
the command, but nothing that carries it out runs. So the page's other fragments are made with
`page_fragment`, which then runs the whole page at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NoReturn

import streamlit as st

from playground.engine.live_trainer import LiveTrainer
from playground.engine.trainer import WATCH_EPOCHS_PER_SECOND
from playground.engine.trainer_state import RESTING_STATES, TrainerState
from playground.web.page_turns import in_turn, waiting_outside_turn
from playground.web.widgets.press_counter import press_counter
from playground.web.widgets.safe_text import plain

WATCH = f"watch ({WATCH_EPOCHS_PER_SECOND} epochs/s)"
# The default pace shows learning unfold, one epoch per frame as in TF Playground; "fastest" trains flat out.
SPEEDS = {"slow (2 epochs/s)": 2.0, "8 epochs/s": 8.0, WATCH: float(WATCH_EPOCHS_PER_SECOND), "fastest": None}
COMMAND_KEY = "control_commands"  # the commands asked for since the last run, in order
RUN_FRAGMENT = "run_controls"  # the key of the page's fragment of the buttons and the status row
FIRST_EPOCH_WAIT = 0.5  # seconds a started training is given for its first epoch before the page follows
_COMMANDED_FIRST = "run_commanded_first"  # session state: the buttons' fragment carried out a command first


def _ask(command: str) -> None:
    st.session_state.setdefault(COMMAND_KEY, []).append(command)


def _pause(trainer: LiveTrainer) -> None:
    trainer.pause()
    trainer.wait(RESTING_STATES, timeout=5)  # the chunk in flight ends first


def _stop(trainer: LiveTrainer) -> None:
    trainer.stop()
    trainer.wait((TrainerState.STOPPED, TrainerState.FAILED), timeout=5)


COMMANDS = {
    "start": lambda trainer: trainer.start(),
    "pause": _pause,
    "step_batch": lambda trainer: (trainer.step_batch(), trainer.wait(timeout=30)),
    "step_epoch": lambda trainer: (trainer.step_epoch(), trainer.wait(timeout=120)),
    "stop": _stop,
    "reset": lambda trainer: trainer.reset(),
}


def apply_command(trainer: LiveTrainer | None) -> bool:
    """Carries out the buttons pressed for this run, in order (several when step presses folded).
    Returns whether there were any."""
    commands = st.session_state.pop(COMMAND_KEY, [])
    for command in commands:
        if trainer is not None and command in COMMANDS:
            with waiting_outside_turn():  # a command may wait for its trainer: other pages run meanwhile
                COMMANDS[command](trainer)
    return bool(commands)


def commands_waiting() -> bool:
    """Whether a click recorded a command that no run has carried out yet."""
    return bool(st.session_state.get(COMMAND_KEY))


def command_first(trainer: LiveTrainer | None) -> bool:
    """In the buttons' fragment: carries out this run's commands (a run of the whole page has
    carried them out already, before drawing anything) and returns whether there were any. The
    status row drawn next then leaves it to the fragment to have the page follow (`commanded_first`)."""
    commanded = apply_command(trainer)
    st.session_state[_COMMANDED_FIRST] = commanded
    return commanded


def follow_command(trainer: LiveTrainer | None) -> NoReturn:
    """In the buttons' fragment, after a command drawn first: the whole page runs for what else it
    changes. Training just started is given up to `FIRST_EPOCH_WAIT` for its first epoch (outside
    the page's turn): the epoch's frame then reaches the browser ahead of the page's run, which
    draws the views from that epoch on. The run is asked for here, by the server, so no ask of the
    browser's can be lost; the status row drawn for the command does not ask (`live_status`)."""
    if trainer is not None:
        with waiting_outside_turn():
            trainer.wait_for_first_epoch(FIRST_EPOCH_WAIT)
    st.rerun(scope="app")


def commanded_first() -> bool:
    """Whether this run is the buttons' fragment drawing a command first (the page follows it).
    Asked once per run: the page's head asks too, to forget the mark in runs of the whole page."""
    return bool(st.session_state.pop(_COMMANDED_FIRST, False))


def page_fragment(
    body: Callable[[], None], run_every: float | None, key: str | None = None, commands: bool = False
) -> None:
    """Draws `body` as a fragment of the page (`st.fragment`, rerun every `run_every` seconds, or
    only when asked: with `key`, a widget's callback may ask by `st.rerun(scope=[key])`). A command
    recorded by a click that came with a run of this fragment is carried out by a run of the whole
    page, at once (otherwise it would wait for the next one), unless `commands`: the fragment of
    the buttons carries out their commands itself."""

    @functools.wraps(body)  # the fragment keeps `body`'s name, which Streamlit's fragment id is made of
    @in_turn  # a run of the fragment alone takes its turn among the page runs
    def run() -> None:
        if COMMAND_KEY in st.session_state and not commands:
            st.rerun(scope="app")
        body()

    st.fragment(run_every=run_every, key=key)(run)()


def controls(trainer: LiveTrainer | None, reason: str) -> None:
    state = trainer.state if trainer is not None else "none"
    running = state == TrainerState.RUNNING
    idle = trainer is not None and state in (TrainerState.READY, TrainerState.PAUSED)
    buttons = st.columns([1.1, 1.1, 1.5, 1.5, 1, 1, 1.8])  # room for "Step batch" in presenter mode's large type
    if state == TrainerState.PAUSED:
        buttons[0].button("Resume", type="primary", key="resume", width="stretch", on_click=_ask, args=("start",))
    else:
        preparing = trainer is not None and not trainer.is_ready
        help_text = reason or (
            "Starts as soon as the training program is compiled (a few seconds)"
            if preparing
            else "Start training from here"
        )
        buttons[0].button(
            "Train",
            type="primary",
            key="train",
            disabled=trainer is None or running,
            width="stretch",
            help=plain(help_text),
            on_click=_ask,
            args=("start",),
        )
    buttons[1].button("Pause", key="pause", disabled=not running, width="stretch", on_click=_ask, args=("pause",))
    for place, (command, label, help_text) in zip(
        buttons[2:4],
        [
            ("step_batch", "Step batch", "One mini-batch update, then pause"),
            ("step_epoch", "Step epoch", "Up to the end of this epoch, then pause"),
        ],
    ):
        with place:
            press_counter(
                None,
                command,
                help_text,
                functools.partial(_ask, command),
                disabled=not idle,
                label=label,
                width="stretch",
            )
    buttons[4].button(
        "Stop",
        key="stop",
        disabled=state not in (TrainerState.RUNNING, TrainerState.PAUSED),
        width="stretch",
        on_click=_ask,
        args=("stop",),
    )
    buttons[5].button(
        "Reset",
        key="reset",
        disabled=trainer is None or running,
        width="stretch",
        help="Back to the initial weights",
        on_click=_ask,
        args=("reset",),
    )
    speed = buttons[6].select_slider("Speed", list(SPEEDS), value=WATCH, key="speed", label_visibility="collapsed")
    if trainer is not None:
        trainer.set_speed(SPEEDS[speed])
    if reason:
        st.warning(plain(f"Train is off: {reason}"))
