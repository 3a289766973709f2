"""The status row (epoch, losses, accuracy, learning rate, state), kept live by the page's stream.

This component owns the page's live stream (`playground/web/live/hub.js`, `playground/web/live/route.py`): it
connects with the token of the session's trainer and rewrites the row from every frame, as does
the machine-readable `training-status` mark the browser tests and benchmarks read (state, epoch,
compiled, frames received). When the state changes (training finished, the program compiled) it
asks the page to run again, so the buttons follow, and so it does at rest when a snapshot comes
after the page was drawn (a new network's first, a pause's last), so the views show it, hover and
exports included; while training, nothing else reruns the page.
A frame's notice (`LiveStreams.notify`: a class push, say) goes to the page's `on_notice`, which
may draw what it brings first (a push: the class line and the drawing, `push_drawn_first`); else
the whole page runs again at once. The row says at once what came (`NOTICE_TEXTS`) until the page
draws it again: on a busy server a student sees that the push arrived before it is drawn.

If the stream cannot connect (a proxy that blocks WebSockets), it says so to the page, which then
refreshes the views on a timer as before (`stream_unavailable` in the session state). The browser
keeps trying the stream, less and less often, and when a frame comes the page goes back to it: a
page that moved to another replica may have tried before the balancer took the first one out.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

import streamlit as st

from playground.engine.live_trainer import LiveTrainer
from playground.web.live.frames import training_status
from playground.web.live.hub_script import hub_script
from playground.web.live.streams import LIVE_STREAMS
from playground.web.static_files import served_component

UNAVAILABLE_KEY = "stream_unavailable"
NOTICE_KEY = "stream_notice"
STATUS_KEY = "live_status"  # the row's component
STATUS_WORDS = {
    "ready": "ready",
    "running": "training",
    "paused": "paused",
    "finished": "finished",
    "stopped": "stopped",
    "diverged": "diverged",
    "failed": "failed",
}

# What the row says when a frame brings a notice, until the page's run for it redraws the row.
NOTICE_TEXTS = {"class_push": "The lecturer pushed an experiment to the class: loading it…"}

_JS = (
    (
        hub_script()
        + """
const WORDS = __WORDS__;
const NOTICE_TEXTS = __NOTICE_TEXTS__;
const BACK_ASK_MS = 2000;

function announce(root, notices) {  // a fixed text per kind of notice: nothing of the frame is shown
  const texts = Object.keys(notices).map((name) => NOTICE_TEXTS[name]).filter(Boolean);
  if (!texts.length) return;
  if (!root.__notice) {
    root.__notice = document.createElement("div");
    root.__notice.className = "playground-status-notice";
    root.appendChild(root.__notice);
  }
  root.__notice.textContent = texts.join(" ");
}

function elapsedText(seconds) {
  if (seconds < 60) return seconds.toFixed(1) + " s";
  const minutes = Math.floor(seconds / 60), rest = Math.floor(seconds - minutes * 60);
  return `${minutes} min ${String(rest).padStart(2, "0")} s`;
}

function general(value) {  // Python's format(value, "g")
  if (value === 0) return "0";
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, power] = value.toExponential(5).split("e");
    const digits = String(Math.abs(Number(power))).padStart(2, "0");
    return `${Number(mantissa)}e${Number(power) < 0 ? "-" : "+"}${digits}`;
  }
  return String(Number(value.toPrecision(6)));
}

function cells(status) {
  const stepped = status.batch && status.state !== "running";
  const number = (value, digits) => (value === null || value === undefined ? "—" : value.toFixed(digits));
  return [
    [stepped ? "Epoch · batch" : "Epoch", stepped ? `${status.epoch.toLocaleString("en-US")} · ${status.batch}` : status.epoch.toLocaleString("en-US"),
     stepped ? `${status.epoch} epochs and ${status.batch} of ${status.batches} batches of the next one done` : "Epochs done"],
    ["Train loss", number(status.train_loss, 4), ""],
    ["Test loss", number(status.test_loss, 4), ""],
    ["Test accuracy", number(status.test_accuracy, 3), ""],
    ["Learning rate", general(status.learning_rate), ""],
    ["Status", status.compiled ? (WORDS[status.state] || status.state) : "loading",
     status.compiled ? "Under it: the time spent training so far (pauses not counted)"
                     : "The training program is being compiled for this network (a few seconds). Train works now and starts as soon as it is done."],
  ];
}

