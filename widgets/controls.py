"""Train, Pause/Resume, Step batch, Step epoch, Stop and Reset, plus the speed control."""

from __future__ import annotations

import streamlit as st

from playground.engine.trainer import Trainer

SPEEDS = {"slow (2 epochs/s)": 2.0, "5 epochs/s": 5.0, "20 epochs/s": 20.0, "fastest": None}


def controls(trainer: Trainer | None, reason: str) -> None:
    state = trainer.state if trainer is not None else "none"
    running = state == "running"
    idle = trainer is not None and state in ("ready", "paused")
    buttons = st.columns([1.1, 1.1, 1.2, 1.2, 1, 1, 2.4])
    if state == "paused":
        if buttons[0].button("Resume", type="primary", key="resume", width="stretch"):
            trainer.resume()
            st.rerun()
    elif buttons[0].button("Train", type="primary", key="train", disabled=trainer is None or running, width="stretch",
                           help=reason or "Start training from here"):
        trainer.start()
        st.rerun()
    if buttons[1].button("Pause", key="pause", disabled=not running, width="stretch"):
        trainer.pause()
        trainer.wait(("paused", "finished", "stopped", "diverged", "failed"), timeout=5)  # the chunk in flight ends first
        st.rerun()
    if buttons[2].button("Step batch", key="step_batch", disabled=not idle, width="stretch", help="One mini-batch update, then pause"):
        trainer.step_batch()
        trainer.wait(timeout=30)
    if buttons[3].button("Step epoch", key="step_epoch", disabled=not idle, width="stretch", help="Up to the end of this epoch, then pause"):
        trainer.step_epoch()
        trainer.wait(timeout=120)
    if buttons[4].button("Stop", key="stop", disabled=state not in ("running", "paused"), width="stretch"):
        trainer.stop()
        trainer.wait(("stopped", "failed"), timeout=5)
        st.rerun()
    if buttons[5].button("Reset", key="reset", disabled=trainer is None or running, width="stretch", help="Back to the initial weights"):
        trainer.reset()
        st.rerun()
    speed = buttons[6].select_slider("Speed", list(SPEEDS), value="fastest", key="speed", label_visibility="collapsed")
    if trainer is not None:
        trainer.set_speed(SPEEDS[speed])
    if reason:
        st.warning(f"Train is off: {reason}")
