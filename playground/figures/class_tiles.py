"""The class board's tiles: each student's decision boundary as a small PNG image, coloured as the
playground draws it, and the tiles as HTML.

The board shows dozens of tiles refreshed twice a second; a PNG of a few hundred bytes per tile
is far lighter to send and draw than a Plotly heatmap each. Every text in a tile is a student's
(a name, an architecture) and is escaped.

Example:

    png = tile_png(tile, size=96)     # bytes of a PNG image, or None for a tile without a boundary
    html = tiles_html(members)        # one <div class="class-tile"> per member
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np
from PIL import Image

from playground.classes.class_store import Member
from playground.classes.class_tile import ClassTile
from playground.datasets.dataset import Task
from playground.figures.style import CLASS_COLORS, DIVERGING


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], np.float32)


def _colours(levels: np.ndarray, task: str, classes: int) -> np.ndarray:
    """levels (0-255) as RGB: the diverging orange-grey-blue scale, or one colour per class."""
    if task == Task.MULTICLASS:
        palette = np.stack([_rgb(c) for c in CLASS_COLORS])
        index = np.rint(levels / 255 * max(classes - 1, 1)).astype(int) % len(palette)
        rgb = palette[index]
        return rgb * 0.55 + 255 * 0.45  # as the page's heatmap, drawn at 0.45 opacity on white
    low, middle, high = (_rgb(str(stop[1])) for stop in DIVERGING)
    t = (levels.astype(np.float32) / 255)[..., None]
    rgb = np.where(t < 0.5, low + (middle - low) * (t * 2), middle + (high - middle) * (t * 2 - 1))
    return rgb * 0.75 + 255 * 0.25  # drawn at 0.75 opacity on white


def tile_png(tile: ClassTile, size: int = 96) -> bytes | None:
    """The tile's boundary, `size` pixels a side (smoothed), or None when it has none."""
    grid = tile.boundary_grid()
    if grid is None:
        return None
    rgb = np.clip(_colours(grid[::-1], tile.task, tile.classes), 0, 255).astype(np.uint8)  # row 0 at the top
    image = Image.fromarray(rgb, "RGB").resize((size, size), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


STATE_WORDS = {"running": "training", "problems": "has problems", "ready": "ready"}


def _number_text(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _tile_html(member: Member) -> str:
    """One tile: the boundary (or the accuracy, for data without a plane), the name, where it stands."""
    tile: ClassTile = member.tile
    png = tile_png(tile)
    if png is not None:
        picture = f'<img alt="decision boundary" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
    else:
        picture = f'<div class="class-tile-score">{_number_text(tile.test_accuracy, 2)}</div>'
    state = STATE_WORDS.get(tile.state, tile.state)
    return (
        f'<div class="class-tile" data-member="{html.escape(member.id)}">{picture}'
        f'<div class="class-tile-name">{html.escape(member.name)}</div>'
        f'<div class="class-tile-line">epoch {tile.epoch:,} · loss {_number_text(tile.test_loss, 3)}</div>'
        f'<div class="class-tile-arch">{html.escape(state)} · {html.escape(tile.architecture)}</div></div>'
    )


def tiles_html(members: list[Member]) -> str:
    """Every member's tile, in the order given."""
    return "".join(_tile_html(member) for member in members)
