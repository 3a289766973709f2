import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import playground  # noqa: E402,F401  (sets TensorFlow's environment before anything imports it)
