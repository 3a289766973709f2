"""Every entry of every registry builds, validates, exports a script that runs and matches the app,
and saves and loads as a `.keras` model; and every setting an entry takes, across its whole range.

The probes are made by looping over the registries, so a new entry is tested without touching
this file: an entry added without its Keras form or its code fails here.

The range walk sets each setting to each end of its range, each of its choices and each yes/no
value. Each such experiment validates, builds, saves and loads, and exports code that compiles.
One that changes the network's weight shapes (more units, no bias, a bigger window, more classes)
also trains live, in the page's process and in a training worker, draws every view and exports a
script that runs and matches the app.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
from playground.registry import Registry, Setting
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


def range_values(setting: Setting) -> list:
    """The values at the ends of `setting`'s range (inside an open bound), each choice, each yes/no."""
    if setting.kind == "bool":
        return [True, False]
    if setting.kind == "choice":
        return setting.options()
    low, high = setting.editor_range
    cast = int if setting.kind == "int" else float
    return list(dict.fromkeys([cast(low), cast(high)]))


RANGE_PROBES = [
    (registry, name, setting.name, value)
    for registry, table in REGISTRIES.items()
    for name, entry in table.items()
    for setting in entry.settings
    for value in range_values(setting)
    if value != setting.default
]
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


def probe_spec(registry: str, name: str, folder: Path, **settings: Any) -> ExperimentSpec:
    """A small experiment that uses the entry `name` of `registry`, with `settings` of that entry
    (the others at their defaults)."""
    if registry == "activations":
        return BASE.replace(network=NetworkSpec(layers=(HIDDEN.replace(activation=name),)))
    if registry == "features":
        return BASE.replace(network=NetworkSpec(features=tuple(dict.fromkeys(("x1", name))), layers=(HIDDEN,)))
    if registry == "initializers":
        return _training(weight_init=name)
    if registry == "optimizers":
        return _training(optimizer=name, learning_rate=0.01)
    if registry == "schedules":
        return _training(schedule=ScheduleSpec(name, **{"factor": 0.5, "every": 1, **settings}))
    if registry == "regularizations":
        return _training(
            regularization=RegularizationSpec(name, **{"rate": 0.01 if name != "none" else 0.0, **settings})
        )
    if registry == "losses":
        return _training(loss=name)
    if registry == "layers":
        layer = new_layer(name, **settings)
        if LAYERS[name].check(layer, (2,)) is None:
            return BASE.replace(network=NetworkSpec(layers=(layer, HIDDEN)))
        spec = _on_digits(layer, *(() if name == "Flatten" else (LayerSpec("Flatten"),)))
        if LAYERS[name].check(layer, (8, 8, 1)) is None:
            return spec
        return spec.replace(dataset=DatasetSpec("mnist", samples=SAMPLES, seed=2))  # a window wider than 8x8
    info = DATASETS[name]
    settings = {**{setting.name: setting.default for setting in info.settings}, **settings}
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


@contextlib.contextmanager
def scripts_running(paths: dict) -> Iterator[tuple[subprocess.Popen, dict]]:
    """Starts one Python process that runs the scripts at `paths` (a dict's values) one after another."""
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, *paths.values()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    try:
        yield process, paths
    finally:
        if process.poll() is None:
            process.kill()


def script_results(process: subprocess.Popen) -> dict:
    """What each script of `scripts_running` gave: its final test loss, or its error."""
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr[-3000:]
    return json.loads(stdout.strip().splitlines()[-1])


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
    with scripts_running(paths) as running:
        yield running


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
    outcome = script_results(process)
    assert set(app_losses) == set(PROBES), "an entry's own test failed: see above"
    for probe, path in paths.items():
        script = outcome[path]
        assert "error" not in script, (probe, script.get("error"))
        assert script["test_loss"] == pytest.approx(app_losses[probe], rel=2e-3, abs=1e-5), (
            f"{probe}: the exported script trains differently from the app"
        )


def _shape_rows(spec: ExperimentSpec) -> list[tuple]:
    from playground.validation import check_spec

    return [(row.output_shape, row.parameters) for row in check_spec(spec).rows]


@pytest.fixture(scope="module")
def reshaping_probes(offline_data) -> dict[tuple, ExperimentSpec]:
    """The range probes whose weight shapes differ from their entry's defaults (by the app's own
    shape arithmetic), with their experiments."""
    found = {}
    for registry, name, setting, value in RANGE_PROBES:
        spec = probe_spec(registry, name, offline_data, **{setting: value})
        if _shape_rows(spec) != _shape_rows(probe_spec(registry, name, offline_data)):
            found[(registry, name, setting, value)] = spec
    return found


