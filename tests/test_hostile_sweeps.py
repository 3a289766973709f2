"""Sweeps under hostile or careless use: they train in the training workers, one per owner and a
few per server (the rest wait in line, their place shown), bounded in runs x epochs, seen and
cancelled from any tab of the same browser; hostile sweep files (a 401-digit number, a CSV named
by path, a search that reaches networks over the parameter limit, a name written as Markdown)
get plain messages."""

import dataclasses
import json
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground import limits
from playground.runs import sweep_registry as registry_module
from playground.runs.run_store import RunStore
from playground.runs.sweep_file import SearchRange, SweepFileError, SweepPlan
from playground.runs.sweep_registry import (
    ScheduledSweep,
    SweepRefused,
    SweepRegistry,
    ordinal,
    size_problem,
    start_sweep,
)
from playground.runs.sweep_runner import Progress
from playground.runs.worker_sweep import WorkerSweep
from playground.spec import ExperimentSpec, TrainingSpec
from tests.test_cli import cli

APP = str(Path(__file__).resolve().parents[1] / "playground/web/navigation.py")
BASE = ExperimentSpec(training=TrainingSpec(epochs=5))
HOSTILE_NAME = "[Log in again](https://evil.example) ![x](https://evil.example/pixel.png)"
HUGE = "1" * 401


def until(condition, timeout: float) -> bool:
    """Waits for `condition()` to hold (True), or `timeout` seconds (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def plan(epochs: int = 5, rates=(0.03, 0.3), name: str = "rates") -> SweepPlan:
    base = BASE.replace(training=dataclasses.replace(BASE.training, epochs=epochs))
    return SweepPlan(base, grid={"learning_rate": list(rates)}, name=name)


class HeldRunner:
    """A stand-in for a sweep's runner that runs until cancelled (or `finish`ed)."""

    def __init__(self):
        self.ended = threading.Event()
        self.cancelled = False
        self.errors: list[str] = []

    def wait(self, timeout=None) -> bool:
        return self.ended.wait(timeout)

    def cancel(self) -> None:
        self.cancelled = True
        self.ended.set()

    def finish(self) -> None:
        self.ended.set()

    def progress(self) -> Progress:
        state = "cancelled" if self.cancelled else "finished" if self.ended.is_set() else "running"
        return Progress(0, 2, 2, 0, 0.25, None, state, 1.0)


class HeldSweeps:
    """A registry whose sweeps are `HeldRunner`s, made the app's registry while the test runs."""

    def __init__(self, max_running: int = 2):
        self.runners: dict[str, HeldRunner] = {}
        self.registry = SweepRegistry(max_running=max_running, start=self.start)

    def start(self, store, owner, plan, workers, sweep_id):
        runner = self.runners[sweep_id] = HeldRunner()
        return runner

    def running(self, sweep: ScheduledSweep) -> HeldRunner:
        """The runner of `sweep`, once the registry has started it."""
        assert until(lambda: sweep.runner is not None, 10), f"sweep {sweep.id} did not start"
        return sweep.runner


@pytest.fixture
def held(monkeypatch):
    sweeps = HeldSweeps()
    monkeypatch.setattr(registry_module, "_REGISTRY", sweeps.registry)
    yield sweeps
    for runner in list(sweeps.runners.values()):  # a sweep's thread may still be adding its runner
        runner.finish()


def page(path: str, owner: str | None = None) -> AppTest:
    """A fresh session (a new tab) on `path`; with `owner`, the same browser as that owner's."""
    app = AppTest.from_file(APP, default_timeout=180)
    if owner is not None:
        app.session_state["owner"] = owner
    app.run()
    app.switch_page(path).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def progress_texts(app: AppTest) -> list[str]:
    return [element.proto.text for element in app.get("progress")]


# Where sweeps train


