"""Saved runs in an embedded SQLite database, written in WAL mode, one transaction per change.

Every operation opens its own short-lived connection, so any thread (a sweep's workers, the
pages) may use one `RunStore`; SQLite's WAL mode lets readers go on while one writer commits,
and the busy timeout makes concurrent writers wait their turn instead of failing. A run is
written in one transaction when it ends, so a crash loses at most the run in progress.

A database that cannot be opened (locked for too long, corrupt, not a database, unwritable
folder) raises `StoreError` with what happened and what to do; the app then keeps working
without saving (see `open_store`).

Example:

    store = RunStore("data/runs.sqlite3")
    store.save(record)
    store.list_runs(owner="abc")        # a pandas DataFrame, newest first
    store.load(record.id).history
"""

from __future__ import annotations

import logging
import json
import os
import secrets
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pandas as pd

from playground.runs.run_record import RunRecord
from playground.spec import ExperimentSpec, SpecError

log = logging.getLogger(__name__)

def _default_path() -> Path:
    """`data/` in a source checkout; the user's data folder for an installed package."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "app.py").is_file():
        return checkout / "data" / "runs.sqlite3"
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "neural-network-playground" / "runs.sqlite3"


DEFAULT_PATH = _default_path()
PATH_VARIABLE = "PLAYGROUND_RUNS_DB"
BUSY_TIMEOUT_SECONDS = 10.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT,
    spec TEXT NOT NULL,
    history TEXT NOT NULL,
    state TEXT NOT NULL,
    message TEXT,
    started_at REAL NOT NULL,
    duration REAL NOT NULL,
    epochs INTEGER NOT NULL,
    train_loss REAL, test_loss REAL, train_accuracy REAL, test_accuracy REAL,
    model BLOB,
    sweep_id TEXT,
    parameters TEXT,
    share_token TEXT UNIQUE
);
CREATE INDEX IF NOT EXISTS runs_owner ON runs (owner, started_at);
CREATE INDEX IF NOT EXISTS runs_sweep ON runs (sweep_id);
CREATE TABLE IF NOT EXISTS shared_lists (
    token TEXT PRIMARY KEY,
    owner TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL
);
"""

LIST_COLUMNS = ["id", "title", "state", "epochs", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
                "started_at", "duration", "has_model", "sweep_id", "parameters", "share_token"]


class StoreError(RuntimeError):
    """The run database cannot be used; the message says why and what to do."""


def configured_path() -> Path:
    return Path(os.environ.get(PATH_VARIABLE) or DEFAULT_PATH)


def _parameters(text) -> dict:
    """A run's swept values; {} where the column holds something else (a database edited by hand)."""
    try:
        value = json.loads(text) if text else {}
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def _number(value):
    return None if value is None else float(value)


