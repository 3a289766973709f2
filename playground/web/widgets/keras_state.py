"""Stop Streamlit from clearing Keras' state after every script run.

After each run of a page, and of each fragment, Streamlit 1.67 calls
`keras.backend.clear_session()` (`streamlit.runtime.scriptrunner.script_runner._clean_problem_modules`),
meant for apps that build a new model on every run. This app keeps its models alive between runs
and trains them in background threads, so every clearing was pure cost and a hazard:
- it runs a full garbage collection and clears TensorFlow's kernel cache while holding the GIL,
  which starves the trainers and the live views of the server (`bench/ui.py --compare` measures
  the difference);
- it resets Keras' global state (layer-name counters among it) under the trainers and sweep
  workers that are using it.
`keep_keras_state()` replaces that clean-up with one that still closes matplotlib figures (its
other job) and leaves Keras alone. It is idempotent, and does nothing if Streamlit has moved it
(or if PLAYGROUND_STREAMLIT_KERAS_CLEANUP=1, which `bench/ui.py --compare` sets to measure the difference).
"""

from __future__ import annotations

import os
import sys

from streamlit.runtime.scriptrunner import script_runner


def _close_matplotlib_figures() -> None:
    if "matplotlib.pyplot" in sys.modules:
        try:
            sys.modules["matplotlib.pyplot"].close("all")
        except Exception:  # never break a script run over this
            pass


def keep_keras_state() -> bool:
    """True when Streamlit's per-run clean-up no longer touches Keras."""
    if os.environ.get("PLAYGROUND_STREAMLIT_KERAS_CLEANUP") == "1":  # only for bench/ui.py --compare
        return False
    if not hasattr(script_runner, "_clean_problem_modules"):
        return False
    script_runner._clean_problem_modules = _close_matplotlib_figures
    return True
