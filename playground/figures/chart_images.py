"""Charts for slides: every chart's toolbar downloads a sharp image named after what it shows.

Plotly's own camera button (`toImageButtonOptions` in the chart's config) saves a PNG at twice the
screen's resolution, named `<experiment>_<view>.png`, for example
`spiral-6x8-relu_decision-boundary.png`; the live charts add a second button for SVG. The
experiment's part describes the network as it now stands (dataset, hidden layers, activations), not
its title: a title is whatever a shared link says, and an edited network keeps its preset's title.
Every part is reduced to lowercase ASCII letters, digits and hyphens, so no name can reach another
folder, hide an extension or carry markup.

Example:

    config = chart_config("decision boundary", experiment_name(spec))
    st.plotly_chart(figure, config=config)
"""

from __future__ import annotations

import re
import unicodedata

from playground.spec import ExperimentSpec

IMAGE_SCALE = 2  # pixels per screen pixel in the downloaded PNG
MAX_NAME_LENGTH = 60  # per part: long enough for a deep stack, short enough for any file system
FALLBACK_NAME = "chart"
# No lasso or box select (nothing here selects points), and no "Share chart...", which would upload
# the chart to Plotly's cloud service.
BASE_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendChartToCloud"]}


def file_name_part(text: str) -> str:
    """`text` as a safe piece of a file name: accents dropped, anything but ASCII letters and digits
    turned into single hyphens, at most `MAX_NAME_LENGTH` characters ("" when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower())[:MAX_NAME_LENGTH].strip("-")


def experiment_name(spec: ExperimentSpec) -> str:
    """What the experiment is, for file names: its dataset, its layers of neurons or filters ("6x8"
    for six layers of eight neurons, "4-2" otherwise, "c6" for a convolution of six filters) and
    their activations, such as "spiral-6x8-relu"."""
    sized = [layer for layer in spec.network.layers if layer.units is not None or layer.filters is not None]
    sizes = [str(layer.units) if layer.units is not None else f"c{layer.filters}" for layer in sized]
    if len(sizes) > 1 and len(set(sizes)) == 1:
        shape = f"{len(sizes)}x{sizes[0]}"
    else:
        shape = "-".join(sizes) or "no-hidden-layers"
    activations = list(dict.fromkeys(str(layer.activation) for layer in sized if layer.activation))
    return file_name_part("-".join([spec.dataset.name, shape, *activations])) or FALLBACK_NAME


def image_file_name(subject: str, view: str) -> str:
    """`<subject>_<view>` (no extension: Plotly adds it), each part made safe."""
    parts = [part for part in (file_name_part(subject), file_name_part(view)) if part]
    return "_".join(parts) or FALLBACK_NAME


def chart_config(view: str, subject: str = "") -> dict:
    """The Plotly config of a chart: its camera button saves `<subject>_<view>.png` (or
    `<view>.png`) at `IMAGE_SCALE` times the screen's resolution."""
    return {
        **BASE_CONFIG,
        "toImageButtonOptions": {"format": "png", "filename": image_file_name(subject, view), "scale": IMAGE_SCALE},
    }
