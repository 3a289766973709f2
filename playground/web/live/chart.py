"""A Plotly chart that updates in place, for the views redrawn while training.

`st.plotly_chart` gives a chart a new identity whenever its figure changes, so the browser throws
the old plot away and builds a new one (`Plotly.newPlot`) on every refresh, and the user's zoom
is lost each time. This chart is a Streamlit component (components v2) that keeps its element and
hands each new figure to `Plotly.react`, which changes only what changed and, with the figure's
`uirevision`, keeps the user's zoom and pan (the README's "The live stream" has the timings).

While training, the loss curve, the decision boundary and the network drawing also follow the
page's live stream (`playground/web/live/hub.js`), with no script run on the server. Plotly draws
each chart whole from the page's figure; between those drawings each frame is painted into what
Plotly drew, without a Plotly layout pass: the plane views' grids on a canvas laid over Plotly's
heatmap pictures (`putImageData`), the links' colours and widths on their SVG lines, the new loss
points on the curves' SVG paths through Plotly's own axis scales. Plotly draws a view again only
when a frame does not fit what it drew (a loss point outside the axes, the network's shape).

Plotly takes tens to hundreds of milliseconds to draw a chart, on the thread that also handles the
user's next click, so a chart is drawn only when that shows something new: a page run that sends
the figure already drawn changes nothing (an edit renames the experiment, and with it the images'
file name, which needs no drawing), and a chart below the screen is drawn again only when it comes
near it.

The browser gets plotly.js from the installed `plotly` package (its bundled `plotly.min.js`,
copied once into the app's `static/` folder, which Streamlit serves with
`server.enableStaticServing`): nothing is downloaded. Where that copy cannot be made (a read-only
install), the chart falls back to `st.plotly_chart`.
"""

from __future__ import annotations

import json
import shutil
from functools import lru_cache
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from playground.figures.style import NEGATIVE, POSITIVE, streamlit_look
from playground.web.live.hub_script import hub_script
from playground.web.static_files import served_component, static_url, write_static

PLOTLY_FILE = (
    f"plotly-{plotly.__version__}.min.js"  # the version in the name: a new plotly gets a new file, never a stale cache
)

# Plotly draws into a plain element in the page (no shadow root: Plotly's own styles are global).
_JS = (
    hub_script()
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

// The plane views painted from a frame. Plotly draws a heatmap as an <image> in its SVG; the frame's
// grid is painted instead on a canvas laid exactly over that image, in the heatmap's own group (an
// SVG foreignObject, so what Plotly draws above the heatmap stays above): `putImageData` through a
// table of the trace's colours, with no picture encoded or decoded and no Plotly layout pass.
// Whenever Plotly draws the chart itself (a figure from the page, a zoom), the canvases are taken
// away and its own images show again, until the next frame. False when the chart has no such image
// (then Plotly redraws it).
const SVG_NS = "http://www.w3.org/2000/svg";
const axisOf = (layout, id) => layout[id[0] + "axis" + id.slice(1)];  // a trace's "x2" to its axis
function colourTable(colorscale) {
  const context = document.createElement("canvas").getContext("2d", { willReadFrequently: true });
  const stops = colorscale.map(([at, colour]) => {
    context.fillStyle = "#000";
    context.fillStyle = colour;
    context.fillRect(0, 0, 1, 1);
    return [at, context.getImageData(0, 0, 1, 1).data];
  });
  const bytes = new Uint8ClampedArray(256 * 4);
  for (let level = 0; level < 256; level++) {
    const t = level / 255;
    let k = 0;
    while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
    const [a, from] = stops[k], [b, to] = stops[Math.min(k + 1, stops.length - 1)];
    const share = b > a ? Math.min(Math.max((t - a) / (b - a), 0), 1) : 0;
    for (let c = 0; c < 3; c++) bytes[level * 4 + c] = from[c] + (to[c] - from[c]) * share;
    bytes[level * 4 + 3] = 255;
  }
  return new Uint32Array(bytes.buffer);  // one pixel per level, in the canvas's own byte order
}

const COLOUR_TABLES = new Map();
function paintGrid(canvas, grid, colorscale, zmin, zmax) {  // one pixel per grid cell
  const [height, width] = grid.shape;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
    canvas.__picture = null;
  }
  const context = (canvas.__context ??= canvas.getContext("2d"));
  const picture = (canvas.__picture ??= context.createImageData(width, height));
  const key = JSON.stringify(colorscale);
  const table = COLOUR_TABLES.get(key) || COLOUR_TABLES.set(key, colourTable(colorscale)).get(key);
  const scale = zmax > zmin ? 255 / (zmax - zmin) : 0;
  const colours = new Uint32Array(256);  // the grid's levels to colours, once per grid
  for (let level = 0; level < 256; level++) {
    colours[level] = table[Math.min(255, Math.max(0, Math.round((grid.low + level * grid.step - zmin) * scale)))];
  }
  const pixels = new Uint32Array(picture.data.buffer), levels = grid.levels;
  for (let r = 0; r < height; r++) {
    const from = (height - 1 - r) * width, to = r * width;  // the grid's first row is the lowest on the plane
    for (let c = 0; c < width; c++) pixels[to + c] = colours[levels[from + c]];
  }
  context.putImageData(picture, 0, 0);
}

