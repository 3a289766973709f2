"""Saved runs (on SQLite and PostgreSQL), the trainer's end-of-run hook, sweep grids and the sweep runner."""

import dataclasses
import json
import sqlite3
import threading
import time

import pytest

from playground.engine.trainer import Trainer
from playground.layers import complete_spec
from playground.runs.run_record import RunRecord
from playground.runs.run_recorder import RunRecorder
from playground.runs.run_store import SCHEMA_VERSION, RunStore, StoreError, UnavailableStore, open_store
from playground.runs.sweep_grid import MAX_RUNS, SweepError, expand, parse_values, run_count
from playground.runs.sweep_runner import SweepRunner, worker_count
from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec, TrainingSpec

HISTORY = [
    {
        "epoch": 1,
        "train_loss": 0.7,
        "test_loss": 0.72,
        "train_accuracy": 0.5,
        "test_accuracy": 0.48,
        "learning_rate": 0.03,
    },
    {
        "epoch": 2,
        "train_loss": 0.5,
        "test_loss": 0.55,
        "train_accuracy": 0.8,
        "test_accuracy": 0.79,
        "learning_rate": 0.03,
    },
]


def short(spec: ExperimentSpec, epochs: int = 20) -> ExperimentSpec:
    return spec.replace(training=dataclasses.replace(spec.training, epochs=epochs))


def record(owner="alice", started_at=None, **extra) -> RunRecord:
    return RunRecord.new(
        owner, complete_spec(ExperimentSpec()), HISTORY, "finished", started_at or time.time(), 1.5, **extra
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """Every test of the store runs on an SQLite file and on a real PostgreSQL database."""
    if request.param == "sqlite":
        return RunStore(tmp_path / "runs.sqlite3")
    return RunStore(request.getfixturevalue("postgres").new_database())


def test_save_load_list_and_delete(store):
    first = record(started_at=1000.0, model=b"model-bytes")
    second = record(started_at=2000.0)
    store.save(first)
    store.save(second)
    loaded = store.load(first.id)
    assert loaded.spec == first.spec and loaded.history == HISTORY and loaded.model == b"model-bytes"
    listed = store.list_runs("alice")
    assert list(listed["id"]) == [second.id, first.id]  # newest first
    assert listed.loc[listed["id"] == first.id, "test_loss"].item() == pytest.approx(0.55)
    assert listed["has_model"].tolist() == [False, True]
    assert store.delete(first.id, "bob") is False  # not bob's run
    assert store.delete(first.id, "alice") is True
    assert store.load(first.id) is None and len(store.list_runs("alice")) == 1


def test_runs_belong_to_their_owner_unless_shared(store):
    mine = record("alice")
    store.save(mine)
    assert store.list_runs("bob").empty
    assert store.load(mine.id, owner="bob") is None
    token = store.share(mine.id, "alice")
    assert store.share(mine.id, "alice") == token  # stable
    assert store.load_shared(token).id == mine.id
    assert store.load_shared("not-a-token") is None
    with pytest.raises(KeyError):
        store.share(mine.id, "bob")


def test_runs_survive_reopening_and_the_file_is_in_wal_mode(tmp_path):
    path = tmp_path / "runs.sqlite3"
    saved = record()
    RunStore(path).save(saved)
    assert RunStore(path).load(saved.id).history == HISTORY
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_eight_threads_write_at_once_and_nothing_is_lost(store):
    errors = []
    owners = [f"owner-{i}" for i in range(8)]

    def write(owner):
        try:
            for i in range(25):
                store.save(record(owner, started_at=float(i)))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(name,)) for name in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert [len(store.list_runs(owner)) for owner in owners] == [25] * 8 and store.count() == 200


def test_a_corrupt_or_locked_database_gives_a_clear_message(tmp_path):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="damaged or is not a run database"):
        RunStore(broken)
    fallback = open_store(broken)
    assert isinstance(fallback, UnavailableStore) and "PLAYGROUND_RUNS_DB" in fallback.message
    assert fallback.save(record()) and fallback.list_runs("alice").empty  # the app keeps working

    path = tmp_path / "locked.sqlite3"
    store = RunStore(path)
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN EXCLUSIVE")
    import playground.runs.run_store as run_store

    original, run_store.BUSY_TIMEOUT_SECONDS = run_store.BUSY_TIMEOUT_SECONDS, 0.2
    try:
        with pytest.raises(StoreError, match="locked"):
            store.save(record())
    finally:
        run_store.BUSY_TIMEOUT_SECONDS = original
        blocker.rollback()
        blocker.close()
    store.save(record())  # free again


