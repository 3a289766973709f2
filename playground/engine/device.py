"""Which device TensorFlow trains on: the page and the CLI say it, so a GPU set-up can be checked.

Example:

    training_device()   # -> "CPU" or "GPU (NVIDIA H100 80GB HBM3)"
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def training_device() -> str:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "CPU"
    details = tf.config.experimental.get_device_details(gpus[0])
    return f"GPU ({details.get('device_name', gpus[0].name)})" + (f" and {len(gpus) - 1} more" if len(gpus) > 1 else "")
