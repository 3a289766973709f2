"""The lecturer's board: every student's live tile, the leaderboard, the roll-up and the spotlight.

Drawn for a projector. The tiles are one block of HTML with a small PNG boundary each (a few
hundred bytes, smoothed by the browser; `figures/class_tiles.py`), every text in them a student's
and escaped. A component draws them and keeps them live on its own: it asks the board's route for
them twice a second (`playground/web/live/board_route.py`), so the tiles follow the class without
a run of the page. A row of names under them spotlights one student.
"""

from __future__ import annotations

import base64
import time

import pandas as pd
import streamlit as st

from playground.classes.class_results import SCORES
from playground.classes.class_saves import ANSWER_SECONDS, SaveAsk
from playground.classes.class_store import Member
from playground.figures.chart_images import chart_config
from playground.figures.class_rollup import SCORE_LABELS, class_rollup
from playground.figures.class_tiles import tile_png, tiles_html
from playground.figures.history_charts import loss_curve
from playground.web.live.board_route import TILES_PATH
from playground.web.live.route import under_base
from playground.web.static_files import served_component
from playground.web.widgets.safe_text import plain

SPOTLIGHT_KEY = "class_spotlight"
TILES_SECONDS = 0.5  # how often the board's browser asks for the tiles
CSS = """
.class-board { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 0.6rem; }
.class-tile { border: 1px solid #e6e9ef; border-radius: 0.5rem; padding: 0.4rem; text-align: center; }
.class-tile.spotlit { border: 3px solid #0877bd; }
.class-tile img, .class-tile .class-tile-score { width: 100%; aspect-ratio: 1; border-radius: 0.3rem;
  image-rendering: auto; display: block; }
.class-tile .class-tile-score { display: flex; align-items: center; justify-content: center;
  font-size: 2rem; background: #f0f2f6; }
.class-tile-name { font-weight: 600; font-size: 1.05rem; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; margin-top: 0.25rem; }
.class-tile-line, .class-tile-arch { font-size: 0.9rem; color: rgba(49, 51, 63, 0.75); white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
"""

# The tiles as the page's run drew them, then as the route gives them every `seconds` (the run's
# again only if the route has not answered lately: a proxy in the way, say). The HTML is the
# server's, every student's text escaped (`tiles_html`); the spotlit tile is marked here.
_TILES_JS = """
function draw(board, html) {
  if (html !== board.__html) {
    board.innerHTML = html;
    board.__html = html;
  }
  for (const tile of board.children) tile.classList.toggle("spotlit", tile.dataset.member === board.__spotlit);
}

async function ask(board) {
  if (!board.isConnected) {
    clearInterval(board.__timer);
    return;
  }
  if (board.__asking || document.hidden) return;
  board.__asking = true;
  try {
    const answer = await fetch(board.__url, { credentials: "same-origin", cache: "no-store" });
    if (answer.ok) {
      const tiles = await answer.json();
      board.__answeredAt = Date.now();
      draw(board, tiles.html);
    }
  } catch (error) {
    // the next ask tries again; meanwhile the page's runs bring the tiles
  } finally {
    board.__asking = false;
  }
}

export default function (component) {
  const { data, parentElement } = component;
  let board = parentElement.querySelector(":scope > .class-board");
  if (!board) {
    board = document.createElement("div");
    board.className = "class-board";
    parentElement.appendChild(board);
  }
  board.__url = data.url;
  board.__spotlit = data.spotlit;
  const answeredLately = Date.now() - (board.__answeredAt || 0) < 3000 * data.seconds;
  draw(board, answeredLately ? board.__html : data.html);
  if (!board.__timer) board.__timer = setInterval(() => ask(board), 1000 * data.seconds);
}
"""