function render(root, status, frames) {
  const row = cells(status);
  if (!root.__cells) {
    root.innerHTML = "";
    root.__cells = row.map(() => {
      const cell = document.createElement("div");
      cell.className = "playground-metric";
      cell.innerHTML = '<div class="playground-metric-label"></div><div class="playground-metric-value"></div><div class="playground-metric-note"></div>';
      root.appendChild(cell);
      return cell;
    });
    root.__mark = document.createElement("div");
    root.__mark.setAttribute("data-testid", "training-status");
    root.appendChild(root.__mark);
  }
  row.forEach(([label, value, help], i) => {
    const cell = root.__cells[i];
    cell.children[0].textContent = label;
    cell.children[1].textContent = value;
    cell.title = help;
  });
  root.__cells[5].children[2].textContent = status.compiled && status.points ? elapsedText(status.elapsed) : "";
  const mark = root.__mark.dataset;
  mark.state = status.state; mark.epoch = status.epoch; mark.points = status.points; mark.compiled = status.compiled ? 1 : 0;
  mark.elapsed = status.elapsed.toFixed(3); mark.snapshot = status.snapshot; mark.frames = frames; mark.stream = root.__streamState || "connecting";
  mark.notices = root.__notices || 0;
}

// Asks the page to run again when `now` differs from what its last run drew in what the page
// shows besides this row (the buttons, the views that wait for a first epoch or a snapshot), once
// per drawn status: the run that follows draws the new one. A row drawn by a run that the page's
// own run follows anyway (a button's command) does not ask.
function askIfChanged(root, now, setTriggerValue) {
  if (root.__follows) return;
  const shown = root.__drawn;
  const changed = now.state !== shown.state || now.compiled !== shown.compiled || (now.points > 0) !== (shown.points > 0)
    || (now.state !== "running" && now.snapshot !== shown.snapshot);  // at rest, views drawn before a snapshot came
  if (changed && !root.__asked) {
    root.__asked = true;
    setTriggerValue("changed", `${now.state}:${now.compiled}:${now.points}`);
  }
}

// On refreshes, a frame of the stream tried again has the page run with the stream again (asked
// again every `BACK_ASK_MS` while frames come, in case that run was lost).
function askBack(root, setTriggerValue) {
  if (performance.now() - (root.__backAskedAt ?? -Infinity) < BACK_ASK_MS) return;
  root.__backAskedAt = performance.now();
  setTriggerValue("available", true);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(":scope > .playground-status");
  if (!root) {
    root = document.createElement("div");
    root.className = "playground-status";
    parentElement.appendChild(root);
    root.__frames = 0;
  }
  const drawn = data.status;
  root.__drawn = drawn;  // what the page's newest run drew: the stream's frames are compared with it
  root.__asked = false;
  root.__follows = Boolean(data.follows);
  if (root.__notice) {  // the page ran (for the notice, or since): it shows what came in its own words
    root.__notice.remove();
    root.__notice = null;
  }
  // On refreshes (the stream failed), `data.retry` is the same stream, which the hub keeps trying: its
  // first frame has the page go back to it.
  const url = data.stream || data.retry;
  const sameStream = root.__url === url;
  root.__streaming = Boolean(data.stream);
  root.__streamState = data.stream ? (sameStream ? root.__streamState : "connecting") : "off";
  if (!sameStream) root.__newest = null;
  // A run that read the trainer before the newest frame came (training ended meanwhile, say) shows
  // that frame's status, not its own, and has the page follow it.
  const newest = root.__newest && root.__newest.changes > drawn.changes ? root.__newest : drawn;
  render(root, newest, root.__frames);
  if (newest !== drawn) askIfChanged(root, newest, setTriggerValue);
  // On refreshes while the stream brings frames (its failure was another's: a page's row drawn by
  // the session before a move to another replica): back to it now, not at the next frame.
  if (!root.__streaming && url && HUB.streams.get(url)?.live) askBack(root, setTriggerValue);
  if (sameStream) return;
  if (root.__unsubscribe) root.__unsubscribe();
  root.__url = url;
  root.__unsubscribe = null;
  if (!url) return;
  root.__unsubscribe = subscribeLive(url, drawn.points, (frame) => {
    if (!root.__streaming) {
      askBack(root, setTriggerValue);
      return;
    }
    root.__frames += 1;
    root.__streamState = "live";
    root.__newest = frame.status;
    if (frame.notices) root.__notices = (root.__notices || 0) + 1;
    render(root, frame.status, root.__frames);
    askIfChanged(root, frame.status, setTriggerValue);
    if (frame.notices) {
      announce(root, frame.notices);
      setTriggerValue("notice", JSON.stringify(frame.notices));  // the page runs for it
    }
  }, () => {
    if (!root.__streaming) return;  // on refreshes already
    root.__streamState = "unavailable";
    render(root, drawn, root.__frames);
    setTriggerValue("unavailable", url);
  });
}
"""
    )
    .replace("__WORDS__", json.dumps(STATUS_WORDS))
    .replace("__NOTICE_TEXTS__", json.dumps(NOTICE_TEXTS))
)

_CSS = """
.playground-status { display: grid; grid-template-columns: 1.1fr 1fr 1fr 1.1fr 1fr 1.25fr; gap: 1rem; font-family: "Source Sans", sans-serif; }
.playground-metric-label { font-size: 0.875rem; color: rgba(49, 51, 63, 0.8); }
.playground-metric-value { font-size: 2.25rem; line-height: 1.2; color: rgb(49, 51, 63); white-space: nowrap; }
.playground-metric-note { font-size: 0.875rem; color: rgba(49, 51, 63, 0.6); min-height: 1.2rem; }
.playground-status-notice { grid-column: 1 / -1; padding: 0.5rem 0.75rem; border-radius: 0.5rem;
  background: rgba(28, 131, 225, 0.1); color: rgb(0, 66, 128); font-size: 1rem; }
