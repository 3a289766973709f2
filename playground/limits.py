"""What the server lets one user (and all of them together) store, hold in memory or keep running.

Every bound is a setting read from the environment once, when the server starts; the README's
Security section lists them. A value that is not a number (or is below the bound's minimum) is
reported in the log and the default is used: a typo in a setting must not stop the server.

- `PLAYGROUND_UPLOAD_QUOTA_MB` (200): the uploaded CSV files one owner may keep.
- `PLAYGROUND_UPLOADS_TOTAL_MB` (2048): the uploaded files all owners together may keep.
- `PLAYGROUND_UPLOAD_MAX_AGE_DAYS` (7): an upload that no saved run uses is removed this long
  after it was last uploaded or read.
- `PLAYGROUND_DATASET_CACHE_MB` (256): the loaded datasets each process keeps in memory (the
  page server and every training worker), so that the page, the validator and the trainer share
  one copy.
- `PLAYGROUND_MAX_SWEEPS` (2): sweeps training at once; the others wait in line.
- `PLAYGROUND_MAX_WAITING_SWEEPS` (20): sweeps waiting in line; past that a new one is refused.
- `PLAYGROUND_LIVE_CONNECTIONS_PER_TOKEN` (4): live-stream connections one page's token may hold
  at once (a page holds one; a reload may briefly hold a second).
- `PLAYGROUND_MAX_CLASS_SIZE` (200): students in one class; past that, joining is refused.
- `PLAYGROUND_MAX_CLASSES` (20): classes open at once on the server (on all replicas sharing its store).
- `PLAYGROUND_CLASS_IDLE_MINUTES` (120): a class whose lecturer's board has not been open this long is closed.
- `PLAYGROUND_MAX_SWEEP_EPOCHS` (200,000): a sweep's runs times its epochs per run (200 runs of
  1,000 epochs, ten times the largest grid the page proposes: 200 runs of its default 100 epochs).
"""

from __future__ import annotations

import logging
import math
import os

log = logging.getLogger(__name__)

MEGABYTE = 2**20
DAY_SECONDS = 24 * 60 * 60


def number_setting(variable: str, default: float, minimum: float = 0) -> float:
    """The environment's `variable` as a number of at least `minimum`, else `default`."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= minimum):
        log.warning(
            "%s=%r is not a number of %g or more; using the default, %g.", variable, text[:40], minimum, default
        )
        return default
    return value


def count_setting(variable: str, default: int) -> int:
    """The environment's `variable` as a whole number of at least 1, else `default`."""
    return max(1, int(number_setting(variable, default, minimum=1)))


UPLOAD_QUOTA_BYTES = int(number_setting("PLAYGROUND_UPLOAD_QUOTA_MB", 200) * MEGABYTE)
UPLOADS_TOTAL_BYTES = int(number_setting("PLAYGROUND_UPLOADS_TOTAL_MB", 2048) * MEGABYTE)
UPLOAD_MAX_AGE_SECONDS = number_setting("PLAYGROUND_UPLOAD_MAX_AGE_DAYS", 7) * DAY_SECONDS
DATASET_CACHE_BYTES = int(number_setting("PLAYGROUND_DATASET_CACHE_MB", 256) * MEGABYTE)
MAX_SWEEPS = count_setting("PLAYGROUND_MAX_SWEEPS", 2)
MAX_WAITING_SWEEPS = count_setting("PLAYGROUND_MAX_WAITING_SWEEPS", 20)
MAX_SWEEP_EPOCHS = count_setting("PLAYGROUND_MAX_SWEEP_EPOCHS", 200_000)
MAX_CONNECTIONS_PER_TOKEN = count_setting("PLAYGROUND_LIVE_CONNECTIONS_PER_TOKEN", 4)
MAX_CLASS_SIZE = count_setting("PLAYGROUND_MAX_CLASS_SIZE", 200)
MAX_CLASSES = count_setting("PLAYGROUND_MAX_CLASSES", 20)
CLASS_IDLE_SECONDS = number_setting("PLAYGROUND_CLASS_IDLE_MINUTES", 120, minimum=1) * 60
