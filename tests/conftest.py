import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import playground  # noqa: E402,F401  (sets TensorFlow's environment before anything imports it)

# Tests never write to the real data folder: every store (and the e2e server) uses a scratch database.
import tempfile  # noqa: E402

os.environ.setdefault("PLAYGROUND_RUNS_DB", os.path.join(tempfile.mkdtemp(prefix="playground-runs-"), "runs.sqlite3"))
