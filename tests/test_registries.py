"""Every entry of every registry builds, validates, exports a script that runs and matches the app,
and saves and loads as a `.keras` model.

The probes are made by looping over the registries, so a new entry is tested without touching
this file: an entry added without its Keras form or its code fails here.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.activations import ACTIVATIONS
from playground.datasets import DATASETS
from playground.datasets.dataset import DatasetKind
from playground.features import FEATURES
from playground.initializers import INITIALIZERS
from playground.layers import LAYERS, new_layer
from playground.losses import LOSSES
from playground.optimizers import OPTIMIZERS
from playground.registry import Registry
from playground.regularization import REGULARIZATIONS
from playground.schedules import SCHEDULES
from playground.spec import (
    CsvOptions,
    DatasetSpec,
    ExperimentSpec,
    LayerSpec,
    NetworkSpec,
    RegularizationSpec,
    ScheduleSpec,
    TrainingSpec,
)

pytestmark = pytest.mark.slow

REGISTRIES: dict[str, Registry] = {
    "activations": ACTIVATIONS,
    "features": FEATURES,
    "initializers": INITIALIZERS,
    "optimizers": OPTIMIZERS,
    "schedules": SCHEDULES,
    "regularizations": REGULARIZATIONS,
    "losses": LOSSES,
    "datasets": DATASETS,
    "layers": LAYERS,
}
PROBES = [(registry, name) for registry, table in REGISTRIES.items() for name in table]
SAMPLES = 60
HIDDEN = LayerSpec("Dense", units=3, activation="tanh")
BASE = ExperimentSpec(
    dataset=DatasetSpec("circle", samples=SAMPLES, noise=10, seed=2),
    network=NetworkSpec(layers=(HIDDEN,)),
    training=TrainingSpec(learning_rate=0.05, epochs=3, batch_size=8, seed=3),
)
CSV_ROWS = 80


def _training(**changes) -> ExperimentSpec:
    return BASE.replace(training=dataclasses.replace(BASE.training, **changes))


def _on_digits(*layers: LayerSpec) -> ExperimentSpec:
    return BASE.replace(
        dataset=DatasetSpec("digits", samples=SAMPLES, seed=2), network=NetworkSpec(features=(), layers=layers)
    )


def probe_spec(registry: str, name: str, folder: Path) -> ExperimentSpec:
    """A small experiment that uses the entry `name` of `registry`."""
    if registry == "activations":
        return BASE.replace(network=NetworkSpec(layers=(HIDDEN.replace(activation=name),)))
    if registry == "features":
        return BASE.replace(network=NetworkSpec(features=tuple(dict.fromkeys(("x1", name))), layers=(HIDDEN,)))
    if registry == "initializers":
        return _training(weight_init=name)
    if registry == "optimizers":
        return _training(optimizer=name, learning_rate=0.01)
    if registry == "schedules":
        return _training(schedule=ScheduleSpec(name, factor=0.5, every=1))
    if registry == "regularizations":
        return _training(regularization=RegularizationSpec(name, 0.01 if name != "none" else 0.0))
    if registry == "losses":
        return _training(loss=name)
    if registry == "layers":
        layer = new_layer(name)
        if LAYERS[name].check(layer, (2,)) is None:
            return BASE.replace(network=NetworkSpec(layers=(layer, HIDDEN)))
        return _on_digits(layer, *(() if name == "Flatten" else (LayerSpec("Flatten"),)))
    info = DATASETS[name]
    settings = {setting.name: setting.default for setting in info.settings}
    if info.kind == DatasetKind.PLANE:
        return BASE.replace(dataset=DatasetSpec(name, samples=SAMPLES, noise=10, seed=2, **settings))
    if info.kind == DatasetKind.IMAGE:
        spec = _on_digits(LayerSpec("Flatten"), HIDDEN)
        return spec.replace(dataset=DatasetSpec(name, samples=SAMPLES, seed=2, **settings))
    csv_file = folder / "table.csv"
    return BASE.replace(
        dataset=DatasetSpec(name, seed=2, csv=CsvOptions(path=str(csv_file), label_column="label")),
        network=NetworkSpec(features=(), layers=(HIDDEN,)),
    )


def _write_offline_data(folder: Path) -> None:
    """A small CSV file, and a Keras cache holding stand-ins for the 70,000-image sets (their
    entries read only the cache, so the real files are not needed to test them)."""
    import gzip

    rng = np.random.default_rng(0)
    table = rng.normal(size=(CSV_ROWS, 3)).round(3)
    labels = (table[:, 0] + table[:, 1] > 0).astype(int)
    (folder / "table.csv").write_text(
        "a,b,c,label\n" + "".join(f"{a},{b},{c},{y}\n" for (a, b, c), y in zip(table, labels))
    )
    cache = folder / "keras" / "datasets"
    (cache / "fashion-mnist").mkdir(parents=True)
    images = rng.integers(0, 256, (2, 50, 28, 28), dtype=np.uint8)
    digits = rng.integers(0, 10, (2, 50), dtype=np.uint8)
    np.savez(cache / "mnist.npz", x_train=images[0], y_train=digits[0], x_test=images[1], y_test=digits[1])
    from playground.datasets.images import FASHION_FILES

    for index, name in enumerate(FASHION_FILES):
        part = index // 2
        header, payload = (
            (b"\0" * 16, images[part].tobytes()) if index % 2 == 0 else (b"\0" * 8, digits[part].tobytes())
        )
        with gzip.open(cache / "fashion-mnist" / name, "wb") as handle:
            handle.write(header + payload)


RUNNER = """
import contextlib, io, json, os, runpy, sys
results = {}
for path in sys.argv[1:]:
    os.chdir(os.path.dirname(path))
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            names = runpy.run_path(path, run_name="__main__")
        results[path] = {"test_loss": names["test_loss"]}
    except Exception as error:
        results[path] = {"error": f"{type(error).__name__}: {error}"}
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def offline_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("registries")
    _write_offline_data(folder)
    saved = os.environ.get("KERAS_HOME")
    os.environ["KERAS_HOME"] = str(folder / "keras")
    yield folder
    if saved is None:
        os.environ.pop("KERAS_HOME", None)
    else:
        os.environ["KERAS_HOME"] = saved