// One canvas per chart's heatmap layer (a layer of many canvases costs the browser's compositor
// more than the painting), over the whole subplot, in the layer's own coordinates.
function planeCanvas(layer, width, height) {
  let holder = layer.querySelector(":scope > foreignObject.playground-plane");
  if (!holder) {
    holder = document.createElementNS(SVG_NS, "foreignObject");
    holder.setAttribute("class", "playground-plane");
    holder.style.pointerEvents = "none";  // Plotly's drag layer above takes the mouse
    const canvas = document.createElement("canvas");
    canvas.style.cssText = "display: block; width: 100%; height: 100%;";
    holder.appendChild(canvas);
    layer.appendChild(holder);
  }
  const canvas = holder.firstChild, ratio = window.devicePixelRatio || 1;
  if (holder.getAttribute("width") !== String(width) || holder.getAttribute("height") !== String(height)) {
    for (const [name, value] of [["x", 0], ["y", 0], ["width", width], ["height", height]]) holder.setAttribute(name, value);
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const context = (canvas.__context ??= canvas.getContext("2d"));
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.imageSmoothingEnabled = false;  // a grid cell is a square, as Plotly draws it
  return context;
}

function dropPlaneCanvases(div) {
  for (const holder of div.querySelectorAll("foreignObject.playground-plane")) holder.remove();
  for (const image of div.querySelectorAll("g.hm > image")) image.style.visibility = "";
}

function paintHeatmaps(div, figure, wanted) {
  const groups = new Map();
  for (const group of div.querySelectorAll("g.hm")) {
    const trace = group.__data__ && group.__data__[0] && group.__data__[0].trace;
    if (trace && group.querySelector(":scope > image")) groups.set(trace.index, group);
  }
  if (!div._fullLayout || !wanted.every((i) => groups.has(i) && figure.data[i].__grid)) return false;
  const contexts = new Map();
  for (const i of wanted) {
    const group = groups.get(i), full = group.__data__[0].trace, trace = figure.data[i];
    const image = group.querySelector(":scope > image");
    if (!contexts.has(group.parentNode)) {
      const xa = axisOf(div._fullLayout, full.xaxis), ya = axisOf(div._fullLayout, full.yaxis);
      contexts.set(group.parentNode, planeCanvas(group.parentNode, xa._length, ya._length));
    }
    const context = contexts.get(group.parentNode), picture = (group.__picture ??= document.createElement("canvas"));
    paintGrid(picture, trace.__grid, full.colorscale, trace.zmin ?? full.zmin, trace.zmax ?? full.zmax);
    const [x, y, width, height] = ["x", "y", "width", "height"].map((name) => Number(image.getAttribute(name)));
    context.clearRect(x, y, width, height);
    context.globalAlpha = Number(image.style.opacity || 1);
    context.drawImage(picture, x, y, width, height);
    image.style.visibility = "hidden";
  }
  return true;
}

// Links recoloured from a frame: each link is a Plotly line (a `path.js-line` in its trace's group);
// its stroke is set in place and the weights' hover texts are changed where Plotly reads them on
// hover (the trace's points), without Plotly computing and drawing the chart again. False when the
// drawn chart does not have them (then Plotly restyles it).
function paintLinks(div, figure) {
  const paths = new Map();
  for (const group of div.querySelectorAll("g.scatterlayer g.trace")) {
    const trace = group.__data__ && group.__data__[0] && group.__data__[0].trace;
    const path = trace && trace.name === "link" && group.querySelector("path.js-line");
    if (path) paths.set(trace.index, path);
  }
  const hover = figure.data.findIndex((t) => t.name === "weights");
  const points = div.calcdata && div.calcdata[hover];
  const texts = figure.data[hover] && figure.data[hover].hovertext;
  const links = [];
  figure.data.forEach((t, i) => { if (t.name === "link") links.push(i); });
  if (!points || !Array.isArray(texts) || points.length !== texts.length || !links.every((i) => paths.has(i))) return false;
  for (const i of links) {
    const { color, width } = figure.data[i].line;
    paths.get(i).style.stroke = color;
    paths.get(i).style.strokeWidth = width + "px";
  }
  points.forEach((point, k) => { point.htx = texts[k]; });
  return true;
}

// The loss curves drawn from a frame. While every point falls inside the chart's axes, each curve's
// line (its `path.js-line`) is drawn in place through Plotly's own axis scales, with no Plotly
// layout pass (the slow part: tens of milliseconds). A point outside them has Plotly draw the chart
// again, with room ahead on the epoch axis (CURVE_HEADROOM) so that the next points fit; so does
// CURVE_REDRAW_MS since its last drawing (the hover reads what Plotly drew). An axis the user zoomed
// or that the figure fixes clips the lines, as Plotly's would.
const CURVE_HEADROOM = 0.25;
const CURVE_REDRAW_MS = 2000;

function paintCurves(div, figure, wanted) {
  if (!div._fullLayout || performance.now() - (div.__plottedAt || 0) > CURVE_REDRAW_MS) return false;
  const lines = new Map();
  for (const group of div.querySelectorAll("g.scatterlayer g.trace")) {
    const trace = group.__data__ && group.__data__[0] && group.__data__[0].trace;
    const path = trace && group.querySelector("path.js-line");
    if (path) lines.set(trace.index, [trace, path]);
  }
  const drawn = [];
  for (const i of wanted) {
    if (!lines.has(i)) return false;
    const [full, path] = lines.get(i);
    const xa = axisOf(div._fullLayout, full.xaxis), ya = axisOf(div._fullLayout, full.yaxis);
    const [xFits, yFits] = [xa.autorange, ya.autorange];  // else the axis clips
    const { x, y } = figure.data[i];
    let d = "", pen = false;
    for (let k = 0; k < x.length; k++) {
      const px = xa.c2p(x[k]), py = y[k] === null ? NaN : ya.c2p(y[k]);
      if (!Number.isFinite(px) || !Number.isFinite(py)) { pen = false; continue; }  // a gap, as Plotly leaves it
      if ((xFits && (px < -0.5 || px > xa._length + 0.5)) || (yFits && (py < -0.5 || py > ya._length + 0.5))) return false;
      d += (pen ? "L" : "M") + px.toFixed(2) + "," + py.toFixed(2);
      pen = true;
    }
    drawn.push([path, d]);
  }
  for (const [path, d] of drawn) path.setAttribute("d", d);
  return true;
}

// Room ahead on the epoch axes when Plotly draws the curves from a frame: each axis that follows the
// data keeps doing so, and also takes in a quarter beyond the last epoch (`autorangeoptions`, so a
// zoom of the user's is the user's, and the page's next figure starts from the data again).
function curvesHeadroom(div, figure) {
  const curves = figure.data.slice(0, CURVES.length);
  const epochs = curves.flatMap((t) => (t.x.length ? [t.x[0], t.x[t.x.length - 1]] : []));
  if (!div._fullLayout || !epochs.length) return {};
  const low = Math.min(...epochs), high = Math.max(...epochs);
  const changes = {};
  for (const id of new Set(curves.map((t) => t.xaxis || "x"))) {
    const axis = axisOf(div._fullLayout, id);
    if (axis && axis.autorange) changes[axis._name + ".autorangeoptions.include"] = [high + Math.max(CURVE_HEADROOM * (high - low), 1)];
  }
  return changes;
}

// Draws the newest figure only: figures that arrive while one is being drawn replace each other,
// and none is drawn while the user holds the mouse down on the chart (a zoom box or a pan in
// progress would be cut short); the newest one is drawn when they let go. A figure from the page
// is drawn whole (`Plotly.react`); a frame of the live stream changes only its view, painted in
// place where it can be (the view's `paint`: the plane views' canvases, the curves' lines), else
// drawn by Plotly (`Plotly.update` of the view's traces), at most every PATCH_SPACING times
// Plotly's drawing time (tens of milliseconds), so the frames keep coming at the display's rate.
const PATCH_SPACING = 5;
async function drawLatest(div) {
  if (div.__drawing || div.__holding || (div._fullLayout && !div.__onScreen)) return;
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
        if (!div.__planesHooked) {  // a zoom or pan redraws the images: they show until the next frame
          div.__planesHooked = true;
          div.on("plotly_afterplot", () => dropPlaneCanvases(div));
        }
        dropPlaneCanvases(div);
        div.__plottedAt = performance.now();
      } else {
        const patch = div.__patched, figure = div.__figure, traces = patch.traces(figure);
        if (patch.paint && patch.paint(div, figure, traces)) {
          div.__patched = null;
        } else {  // Plotly draws it: at most every PATCH_SPACING times its drawing time
          const due = (div.__patchedAt || 0) + PATCH_SPACING * (div.__patchCost || 0) - started;
          if (due > 0) {
            setTimeout(() => drawLatest(div), due);
            break;
          }
          div.__patched = null;
          await Plotly.update(div, patch.restyle(figure), patch.relayout ? patch.relayout(div, figure) : {}, traces);
          div.__plottedAt = div.__patchedAt = performance.now();
          div.__patchCost = 0.7 * (div.__patchCost || 0) + 0.3 * (div.__patchedAt - started);
        }
        if (patch.after) await patch.after(div, figure, Plotly);
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
    paint: paintCurves,
    relayout: curvesHeadroom,
  },
  boundary: {
    apply(figure, frame) {
      const heatmap = figure.data[0];
      if (!frame.grid || !heatmap || heatmap.type !== "heatmap") return false;
      heatmap.__grid = frame.grid;
      heatmap.z = gridRows(frame.grid);
      return true;
    },
    restyle: (figure) => ({ z: [figure.data[0].z] }),
    traces: () => [0],
    paint: paintHeatmaps,
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
          Object.assign(figure.data[i], { __grid: encoded, z: gridRows(encoded), zmin: -reach, zmax: reach });
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
    paint: paintHeatmaps,
    async after(div, figure, Plotly) {  // the links, when the frame recoloured them
      if (!figure.__linksChanged) return;
      figure.__linksChanged = false;
      if (paintLinks(div, figure)) return;
      const links = [], hover = [];
      figure.data.forEach((t, i) => (t.name === "link" ? links : t.name === "weights" ? hover : []).push(i));
      await Plotly.restyle(div, { "line.color": links.map((i) => figure.data[i].line.color),
                                  "line.width": links.map((i) => figure.data[i].line.width) }, links);
      await Plotly.restyle(div, { hovertext: [figure.data[hover[0]].hovertext] }, hover);
    },
  },
};

