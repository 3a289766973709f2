"""A Plotly chart that updates in place, for the views redrawn while training.

`st.plotly_chart` gives a chart a new identity whenever its figure changes, so the browser throws
the old plot away and builds a new one (`Plotly.newPlot`) on every refresh, and the user's zoom
is lost each time. This chart is a Streamlit component (components v2) that keeps its element and
hands each new figure to `Plotly.react`, which changes only what changed and, with the figure's
`uirevision`, keeps the user's zoom and pan (the README's "The live stream" has the timings).

While training, the loss curve, the decision boundary and the neuron maps also follow the page's
live stream (`playground/web/live/hub.js`): each frame appends the new loss points or replaces the
grids, and the chart is redrawn with `Plotly.react`, with no script run on the server.

The browser gets plotly.js from the installed `plotly` package (its bundled `plotly.min.js`,
copied once into the app's `static/` folder, which Streamlit serves with
`server.enableStaticServing`): nothing is downloaded. Where that copy cannot be made (a read-only
install), the chart falls back to `st.plotly_chart`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import plotly
import plotly.graph_objects as go
import streamlit as st

from playground.figures.style import NEGATIVE, POSITIVE, streamlit_look

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
PLOTLY_FILE = (
    f"plotly-{plotly.__version__}.min.js"  # the version in the name: a new plotly gets a new file, never a stale cache
)

# Plotly draws into a plain element in the page (no shadow root: Plotly's own styles are global).
_JS = (
    Path(__file__).with_name("hub.js").read_text()
    + """
const LOADING = (window.__playgroundPlotly ??= {});

// A failed load is tried again a few times: the page may be moving to another server (a replica
// going away behind the load balancer, or a restart).
function loadPlotly(src, attempts = 4) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!LOADING[src]) {
    LOADING[src] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        script.remove();
        delete LOADING[src];
        if (attempts > 1) setTimeout(() => loadPlotly(src, attempts - 1).then(resolve, reject), 1500);
        else reject(new Error("could not load " + src));
      };
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

// Heatmaps repainted from a frame: Plotly draws a heatmap as an <image> in its SVG; a new picture
// of the grid goes into that image, in the trace's own colours, without Plotly laying the chart
// out again (the slow part of a redraw). False when the chart has no such image
// (then Plotly redraws it).
function colourTable(colorscale, opacity) {
  const context = document.createElement("canvas").getContext("2d");
  const stops = colorscale.map(([at, colour]) => {
    context.fillStyle = "#000";
    context.fillStyle = colour;
    context.fillRect(0, 0, 1, 1);
    return [at, context.getImageData(0, 0, 1, 1).data];
  });
  const table = new Uint8ClampedArray(256 * 4);
  for (let level = 0; level < 256; level++) {
    const t = level / 255;
    let k = 0;
    while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
    const [a, from] = stops[k], [b, to] = stops[Math.min(k + 1, stops.length - 1)];
    const share = b > a ? Math.min(Math.max((t - a) / (b - a), 0), 1) : 0;
    for (let c = 0; c < 3; c++) table[level * 4 + c] = from[c] + (to[c] - from[c]) * share;
    table[level * 4 + 3] = 255;
  }
  return table;
}

function heatmapPicture(z, colorscale, zmin, zmax, canvas) {
  const height = z.length, width = z[0].length;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  const picture = context.createImageData(width, height);
  const table = (canvas.__table ??= new Map()).get(colorscale) || canvas.__table.set(colorscale, colourTable(colorscale)).get(colorscale);
  const scale = zmax > zmin ? 255 / (zmax - zmin) : 0;
  for (let r = 0; r < height; r++) {
    const row = z[height - 1 - r];  // the first row is the lowest on the plane
    for (let c = 0; c < width; c++) {
      const level = Math.min(255, Math.max(0, Math.round((row[c] - zmin) * scale))) * 4, at = (r * width + c) * 4;
      picture.data.set(table.subarray(level, level + 4), at);
    }
  }
  context.putImageData(picture, 0, 0);
  return canvas.toDataURL();
}

function paintHeatmaps(div, figure, wanted) {
  const groups = new Map();
  for (const group of div.querySelectorAll("g.hm")) {
    const trace = group.__data__ && group.__data__[0] && group.__data__[0].trace;
    if (trace && group.querySelector("image")) groups.set(trace.index, group);
  }
  if (!wanted.every((i) => groups.has(i) && figure.data[i].z && figure.data[i].z.length)) return false;
  const canvas = (div.__canvas ??= document.createElement("canvas"));
  for (const i of wanted) {
    const full = groups.get(i).__data__[0].trace, trace = figure.data[i];
    const image = groups.get(i).querySelector("image");
    image.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:href",
                         heatmapPicture(trace.z, full.colorscale, trace.zmin ?? full.zmin, trace.zmax ?? full.zmax, canvas));
    image.style.imageRendering = "pixelated";
  }
  return true;
}

