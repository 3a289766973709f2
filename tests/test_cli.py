"""The headless CLI: presets reach their accuracy, bad input exits 2 without a traceback, export works."""

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground.spec_reading import spec_from_json

ROOT = Path(__file__).resolve().parents[1]


def cli(*args):
    """`python -m playground ARGS`, run in this process (a subprocess would import TensorFlow again each time)."""
    from playground.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess(["python", "-m", "playground", *args], code, out.getvalue(), err.getvalue())


def test_python_dash_m_playground_runs_as_a_program():
    result = subprocess.run(
        [sys.executable, "-m", "playground", "train", "--preset", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2 and "Unknown preset 'nope'" in result.stderr and "Traceback" not in result.stderr
    assert (
        "lenet5-mnist"
        in subprocess.run(
            [sys.executable, "-m", "playground", "presets"], cwd=ROOT, capture_output=True, text=True, timeout=300
        ).stdout
    )


@pytest.mark.parametrize("preset, accuracy", [("tfp-default", 0.97), ("xor", 0.95), ("digits-softmax", 0.93)])
def test_presets_reach_their_accuracy(preset, accuracy):
    result = cli("train", "--preset", preset, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["test_accuracy"] >= accuracy
    assert set(summary) >= {
        "train_loss",
        "test_loss",
        "train_accuracy",
        "test_accuracy",
        "epochs",
        "seconds",
        "parameters",
    }


def test_cli_and_engine_give_the_same_numbers():
    from playground.engine.trainer import Trainer
    from playground.presets import load_preset

    result = cli("train", "--preset", "tfp-default", "--epochs", "30", "--json")
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    spec = load_preset("tfp-default")
    trainer = Trainer(spec.replace(training=__import__("dataclasses").replace(spec.training, epochs=30)))
    trainer.run_to_end()
    assert summary["test_loss"] == pytest.approx(trainer.history[-1]["test_loss"], rel=1e-6)
    trainer.close()


def test_progress_lines_without_json():
    result = cli("train", "--preset", "gauss-single-neuron", "--epochs", "10")
    assert result.returncode == 0 and "epoch     10" in result.stdout


def test_bad_config_exits_2_with_messages(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"version": 1, "training": {"batch_size": 0, "optimizer": "adamm"}}))
    result = cli("train", str(path))
    assert result.returncode == 2
    assert "Batch size must be a whole number" in result.stderr and "Optimizer 'adamm'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--preset", "nope"], "Unknown preset 'nope'"),
        (["train", "missing.json"], "was not found"),
        (["train"], "Give either a config file or --preset"),
        (["train", "--preset", "xor", "--epochs", "0"], "Epochs must be a whole number"),
    ],
)
def test_bad_arguments_exit_2(args, message):
    result = cli(*args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_broken_json_exits_2(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    result = cli("train", str(path))
    assert result.returncode == 2 and "not valid JSON" in result.stderr


def test_lists():
    assert "mnist" in cli("datasets").stdout
    assert "lenet5-mnist" in cli("presets").stdout


def test_export_json_and_keras(tmp_path):
    result = cli("export", "--preset", "xor", "--format", "json", "--output", str(tmp_path / "xor.json"))
    assert result.returncode == 0
    from playground.presets import load_preset

    assert spec_from_json((tmp_path / "xor.json").read_text()) == load_preset("xor")
    result = cli(
        "export", "--preset", "xor", "--format", "keras", "--epochs", "3", "--output", str(tmp_path / "xor.keras")
    )
    assert result.returncode == 0, result.stderr
    from playground.model_files import load_model_file

    assert load_model_file(str(tmp_path / "xor.keras")).count_params() == 33


@pytest.mark.slow
def test_exported_script_runs_and_matches(tmp_path):
    config = tmp_path / "short.json"
    from playground.presets import load_preset

    spec = load_preset("tfp-default")
    spec = spec.replace(training=__import__("dataclasses").replace(spec.training, epochs=60))
    config.write_text(spec.to_json())
    trained = json.loads(cli("train", str(config), "--json").stdout.strip().splitlines()[-1])
    assert cli("export", str(config), "--format", "python", "--output", str(tmp_path / "run.py")).returncode == 0
    result = subprocess.run(
        [sys.executable, str(tmp_path / "run.py")], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    final = float(result.stdout.split("final test loss ")[1].split(",")[0])
    assert final == pytest.approx(trained["test_loss"], rel=0.05)


def test_train_saves_its_history_and_model(tmp_path):
    history, model = tmp_path / "history.csv", tmp_path / "model.keras"
    result = cli(
        "train", "--preset", "xor", "--epochs", "4", "--json", "--history-csv", str(history), "--model", str(model)
    )
    assert result.returncode == 0, result.stderr
    import pandas as pd

    from playground.model_files import load_model_file

    table = pd.read_csv(history)
    assert list(table["epoch"]) == [1, 2, 3, 4] and table["test_loss"].notna().all()
    assert (
        load_model_file(str(model)).count_params() == json.loads(result.stdout.strip().splitlines()[-1])["parameters"]
    )


def test_train_checks_its_output_files_before_training(tmp_path):
    result = cli("train", "--preset", "xor", "--model", str(tmp_path / "model.h5"))
    assert result.returncode == 2 and "must end in .keras" in result.stderr
    result = cli("train", "--preset", "xor", "--history-csv", str(tmp_path / "missing" / "h.csv"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_schema_and_version():
    result = cli("schema")
    assert result.returncode == 0 and json.loads(result.stdout)["title"] == "Neural Network Playground experiment"
    with pytest.raises(SystemExit):
        from playground.cli import _parser

        _parser().parse_args(["--version"])


def test_a_preset_file_trains_as_it_is():
    result = cli("train", str(ROOT / "playground" / "presets" / "xor.json"), "--epochs", "2", "--json")
    assert result.returncode == 0, result.stderr


def test_runs_list_and_tensorboard_export_read_back(tmp_path, monkeypatch):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from playground.runs.run_record import RunRecord
    from playground.runs.run_store import RunStore
    from playground.spec import ExperimentSpec

    monkeypatch.setenv("PLAYGROUND_RUNS_DB", str(tmp_path / "runs.sqlite3"))
    store = RunStore()
    history = [
        {
            "epoch": e,
            "train_loss": 1 / e,
            "test_loss": 2 / e,
            "train_accuracy": 0.5,
            "test_accuracy": 0.6,
            "learning_rate": 0.03,
        }
        for e in (1, 2, 3)
    ]
    for rate in (0.01, 0.1):
        store.save(
            RunRecord.new(
                "alice",
                ExperimentSpec(title="Ladder"),
                history,
                "finished",
                0.0,
                1.0,
                sweep_id="sweep-1",
                parameters={"learning_rate": rate},
            )
        )
    store.save(RunRecord.new("bob", ExperimentSpec(title="Other"), history[:1], "stopped", 0.0, 1.0))
    listing = cli("runs", "list", "--json")
    assert listing.returncode == 0 and len(listing.stdout.splitlines()) == 3
    result = cli("runs", "export", "--tensorboard", str(tmp_path / "tb"), "--sweep", "sweep-1")
    assert result.returncode == 0, result.stderr
    folders = sorted(p for p in (tmp_path / "tb").iterdir() if p.is_dir())
    assert len(folders) == 2 and all(f.name.startswith("ladder-") for f in folders)
    events = EventAccumulator(str(folders[0]), size_guidance={"tensors": 0})
    events.Reload()
    tags = events.Tags()["tensors"]
    assert {"loss/train", "loss/test", "accuracy/test", "learning_rate"} <= set(tags)
    import tensorflow as tf

    assert [round(float(tf.make_ndarray(e.tensor_proto)), 5) for e in events.Tensors("loss/test")] == [
        2.0,
        1.0,
        0.66667,
    ]
    assert any(tag.startswith("_hparams_") for tag in tags)  # the swept value, for the HParams tab
    assert cli("runs", "export", "--tensorboard", str(tmp_path / "tb2"), "--run", "nope").returncode == 2


def test_train_saves_its_run_unless_told_not_to(tmp_path, monkeypatch):
    from playground.cli import CLI_OWNER
    from playground.runs.run_store import RunStore

    monkeypatch.setenv("PLAYGROUND_RUNS_DB", str(tmp_path / "runs.sqlite3"))
    result = cli("train", "--preset", "xor", "--epochs", "3", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    record = RunStore().load(summary["run"])
    assert (record.owner, record.source, record.state, record.epochs) == (CLI_OWNER, "cli", "finished", 3)
    assert record.final["test_loss"] == pytest.approx(summary["test_loss"])
    listing = cli("runs", "list", "--json")
    assert [json.loads(line)["source"] for line in listing.stdout.splitlines()] == ["cli"]
    assert "cli " in cli("runs", "list").stdout

    result = cli("train", "--preset", "xor", "--epochs", "2", "--no-save", "--json")
    assert result.returncode == 0 and "run" not in json.loads(result.stdout.strip().splitlines()[-1])
    assert RunStore().count() == 1

    (tmp_path / "a-file").write_text("")  # a database that cannot be opened: nothing is trained, and --no-save is named
    monkeypatch.setenv("PLAYGROUND_RUNS_DB", str(tmp_path / "a-file" / "runs.sqlite3"))
    result = cli("train", "--preset", "xor", "--epochs", "2")
    assert result.returncode == 2 and "--no-save" in result.stderr and "epoch" not in result.stdout


def test_the_command_lines_runs_show_on_the_runs_page_through_their_link():
    from streamlit.testing.v1 import AppTest

    result = cli("train", "--preset", "xor", "--epochs", "2")
    assert result.returncode == 0, result.stderr
    run_id = result.stdout.split("saved run ")[1].split()[0]
    shared = cli("runs", "share")
    link = shared.stdout.splitlines()[0]
    assert shared.returncode == 0 and link.startswith("/runs?runs=")
    assert cli("runs", "share").stdout.splitlines()[0] == link  # the same link until it is stopped

    app = AppTest.from_file(str(ROOT / "playground/web/app_pages" / "runs.py"), default_timeout=120)
    app.query_params["runs"] = link.split("=", 1)[1]
    app.run()
    assert not app.exception
    assert any("Runs shared with you" in s.value for s in app.subheader)
    assert any(label.endswith(run_id[:6]) for label in app.selectbox(key="shared_list_run").options)

    assert cli("runs", "share", "--stop").stdout.startswith("the link is dead")
    app.run()
    assert any("does not point to shared runs" in w.value for w in app.warning)
