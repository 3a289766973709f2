// The plane views computed in the browser from a frame's weights, for a network small enough that
// frames carry its weights instead of grids (playground/engine/plane_model.py): the decision
// boundary on the grid the page's figure draws, each hidden layer's first neurons' maps, and the
// weights of the links the network drawing shows. The grids come as a frame's decoded grids do
// ({shape, low, step, high, levels}), so the views paint them the same way. `plane` is the
// connection's description of the network (playground/web/live/frames.py: `plane_description`).
//
// Each feature's and activation's maths come from its registry entry (its `javascript`):
const PLANE_FEATURES = __PLANE_FEATURES__;  // name: (x1, x2) => the feature's value
const PLANE_ACTIVATIONS = __PLANE_ACTIVATIONS__;  // name: (z) => z activated in place (one layer's inputs)

// The error function (Abramowitz and Stegun 7.1.26, within 1.5e-7): GELU's.
function erf(x) {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x < 0 ? -y : y;
}

// The network's layers over the flat weights (each layer's kernel, one row per input, then its biases).
function planeLayers(plane, flat) {
  const layers = [];
  let at = 0, fanIn = plane.features.length;
  plane.units.forEach((units, i) => {
    const kernel = flat.subarray(at, (at += fanIn * units)), bias = flat.subarray(at, (at += units));
    layers.push({ fanIn, units, kernel, bias, activate: PLANE_ACTIVATIONS[plane.activations[i]], out: new Float64Array(units) });
    fanIn = units;
  });
  return layers;
}

// Runs the network at every point of a size x size grid over the plane (rows from the lowest x2, as
// the page's grids are), calling `visit(cell)` after each point, the layers' outputs in their `out`.
function planeSweep(plane, layers, size, visit) {
  const [low, high] = plane.bounds, features = plane.features.map((name) => PLANE_FEATURES[name]);
  const inputs = new Float64Array(features.length);
  const axis = Array.from({ length: size }, (_, i) => low + ((high - low) * i) / (size - 1));
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      for (let f = 0; f < features.length; f++) inputs[f] = features[f](axis[c], axis[r]);
      let h = inputs;
      for (const { fanIn, units, kernel, bias, activate, out } of layers) {
        for (let j = 0; j < units; j++) {
          let z = bias[j];
          for (let i = 0; i < fanIn; i++) z += h[i] * kernel[i * units + j];
          out[j] = z;
        }
        activate(out);
        h = out;
      }
      visit(r * size + c);
    }
  }
}

// Values as a frame's grid: 256 levels over their finite range, or whole numbers spanning at most
// 255 kept exactly (the winning class); a value that is not finite shows as the lowest.
function planeGrid(values, size) {
  let low = Infinity, high = -Infinity, whole = true;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < low) low = v;
    if (v > high) high = v;
    if (whole && v !== Math.round(v)) whole = false;
  }
  if (low > high) low = high = 0;
  const step = whole && high - low <= 255 ? 1 : (high - low) / 255;
  const levels = new Uint8Array(values.length);
  let top = 0;
  values.forEach((v, i) => {
    const level = Number.isFinite(v) && step > 0 ? Math.min(255, Math.max(0, Math.round((v - low) / step))) : 0;
    levels[i] = level;
    if (level > top) top = level;
  });
  return { shape: [size, size], low, step, high: low + top * step, levels };
}

function planeViews(plane, flat) {
  const layers = planeLayers(plane, flat);
  const output = layers[layers.length - 1].out;
  return {
    boundary() {  // the output, or the winning class of many
      const size = plane.grid, values = new Float64Array(size * size);
      planeSweep(plane, layers, size, (cell) => {
        let best = 0;
        for (let k = 1; k < output.length; k++) if (output[k] > output[best]) best = k;
        values[cell] = output.length === 1 ? output[0] : best;
      });
      return planeGrid(values, size);
    },
    neurons() {  // each hidden layer's first `maps` neurons, layer by layer
      const size = plane.neuron_grid, hidden = layers.slice(0, -1);
      const maps = hidden.map((layer) => Array.from({ length: Math.min(layer.units, plane.maps) }, () => new Float64Array(size * size)));
      if (!maps.length) return undefined;
      planeSweep(plane, layers, size, (cell) => {
        hidden.forEach((layer, l) => maps[l].forEach((values, j) => { values[cell] = layer.out[j]; }));
      });
      return maps.flat().map((values) => planeGrid(values, size));
    },
    links() {  // the drawn neurons' links, layer by layer, then by source and target
      const links = [];
      for (const { fanIn, units, kernel } of layers) {
        for (let i = 0; i < Math.min(fanIn, plane.drawn); i++) {
          for (let j = 0; j < Math.min(units, plane.drawn); j++) links.push(Math.round(kernel[i * units + j] * 1e4) / 1e4);
        }
      }
      return links;
    },
  };
}
