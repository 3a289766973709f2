"""Logging for whoever runs the server or the CLI: trainer failures, saved runs, sweeps, store errors.

Every module logs to its own `logging.getLogger(__name__)` under the "playground" logger;
`configure_logging` (called once by the app's `navigation.py` and the CLI) sends those records to standard error.
The level is `PLAYGROUND_LOG_LEVEL` (DEBUG, INFO, WARNING, ERROR), else the caller's default.

Example:

    configure_logging("INFO")
    logging.getLogger("playground.engine.trainer").info("training started")
"""

from __future__ import annotations

import logging
import os

LEVEL_VARIABLE = "PLAYGROUND_LOG_LEVEL"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _PlaygroundHandler(logging.StreamHandler):
    """The handler this module adds (once, however often logging is set up)."""


def configure_logging(default: str = "INFO") -> logging.Logger:
    """Sets up the "playground" logger once; later calls only change its level."""
    logger = logging.getLogger("playground")
    level = os.environ.get(LEVEL_VARIABLE, default).upper()
    logger.setLevel(level if isinstance(logging.getLevelName(level), int) else default)
    if not any(isinstance(handler, _PlaygroundHandler) for handler in logger.handlers):
        handler = _PlaygroundHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
        logger.propagate = False
    return logger