@pytest.mark.slow
def test_a_sweep_trains_in_a_training_worker_and_the_server_saves_its_runs(training_pool, tmp_path, monkeypatch):
    from playground.engine import training_workers

    monkeypatch.setattr(training_workers, "training_workers", lambda: training_pool)
    store = RunStore(tmp_path / "runs.sqlite3")
    registry = SweepRegistry(max_running=1)
    grid = registry.submit(store, "alice", plan(rates=(0.03, 0.3, 1.0)), workers=2)
    assert grid.wait(180)
    assert isinstance(grid.runner, WorkerSweep)  # trained in the background worker, not this process
    assert grid.runner.worker is training_pool.background and grid.runner.worker not in training_pool.workers
    assert grid.progress().state == "finished" and grid.progress().done == 3 and not grid.errors
    saved = store.list_runs("alice", sweep_id=grid.id)
    assert sorted(p["learning_rate"] for p in saved["parameters"]) == [0.03, 0.3, 1.0]
    assert set(saved["state"]) == {"finished"}

    search = SweepPlan(BASE, search={"learning_rate": SearchRange(0.01, 1.0, log=True)}, budget=3, seed=1, name="s")
    found = registry.submit(store, "alice", search, workers=1)
    assert found.wait(180) and found.progress().done == 3
    assert len(found.study.trials) == 3  # the worker's Optuna trials came back for the figures
    assert all(0.01 <= trial.params["learning_rate"] <= 1.0 for trial in found.study.trials)


@pytest.mark.slow
def test_a_sweep_in_a_worker_is_cancelled_and_keeps_nothing_half_trained(training_pool, tmp_path, monkeypatch):
    from playground.engine import training_workers

    monkeypatch.setattr(training_workers, "training_workers", lambda: training_pool)
    store = RunStore(tmp_path / "runs.sqlite3")
    registry = SweepRegistry(max_running=1)
    sweep = registry.submit(store, "alice", plan(epochs=100_000), workers=2)
    assert until(lambda: sweep.runner is not None and sweep.progress().running > 0, 60)
    assert registry.cancel("alice", sweep.id)
    assert sweep.wait(60) and sweep.progress().state == "cancelled"
    assert store.list_runs("alice", sweep_id=sweep.id).empty  # stopped mid-run: not results
    assert not training_pool.background.sweeps  # the worker let it go


@pytest.mark.slow
def test_a_worker_that_dies_ends_its_sweep_and_frees_the_servers_place(tmp_path):
    import os
    import signal

    from playground.engine.training_workers import TrainingWorkers

    pool = TrainingWorkers(1)
    try:
        store = RunStore(tmp_path / "runs.sqlite3")
        registry = SweepRegistry(max_running=1, start=lambda *args: _started_in(pool, *args))
        first = registry.submit(store, "alice", plan(epochs=100_000), workers=1)
        second = registry.submit(store, "bob", plan(epochs=5), workers=1)
        assert registry.place(second) == 1
        assert until(lambda: first.runner is not None and first.progress().running > 0, 60)
        os.kill(pool.background.process.pid, signal.SIGKILL)
        assert first.wait(30) and first.progress().state == "failed"
        assert any("training worker stopped" in error for error in first.errors)
        assert until(lambda: second.runner is not None, 60)  # bob's, next in line, starts in a new worker
        assert pool.background.alive and second.progress().state == "running"
        assert registry.cancel("bob", second.id) and second.wait(60)
    finally:
        pool.close()


def _started_in(pool, store, owner, plan, workers, sweep_id):
    sweep = pool.sweep(store, owner, plan, workers, sweep_id)
    sweep.start()
    return sweep


