"""Sweeps as files (round trip, every problem reported), the smart search (finds a known optimum,
prunes) and `playground sweep FILE` on the command line."""

import json
import math

import pytest

from playground.layers import complete_spec
from playground.runs.run_store import RunStore
from playground.runs.search_runner import SearchRunner
from playground.runs.sweep_file import MAX_SWEEP_BYTES, SWEEP_VERSION, SearchRange, SweepFileError, SweepPlan
from playground.spec import ExperimentSpec, TrainingSpec
from tests.test_cli import cli

BASE = complete_spec(ExperimentSpec(training=TrainingSpec(epochs=12)))  # as a sweep file reads it back


def document(**changes) -> dict:
    sweep = {
        "playground_sweep": SWEEP_VERSION,
        "name": "rates",
        "base": BASE.to_dict(),
        "grid": {"learning_rate": [0.01, 0.1]},
    }
    sweep.update(changes)
    return {key: value for key, value in sweep.items() if value is not None}


def test_grid_and_search_plans_round_trip_exactly():
    grid = SweepPlan(
        BASE, grid={"learning_rate": [0.01, 0.1], "activation": ["relu", "tanh"], "seed": [0, 1]}, name="grid"
    )
    search = SweepPlan(
        BASE,
        search={
            "learning_rate": SearchRange(0.0001, 1.0, log=True),
            "units": SearchRange(2, 8),
            "optimizer": SearchRange(choices=("sgd", "adam")),
        },
        budget=40,
        name="search",
        seed=7,
    )
    for plan in (grid, search):
        assert SweepPlan.from_json(plan.to_json()) == plan
    assert json.loads(search.to_json())["playground_sweep"] == SWEEP_VERSION
    assert [parameters for parameters, _ in grid.runs()][:2] == [
        {"learning_rate": 0.01, "activation": "relu", "seed": 0},
        {"learning_rate": 0.01, "activation": "relu", "seed": 1},
    ]


BAD_FILES = [
    ("not json", "{grid: ", "not valid JSON"),
    ("a list", "[1, 2]", "must be a JSON object"),
    ("too big", "x" * (MAX_SWEEP_BYTES + 1), "the limit is"),
    ("old version", document(playground_sweep=0), "sweep files of version 1, but got 0"),
    ("unknown key", document(extra=1), "Unknown keys extra"),
    ("no base", document(base=None), "base is missing"),
    ("bad base", document(base={"training": {"epochs": 0}}), "base: Epochs must be a whole number"),
    ("unreadable base", document(base={"layers": []}), "base: unknown setting 'layers'"),
    ("both modes", document(search={"learning_rate": {"low": 0.1, "high": 1}}, budget=3), "not both"),
    ("neither mode", document(grid=None), "not neither"),
    ("empty grid", document(grid={}), "at least one parameter"),
    ("unknown parameter", document(grid={"momentum": [0.9]}), "'momentum' cannot be swept"),
    ("value out of range", document(grid={"learning_rate": [100]}), "at most 10"),
    ("text for a number", document(grid={"units": ["four"]}), "'four' is not a number"),
    ("unknown choice", document(grid={"activation": ["swish!"]}), "not a known activation"),
    ("duplicate", document(grid={"seed": [1, 1]}), "listed twice"),
    (
        "too many runs",
        document(grid={"learning_rate": [0.001 * (i + 1) for i in range(50)], "seed": list(range(5))}),
        "more than the 200",
    ),
    ("budget on a grid", document(budget=10), 'belong to a "search"'),
    (
        "range upside down",
        document(grid=None, search={"learning_rate": {"low": 1, "high": 0.1}}, budget=5),
        "must be below high",
    ),
    (
        "log from zero",
        document(grid=None, search={"regularization_rate": {"low": 0, "high": 0.1, "log": True}}, budget=5),
        "log range needs a low above 0",
    ),
    ("range as a list", document(grid=None, search={"units": [2, 8]}, budget=5), '{"low": ..., "high": ...}'),
    (
        "choices missing",
        document(grid=None, search={"activation": {"low": 1, "high": 2}}, budget=5),
        "give the choices",
    ),
    ("no budget", document(grid=None, search={"units": {"low": 2, "high": 8}}), "budget must be a whole number"),
    ("budget too large", document(grid=None, search={"units": {"low": 2, "high": 8}}, budget=5000), "from 1 to 200"),
    (
        "seed as text",
        document(grid=None, search={"units": {"low": 2, "high": 8}}, budget=5, seed="x"),
        "seed must be a whole number",
    ),
]


@pytest.mark.parametrize(
    "text, expected",
    [(bad if isinstance(bad, str) else json.dumps(bad), expected) for _, bad, expected in BAD_FILES],
    ids=[name for name, _, _ in BAD_FILES],
)
def test_bad_sweep_files_say_what_is_wrong(text, expected):
    with pytest.raises(SweepFileError) as error:
        SweepPlan.from_json(text)
    assert any(expected in problem for problem in error.value.problems), error.value.problems