@pytest.fixture(scope="module")
def range_workers(offline_data):
    """A training worker started once the offline data's Keras cache is in the environment."""
    from playground.engine.training_workers import TrainingWorkers

    pool = TrainingWorkers(1)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def range_scripts(offline_data, reshaping_probes):
    """The reshaping probes' exported scripts, run in one Python process while the tests train."""
    from playground.script_export import export_script

    paths = {}
    for index, (probe, spec) in enumerate(reshaping_probes.items()):
        path = offline_data / f"range_{index}.py"
        path.write_text(export_script(spec))
        paths[probe] = str(path)
    with scripts_running(paths) as running:
        yield running


def draw_every_view(trainer) -> None:
    """Every view the playground draws from a trainer: the live frame (plane views, link weights),
    the network with its weights and neuron maps, histograms, loss curves, the decision boundary or
    the sample probabilities, and the confusion matrix."""
    from playground.datasets.dataset import Task
    from playground.figures.confusion import confusion_matrix
    from playground.figures.decision_boundary import decision_boundary
    from playground.figures.histograms import weight_histograms
    from playground.figures.loss_curves import loss_curves
    from playground.figures.network_drawing import network_drawing
    from playground.figures.softmax_bars import softmax_bars
    from playground.validation import check_spec
    from playground.web.live.frames import FrameReader, FrameWriter
    from playground.web.widgets.network_editor import columns_of

    _, snapshot = trainer.snapshots.latest()
    assert snapshot is not None
    data = FrameWriter(trainer).next_frame()
    assert data is not None
    frame = FrameReader().read(data)
    assert len(frame["rows"]["epoch"]) == trainer.spec.training.epochs and frame["status"]
    dataset, check = trainer.data.dataset, check_spec(trainer.spec)
    figures = [
        network_drawing(
            columns_of(trainer.spec, dataset, check.rows), weights=snapshot.weights, neuron_grids=snapshot.neuron_grids
        ),
        weight_histograms(snapshot.histograms),
        loss_curves(trainer.history),
    ]
    if snapshot.confusion is not None:
        figures.append(confusion_matrix(snapshot.confusion, dataset.class_names))
    if dataset.kind == DatasetKind.PLANE:
        figures.append(
            decision_boundary(
                snapshot.grid, dataset.bounds, dataset.x_train, dataset.y_train, dataset.task, dataset.num_classes
            )
        )
    elif snapshot.probe_outputs is not None and dataset.task != Task.REGRESSION:
        picked = snapshot.probe_indices[:4]
        figures.append(softmax_bars(snapshot.outputs_for(picked), dataset.y_test[picked], dataset.class_names))
    for figure in figures:
        assert figure.to_json()


@pytest.mark.parametrize(
    "registry, name, setting, value", RANGE_PROBES, ids=[f"{r}-{n}-{s}={v}" for r, n, s, v in RANGE_PROBES]
)
def test_every_setting_across_its_range(
    registry, name, setting, value, offline_data, reshaping_probes, range_workers, range_scripts, app_losses
):
    from playground.engine.trainer import Trainer
    from playground.model_builder import build_model
    from playground.model_files import load_model_bytes, model_bytes
    from playground.script_export import export_script
    from playground.training_data import training_data
    from playground.validation import validate

    spec = probe_spec(registry, name, offline_data, **{setting: value})
    assert validate(spec) == []
    data = training_data(spec)
    model = build_model(spec, data)
    loaded = load_model_bytes(model_bytes(model))
    assert [w.shape for w in loaded.weights] == [w.shape for w in model.weights]
    compile(export_script(spec), f"{name}-{setting}={value}.py", "exec")
    probe = (registry, name, setting, value)
    if probe not in reshaping_probes:
        return
    histories = []
    for trainer in (Trainer(spec), range_workers.trainer(spec)):
        try:
            assert trainer.run_to_end(300) == "finished", trainer.message
            draw_every_view(trainer)
            histories.append(trainer.history)
        finally:
            trainer.close()
    here, there = histories
    assert [row["test_loss"] for row in there] == pytest.approx([row["test_loss"] for row in here], rel=1e-5)
    app_losses[probe] = here[-1]["test_loss"]


def test_every_reshaping_setting_exports_a_script_that_matches_the_app(range_scripts, app_losses, reshaping_probes):
    process, paths = range_scripts
    outcome = script_results(process)
    assert len(reshaping_probes) >= 10 and set(reshaping_probes) <= set(app_losses), "a probe's own test failed"
    for probe, path in paths.items():
        script = outcome[path]
        assert "error" not in script, (probe, script.get("error"))
        assert script["test_loss"] == pytest.approx(app_losses[probe], rel=2e-3, abs=1e-5), probe