@pytest.mark.slow
def test_without_training_workers_a_sweep_trains_in_this_process(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_TRAINING_WORKERS", "0")
    store = RunStore(tmp_path / "runs.sqlite3")
    sweep = start_sweep(store, "alice", plan(), 1, "local-sweep")
    assert sweep.wait(120) and sweep.progress().done == 2 and not isinstance(sweep, WorkerSweep)


# One per owner, a few per server, a line for the rest


def test_each_owner_runs_one_sweep_at_a_time(held):
    registry = held.registry
    first = registry.submit(None, "alice", plan(name="first"), 1)
    with pytest.raises(SweepRefused, match="Your sweep 'first' is still running: each person runs one sweep"):
        registry.submit(None, "alice", plan(name="second"), 1)
    registry.submit(None, "bob", plan(), 1)  # others are not held up by alice
    held.running(first).finish()
    assert first.wait(10)
    again = registry.submit(None, "alice", plan(name="second"), 1)  # once it ended, the next may start
    assert registry.sweeps_of("alice") == [again]


def test_the_server_runs_a_set_number_and_the_rest_wait_in_line_with_their_place(held):
    registry = held.registry  # two at once
    running = [registry.submit(None, owner, plan(), 1) for owner in ("alice", "bob")]
    waiting = [registry.submit(None, owner, plan(), 1) for owner in ("carol", "dave", "erin")]
    for sweep in running:
        held.running(sweep)
    assert registry.running() == 2
    assert [registry.place(s) for s in waiting] == [1, 2, 3]
    assert waiting[1].progress().state == "waiting"
    with pytest.raises(SweepRefused, match="still waiting, 2nd in line"):
        registry.submit(None, "dave", plan(), 1)
    assert registry.cancel("carol", waiting[0].id)  # leaving the line moves the others up
    assert waiting[0].progress().state == "cancelled" and [registry.place(s) for s in waiting[1:]] == [1, 2]
    held.running(running[0]).finish()
    held.running(waiting[1])  # dave's starts in alice's place
    assert registry.place(waiting[2]) == 1 and registry.running() == 2
    assert not registry.cancel("mallory", waiting[2].id)  # only the owner can cancel it


def test_the_page_shows_a_waiting_sweeps_place_in_line(held):
    app = page("app_pages/sweeps.py")
    owner = app.session_state["owner"]
    for other in ("alice", "bob", "carol"):
        held.registry.submit(None, other, plan(), 1)
    mine = held.registry.submit(None, owner, plan(name="mine"), 1)
    app.run()
    assert not app.exception
    assert any("waiting: 2nd in line" in text for text in progress_texts(app)), progress_texts(app)
    assert app.button(key="sweep_start").disabled  # one sweep at a time
    assert held.registry.place(mine) == 2


def test_a_new_tab_of_the_same_browser_sees_and_cancels_the_sweep(held):
    first_tab = page("app_pages/sweeps.py")
    owner = first_tab.session_state["owner"]
    first_tab.number_input(key="builtin_epochs").set_value(5).run()
    first_tab.button(key="sweep_builtin").click().run()
    sweep = first_tab.session_state["sweep"]
    runner = held.running(sweep)

    other_browser = page("app_pages/runs.py")
    assert not any("learning rate ladder" in text for text in progress_texts(other_browser))

    new_tab = page("app_pages/runs.py", owner=owner)  # the first tab may be closed: the sweep goes on
    assert any("learning rate ladder" in text for text in progress_texts(new_tab))
    new_tab.button(key="sweep_cancel").click().run()
    assert not new_tab.exception
    assert runner.cancelled and sweep.wait(10) and sweep.progress().state == "cancelled"


# Bounded work


def test_a_sweep_over_the_epoch_bound_is_refused_up_front_saying_what_to_lower(held):
    huge = plan(epochs=100_000, rates=[0.001 * (i + 1) for i in range(200)])
    message = size_problem(huge)
    assert message == (
        "This sweep trains 200 runs of 100,000 epochs, 20,000,000 epochs in all; this server trains at most 200,000 "
        "per sweep. Lower the epochs per run to 1,000 or fewer, or try fewer runs (at most 2 at 100,000 epochs)."
    )
    with pytest.raises(SweepRefused, match="Lower the epochs per run"):
        held.registry.submit(None, "alice", huge, 1)
    assert held.runners == {} and held.registry.sweeps_of("alice") == []
    assert size_problem(plan(epochs=1_000, rates=[0.001 * (i + 1) for i in range(200)])) is None

    app = page("app_pages/sweeps.py")
    app.text_input(key="sweep_values_learning_rate").input("0.01, 0.1, 0.3").run()
    app.number_input(key="sweep_epochs").set_value(100_000).run()
    assert any("Lower the epochs per run to 66,666" in e.value for e in app.error), [e.value for e in app.error]
    assert app.button(key="sweep_start").disabled


def test_the_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MAX_SWEEPS", "5")
    assert limits.count_setting("PLAYGROUND_MAX_SWEEPS", 2) == 5
    monkeypatch.setenv("PLAYGROUND_MAX_SWEEPS", "")
    assert limits.count_setting("PLAYGROUND_MAX_SWEEPS", 2) == 2
    for bad in ("0", "lots", "-3", "nan"):  # a typo is logged and the default used: it must not stop the server
        monkeypatch.setenv("PLAYGROUND_MAX_SWEEPS", bad)
        assert limits.count_setting("PLAYGROUND_MAX_SWEEPS", 2) == 2


def test_the_waiting_line_is_bounded():
    """Each fresh browser is a new owner, so the line itself has a bound; a cancelled sweep frees its place."""
    sweeps = HeldSweeps(max_running=1)
    registry = SweepRegistry(max_running=1, max_waiting=2, start=sweeps.start)
    first = registry.submit(None, "owner-0", plan(), 1)
    waiting = [registry.submit(None, f"owner-{i}", plan(), 1) for i in (1, 2)]
    with pytest.raises(SweepRefused, match="The server is busy: 1 sweep training and 2 sweeps waiting"):
        registry.submit(None, "owner-3", plan(), 1)
    assert registry.cancel("owner-1", waiting[0].id)
    assert registry.place(registry.submit(None, "owner-3", plan(), 1)) == 2
    sweeps.running(first)
    for runner in list(sweeps.runners.values()):  # a sweep's thread may still be adding its runner
        runner.finish()


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
    ]


