"""Train, Pause/Resume, Step batch, Step epoch, Stop and Reset, plus the speed control.

A button only records the command (in its `on_click` callback); the page applies it with
`apply_command` to the trainer of the experiment as it stands in that same run, before anything is
drawn. So one click costs one script run, and a click that arrives together with an edit (a
changed unit count, say) acts on the edited experiment, not on the one it replaces.

Step batch and Step epoch count their presses (`press_counter`): three quick clicks while the page
runs are three steps, not the one that Streamlit's folding of a button's clicks would leave.

Streamlit's browser side may send a button's click as a run of a fragment beside it (seen with
Train and the status row's fragment, when the status asked for a run just before): the callback
records the command, but the page's script, which applies it, does not run. So the page's
fragments are made with `page_fragment`, which then runs the whole page at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

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


def apply_command(trainer: LiveTrainer | None) -> None:
    """Carries out the buttons pressed for this run, in order (several when step presses folded)."""
    for command in st.session_state.pop(COMMAND_KEY, []):
        if trainer is not None and command in COMMANDS:
            with waiting_outside_turn():  # a command may wait for its trainer: other pages run meanwhile
                COMMANDS[command](trainer)


def page_fragment(body: Callable[[], None], run_every: float | None, key: str | None = None) -> None:
    """Draws `body` as a fragment of the page (`st.fragment`, rerun every `run_every` seconds, or
    only when asked: with `key`, a widget's callback may ask by `st.rerun(scope=[key])`). A command
    recorded by a click that came with a run of this fragment is carried out by a run of the whole
    page, at once (otherwise it would wait for the next one)."""

    @functools.wraps(body)  # the fragment keeps `body`'s name, which Streamlit's fragment id is made of
    @in_turn  # a run of the fragment alone takes its turn among the page runs
    def run() -> None:
        if COMMAND_KEY in st.session_state:
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
