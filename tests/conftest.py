import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Tests never write to the real data folder: every store (and the e2e server) uses a scratch database.
import tempfile  # noqa: E402

import playground  # noqa: E402,F401  (sets TensorFlow's environment before anything imports it)

os.environ.setdefault("PLAYGROUND_RUNS_DB", os.path.join(tempfile.mkdtemp(prefix="playground-runs-"), "runs.sqlite3"))

# The in-process page tests build a trainer on every page load but mostly never train: they skip
# compiling ahead (each compile is seconds of CPU that would run on into the next tests). The e2e
# server and the trainer tests keep the default.
os.environ["PLAYGROUND_COMPILE_AHEAD"] = "0"
# They also train in their own process, as the CLI does; the e2e servers get the worker processes
# `make run` starts (tests/e2e/conftest.py), and tests/test_training_workers.py tests the pool.
os.environ["PLAYGROUND_TRAINING_WORKERS"] = "0"


def _use_the_apps_streamlit_settings() -> None:
    """The in-process page tests (AppTest) get the app's Streamlit settings, as `playground app` does.
    Streamlit reads them from `.streamlit/config.toml` beside the app's script (playground/web/),
    which AppTest never runs."""
    import tomllib

    from streamlit import config

    settings = tomllib.loads((ROOT / "playground" / "web" / ".streamlit" / "config.toml").read_text())
    for section, options in settings.items():
        for name, value in options.items():
            config.set_option(f"{section}.{name}", value)


_use_the_apps_streamlit_settings()


def pytest_collection_modifyitems(items):
    """Every end-to-end test is a `browser` test (`make test-fast` leaves them out)."""
    import pytest

    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.browser)


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def postgres():
    """One PostgreSQL server for the whole session (see tests/postgres_server.py). Its folder is
    directly in the temporary folder: as root, the server runs as `postgres`, which must reach it."""
    import shutil

    from tests.postgres_server import PostgresServer

    folder = tempfile.mkdtemp(prefix="playground-postgres-")
    try:
        server = PostgresServer(Path(folder))
    except RuntimeError as error:
        pytest.fail(str(error))
    try:
        with server:
            yield server
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def training_pool():
    """One training worker process for the tests that train through one (started once, ~5 s)."""
    from playground.engine.training_workers import TrainingWorkers

    pool = TrainingWorkers(1)
    yield pool
    pool.close()