@pytest.fixture(scope="module")
def running_scripts(offline_data):
    """Every probe's exported script, started at once in one Python process (Keras imported once)
    that runs them one after another while the tests train the same probes in the app."""
    from playground.script_export import export_script

    paths = {}
    for registry, name in PROBES:
        path = offline_data / f"{registry}_{name.replace('-', '_').replace('^', '_')}.py"
        path.write_text(export_script(probe_spec(registry, name, offline_data)))
        paths[(registry, name)] = str(path)
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, *paths.values()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    yield process, paths
    if process.poll() is None:
        process.kill()


@pytest.fixture(scope="module")
def app_losses() -> dict:
    """The final test loss of each probe trained in the app, filled by the entry tests."""
    return {}


def test_every_registry_has_entries_with_labels_and_help():
    for registry, table in REGISTRIES.items():
        assert len(table) >= 2, registry
        for name, entry in table.items():
            assert entry.name == name and entry.label and entry.help, (registry, name)
            assert entry.get_config()["name"] == name


@pytest.mark.parametrize("registry, name", PROBES, ids=[f"{r}-{n}" for r, n in PROBES])
def test_entry_builds_validates_trains_and_saves(registry, name, offline_data, running_scripts, app_losses):
    from playground.headless import train
    from playground.model_builder import build_model
    from playground.model_files import load_model_bytes, model_bytes
    from playground.training_data import training_data
    from playground.validation import validate

    spec = probe_spec(registry, name, offline_data)
    assert validate(spec) == []

    history = train(spec)
    assert history.attrs["state"] == "finished" and len(history) == spec.training.epochs
    app_losses[(registry, name)] = float(history["test_loss"].iloc[-1])

    data = training_data(spec)
    model = build_model(spec, data)
    loaded = load_model_bytes(model_bytes(model))
    assert loaded.count_params() == model.count_params()
    sample = data.x_test[:5]
    np.testing.assert_allclose(
        loaded.predict(sample, verbose=0), model.predict(sample, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_every_exported_script_runs_and_matches_the_app(running_scripts, app_losses):
    process, paths = running_scripts
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr[-3000:]
    outcome = json.loads(stdout.strip().splitlines()[-1])
    assert set(app_losses) == set(PROBES), "an entry's own test failed: see above"
    for probe, path in paths.items():
        script = outcome[path]
        assert "error" not in script, (probe, script.get("error"))
        assert script["test_loss"] == pytest.approx(app_losses[probe], rel=2e-3, abs=1e-5), (
            f"{probe}: the exported script trains differently from the app"
        )
