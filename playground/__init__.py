"""Neural Network Playground: the core library (never imports streamlit).

Experiment specs and their validation, datasets, model building, the training engine, Plotly
figure builders, presets and the headless CLI.
"""

import os

# Tiny XLA programs lose time handing each op to Eigen's thread pool; run them on the caller's
# thread. Must be set before TensorFlow starts, hence here.
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
