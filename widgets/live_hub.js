// The page's live streams, shared by every component on the page: one WebSocket per trainer token
// (server/live_route.py). Components subscribe with a listener; each frame goes to every listener,
// and the next frame is asked for once the browser has painted (requestAnimationFrame), so frames
// come at the display's rate and never queue. A stream whose socket closes twice in a row before a
// single frame came (a proxy that blocks or drops WebSockets) is marked failed: its failure
// listeners then switch the page to plain refreshes.
const HUB = (window.__playgroundLive ??= { streams: new Map() });

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
  stream.socket = socket;
  socket.onopen = () => {
    socket.send(JSON.stringify({ points: stream.points }));
  };
  socket.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    received = true;
    stream.failures = 0;
    for (const listener of stream.listeners) {
      try { listener(frame); } catch (error) { console.error("live view:", error); }
    }
    requestAnimationFrame(() => { if (socket.readyState === WebSocket.OPEN) socket.send("next"); });
  };
  socket.onclose = (event) => {
    if (stream.closed) return;
    if (!received) stream.failures += 1;
    if (stream.failures >= 2) {
      stream.failed = true;
      for (const listener of stream.failureListeners) listener();
      return;
    }
    setTimeout(() => connectStream(stream), received ? 200 : 1000);
  };
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

// An 8-bit grid of a frame (playground/engine/frames.py) as rows of numbers, and its reach.
function gridRows(encoded) {
  const text = atob(encoded.levels);
  const [height, width] = encoded.shape;
  const step = encoded.step;
  const rows = new Array(height);
  for (let r = 0; r < height; r++) {
    const row = new Array(width);
    for (let c = 0; c < width; c++) row[c] = encoded.low + text.charCodeAt(r * width + c) * step;
    rows[r] = row;
  }
  return rows;
}