# Hostile sweep files


def sweep_document(**changes) -> dict:
    document = {"playground_sweep": 1, "name": "rates", "base": BASE.to_dict(), "grid": {"learning_rate": [0.1]}}
    document.update(changes)
    return document


def search_document(space: dict, budget: int) -> dict:
    document = sweep_document(search=space, budget=budget)
    del document["grid"]
    return document


def hostile_number_files() -> list[str]:
    """A 401-digit number in each kind of numeric field of a sweep file, written into the JSON
    text as a hand-edited file would hold it."""
    head = f'{{"playground_sweep": 1, "name": "rates", "base": {json.dumps(BASE.to_dict())}, '
    files = [
        head + tail
        for tail in (
            f'"grid": {{"learning_rate": [{HUGE}]}}}}',
            f'"grid": {{"batch_size": [{HUGE}]}}}}',
            f'"grid": {{"seed": [-{HUGE}]}}}}',
            f'"search": {{"units": {{"low": 1, "high": {HUGE}}}}}, "budget": 3}}',
            f'"search": {{"learning_rate": {{"low": {HUGE}, "high": 1}}}}, "budget": 3}}',
            f'"search": {{"seed": {{"low": 0, "high": 3}}}}, "budget": {HUGE}, "seed": {HUGE}}}',
        )
    ]
    for section, field in (("training", "learning_rate"), ("training", "epochs"), ("dataset", "noise")):
        base = BASE.to_dict()
        base[section][field] = "HUGE"
        files.append(json.dumps(sweep_document(base=base)).replace('"HUGE"', HUGE))
    return files


@pytest.mark.parametrize("text", hostile_number_files())
def test_a_401_digit_number_in_a_sweep_file_is_a_message_not_an_overflow(text, tmp_path):
    with pytest.raises(SweepFileError) as refused:
        SweepPlan.from_json(text)
    assert refused.value.problems
    path = tmp_path / "huge.sweep.json"
    path.write_text(text)
    result = cli("sweep", str(path))
    assert result.returncode == 2 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_the_cli_says_which_number_is_out_of_range(tmp_path):
    path = tmp_path / "huge.sweep.json"
    path.write_text(json.dumps(sweep_document(grid={"learning_rate": ["N"]})).replace('"N"', HUGE))
    result = cli("sweep", str(path))
    assert result.returncode == 2
    assert result.stderr == (
        "error: grid.learning_rate: 111111111111… (401 digits) is far out of range for the learning rate; give a "
        "number of a few digits.\n"
    )