def test_trainer_saves_finished_and_stopped_runs_once(store):
    trainer = Trainer(short(ExperimentSpec(), 15))
    recorder = RunRecorder(store, "alice", keep_model=True)
    trainer.on_end = recorder
    assert trainer.run_to_end() == "finished"
    runs = store.list_runs("alice")
    assert (
        len(runs) == 1
        and runs["epochs"].item() == 15
        and runs["state"].item() == "finished"
        and runs["has_model"].item()
    )
    saved = store.load(recorder.last_saved)
    assert saved.history == trainer.history and saved.spec.training.epochs == 15
    trainer.set_learning_rate(0.1)  # changed live: the saved spec says what was really used
    trainer.set_epochs(100_000)
    trainer.start()
    time.sleep(0.5)
    trainer.stop()
    trainer.wait(("stopped",))
    time.sleep(0.2)
    runs = store.list_runs("alice")
    assert len(runs) == 2 and runs["state"].iloc[0] == "stopped"
    assert store.load(runs["id"].iloc[0]).spec.training.learning_rate == 0.1
    trainer.close()


def test_diverged_run_is_saved_with_its_message(store):
    spec = ExperimentSpec(
        dataset=DatasetSpec("reg-plane"),
        network=NetworkSpec(layers=(LayerSpec("Dense", units=8, activation="relu"),) * 3),
        training=TrainingSpec(learning_rate=10.0, epochs=50),
    )
    trainer = Trainer(spec)
    trainer.on_end = RunRecorder(store, "alice")
    assert trainer.run_to_end() == "diverged"
    saved = store.load(store.list_runs("alice")["id"].item())
    assert saved.state == "diverged" and "too high" in saved.message
    trainer.close()


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("learning_rate", "", "at least one value"),
        ("learning_rate", "0.1, fast", "'fast' is not a number"),
        ("batch_size", "10, 10", "listed twice"),
        ("batch_size", "2.5", "whole number"),
        ("units", "0", "at least 1"),
        ("optimizer", "sgd, newton", "'newton' is not a known optimizer"),
        ("momentum", "0.9", "cannot be swept"),
    ],
)
def test_bad_grid_values_are_refused_naming_the_field(name, text, message):
    with pytest.raises(SweepError, match=message) as error:
        parse_values(name, text)
    assert error.value.field == name


def test_grid_expands_every_combination_and_refuses_more_than_the_limit():
    grid = {
        "learning_rate": parse_values("learning_rate", "0.01 0.1 1"),
        "layers": parse_values("layers", "0,1,3"),
        "activation": parse_values("activation", "relu tanh"),
        "seed": parse_values("seed", "0 1"),
    }
    runs = expand(ExperimentSpec(), grid)
    assert len(runs) == run_count(grid) == 36
    parameters, spec = runs[-1]
    assert parameters == {"learning_rate": 1.0, "layers": 3, "activation": "tanh", "seed": 1}
    assert spec.training.learning_rate == 1.0 and spec.training.seed == 1
    assert [layer.activation for layer in spec.network.layers] == ["tanh"] * 3
    assert len(runs[0][1].network.layers) == 0
    too_many = {"learning_rate": [0.001 * (i + 1) for i in range(21)], "seed": list(range(10))}
    with pytest.raises(SweepError, match=f"210 runs, more than the {MAX_RUNS} allowed"):
        expand(ExperimentSpec(), too_many)
    with pytest.raises(SweepError, match="grid is empty"):
        expand(ExperimentSpec(), {})
    regularized = expand(ExperimentSpec(), {"regularization_rate": [0.01]})[0][1]
    assert regularized.training.regularization.kind == "l2" and regularized.training.regularization.rate == 0.01


def test_sweep_runs_in_the_background_and_saves_every_run(store):
    runs = expand(short(ExperimentSpec(), 10), {"learning_rate": [0.01, 0.1, 1.0]})
    sweep = SweepRunner(store, "alice", runs, workers=2)
    sweep.start()
    assert sweep.wait(120)
    progress = sweep.progress()
    assert (progress.done, progress.total, progress.state, progress.failed) == (3, 3, "finished", 0)
    saved = store.list_runs("alice", sweep_id=sweep.id)
    assert sorted(p["learning_rate"] for p in saved["parameters"]) == [0.01, 0.1, 1.0]
    assert (saved["epochs"] == 10).all()


