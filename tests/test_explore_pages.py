"""AppTest: the Runs and Sweeps pages, driven through the app's navigation."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "playground/web/navigation.py")  # the app's script (app.py serves it)


def app_on(page: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=180)
    app.run()
    app.switch_page(page).run()
    return app


def no_problems(app):
    assert not app.exception, [e.value for e in app.exception]


def wait_for_sweep(app, timeout=180):
    sweep = app.session_state["sweep"]
    assert sweep.wait(timeout)
    app.run()
    return sweep


@pytest.mark.slow
def test_builtin_learning_rate_sweep_shows_results_and_opens_the_best_run():
    app = app_on("app_pages/sweeps.py")
    no_problems(app)
    app.number_input(key="builtin_epochs").set_value(5).run()
    app.button(key="sweep_builtin").click().run()
    sweep = wait_for_sweep(app)
    no_problems(app)
    assert sweep.progress().done == 11
    keys = [c.proto.id for c in app.get("plotly_chart")]
    assert (
        any("sweep_heatmap" in k for k in keys)
        and any("sweep_curves" in k for k in keys)
        and any("sweep_parallel" in k for k in keys)
    )
    best = [s.value for s in app.success if "Best run" in s.value]
    assert best and "learning\\_rate=" in best[0]  # shown as text: Markdown-escaped
    app.button(key="sweep_open_best").click().run()
    no_problems(app)
    assert app.session_state["spec"].training.learning_rate in (0.03, 0.1, 0.3, 1, 3, 10)
    assert app.session_state["spec"].training.epochs == 5


def test_bad_grid_values_are_refused_in_the_page():
    app = app_on("app_pages/sweeps.py")
    app.text_input(key="sweep_values_learning_rate").input("0.1, fast").run()
    no_problems(app)
    assert any("'fast' is not a number" in e.value for e in app.error)
    assert app.button(key="sweep_start").disabled
    app.multiselect(key="sweep_parameters").set_value(["learning_rate", "seed", "units"]).run()
    app.text_input(key="sweep_values_learning_rate").input(", ".join(str(0.001 * (i + 1)) for i in range(10))).run()
    app.text_input(key="sweep_values_seed").input(", ".join(str(i) for i in range(10))).run()
    app.text_input(key="sweep_values_units").input("2, 4, 8").run()
    assert any("300 runs, more than the 200 allowed" in e.value for e in app.error)
    assert app.button(key="sweep_start").disabled


def test_runs_page_lists_compares_and_deletes_saved_runs():
    app = app_on("app_pages/sweeps.py")
    app.multiselect(key="sweep_parameters").set_value(["learning_rate"]).run()
    app.text_input(key="sweep_values_learning_rate").input("0.01, 0.3").run()
    app.number_input(key="sweep_epochs").set_value(5).run()
    assert app.button(key="sweep_start").label == "Run 2 runs of 5 epochs"
    app.button(key="sweep_start").click().run()
    wait_for_sweep(app)
    app.switch_page("app_pages/runs.py").run()
    no_problems(app)
    table = app.dataframe[0].value
    assert len(table) >= 2 and {"run", "state", "test loss"} <= set(table.columns)
    app.session_state["runs_table"] = {"selection": {"rows": [0, 1], "columns": []}}
    app.run()
    no_problems(app)
    assert any("runs_curves" in c.proto.id for c in app.get("plotly_chart"))
    assert any("Configs side by side" in h.value for h in app.subheader)
    before = len(table)
    app.button(key="runs_delete").click().run()
    no_problems(app)
    assert len(app.dataframe[0].value) == before - 2 if app.dataframe else before == 2


def test_a_corrupt_database_is_explained_and_the_app_keeps_working(tmp_path, monkeypatch):
    from playground.web.widgets.run_saving import _opened as run_store  # the cached store, opened again after clear()

    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database" * 200)
    monkeypatch.setenv("PLAYGROUND_RUNS_DB", str(broken))
    run_store.clear()
    try:
        for page in ("app_pages/runs.py", "app_pages/sweeps.py", "app_pages/playground.py"):
            app = app_on(page)
            no_problems(app)
            assert any("cannot be used" in w.value and "PLAYGROUND\\_RUNS\\_DB" in w.value for w in app.warning), (
                page
            )  # Markdown-escaped
    finally:
        monkeypatch.undo()
        run_store.clear()


def test_smart_search_mode_runs_a_budget_and_shows_optuna_figures():
    app = app_on("app_pages/sweeps.py")
    app.radio(key="sweep_mode").set_value("search").run()
    no_problems(app)
    app.text_input(key="sweep_low_learning_rate").input("1").run()
    assert any("must be below high" in e.value for e in app.error) and app.button(key="sweep_start").disabled
    app.text_input(key="sweep_low_learning_rate").input("0.01").run()
    app.number_input(key="sweep_budget").set_value(4).run()
    app.number_input(key="sweep_epochs").set_value(5).run()
    assert not app.error
    assert app.button(key="sweep_start").label == "Search 4 runs of 5 epochs"
    app.button(key="sweep_start").click().run()
    search = wait_for_sweep(app)
    no_problems(app)
    assert search.progress().done == 4 and len(search.study.trials) == 4
    assert all(0.01 <= trial.params["learning_rate"] <= 1 for trial in search.study.trials)
    keys = [c.proto.id for c in app.get("plotly_chart")]
    assert any("search_history" in k for k in keys) and any("search_slices" in k for k in keys)
    assert any("sweep_parallel" in k for k in keys)

    assert any(
        "sweep_download" in d.proto.id for d in app.get("download_button")
    )  # the e2e test downloads and loads it back