// Draws the newest figure only: figures that arrive while one is being drawn replace each other,
// and none is drawn while the user holds the mouse down on the chart (a zoom box or a pan in
// progress would be cut short); the newest one is drawn when they let go. A figure from the page
// is drawn whole (`Plotly.react`); a frame of the live stream changes only its view
// (heatmaps repainted, or `Plotly.restyle` of the view's traces). A view that is slow to redraw
// (the loss curves: tens of milliseconds) is redrawn at most every PATCH_SPACING times its drawing
// time, so the frames keep coming at the display's rate.
const PATCH_SPACING = 5;
async function drawLatest(div) {
  if (div.__drawing || div.__holding) return;
  div.__drawing = true;
  try {
    const Plotly = await loadPlotly(div.__src);
    while ((div.__pending || div.__patched) && !div.__holding) {
      const started = performance.now();
      if (div.__pending) {
        const figure = div.__pending;
        div.__pending = null;
        div.__patched = null;
        await Plotly.react(div, figure.data, figure.layout, figure.config);
      } else {
        const due = (div.__patchedAt || 0) + PATCH_SPACING * (div.__patchCost || 0) - started;
        if (due > 0) {
          setTimeout(() => drawLatest(div), due);
          break;
        }
        const patch = div.__patched;
        div.__patched = null;
        const traces = patch.traces(div.__figure);
        if (!(patch.heatmaps && paintHeatmaps(div, div.__figure, traces))) await Plotly.restyle(div, patch.restyle(div.__figure), traces);
        if (patch.after) await patch.after(div, div.__figure, Plotly);
        div.__patchedAt = performance.now();
        div.__patchCost = 0.7 * (div.__patchCost || 0) + 0.3 * (div.__patchedAt - started);
      }
      div.dataset.draws = String(Number(div.dataset.draws || 0) + 1);
    }
  } catch (error) {
    div.textContent = "This chart could not be drawn: " + error.message;
  } finally {
    div.__drawing = false;
  }
}

// How a frame changes each streamed view's figure (`apply`, which says whether it changed
// anything), and the traces to redraw then (`restyle`: the changed attributes, `traces`: which).
const POSITIVE = __POSITIVE__, NEGATIVE = __NEGATIVE__;  // playground.figures.style: the links' colours
const MAX_CURVE_POINTS = 600;
const CURVES = ["train_loss", "test_loss", "train_accuracy", "test_accuracy"];
const indices = (count) => Array.from({ length: count }, (_, i) => i);
const PATCHES = {
  loss: {
    apply(figure, frame) {
      const traces = figure.data.slice(0, CURVES.length);
      if (frame.reset) for (const trace of traces) { trace.x = []; trace.y = []; }
      const rows = frame.rows;
      if (!rows) return Boolean(frame.reset);
      traces.forEach((trace, i) => {
        const x = (trace.x = plainArray(trace.x)), y = (trace.y = plainArray(trace.y));
        const last = x.length ? x[x.length - 1] : -Infinity;
        rows.epoch.forEach((epoch, k) => { if (epoch > last) { x.push(epoch); y.push(rows[CURVES[i]][k]); } });
        if (x.length > MAX_CURVE_POINTS) {  // thin out evenly, keeping the first and the newest point
          trace.x = x.filter((_, k) => k % 2 === 0 || k === x.length - 1);
          trace.y = y.filter((_, k) => k % 2 === 0 || k === y.length - 1);
        }
      });
      return true;
    },
    restyle(figure) {
      const traces = figure.data.slice(0, CURVES.length);
      return { x: traces.map((t) => t.x), y: traces.map((t) => t.y) };
    },
    traces: (figure) => indices(Math.min(figure.data.length, CURVES.length)),
  },
  boundary: {
    apply(figure, frame) {
      const heatmap = figure.data[0];
      if (!frame.grid || !heatmap || heatmap.type !== "heatmap") return false;
      heatmap.z = gridRows(frame.grid);
      return true;
    },
    restyle: (figure) => ({ z: [figure.data[0].z] }),
    traces: () => [0],
    heatmaps: true,
  },
  // The network drawing: its first traces are the hidden neurons' maps, in the frame's order, and
  // one trace per drawn link (named "link"), in the order of the frame's `links`.
  network: {
    apply(figure, frame) {
      const count = frame.neurons ? frame.neurons.length : 0;
      const maps = count && count <= figure.data.length && figure.data.slice(0, count).every((t) => t.type === "heatmap");
      if (maps) {
        frame.neurons.forEach((encoded, i) => {
          const reach = Math.max(Math.abs(encoded.low), Math.abs(encoded.high)) || 1;
          Object.assign(figure.data[i], { z: gridRows(encoded), zmin: -reach, zmax: reach });
        });
        figure.__maps = count;
      }
      const links = figure.data.filter((t) => t.name === "link");
      const hover = figure.data.find((t) => t.name === "weights");
      const recoloured = frame.links && hover && links.length === frame.links.length;
      if (recoloured) {
        const strongest = Math.max(...frame.links.map(Math.abs)) || 1;
        links.forEach((trace, i) => {
          const value = frame.links[i], band = Math.min(Math.floor((5 * Math.abs(value)) / strongest), 4);
          trace.line = { color: value >= 0 ? POSITIVE : NEGATIVE, width: 0.7 + 1.2 * band };
        });
        hover.hovertext = plainArray(hover.hovertext).map((text, i) =>
          text.replace(/^weight [^<]*/, "weight " + (frame.links[i] >= 0 ? "+" : "") + frame.links[i].toFixed(3)));
        figure.__linksChanged = true;
      }
      return Boolean(maps || recoloured);
    },
    restyle(figure) {
      const maps = figure.data.slice(0, figure.__maps || 0);
      return { z: maps.map((t) => t.z), zmin: maps.map((t) => t.zmin), zmax: maps.map((t) => t.zmax) };
    },
    traces: (figure) => indices(figure.__maps || 0),
    heatmaps: true,
    async after(div, figure, Plotly) {  // the links, when the frame recoloured them
      if (!figure.__linksChanged) return;
      figure.__linksChanged = false;
      const links = [], hover = [];
      figure.data.forEach((t, i) => (t.name === "link" ? links : t.name === "weights" ? hover : []).push(i));
      await Plotly.restyle(div, { "line.color": links.map((i) => figure.data[i].line.color),
                                  "line.width": links.map((i) => figure.data[i].line.width) }, links);
      await Plotly.restyle(div, { hovertext: [figure.data[hover[0]].hovertext] }, hover);
    },
  },
};