def test_cancel_keeps_the_finished_runs_and_skips_the_rest(store):
    runs = expand(short(ExperimentSpec(), 10), {"seed": [0, 1]}) + expand(
        short(ExperimentSpec(), 100_000), {"seed": [2, 3, 4, 5]}
    )
    sweep = SweepRunner(store, "alice", runs, workers=1)
    sweep.start()
    deadline = time.monotonic() + 120
    while sweep.progress().done < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # the long run is under way
    sweep.cancel()
    assert sweep.wait(60)
    progress = sweep.progress()
    assert progress.state == "cancelled" and progress.done == 2
    assert sorted(p["seed"] for p in store.list_runs("alice", sweep_id=sweep.id)["parameters"]) == [0, 1]


def test_workers_are_bounded_by_the_cpu_count():
    import os

    assert worker_count(1000) == (os.cpu_count() or 1)
    assert worker_count(0) == 1


def test_runs_that_started_together_list_in_the_order_they_were_saved(store):
    saved = [record(started_at=500.0) for _ in range(5)]  # a sweep's population starts its runs at one moment
    for run in saved:
        store.save(run)
    assert list(store.list_runs("alice")["id"]) == [run.id for run in reversed(saved)]


def test_an_unreachable_postgresql_is_explained_and_saving_resumes_when_it_is_back(postgres):
    closed = f"postgresql://playground:secret@127.0.0.1:{postgres.port + 1 if postgres.port < 65535 else 1}/nothing"
    with pytest.raises(StoreError) as error:
        RunStore(closed)
    message = str(error.value)
    assert "cannot be reached" in message and "PLAYGROUND_DATABASE_URL" in message and "secret" not in message
    assert isinstance(open_store(closed), UnavailableStore)

    store = RunStore(postgres.new_database())
    store.save(record())
    postgres.stop()
    try:
        with pytest.raises(StoreError, match="cannot be reached"):
            store.save(record())
    finally:
        postgres.start()
    store.save(record())  # the same store, no restart: its pool tests each connection first
    assert len(store.list_runs("alice")) == 2


def test_a_database_of_the_first_schema_is_migrated_and_keeps_its_runs(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:  # as the app before schema versions made it
        connection.executescript("""
            CREATE TABLE runs (id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT, spec TEXT NOT NULL,
                history TEXT NOT NULL, state TEXT NOT NULL, message TEXT, started_at REAL NOT NULL,
                duration REAL NOT NULL, epochs INTEGER NOT NULL, train_loss REAL, test_loss REAL,
                train_accuracy REAL, test_accuracy REAL, model BLOB, sweep_id TEXT, parameters TEXT,
                share_token TEXT UNIQUE);
            CREATE TABLE shared_lists (token TEXT PRIMARY KEY, owner TEXT NOT NULL UNIQUE, created_at REAL NOT NULL);
        """)
        connection.execute(
            "INSERT INTO runs (id, owner, spec, history, state, started_at, duration, epochs) VALUES (?,?,?,?,?,?,?,?)",
            ("old-run", "alice", ExperimentSpec().to_json(), json.dumps(HISTORY), "finished", 1.0, 2.0, 2),
        )
    store = RunStore(path)
    assert store.load("old-run").history == HISTORY
    assert store.load("old-run").source == "app"
    store.save(record())
    assert len(store.list_runs("alice")) == 2
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_a_database_of_the_second_schema_gets_sources_that_its_runs_imply(tmp_path):
    path = tmp_path / "v2.sqlite3"
    store = RunStore(path)
    store.save(dataclasses.replace(record(), id="plain"))
    store.save(dataclasses.replace(record(), id="swept", sweep_id="sweep-1"))
    with sqlite3.connect(path) as connection:  # as version 2 left it: no source column
        connection.execute("ALTER TABLE runs DROP COLUMN source")
        connection.execute("UPDATE schema_version SET version = 2")
    store = RunStore(path)
    runs = store.list_runs("alice")
    assert dict(zip(runs["id"], runs["source"])) == {"plain": "app", "swept": "sweep"}
    assert store.load("swept").source == "sweep"
    store.save(dataclasses.replace(record(), id="typed", source="cli"))
    assert store.load("typed").source == "cli"
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_training_goes_on_while_postgresql_is_down_and_saving_resumes(postgres):
    store = RunStore(postgres.new_database())
    recorder = RunRecorder(store, "alice")
    trainer = Trainer(short(ExperimentSpec(), 5), warm_up=False, snapshots=False)
    trainer.on_end = recorder
    postgres.stop()
    try:
        assert trainer.run_to_end(120) == "finished" and len(trainer.history) == 5
        assert "could not be saved" in trainer.message and "cannot be reached" in trainer.message
    finally:
        postgres.start()
    trainer.reset()
    assert trainer.run_to_end(120) == "finished"
    assert store.load(recorder.last_saved) is not None and len(store.list_runs("alice")) == 1
    trainer.close()
