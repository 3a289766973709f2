"""Turns a digit drawn on the page's canvas into a model input shaped like the dataset's images.

As in MNIST, the ink's bounding box is scaled to fit 20/28 of the image and centred, so a digit
drawn small or off-centre still looks like the training data.

The canvas arrives as a data URL of a PNG sent by the browser, so anyone can send another image in
its place. `drawing_pixels` checks its size before decoding it: the URL's length, then the width
and height the PNG declares in its header (its first 24 bytes). A few hundred KB of PNG can declare
13,000 x 13,000 pixels, gigabytes once decoded, so anything much bigger than the canvas is refused
unread.

Example:

    rgba = drawing_pixels(data_url, width=196, height=196)
    pixels = drawing_to_image(rgba, size=28)      # (28, 28, 1) in [0, 1], ink = 1
"""

from __future__ import annotations

import base64
import io
import struct

import numpy as np
from PIL import Image

MAX_SIZE_FACTOR = 2  # the browser sends the canvas at its own size; allow room, never more than this per side
DATA_URL_PREFIX = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REDRAW = "Clear the canvas with the bin icon and draw again."


class DrawingError(ValueError):
    """The canvas's value is not a drawing the page can read; the message says so in plain words."""


def drawing_pixels(data_url: object, width: int, height: int) -> np.ndarray:
    """The canvas's pixels, (H, W, 4) uint8 RGBA, from the data URL of the PNG the browser sent.

    Raises:
        DrawingError: when it is not a PNG data URL, or is more than `MAX_SIZE_FACTOR` times the
            canvas's `width` or `height`; checked before the image is decoded.
    """
    max_width, max_height = width * MAX_SIZE_FACTOR, height * MAX_SIZE_FACTOR
    # The largest PNG of that size: 4 bytes a pixel and one filter byte a row, stored uncompressed, in base64.
    max_characters = len(DATA_URL_PREFIX) + 4 * ((max_width * 4 + 1) * max_height + 4096) // 3
    if not isinstance(data_url, str) or not data_url.startswith(DATA_URL_PREFIX):
        raise DrawingError(f"The drawing could not be read: the canvas did not send a PNG image. {REDRAW}")
    if len(data_url) > max_characters:
        raise DrawingError(
            f"The drawing was refused: it is {len(data_url):,} characters long, more than a "
            f"{max_width} x {max_height} image of the canvas can be ({max_characters:,}). {REDRAW}"
        )
    try:
        content = base64.b64decode(data_url[len(DATA_URL_PREFIX) :], validate=True)
    except ValueError:  # binascii.Error: not base64
        content = b""
    if len(content) < 24 or content[:8] != PNG_SIGNATURE or content[12:16] != b"IHDR":
        raise DrawingError(f"The drawing could not be read: it is not a PNG image. {REDRAW}")
    declared_width, declared_height = struct.unpack(">II", content[16:24])  # the header's first chunk, IHDR
    if declared_width > max_width or declared_height > max_height:
        raise DrawingError(
            f"The drawing was refused: it is {declared_width:,} x {declared_height:,} pixels, but the canvas is "
            f"{width} x {height}. {REDRAW}"
        )
    try:
        return np.asarray(Image.open(io.BytesIO(content), formats=["PNG"]).convert("RGBA"))
    except Exception:  # any failure of the PNG decoder on the sent bytes (truncated, a bad checksum)
        raise DrawingError(f"The drawing could not be read: its PNG image is damaged. {REDRAW}") from None


def drawing_to_image(rgba: np.ndarray, size: int, padding: int = 0) -> np.ndarray | None:
    """None when nothing is drawn. `rgba` is the canvas (H, W, 4), black ink on white or clear."""
    rgba = np.asarray(rgba, dtype="float32")
    alpha = rgba[..., 3] / 255.0 if rgba.shape[-1] == 4 else np.ones(rgba.shape[:2])
    ink = alpha * (1.0 - rgba[..., :3].mean(axis=-1) / 255.0)
    rows, cols = np.nonzero(ink > 0.1)
    if len(rows) == 0:
        return None
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    box = max(1, int(round(size * 20 / 28)))
    scale = box / max(crop.shape)
    height, width = max(1, int(round(crop.shape[0] * scale))), max(1, int(round(crop.shape[1] * scale)))
    small = (
        np.asarray(
            Image.fromarray((crop * 255).astype("uint8")).resize((width, height), Image.Resampling.LANCZOS), "float32"
        )
        / 255.0
    )
    image = np.zeros((size, size), "float32")
    top, left = (size - height) // 2, (size - width) // 2
    image[top : top + height, left : left + width] = small
    image = np.clip(image / max(float(image.max()), 1e-6), 0, 1)
    if padding:
        image = np.pad(image, padding)
    return image[..., None]
