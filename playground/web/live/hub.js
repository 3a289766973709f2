// The page's live streams, shared by every component on the page: one WebSocket per trainer token
// (playground/web/live/route.py). Components subscribe with a listener; each frame goes to every listener,
// and the next frame is asked for once the browser has painted (requestAnimationFrame), so frames
// come at the display's rate and never queue. A stream whose socket closes twice in a row before a
// single frame came (a proxy that blocks or drops WebSockets) is marked failed: its failure
// listeners then switch the page to plain refreshes. It is still tried again, less and less often
// (at most every `FAILED_RETRY_MAX_MS`), and a frame that comes marks it working again.
const HUB = (window.__playgroundLive ??= { streams: new Map() });
const FAILED_RETRY_MAX_MS = 30000;

// A frame (binary: playground/web/live/frames.py has the layout) as the views use it: the whole
// status (this frame's changed fields over the stream's last), the rows as columns, the link
// weights, and the grids as {shape, low, high, step, levels}, a value being low + level * step.
// A frame that carries a network's weights has its grids and links computed from them
// (plane_views.js), each only when a view asks for it.
const ROW_COLUMNS = ["epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"];
const HEADER_TEXT = new TextDecoder();
async function readFrame(stream, buffer) {
  const view = new DataView(buffer);
  const length = view.getUint32(0, true);
  const header = JSON.parse(HEADER_TEXT.decode(new Uint8Array(buffer, 4, length)));
  let at = 4 + length;
  stream.status = { ...stream.status, ...header.status };
  const frame = { frame: header.frame, status: stream.status };
  if (header.reset) frame.reset = true;
  if (header.notices) frame.notices = header.notices;
  if (header.rows) {
    const values = new Float32Array(buffer.slice(at, (at += header.rows * ROW_COLUMNS.length * 4)));
    frame.rows = {};
    ROW_COLUMNS.forEach((column, c) => {
      frame.rows[column] = Array.from({ length: header.rows }, (_, r) => {
        const value = values[r * ROW_COLUMNS.length + c];
        return Number.isNaN(value) ? null : value;
      });
    });
  }
  if (header.plane) stream.plane = header.plane;
  if (header.weights) {
    const flat = new Float32Array(buffer.slice(at, (at += header.weights * 4)));
    if (stream.plane) {
      const views = planeViews(stream.plane, flat);
      let grid, neurons, links;
      Object.defineProperty(frame, "links", { get: () => (links ??= views.links()), enumerable: true });
      Object.defineProperty(frame, "grid", { get: () => (grid ??= views.boundary()), enumerable: true });
      Object.defineProperty(frame, "neurons", { get: () => (neurons ??= views.neurons()), enumerable: true });
    }
  }
  if (header.links) frame.links = Array.from(new Float32Array(buffer.slice(at, (at += header.links * 4))));
  if (header.grid_bytes) {
    const scales = [];
    for (let i = 0; i < (header.boundary ? 1 : 0) + (header.neurons || 0); i++, at += 12) {
      scales.push({ height: view.getUint16(at, true), width: view.getUint16(at + 2, true),
                    low: view.getFloat32(at + 4, true), step: view.getFloat32(at + 8, true) });
    }
    const packed = new Blob([new Uint8Array(buffer, at, header.grid_bytes)]).stream();
    const residuals = new Uint8Array(await new Response(packed.pipeThrough(new DecompressionStream("deflate"))).arrayBuffer());
    let start = 0;
    const grids = scales.map(({ height, width, low, step }) => {
      // Each level was sent as its difference from up + left - up-left (a Uint8Array keeps the sum modulo 256).
      const levels = new Uint8Array(height * width);
      let top = 0;
      for (let r = 0; r < height; r++) {
        for (let c = 0; c < width; c++) {
          const i = r * width + c;
          levels[i] = residuals[start + i] + (r ? levels[i - width] : 0) + (c ? levels[i - 1] : 0) - (r && c ? levels[i - width - 1] : 0);
          if (levels[i] > top) top = levels[i];
        }
      }
      start += height * width;
      return { shape: [height, width], low, step, high: low + top * step, levels };
    });
    if (header.boundary) frame.grid = grids.shift();
    if (header.neurons) frame.neurons = grids;
  }
  return frame;
}

function liveStream(url) {
  let stream = HUB.streams.get(url);
  if (!stream) {
    stream = { url, listeners: new Set(), failureListeners: new Set(), socket: null, failures: 0, failed: false, closed: false, points: 0 };
    HUB.streams.set(url, stream);
    connectStream(stream);
  }
  return stream;
}

