"""How much data the server keeps for its users: each bound a setting, read from the environment once.

- `PLAYGROUND_UPLOAD_QUOTA_MB` (200): the uploaded CSV files one owner may keep.
- `PLAYGROUND_UPLOADS_TOTAL_MB` (2048): the uploaded files all owners together may keep.
- `PLAYGROUND_UPLOAD_MAX_AGE_DAYS` (7): an upload that no saved run uses is removed this long
  after it was last uploaded or read.
- `PLAYGROUND_DATASET_CACHE_MB` (256): the loaded datasets each process keeps in memory (the
  page server and every training worker), so that the page, the validator and the trainer share
  one copy.

A value that is not a number is reported in the log and the default is used: a typo in a setting
must not stop the server.
"""

from __future__ import annotations

import logging
import math
import os

log = logging.getLogger(__name__)

MEGABYTE = 2**20
DAY_SECONDS = 24 * 60 * 60


def number_setting(variable: str, default: float) -> float:
    """The environment's `variable` as a number of at least 0, else `default`."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        log.warning("%s=%r is not a number of 0 or more; using the default, %g.", variable, text[:40], default)
        return default
    return value


UPLOAD_QUOTA_BYTES = int(number_setting("PLAYGROUND_UPLOAD_QUOTA_MB", 200) * MEGABYTE)
UPLOADS_TOTAL_BYTES = int(number_setting("PLAYGROUND_UPLOADS_TOTAL_MB", 2048) * MEGABYTE)
UPLOAD_MAX_AGE_SECONDS = number_setting("PLAYGROUND_UPLOAD_MAX_AGE_DAYS", 7) * DAY_SECONDS
DATASET_CACHE_BYTES = int(number_setting("PLAYGROUND_DATASET_CACHE_MB", 256) * MEGABYTE)
