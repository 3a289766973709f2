"""Train, Pause/Resume, Step batch, Step epoch, Stop and Reset, plus the speed control."""

from __future__ import annotations

import streamlit as st

from playground.engine.trainer import Trainer

SPEEDS = {"slow (2 epochs/s)": 2.0, "5 epochs/s": 5.0, "20 epochs/s": 20.0, "fastest": None}


def _pause(trainer: Trainer) -> None:
    trainer.pause()
    trainer.wait(("paused", "finished", "stopped", "diverged", "failed"), timeout=5)  # the chunk in flight ends first


def _step(trainer: Trainer, epoch: bool) -> None:
    trainer.step_epoch() if epoch else trainer.step_batch()
    trainer.wait(timeout=120 if epoch else 30)


def _stop(trainer: Trainer) -> None:
    trainer.stop()
    trainer.wait(("stopped", "failed"), timeout=5)


def controls(trainer: Trainer | None, reason: str) -> None:
    """The buttons act in `on_click` callbacks, which run before the page script: the one run that
    follows a click already shows the new state (no second, "catch-up" run of the whole page)."""
    state = trainer.state if trainer is not None else "none"
    running = state == "running"
    idle = trainer is not None and state in ("ready", "paused")
    buttons = st.columns([1.1, 1.1, 1.2, 1.2, 1, 1, 2.4])
    if state == "paused":
        buttons[0].button("Resume", type="primary", key="resume", width="stretch", on_click=trainer.resume)
    else:
        buttons[0].button("Train", type="primary", key="train", disabled=trainer is None or running, width="stretch",
                          help=reason or "Start training from here", on_click=trainer.start if trainer is not None else None)
    buttons[1].button("Pause", key="pause", disabled=not running, width="stretch", on_click=_pause, args=(trainer,))
    buttons[2].button("Step batch", key="step_batch", disabled=not idle, width="stretch", help="One mini-batch update, then pause",
                      on_click=_step, args=(trainer, False))
    buttons[3].button("Step epoch", key="step_epoch", disabled=not idle, width="stretch", help="Up to the end of this epoch, then pause",
                      on_click=_step, args=(trainer, True))
    buttons[4].button("Stop", key="stop", disabled=state not in ("running", "paused"), width="stretch", on_click=_stop, args=(trainer,))
    buttons[5].button("Reset", key="reset", disabled=trainer is None or running, width="stretch", help="Back to the initial weights",
                      on_click=trainer.reset if trainer is not None else None)
    speed = buttons[6].select_slider("Speed", list(SPEEDS), value="fastest", key="speed", label_visibility="collapsed")
    if trainer is not None:
        trainer.set_speed(SPEEDS[speed])
    if reason:
        st.warning(f"Train is off: {reason}")