def test_every_problem_of_a_file_is_reported_at_once():
    bad = document(
        playground_sweep=3, extra=True, base={"training": {"epochs": -1}}, grid={"learning_rate": [0], "bogus": [1]}
    )
    with pytest.raises(SweepFileError) as error:
        SweepPlan.from_json(json.dumps(bad))
    assert len(error.value.problems) >= 4
    assert any("bogus" in p for p in error.value.problems) and any("epochs" in p.lower() for p in error.value.problems)


@pytest.fixture
def store(tmp_path):
    return RunStore(tmp_path / "runs.sqlite3")


def test_the_smart_search_finds_the_good_learning_rates_and_prunes_the_slow_ones(store):
    """A known optimum: on TF Playground's default experiment, 12 epochs of SGD learn nothing
    below a rate of 0.001 and best from about 0.1 to 3."""
    plan = SweepPlan(BASE, search={"learning_rate": SearchRange(0.00001, 10.0, log=True)}, budget=16, seed=1)
    search = SearchRunner(store, "alice", plan, workers=1)
    search.start()
    assert search.wait(300)
    progress = search.progress()
    assert (progress.state, progress.done, progress.failed) == ("finished", 16, 0)
    assert 0.03 <= search.study.best_params["learning_rate"] <= 10.0
    assert search.study.best_value < 0.3
    saved = store.list_runs("alice", sweep_id=search.id)
    assert len(saved) == 16 and "pruned" in set(saved["state"])
    pruned = saved[saved["state"] == "pruned"]
    assert (pruned["epochs"] < 12).all()  # stopped early, history kept up to there
    best = store.load(saved.loc[saved["test_loss"].idxmin(), "id"]).history
    for _, run in pruned.iterrows():  # each was behind the best run at the epoch where it was stopped
        assert run["test_loss"] > best[int(run["epochs"]) - 1]["test_loss"]


def test_the_search_repeats_with_its_seed_and_tries_what_the_space_allows(store):
    space = {
        "units": SearchRange(2, 3),
        "activation": SearchRange(choices=("relu", "tanh")),
        "learning_rate": SearchRange(0.01, 0.3, log=True),
    }
    tried = []
    for _ in range(2):
        search = SearchRunner(
            store,
            "bob",
            SweepPlan(BASE.replace(training=TrainingSpec(epochs=3)), search=space, budget=4, seed=5),
            workers=1,
        )
        search.start()
        assert search.wait(300)
        tried.append([trial.params for trial in search.study.trials])
    assert tried[0] == tried[1]
    for params in tried[0]:
        assert (
            params["units"] in (2, 3)
            and params["activation"] in ("relu", "tanh")
            and 0.01 <= params["learning_rate"] <= 0.3
        )


def test_cli_sweep_runs_a_grid_file_and_prints_the_results(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS_DB", str(tmp_path / "runs.sqlite3"))
    path = tmp_path / "rates.sweep.json"
    path.write_text(
        SweepPlan(
            BASE.replace(training=TrainingSpec(epochs=5)), grid={"learning_rate": [0.01, 0.3], "seed": [0, 1]}
        ).to_json()
    )
    result = cli("sweep", str(path), "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4 and all(row["state"] == "finished" and row["epochs"] == 5 for row in rows)
    losses = [row["test_loss"] for row in rows]
    assert losses == sorted(losses) and rows[0]["parameters"]["learning_rate"] == 0.3  # best first
    listed = cli("runs", "list", "--json")
    assert len(listed.stdout.splitlines()) == 4
    table = cli("sweep", str(path))
    assert table.returncode == 0 and "learning_rate=0.3" in table.stdout and "4 run(s) saved" in table.stdout


def test_cli_sweep_runs_a_search_file(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_RUNS_DB", str(tmp_path / "runs.sqlite3"))
    path = tmp_path / "search.json"
    plan = SweepPlan(
        BASE.replace(training=TrainingSpec(epochs=4)),
        search={"learning_rate": SearchRange(0.01, 1.0, log=True)},
        budget=3,
    )
    path.write_text(plan.to_json())
    result = cli("sweep", str(path), "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3 and all(0.01 <= row["parameters"]["learning_rate"] <= 1.0 for row in rows)
    assert all(math.isfinite(row["test_loss"]) for row in rows)


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "was not found"),
        ('{"playground_sweep": 1, "grid": {"learning_rate": [0.1]}}', "base is missing"),
        ("not json", "not valid JSON"),
    ],
)
def test_cli_sweep_refuses_bad_input_with_exit_2(tmp_path, content, expected):
    path = tmp_path / "sweep.json"
    if content is not None:
        path.write_text(content)
    result = cli("sweep", str(path))
    assert result.returncode == 2 and expected in result.stderr and "Traceback" not in result.stderr
    folder = cli("sweep", str(tmp_path))
    assert folder.returncode == 2 and "is a folder" in folder.stderr
    workers = cli("sweep", str(path), "--workers", "0")
    assert workers.returncode == 2