// A chart off screen is drawn once, and then again only when it comes near the screen: an edit's run
// or a frame changes what nobody sees without Plotly drawing it (a few of the page's charts are
// below the first screen, and Plotly takes tens to hundreds of milliseconds for each).
const SIGHT_MARGIN = "100px 0px";
function watchSight(div) {
  div.__onScreen = true;  // until the observer's first report, soon after this
  new IntersectionObserver((entries) => {
    div.__onScreen = entries[entries.length - 1].isIntersecting;
    if (div.__onScreen) drawLatest(div);
  }, { rootMargin: SIGHT_MARGIN }).observe(div);
}

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
    div.__figureText = null;  // what is drawn is no longer the page's figure
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

// Whether two configs draw the same chart: they may differ in the images' file name, which Plotly's
// toolbar reads from the chart's context when clicked (`Plotly.react` draws the chart anew for any
// change of its config).
function drawnAlike(drawn, config) {
  const { toImageButtonOptions: _, ...rest } = config;
  const { toImageButtonOptions: __, ...drawnRest } = drawn || {};
  return drawn !== undefined && JSON.stringify(rest) === JSON.stringify(drawnRest);
}

function rename(div, config) {
  div.__config = config;
  for (const figure of [div.__pending, div.__figure]) if (figure) figure.config = config;
  if (div._context) div._context.toImageButtonOptions = config.toImageButtonOptions;
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
    watchSight(div);
  }
  const config = { responsive: true, ...data.config, modeBarButtonsToAdd: [SVG_BUTTON] };
  follow(div, data.stream, data.view, data.points);
  watchDetails(parentElement);
  if (div.__figureText === data.figure && drawnAlike(div.__config, config)) {
    // The figure drawn (or still to draw) again: a run that changed nothing here, or the data preview
    // after an edit, under the experiment's new name. Plotly would parse and draw it all again.
    rename(div, config);
    return;
  }
  div.__figureText = data.figure;
  div.__config = config;
  const figure = JSON.parse(data.figure);
  figure.config = config;
  div.style.minHeight = (figure.layout.height || 450) + "px";
  div.__src = data.src;
  div.__figure = figure;
  div.__pending = figure;
  drawLatest(div);
}
""".replace("__POSITIVE__", json.dumps(POSITIVE)).replace("__NEGATIVE__", json.dumps(NEGATIVE))
)

_component = served_component("playground_live_chart", js=_JS)


@lru_cache(maxsize=1)
def plotly_script_served() -> bool:
    """Put the installed plotly.js into `static/` (once)."""
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return write_static(PLOTLY_FILE, lambda path: shutil.copyfile(source, path))


def live_chart(
    figure: go.Figure | str,
    key: str,
    config: dict,
    text_scale: float = 1.0,
    stream: str | None = None,
    view: str | None = None,
    points: int = 0,
) -> None:
    """Show `figure` (a Plotly figure, or its JSON with Streamlit's look and `text_scale` applied:
    `shared_figures`); later calls with the same key update the same chart in place. `config`:
    Plotly's, from `chart_images.chart_config` (its toolbar saves the chart as PNG, and here also
    as SVG, under the name the config gives). `text_scale`
    enlarges its text (presenter mode). With a `stream` address, frames keep `view` ("loss",
    "boundary" or "network") up to date between runs; `points`: the history rows the figure shows."""
    if not (st.get_option("server.enableStaticServing") and plotly_script_served()):
        shown = pio.from_json(figure) if isinstance(figure, str) else figure
        st.plotly_chart(shown, width="stretch", key=key, config=config)
        return
    with st.container(key=key):
        _component(
            key=f"{key}_plot",
            data={
                "figure": figure if isinstance(figure, str) else streamlit_look(figure, text_scale).to_json(),
                "src": static_url(PLOTLY_FILE),
                "stream": stream,
                "view": view,
                "points": points,
                "config": config,
            },
            height="content",
        )
