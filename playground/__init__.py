"""Neural Network Playground: the core library (never imports streamlit).

Experiment specs and their validation, datasets, model building, the training engine, Plotly
figure builders, presets and the headless CLI. The same experiments as the web app, from Python:

    import playground

    spec = playground.load_preset("xor")
    history = playground.train(spec, epochs=50)      # a pandas DataFrame, one row per epoch
    history[["epoch", "test_loss", "test_accuracy"]].tail(1)

Importing the package sets three environment variables for TensorFlow, only where they are not
set already (so they must be set before TensorFlow is imported to apply): `KERAS_BACKEND=tensorflow`,
`TF_CPP_MIN_LOG_LEVEL=2` (no info lines from TensorFlow's C++ side) and
`XLA_FLAGS=--xla_cpu_multi_thread_eigen=false` (tiny XLA programs run on the caller's thread
instead of losing time handing each op to a thread pool). Nothing else global changes.
"""

import os

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.9.0"

from playground import tables  # noqa: F401  (every registry, before anything asks a field for its names)
from playground.headless import train
from playground.presets import PRESETS, load_preset
from playground.spec import ExperimentSpec, SpecError
from playground.spec_reading import spec_from_json
from playground.validation import validate

__all__ = [
    "ExperimentSpec",
    "PRESETS",
    "SpecError",
    "__version__",
    "load_preset",
    "spec_from_json",
    "train",
    "validate",
]
