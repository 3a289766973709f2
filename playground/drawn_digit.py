"""Turns a digit drawn on the page's canvas into a model input shaped like the dataset's images.

As in MNIST, the ink's bounding box is scaled to fit 20/28 of the image and centred, so a digit
drawn small or off-centre still looks like the training data.

Example:

    pixels = drawing_to_image(rgba, size=28)      # (28, 28, 1) in [0, 1], ink = 1
"""

from __future__ import annotations

import numpy as np
from PIL import Image


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
