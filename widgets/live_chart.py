"""A Plotly chart that updates in place, for the views redrawn while training.

`st.plotly_chart` gives a chart a new identity whenever its figure changes, so the browser throws
the old plot away and builds a new one (`Plotly.newPlot`) on every refresh: 100-220 ms a chart in
Chromium (0.3-0.5 s of the browser's time for each refresh of the status, loss curve and
boundary), and the user's zoom is lost each time. This chart is a Streamlit component (components v2) that keeps its element and hands each new
figure to `Plotly.react`, which changes only what changed (30-60 ms) and, with the figure's
`uirevision`, keeps the user's zoom and pan.

The browser gets plotly.js from the installed `plotly` package (its bundled `plotly.min.js`,
copied once into the app's `static/` folder, which Streamlit serves with
`server.enableStaticServing`): nothing is downloaded. Where that copy cannot be made (a read-only
install), the chart falls back to `st.plotly_chart`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import plotly
import plotly.graph_objects as go
import streamlit as st

from playground.figures.style import streamlit_look

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
PLOTLY_FILE = f"plotly-{plotly.__version__}.min.js"  # the version in the name: a new plotly gets a new file, never a stale cache

# Plotly draws into a plain element in the page (no shadow root: Plotly's own styles are global).
_JS = """
const LOADING = (window.__playgroundPlotly ??= {});

function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!LOADING[src]) {
    LOADING[src] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { delete LOADING[src]; reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }
  return LOADING[src];
}

// The charts the mouse is held down on; one listener for the page lets them all go.
const HELD = (window.__playgroundHeld ??= new Set());
if (!window.__playgroundReleaseHooked) {
  window.__playgroundReleaseHooked = true;
  const release = () => {
    for (const div of HELD) { div.__holding = false; div.__release(); }
    HELD.clear();
  };
  document.addEventListener("pointerup", release, true);  // capture: seen even if a chart stops the event
  document.addEventListener("pointercancel", release, true);
}

// Draws the newest figure only: figures that arrive while one is being drawn replace each other,
// and none is drawn while the user holds the mouse down on the chart (a zoom box or a pan in
// progress would be cut short); the newest one is drawn when they let go.
async function drawLatest(div) {
  if (div.__drawing || div.__holding) return;
  div.__drawing = true;
  try {
    const Plotly = await loadPlotly(div.__src);
    while (div.__pending && !div.__holding) {
      const figure = div.__pending;
      div.__pending = null;
      await Plotly.react(div, figure.data, figure.layout, figure.config);
      div.dataset.draws = String(Number(div.dataset.draws || 0) + 1);
    }
  } catch (error) {
    div.textContent = "This chart could not be drawn: " + error.message;
  } finally {
    div.__drawing = false;
  }
}

export default function (component) {
  const { data, parentElement } = component;
  let div = parentElement.querySelector(":scope > .playground-live-chart");
  if (!div) {
    div = document.createElement("div");
    div.className = "playground-live-chart";
    div.style.width = "100%";
    div.__release = () => drawLatest(div);
    div.addEventListener("pointerdown", () => { div.__holding = true; HELD.add(div); }, true);
    parentElement.appendChild(div);
  }
  const figure = JSON.parse(data.figure);
  figure.config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  div.style.minHeight = (figure.layout.height || 450) + "px";
  div.__src = data.src;
  div.__pending = figure;
  drawLatest(div);
}
"""

_component = st.components.v2.component("playground_live_chart", js=_JS, isolate_styles=False)


@lru_cache(maxsize=1)
def plotly_script_served() -> bool:
    """Put the installed plotly.js into `static/` (once; an atomic copy, safe with many sessions)."""
    target = STATIC_DIR / PLOTLY_FILE
    if target.is_file():
        return True
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    temporary = None
    try:
        STATIC_DIR.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=STATIC_DIR, suffix=".part")
        os.close(handle)
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
        return True
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return False


def _script_url() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(part for part in (base, "app", "static", PLOTLY_FILE) if part)


def live_chart(figure: go.Figure, key: str, text_scale: float = 1.0) -> None:
    """Show `figure`; later calls with the same key update the same chart in place. `text_scale`
    enlarges its text (presenter mode)."""
    if not (st.get_option("server.enableStaticServing") and plotly_script_served()):
        st.plotly_chart(figure, width="stretch", key=key)
        return
    with st.container(key=key):
        _component(key=f"{key}_plot", data={"figure": streamlit_look(figure, text_scale).to_json(), "src": _script_url()}, height="content")