def _number(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


_tiles_component = served_component("playground_class_tiles", js=_TILES_JS, css=CSS)


def tiles(members: list[Member]) -> None:
    """Every student's tile, kept live by the browser, and the choice of whom to spotlight."""
    if not members:
        st.info("No student has joined yet. They join with the code above, on their own devices.")
        return
    spotlit = st.session_state.get(SPOTLIGHT_KEY)
    names = {m.id: m.name for m in members}
    if spotlit and spotlit not in names:  # that student left
        st.session_state[SPOTLIGHT_KEY] = spotlit = None
    _tiles_component(
        key="class_tiles",
        data={
            "html": tiles_html(members),
            "url": under_base(st.get_option("server.baseUrlPath") or "", TILES_PATH),
            "seconds": TILES_SECONDS,
            "spotlit": spotlit,
        },
        height="content",
    )
    st.pills(  # one click, no list to open: the fragment's redraw would close a list
        "Spotlight a student",
        list(names),
        format_func=lambda member_id: plain(names.get(member_id, "?")),  # pills draw Markdown: names as text
        key=SPOTLIGHT_KEY,
        help="Shows that student's experiment large, above the tiles; click again to close it",
    )


def _close_spotlight() -> None:
    st.session_state[SPOTLIGHT_KEY] = None


def leaderboard(table: pd.DataFrame, varied: list[str]) -> None:
    """`table` and `varied` from `class_results`: the students ranked by test loss, then size."""
    ranked = table.sort_values(["test_loss", "parameters"], na_position="last")
    shown = ranked[["name", "architecture", *SCORES, *varied[:3]]].rename(
        columns={score: SCORE_LABELS.get(score, score) for score in SCORES}
    )
    st.dataframe(shown, hide_index=True, width="stretch", height=min(36 * (len(shown) + 1) + 4, 380))


def rollup(table: pd.DataFrame, varied: list[str], subject: str) -> None:
    left, right = st.columns([3, 1])
    with right:
        chosen = st.selectbox(
            "Against",
            varied or [""],
            format_func=lambda name: name or "each student (nothing varied)",
            key="rollup_setting",
            help="The settings that differ between the students' experiments",
        )
        setting = chosen if chosen in varied else None
        score: str = st.selectbox(
            "Score", list(SCORE_LABELS), key="rollup_score", format_func=lambda name: SCORE_LABELS[name]
        )
    with left:
        st.plotly_chart(
            class_rollup(table, setting, score), key="class_rollup", config=chart_config("class-results", subject)
        )


def spotlight_panel(member: Member, on_open, on_push, on_save, saved: SaveAsk | None) -> None:
    """The spotlit student, large: their boundary, scores and test-loss curve, and what the lecturer can
    do (`saved`: the lecturer's last ask to save this student's run, and its answer)."""
    tile = member.tile
    st.subheader(f"Spotlight: {plain(member.name)}")
    picture, numbers = st.columns([1, 1.4])
    png = tile_png(tile)
    with picture:
        if png is not None:
            st.html(
                f'<img alt="decision boundary" style="width:100%;max-width:420px;aspect-ratio:1;border-radius:0.5rem" '
                f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
            )
        else:
            st.metric("Test accuracy", _number(tile.test_accuracy, 3))
    with numbers:
        st.markdown(f"**{plain(tile.architecture)}** · {plain(tile.dataset)} · {tile.parameters:,} parameters")
        cells = st.columns(3)
        cells[0].metric("Epoch", f"{tile.epoch:,}")
        cells[1].metric("Test loss", _number(tile.test_loss, 4))
        cells[2].metric("Learning rate", "—" if tile.learning_rate is None else f"{tile.learning_rate:g}")
        if tile.losses:
            curve = loss_curve(list(tile.losses), "Test loss over the latest epochs").update_layout(height=230)
            curve.update_traces(x=tile.loss_epochs().tolist())
            st.plotly_chart(curve, key="spotlight_losses", config=chart_config("test-loss", member.name))
        actions = st.columns([1.3, 1.1, 1, 0.7])
        actions[0].button(
            "Open on the projector",
            key="spotlight_open",
            on_click=on_open,
            args=(member,),
            disabled=member.spec is None,
            help="Opens this experiment on your playground, in presenter mode, to train it in front of the room",
            type="primary",
        )
        actions[1].button(
            "Push to the class", key="spotlight_push", on_click=on_push, args=(member,), disabled=member.spec is None
        )
        actions[2].button(
            "Save as a run",
            key="spotlight_save",
            on_click=on_save,
            args=(member,),
            help="Saves the student's run as it stands (their whole history) on your Runs page",
        )
        actions[3].button("Close", key="spotlight_close", on_click=_close_spotlight)
        _save_answer(saved)


def _save_answer(saved: SaveAsk | None) -> None:
    if saved is None:
        return
    if saved.run_id is not None:
        st.success("Saved as a run: it is on your **Runs** page.")
    elif saved.problem is not None:
        st.warning(plain(saved.problem))
    elif time.time() - saved.asked_at > ANSWER_SECONDS:
        st.warning("The student's page did not answer: it may have been closed. Try again while it is open.")
    else:
        st.caption("Saving: the student's server saves it within a second…")
