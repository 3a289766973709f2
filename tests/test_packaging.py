"""The project as a Python package: installable, a `playground` command, a public API, a config
schema that the presets and editors use, logging, and the Streamlit patch still in effect."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import site
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jsonschema
import pytest

import playground
from playground.presets import FOLDER as PRESETS_FOLDER
from playground.schema import SCHEMA_FILE, experiment_schema, schema_text
from playground.spec import ExperimentSpec
from playground.spec_reading import spec_from_json

ROOT = Path(__file__).resolve().parents[1]
PACKAGED = ["pyproject.toml", "README.md", "playground"]


@pytest.mark.slow
def test_pip_install_gives_a_playground_command_that_works_from_any_folder(tmp_path):
    """`pip install .` into a new virtual environment, then `playground train` from another folder.
    The dependencies come from this environment (a .pth file), so nothing is downloaded."""
    source = tmp_path / "source"
    source.mkdir()
    for name in PACKAGED:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(
            ROOT / name,
            source / name,
            **({"ignore": shutil.ignore_patterns("__pycache__")} if (ROOT / name).is_dir() else {}),
        )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    packages = next((venv / "lib").glob("python3*/site-packages"))
    (packages / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    python = venv / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            str(source),
        ],
        check=True,
        timeout=300,
        cwd=tmp_path,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    command = venv / "bin" / "playground"
    version = subprocess.run(
        [str(command), "--version"], capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120
    )
    assert version.stdout.strip() == f"playground {playground.__version__}"
    result = subprocess.run(
        [str(command), "train", "--preset", "xor", "--epochs", "5", "--json"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["epochs"] == 5
    assert result.stderr == ""  # TensorFlow's start-up lines are hidden
    where = subprocess.run(
        [str(python), "-c", "import playground; print(playground.__file__)"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=120,
    ).stdout
    assert str(packages) in where  # the installed copy, not this checkout
    web = packages / "playground" / "web"  # the web app is installed as code, with its settings and script
    assert (web / "app_pages" / "playground.py").is_file() and (web / "live" / "hub.js").is_file()
    assert (web / ".streamlit" / "config.toml").is_file() and not (venv / "share").exists()
    _serves_the_app(command, elsewhere, env, tmp_path)


def _serves_the_app(command: Path, folder: Path, env: dict, tmp_path: Path) -> None:
    """`playground app` from the installed package answers Streamlit's health check and serves the page."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**env, "PLAYGROUND_RUNS_DB": str(tmp_path / "runs.sqlite3")}
    server = subprocess.Popen(
        [str(command), "app", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("playground app did not answer its health check within 90 s")
        assert b"<!doctype html>" in urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().lower()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def test_the_public_api_trains_a_preset_into_a_dataframe():
    history = playground.train("xor", epochs=3)
    assert list(history["epoch"]) == [1, 2, 3] and {"train_loss", "test_loss", "test_accuracy"} <= set(history.columns)
    assert history.attrs["state"] == "finished"
    assert playground.load_preset("xor") == playground.PRESETS["xor"].spec
    assert playground.validate(playground.ExperimentSpec()) == []


def test_importing_the_package_sets_only_tensorflows_variables():
    code = (
        "import os; before = dict(os.environ); import playground; print(sorted(k for k in os.environ if "
        "os.environ[k] != before.get(k)))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "TF_CPP_MIN_LOG_LEVEL", "XLA_FLAGS")}
    changed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    ).stdout
    assert changed.strip() == "['KERAS_BACKEND', 'TF_CPP_MIN_LOG_LEVEL', 'XLA_FLAGS']"


def test_the_committed_schema_is_the_generated_one():
    assert SCHEMA_FILE.read_text() == schema_text(), (
        "run: python -m playground schema > playground/experiment.schema.json"
    )


@pytest.mark.parametrize("path", sorted(PRESETS_FOLDER.glob("*.json")), ids=lambda p: p.stem)
def test_every_preset_file_is_a_valid_config(path):
    content = json.loads(path.read_text())
    jsonschema.validate(content, experiment_schema())
    assert content["$schema"] == "../experiment.schema.json" and content["description"]
    assert spec_from_json(path.read_text()).description == content["description"]


def test_the_schema_refuses_what_the_spec_refuses():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"training": {"optimizer": "nope"}}, experiment_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"bogus": 1}, experiment_schema())
    jsonschema.validate(json.loads(ExperimentSpec().to_json()), experiment_schema())


