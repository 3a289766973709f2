import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import playground  # noqa: E402,F401  (sets TensorFlow's environment before anything imports it)

# Tests never write to the real data folder: every store (and the e2e server) uses a scratch database.
import tempfile  # noqa: E402

os.environ.setdefault("PLAYGROUND_RUNS_DB", os.path.join(tempfile.mkdtemp(prefix="playground-runs-"), "runs.sqlite3"))

# The in-process page tests build a trainer on every page load but mostly never train: they skip
# compiling ahead (each compile is seconds of CPU that would run on into the next tests). The e2e
# server and the trainer tests keep the default.
os.environ["PLAYGROUND_COMPILE_AHEAD"] = "0"


def pytest_collection_modifyitems(items):
    """Every end-to-end test is a `browser` test (`make test-fast` leaves them out)."""
    import pytest

    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.browser)