function follow(div, stream, view, points) {
  const key = stream && PATCHES[view] ? stream + " " + view : null;
  if (div.__followKey === key) return;
  if (div.__unfollow) div.__unfollow();
  div.__followKey = key;
  div.__unfollow = null;
  if (!key) return;
  div.__unfollow = subscribeLive(stream, points, (frame) => {
    const figure = div.__figure;
    if (!figure || !PATCHES[view].apply(figure, frame)) return;
    if (!div.__pending) div.__patched = PATCHES[view];  // a whole figure still to draw includes the change
    drawLatest(div);
  });
}

// Beside Plotly's camera (a PNG at twice the screen's resolution), a button that saves the chart
// as SVG, for slides that scale it, under the camera's file name. One object for every chart and
// every redraw: `Plotly.react` redraws a chart from scratch when its config changes, and a new
// function each time would count as a change.
const SVG_BUTTON = {
  name: "download-svg",
  title: "Download as SVG (for slides)",
  icon: { width: 24, height: 24, path: "M5 20h14v-2H5v2zM19 9h-4V3H9v6H5l7 7 7-7z" },
  click: (div) => window.Plotly.downloadImage(div, { ...div._context.toImageButtonOptions, format: "svg" }),
};

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
  figure.config = { responsive: true, ...data.config, modeBarButtonsToAdd: [SVG_BUTTON] };
  div.style.minHeight = (figure.layout.height || 450) + "px";
  div.__src = data.src;
  div.__figure = figure;
  div.__pending = figure;
  drawLatest(div);
  follow(div, data.stream, data.view, data.points);
}
""".replace("__POSITIVE__", json.dumps(POSITIVE)).replace("__NEGATIVE__", json.dumps(NEGATIVE))
)

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


def live_chart(
    figure: go.Figure,
    key: str,
    config: dict,
    text_scale: float = 1.0,
    stream: str | None = None,
    view: str | None = None,
    points: int = 0,
) -> None:
    """Show `figure`; later calls with the same key update the same chart in place. `config`:
    Plotly's, from `chart_images.chart_config` (its toolbar saves the chart as PNG, and here also
    as SVG, under the name the config gives). `text_scale`
    enlarges its text (presenter mode). With a `stream` address, frames keep `view` ("loss",
    "boundary" or "network") up to date between runs; `points`: the history rows the figure shows."""
    if not (st.get_option("server.enableStaticServing") and plotly_script_served()):
        st.plotly_chart(figure, width="stretch", key=key, config=config)
        return
    with st.container(key=key):
        _component(
            key=f"{key}_plot",
            data={
                "figure": streamlit_look(figure, text_scale).to_json(),
                "src": _script_url(),
                "stream": stream,
                "view": view,
                "points": points,
                "config": config,
            },
            height="content",
        )