def test_logging_reaches_the_playground_logger(caplog, monkeypatch):
    from playground.logs import configure_logging
    from playground.runs.run_store import RunStore, StoreError

    monkeypatch.setenv("PLAYGROUND_LOG_LEVEL", "DEBUG")
    logger = configure_logging("WARNING")
    assert logger.level == logging.DEBUG
    logger.propagate = True  # let caplog see it
    try:
        with caplog.at_level(logging.WARNING, logger="playground"), pytest.raises(StoreError):
            RunStore("/proc/no-such-folder/runs.sqlite3")
        assert any(
            "cannot be used" in record.message and record.name == "playground.runs.run_store"
            for record in caplog.records
        )
    finally:
        logger.propagate = False


def test_streamlits_keras_cleanup_is_still_replaced():
    """Fails after a Streamlit upgrade that moves or renames the per-run clean-up we replace."""
    from streamlit.runtime.scriptrunner import script_runner

    from playground.web.widgets.keras_state import _close_matplotlib_figures, keep_keras_state

    assert keep_keras_state() is True
    assert script_runner._clean_problem_modules is _close_matplotlib_figures
    assert Path(script_runner.__file__).read_text().count("_clean_problem_modules") >= 2  # defined and still called


def test_students_see_the_viewer_toolbar():
    import tomllib

    config = tomllib.loads((ROOT / "playground/web/.streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "viewer"


def test_runs_as_a_tensorboard_zip_with_weight_histograms(tmp_path):
    import io
    import zipfile

    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from playground.engine.trainer import Trainer
    from playground.runs.run_recorder import record_of
    from playground.runs.tensorboard_export import tensorboard_zip

    trainer = Trainer(playground.load_preset("xor").replace(title="XOR run"), warm_up=False, snapshots=False)
    try:
        assert trainer.run_to_end(timeout=300) == "finished"
        record = record_of(trainer, "alice", keep_model=True)
    finally:
        trainer.close()
    archive = zipfile.ZipFile(io.BytesIO(tensorboard_zip([record])))
    names = archive.namelist()
    assert names and all(name.startswith(f"playground-runs/xor-run-{record.id}/events.out.tfevents") for name in names)
    archive.extractall(tmp_path)
    events = EventAccumulator(str(tmp_path / "playground-runs" / f"xor-run-{record.id}"), size_guidance={"tensors": 0})
    events.Reload()
    tags = events.Tags()["tensors"]
    assert "loss/test" in tags and len(events.Tensors("loss/test")) == len(record.history)
    assert any(tag.startswith("weights/output/") for tag in tags)  # the kept model's final weights


def test_the_page_says_which_device_trains():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "playground/web/app_pages" / "playground.py"), default_timeout=120).run()
    assert any("Trains on this server's CPU" in c.value for c in app.sidebar.caption)


def test_the_markers_select_what_they_say():
    result = subprocess.run(  # one collection (it imports every test module): the browser tests are e2e's
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "browser", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    browser = [line for line in result.stdout.splitlines() if "::" in line]
    assert browser and all(line.startswith("tests/e2e/") for line in browser)
    assert "slow" in {
        mark.name for mark in test_pip_install_gives_a_playground_command_that_works_from_any_folder.pytestmark
    }


def test_a_terminal_gets_a_progress_bar():
    import pty

    output = bytearray()

    def read(fd):
        data = os.read(fd, 4096)
        output.extend(data)
        return data

    status = pty.spawn([sys.executable, "-m", "playground", "train", "--preset", "xor", "--epochs", "40"], read)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "training" in text and "40/40" in text and "epoch     40" in text