def test_the_page_says_a_loaded_sweep_file_holds_a_number_out_of_range():
    app = page("app_pages/sweeps.py")
    text = json.dumps(sweep_document(grid={"units": ["N"]})).replace('"N"', HUGE)
    app.file_uploader(key="sweep_file").set_value(("huge.sweep.json", text.encode(), "application/json")).run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("could not be loaded" in e.value and "401 digits" in e.value for e in app.error)


def test_a_search_whose_ranges_exceed_the_parameter_limit_is_refused_before_any_run(tmp_path):
    space = {"units": {"low": 2, "high": 4096}, "layers": {"low": 1, "high": 6}}
    text = json.dumps(search_document(space, budget=50))
    with pytest.raises(SweepFileError) as refused:
        SweepPlan.from_json(text)
    (problem,) = refused.value.problems
    assert problem.startswith("search: the ranges reach runs that cannot train. With units=4096, layers=6: The network")
    assert "the limit is 5,000,000" in problem and "Narrow the ranges" in problem
    path = tmp_path / "wide.sweep.json"
    path.write_text(text)
    assert cli("sweep", str(path)).returncode == 2
    fits = {"units": {"low": 2, "high": 64}, "layers": {"low": 0, "high": 6}, "batch_size": {"low": 1, "high": 250}}
    assert SweepPlan.from_dict(search_document(fits, budget=5)).budget == 5  # within the limits: accepted

    app = page("app_pages/sweeps.py")
    app.radio(key="sweep_mode").set_value("search").run()
    app.multiselect(key="sweep_parameters").set_value(["units", "layers"]).run()
    app.text_input(key="sweep_high_units").input("4096").run()
    app.text_input(key="sweep_high_layers").input("6").run()
    assert any("the ranges reach runs that cannot train" in e.value for e in app.error)
    assert app.button(key="sweep_start").disabled


def test_the_cli_says_how_to_sweep_over_a_csv_instead_of_naming_it_by_path(tmp_path):
    (tmp_path / "table.csv").write_text("x,label\n1,0\n2,1\n")
    base = {"dataset": {"name": "csv", "csv": {"path": "table.csv"}}, "network": {"features": []}}
    path = tmp_path / "table.sweep.json"
    path.write_text(json.dumps(sweep_document(base=base)))
    result = cli("sweep", str(path))
    assert result.returncode == 2
    assert "run the config with the command line" not in result.stderr  # the advice of before: this is the CLI
    assert "Upload the CSV in the Playground page's Data panel" in result.stderr
    assert "download the sweep from the Sweeps page" in result.stderr and "playground train" in result.stderr


def test_a_sweep_files_name_is_shown_as_text_not_markdown(held):
    app = page("app_pages/sweeps.py")
    text = SweepPlan(BASE, grid={"learning_rate": [0.03, 0.3]}, name=HOSTILE_NAME).to_json()
    app.file_uploader(key="sweep_file").set_value(("hostile.sweep.json", text.encode(), "application/json")).run()
    assert not app.exception, [e.value for e in app.exception]
    app.button(key="sweep_start").click().run()
    assert not app.exception
    sweep = app.session_state["sweep"]
    assert sweep.name == HOSTILE_NAME
    held.running(sweep)
    app.run()
    (label,) = [text for text in progress_texts(app) if "Log in again" in text]
    assert "](" not in label and "\\[Log in again\\]\\(https" in label  # no link, no image
    shown = [e.value for e in (*app.success, *app.error, *app.caption, *app.markdown) if "Log in again" in e.value]
    assert shown and all("](" not in value for value in shown)

    other_tab = page("app_pages/runs.py", owner=app.session_state["owner"])
    (label,) = [text for text in progress_texts(other_tab) if "Log in again" in text]
    assert "](" not in label