class RunStore:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else configured_path()
        try:
            self._create()
        except (sqlite3.Error, OSError) as error:
            raise StoreError(self._explain(error)) from error

    def _create(self) -> None:
        """Creates the folder, the file and the tables where missing (also when the file was deleted)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            with connection:
                connection.executescript(SCHEMA)
            connection.execute("SELECT count(*) FROM runs").fetchone()

    def _explain(self, error: Exception) -> str:
        text = str(error)
        if "locked" in text or "busy" in text:
            reason = "it is locked by another program"
            advice = "Close the other program or point PLAYGROUND_RUNS_DB at another file"
        elif "not a database" in text or "malformed" in text or "corrupt" in text:
            reason = "the file is damaged or is not a run database"
            advice = f"Move {self.path} aside (a new one is created) or set PLAYGROUND_RUNS_DB to another path"
        else:
            reason = text
            advice = "Check that the folder is writable or set PLAYGROUND_RUNS_DB to another path"
        message = f"The run database {self.path} cannot be used: {reason}. {advice}; until then runs are not saved."
        log.warning(message)
        return message

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS)
        connection.row_factory = sqlite3.Row
        return connection

    def _run(self, sql: str, parameters=(), fetch: str | None = None):
        try:
            return self._execute(sql, parameters, fetch)
        except (sqlite3.OperationalError, OSError) as error:
            if not self.path.exists() or "no such table" in str(error):
                try:  # the file (or its folder) was deleted while the app ran: start a new one
                    self._create()
                    return self._execute(sql, parameters, fetch)
                except (sqlite3.Error, OSError) as again:
                    raise StoreError(self._explain(again)) from again
            raise StoreError(self._explain(error)) from error
        except sqlite3.Error as error:
            raise StoreError(self._explain(error)) from error
        except UnicodeEncodeError:  # an id or token no run can have (a lone surrogate): nothing matches
            return {"one": None, "all": []}.get(fetch, 0)

    def _execute(self, sql: str, parameters, fetch: str | None):
        with closing(self._connect()) as connection:
            with connection:  # one transaction: committed on success, rolled back on error
                cursor = connection.execute(sql, parameters)
                if fetch == "one":
                    return cursor.fetchone()
                if fetch == "all":
                    return cursor.fetchall()
                return cursor.rowcount

    # Writing.
    def save(self, record: RunRecord) -> str:
        final = record.final
        self._run(
            "INSERT INTO runs (id, owner, title, spec, history, state, message, started_at, duration, epochs, train_loss, test_loss,"
            " train_accuracy, test_accuracy, model, sweep_id, parameters, share_token) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (record.id, record.owner, record.spec.title, record.spec.to_json(), json.dumps(record.history), record.state, record.message,
             record.started_at, record.duration, record.epochs, _number(final.get("train_loss")), _number(final.get("test_loss")),
             _number(final.get("train_accuracy")), _number(final.get("test_accuracy")), record.model, record.sweep_id,
             json.dumps(record.parameters), record.share_token),
        )
        return record.id

    def delete(self, run_id: str, owner: str) -> bool:
        return self._run("DELETE FROM runs WHERE id = ? AND owner = ?", (run_id, owner)) > 0

    def share(self, run_id: str, owner: str) -> str:
        """A token that lets anyone open this run (the same token each time it is asked for)."""
        row = self._run("SELECT share_token FROM runs WHERE id = ? AND owner = ?", (run_id, owner), "one")
        if row is None:
            raise KeyError(run_id)
        if row["share_token"]:
            return row["share_token"]
        token = secrets.token_urlsafe(12)
        self._run("UPDATE runs SET share_token = ? WHERE id = ? AND owner = ?", (token, run_id, owner))
        return token

    def share_list(self, owner: str) -> str:
        """A token that lets anyone see (not change) all of `owner`'s runs: the same one until revoked."""
        row = self._run("SELECT token FROM shared_lists WHERE owner = ?", (owner,), "one")
        if row is not None:
            return row["token"]
        token = secrets.token_urlsafe(16)
        self._run("INSERT OR IGNORE INTO shared_lists (token, owner, created_at) VALUES (?, ?, ?)", (token, owner, time.time()))
        row = self._run("SELECT token FROM shared_lists WHERE owner = ?", (owner,), "one")
        if row is None:
            raise StoreError(f"The runs of {str(owner)!r:.40} could not be shared: no owner has that id.")
        return row["token"]

    def shared_list_token(self, owner: str) -> str | None:
        row = self._run("SELECT token FROM shared_lists WHERE owner = ?", (owner,), "one")
        return None if row is None else row["token"]

    def revoke_list(self, owner: str) -> bool:
        """Ends the link to `owner`'s runs: whoever has it sees nothing any more."""
        return self._run("DELETE FROM shared_lists WHERE owner = ?", (owner,)) > 0

    def owner_of_list(self, token: str) -> str | None:
        row = self._run("SELECT owner FROM shared_lists WHERE token = ?", (str(token)[:64],), "one")
        return None if row is None else row["owner"]

    # Reading.
    def load(self, run_id: str, owner: str | None = None) -> RunRecord | None:
        """The run, if it exists and (when `owner` is given) belongs to `owner`."""
        sql, parameters = "SELECT * FROM runs WHERE id = ?", (str(run_id),)
        if owner is not None:
            sql, parameters = sql + " AND owner = ?", (run_id, owner)
        row = self._run(sql, parameters, "one")
        return None if row is None else self._record(row)

    def load_shared(self, token: str) -> RunRecord | None:
        row = self._run("SELECT * FROM runs WHERE share_token = ?", (str(token)[:64],), "one")
        return None if row is None else self._record(row)

    def list_runs(self, owner: str | None, sweep_id: str | None = None) -> pd.DataFrame:
        """The owner's runs (everyone's for None: the CLI, run by the server's operator), newest
        first, one row each (no history or model: cheap to list)."""
        sql = ("SELECT id, title, state, epochs, train_loss, test_loss, train_accuracy, test_accuracy, started_at, duration,"
               " model IS NOT NULL AS has_model, sweep_id, parameters, share_token FROM runs WHERE (? IS NULL OR owner = ?)")
        parameters: tuple = (owner, owner)
        if sweep_id is not None:
            sql, parameters = sql + " AND sweep_id = ?", (owner, owner, sweep_id)
        rows = self._run(sql + " ORDER BY started_at DESC, rowid DESC", parameters, "all")
        frame = pd.DataFrame([dict(row) for row in rows], columns=LIST_COLUMNS)
        frame["has_model"] = frame["has_model"].astype(bool)
        frame["parameters"] = [_parameters(p) for p in frame["parameters"]]
        return frame

    def histories(self, run_ids: list[str], owner: str) -> dict[str, list[dict]]:
        if not run_ids:
            return {}
        marks = ",".join("?" * len(run_ids))
        rows = self._run(f"SELECT id, history FROM runs WHERE owner = ? AND id IN ({marks})", (owner, *run_ids), "all")
        return {row["id"]: json.loads(row["history"]) for row in rows}

    def count(self) -> int:
        return int(self._run("SELECT count(*) AS n FROM runs", (), "one")["n"])

    @staticmethod
    def _record(row) -> RunRecord:
        message = row["message"] or ""
        try:
            spec = ExperimentSpec.from_json(row["spec"])
        except SpecError as error:  # saved by another version of the app
            spec = None
            message = ("This run's config can no longer be read by this version of the app, so it cannot be opened "
                       f"(its curves are kept): {error.problems[0]}")
        return RunRecord(
            id=row["id"], owner=row["owner"], spec=spec, history=json.loads(row["history"]),
            state=row["state"], started_at=row["started_at"], duration=row["duration"], message=message,
            model=row["model"], sweep_id=row["sweep_id"], parameters=_parameters(row["parameters"]), share_token=row["share_token"],
        )


class UnavailableStore:
    """Stands in for the store when the database cannot be used: nothing is saved, nothing breaks."""

    def __init__(self, message: str):
        self.message = message

    def save(self, record: RunRecord) -> str:
        return record.id

    def list_runs(self, owner: str, sweep_id: str | None = None) -> pd.DataFrame:
        return pd.DataFrame(columns=LIST_COLUMNS)

    def load(self, run_id: str, owner: str | None = None):
        return None

    def load_shared(self, token: str):
        return None

    def histories(self, run_ids, owner):
        return {}

    def delete(self, run_id: str, owner: str) -> bool:
        return False

    def share(self, run_id: str, owner: str) -> str:
        raise StoreError(self.message)

    def share_list(self, owner: str) -> str:
        raise StoreError(self.message)

    def shared_list_token(self, owner: str) -> None:
        return None

    def revoke_list(self, owner: str) -> bool:
        return False

    def owner_of_list(self, token: str) -> None:
        return None


def open_store(path: str | os.PathLike | None = None):
    """The store, or an `UnavailableStore` carrying the reason when the database cannot be used."""
    try:
        return RunStore(path)
    except StoreError as error:
        return UnavailableStore(str(error))