"""

_component = served_component("playground_live_status", js=_JS, css=_CSS)


def _note_unavailable() -> None:
    """The stream the row names failed: unless it is not this session's (a row that an earlier
    session drew, on a page that moved to another replica, reports its old stream)."""
    state = st.session_state
    failed = state[STATUS_KEY].get("unavailable") if STATUS_KEY in state else None
    if isinstance(failed, str) and failed.rsplit("/", 1)[-1] == state.get("live_token"):
        state[UNAVAILABLE_KEY] = True


def _note_available() -> None:
    st.session_state.pop(UNAVAILABLE_KEY, None)


def _note_notice(draw_first: Callable[[], None] | None) -> None:
    """A frame's notice came: `draw_first` may draw what it brings first, by a rerun of some
    fragments (`st.rerun(scope=[...])`); else (it returns) the whole page runs for it."""
    if draw_first is not None:
        draw_first()
    st.session_state[NOTICE_KEY] = True


def stream_url(trainer: LiveTrainer) -> str:
    """The address of this trainer's stream for this session: a fresh token per trainer, kept for its life."""
    state = st.session_state
    if state.get("live_trainer") is not trainer or LIVE_STREAMS.trainer_for(state.get("live_token", "")) is not trainer:
        state.live_token, state.live_trainer = LIVE_STREAMS.open(trainer), trainer
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(part for part in (base, "api", "live", state.live_token) if part)


def live_status(
    trainer: LiveTrainer,
    streaming: bool = True,
    page_follows: bool = False,
    on_notice: Callable[[], None] | None = None,
) -> None:
    """The status row for `trainer`; `streaming=False` draws it without a stream (refreshed by reruns).
    `page_follows`: the run drawing it is followed by a run of the whole page (a button's command
    drawn first), so the row does not ask for one. `on_notice`: see `_note_notice`."""
    if st.session_state.pop(NOTICE_KEY, False):  # a notice came with this run: the whole page runs for it
        st.rerun(scope="app")
    url = stream_url(trainer)
    _component(
        key=STATUS_KEY,
        data={
            "status": training_status(trainer),
            "stream": url if streaming else None,
            "retry": None if streaming else url,
            "follows": page_follows,
        },
        height="content",
        on_changed_change=lambda: None,
        on_unavailable_change=_note_unavailable,
        on_available_change=_note_available,
        on_notice_change=functools.partial(_note_notice, on_notice),
    )