function connectStream(stream) {
  if (stream.closed) return;
  let received = false;
  const address = new URL(stream.url, window.location.href);
  address.protocol = address.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(address);
  socket.binaryType = "arraybuffer";
  stream.socket = socket;
  socket.onopen = () => {
    socket.send(JSON.stringify({ points: stream.points }));
    sayWhereTheDetailsAre(stream);
  };
  socket.onmessage = async (event) => {  // one at a time: the next comes only after "next"
    received = true;
    stream.failures = 0;
    stream.failed = false;
    stream.live = true;
    try {
      const frame = await readFrame(stream, event.data);
      for (const listener of stream.listeners) {
        try { listener(frame); } catch (error) { console.error("live view:", error); }
      }
    } catch (error) {
      console.error("live frame:", error);
    }
    requestAnimationFrame(() => { if (socket.readyState === WebSocket.OPEN) socket.send("next"); });
  };
  socket.onclose = (event) => {
    stream.live = false;
    if (stream.closed) return;
    if (!received) stream.failures += 1;
    if (stream.failures >= 2 && !stream.failed) {
      stream.failed = true;
      for (const listener of stream.failureListeners) listener();
    }
    // A failed stream is tried again less and less often: what failed may come back (a page that moved
    // to another replica may have tried before the balancer knew the first was gone).
    const wait = stream.failed ? Math.min(FAILED_RETRY_MAX_MS, 1000 * 2 ** (stream.failures - 2)) : received ? 200 : 1000;
    setTimeout(() => connectStream(stream), wait);
  };
}

// Where the page's detail views are: a live chart inside their block (`DETAILS_BLOCK`, below the
// first screen) has the block watched, and the page's streams tell the server when a tenth of it
// comes into view or leaves, so that the page's timed redraws of it build nothing nobody sees
// (playground/web/live/streams.py). Through the stream, not a widget: scrolling runs no page. Only
// when the block comes into view after being off screen, the hook that the details' fragment left
// (`HUB.onDetailsShown`, playground/web/live/details_shown.py) has that fragment redraw them at once.
const DETAILS_BLOCK = ".st-key-__DETAILS_KEY__";
const DETAILS_SHOWN_SHARE = 0.1;

function watchDetails(element) {
  const block = element.closest(DETAILS_BLOCK);
  if (!block || block.__watched) return;
  block.__watched = true;
  const observer = new IntersectionObserver((entries) => {
    if (!block.isConnected) { observer.disconnect(); return; }
    const shown = entries[entries.length - 1].intersectionRatio >= DETAILS_SHOWN_SHARE;
    if (HUB.detailsShown === shown) return;
    const cameIntoView = shown && HUB.detailsShown === false;
    HUB.detailsShown = shown;
    for (const stream of HUB.streams.values()) sayWhereTheDetailsAre(stream);
    if (cameIntoView && HUB.onDetailsShown) HUB.onDetailsShown();
  }, { threshold: [0, DETAILS_SHOWN_SHARE] });
  observer.observe(block);
}

function sayWhereTheDetailsAre(stream) {
  const socket = stream.socket;
  if (HUB.detailsShown === undefined || !socket || socket.readyState !== WebSocket.OPEN) return;
  socket.send(HUB.detailsShown ? "details on screen" : "details off screen");
}

// Subscribes `listener` to the frames of `url`; returns the function that unsubscribes it. A stream
// nobody listens to any more is closed (after a moment, so a redraw that subscribes again keeps it).
function subscribeLive(url, points, listener, onFailure) {
  const stream = liveStream(url);
  stream.points = Math.max(stream.points, points || 0);
  stream.listeners.add(listener);
  if (onFailure) {
    stream.failureListeners.add(onFailure);
    if (stream.failed) onFailure();
  }
  return () => {
    stream.listeners.delete(listener);
    if (onFailure) stream.failureListeners.delete(onFailure);
    setTimeout(() => {
      if (stream.listeners.size === 0 && !stream.closed) {
        stream.closed = true;
        HUB.streams.delete(url);
        if (stream.socket) stream.socket.close();
      }
    }, 1000);
  };
}

// Plotly figures from Python carry arrays as {dtype, bdata} (base64); the live views append to them.
const TYPED = { f8: Float64Array, f4: Float32Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array };
function plainArray(values) {
  if (Array.isArray(values)) return values;
  if (values && typeof values.bdata === "string" && TYPED[values.dtype]) {
    const text = atob(values.bdata);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return Array.from(new TYPED[values.dtype](bytes.buffer));
  }
  return [];
}

// A grid of a frame as rows of numbers.
function gridRows(grid) {
  const [height, width] = grid.shape;
  const rows = new Array(height);
  for (let r = 0; r < height; r++) {
    const row = new Array(width);
    for (let c = 0; c < width; c++) row[c] = grid.low + grid.levels[r * width + c] * grid.step;
    rows[r] = row;
  }
  return rows;
}
