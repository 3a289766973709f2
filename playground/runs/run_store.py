"""Saved runs in a database: an SQLite file by default (nothing to set up), or PostgreSQL when
`PLAYGROUND_DATABASE_URL` names one (for several app processes behind a load balancer).

Both go through SQLAlchemy Core, with the same tables and queries. Every operation is one short
transaction, so any thread (a sweep's workers, the pages) may use one `RunStore`; a run is
written in one transaction when it ends, so a crash loses at most the run in progress.

- **SQLite** runs in WAL mode (readers go on while one writer commits) with a busy timeout
  (concurrent writers wait their turn). Each operation opens its own connection, so a file
  deleted while the app runs is created again.
- **PostgreSQL** connections come from a pool that tests each one before use, so a database that
  went away and came back is used again without a restart.

The tables are created on first use; `schema_version` records their version, and `_migrate`
brings an older database up to date.

A database that cannot be used (locked for too long, corrupt, unreachable, unwritable folder)
raises `StoreError` with what happened and what to do; the app then keeps working without
saving (see `open_store`).

Example:

    store = RunStore("data/runs.sqlite3")              # or RunStore("postgresql://user@host/playground")
    store.save(record)
    store.list_runs(owner="abc")        # a pandas DataFrame, newest first
    store.load(record.id).history
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from playground.runs.run_record import SOURCES, RunRecord
from playground.spec import SpecError
from playground.spec_reading import spec_from_json

log = logging.getLogger(__name__)


def _default_path() -> Path:
    """`data/` in a source checkout; the user's data folder for an installed package."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file():
        return checkout / "data" / "runs.sqlite3"
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "neural-network-playground" / "runs.sqlite3"


DEFAULT_PATH = _default_path()
PATH_VARIABLE = "PLAYGROUND_RUNS_DB"
URL_VARIABLE = "PLAYGROUND_DATABASE_URL"
BUSY_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5
SCHEMA_VERSION = 3
MAX_WHOLE = 2**62  # the largest whole number a history row may hold (an epoch, a count)
DAMAGED_HISTORY = (
    "This run's record is damaged: its curves (the history saved with it) cannot be read, so they are not shown "
    "or exported."
)

METADATA = sa.MetaData()
RUNS = sa.Table(
    "runs",
    METADATA,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("history", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("message", sa.Text),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("duration", sa.Float, nullable=False),
    sa.Column("epochs", sa.Integer, nullable=False),
    sa.Column("train_loss", sa.Float),
    sa.Column("test_loss", sa.Float),
    sa.Column("train_accuracy", sa.Float),
    sa.Column("test_accuracy", sa.Float),
    sa.Column("model", sa.LargeBinary),
    sa.Column("sweep_id", sa.Text),
    sa.Column("parameters", sa.Text),
    sa.Column("share_token", sa.Text, unique=True),
    sa.Column("saved_at", sa.Float),  # version 2: orders runs that started at the same moment (a sweep's population)
    sa.Column("source", sa.Text),  # version 3: what made the run (`run_record.SOURCES`)
    sa.Index("runs_owner", "owner", "started_at"),
    sa.Index("runs_sweep", "sweep_id"),
)
SHARED_LISTS = sa.Table(
    "shared_lists",
    METADATA,
    sa.Column("token", sa.Text, primary_key=True),
    sa.Column("owner", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", sa.Float, nullable=False),
)
VERSIONS = sa.Table("schema_version", METADATA, sa.Column("version", sa.Integer, nullable=False))

LIST_COLUMNS = [
    "id",
    "title",
    "state",
    "epochs",
    "train_loss",
    "test_loss",
    "train_accuracy",
    "test_accuracy",
    "started_at",
    "duration",
    "has_model",
    "sweep_id",
    "parameters",
    "share_token",
    "source",
]


_UPLOAD_REFERENCE = re.compile(r'"upload":\s*"([0-9a-f]{16})"')  # a spec's dataset.csv.upload, as to_json writes it


class StoreError(RuntimeError):
    """The run database cannot be used; the message says why and what to do."""


def configured_location() -> str | Path:
    """`PLAYGROUND_DATABASE_URL` if set, else the SQLite file of `PLAYGROUND_RUNS_DB` (or the default)."""
    return os.environ.get(URL_VARIABLE) or Path(os.environ.get(PATH_VARIABLE) or DEFAULT_PATH)


def database_url(location: str | os.PathLike) -> sa.URL:
    """The SQLAlchemy URL for a file path or a database URL (postgresql:// uses psycopg 3)."""
    text = os.fspath(location)
    if "://" not in text:
        return sa.URL.create("sqlite", database=text)
    url = sa.make_url(text)
    return url.set(drivername="postgresql+psycopg") if url.drivername in ("postgresql", "postgres") else url


def _parameters(text) -> dict:
    """A run's swept values (plain values by name); {} where the column holds something else (a database
    edited by hand, or written by another tool)."""
    try:
        value = json.loads(text) if text else {}
    except (ValueError, TypeError, RecursionError):  # not JSON, not text, or nested thousands deep
        return {}
    if not isinstance(value, dict):
        return {}
    return {name: v for name, v in value.items() if v is None or isinstance(v, (str, int, float))}


def _history(text) -> list[dict] | None:
    """A run's per-epoch rows, or None where the column holds something else (a damaged row, or one
    another tool wrote): a list of rows, each with a whole-number epoch and numbers (or null) by name."""
    try:
        rows = json.loads(text)
    except (ValueError, TypeError, RecursionError):  # not JSON, not text, or nested thousands deep
        return None
    if not isinstance(rows, list) or not all(_history_row(row) for row in rows):
        return None
    return rows


def _history_row(row) -> bool:
    epoch = row.get("epoch") if isinstance(row, dict) else None
    return (
        isinstance(epoch, int)
        and not isinstance(epoch, bool)
        and 0 <= epoch <= MAX_WHOLE
        and all(
            value is None
            or isinstance(value, float)
            or (isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_WHOLE)
            for value in row.values()
        )
    )


def _source(source, sweep_id) -> str:
    """A stored run's source; for one saved before sources were recorded, what its sweep id says."""
    if source in SOURCES:
        return source
    return "sweep" if isinstance(sweep_id, str) and sweep_id else "app"


def _number(value):
    return None if value is None else float(value)


class RunStore:
    """Args:
    location: an SQLite file's path or a database URL; default `configured_location()`.
    """

    def __init__(self, location: str | os.PathLike | None = None):
        self.url = database_url(location if location is not None else configured_location())
        self.sqlite = self.url.get_backend_name() == "sqlite"
        self.path = Path(self.url.database or "") if self.sqlite else None
        self.name = str(self.path) if self.sqlite else self.url.render_as_string(hide_password=True)
        try:
            self.engine = self._engine()
            self._create()
        except (sa.exc.SQLAlchemyError, OSError) as error:
            raise StoreError(self._explain(error)) from error

    def _engine(self) -> sa.Engine:
        if not self.sqlite:
            return sa.create_engine(
                self.url,
                pool_pre_ping=True,
                pool_size=5,
                max_overflow=10,
                connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
            )
        # One connection per operation (no pool): a file deleted while the app runs is noticed.
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)

        @sa.event.listens_for(engine, "connect")
        def wait_when_busy(connection: sa.engine.interfaces.DBAPIConnection, _: sa.pool.ConnectionPoolEntry) -> None:
            connection.execute(
                f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}"
            )  # read at each connect: tests lower it

        return engine

    def _create(self) -> None:
        """Creates the folder, the file and the tables where missing (also when the file was
        deleted), and migrates an older schema."""
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        with self.engine.begin() as connection:
            METADATA.create_all(connection, checkfirst=True)
            version = connection.execute(sa.select(VERSIONS.c.version)).scalar()
            if version is None:  # new, or made before versions were recorded (version 1)
                version = self._version_of_unversioned(connection)
                connection.execute(VERSIONS.insert().values(version=version))
            if version < SCHEMA_VERSION:
                self._migrate(connection, version)

    @staticmethod
    def _columns(connection) -> set[str]:
        return {column["name"] for column in sa.inspect(connection).get_columns("runs")}

    def _version_of_unversioned(self, connection) -> int:
        """A database without a recorded version is new, or was made before versions were recorded (version 1)."""
        return 1 if "saved_at" not in self._columns(connection) else SCHEMA_VERSION

    def _migrate(self, connection, version: int) -> None:
        """Brings a database of an older `version` up to `SCHEMA_VERSION`, one step at a time."""
        if version < 2 and "saved_at" not in self._columns(connection):
            connection.execute(sa.text("ALTER TABLE runs ADD COLUMN saved_at FLOAT"))
        if version < 3 and "source" not in self._columns(connection):
            connection.execute(sa.text("ALTER TABLE runs ADD COLUMN source TEXT"))
        connection.execute(VERSIONS.update().values(version=SCHEMA_VERSION))
        log.info("The run database %s was migrated from schema version %d to %d", self.name, version, SCHEMA_VERSION)

    def _explain(self, error: Exception) -> str:
        text = str(getattr(error, "orig", None) or error)
        variable = PATH_VARIABLE if self.sqlite else URL_VARIABLE
        if "locked" in text or "busy" in text:
            reason = "it is locked by another program"
            advice = f"Close the other program or point {variable} at another file"
        elif "not a database" in text or "malformed" in text or "corrupt" in text:
            reason = "the file is damaged or is not a run database"
            advice = f"Move {self.name} aside (a new one is created) or set {variable} to another path"
        elif not self.sqlite and isinstance(error, sa.exc.OperationalError):
            reason = f"it cannot be reached ({text.strip().splitlines()[0][:200] if text.strip() else 'no answer'})"
            advice = (
                f"Check that the database server is running and {variable} is right; saving resumes by itself once "
                "it is back"
            )
        else:
            reason = text.strip().splitlines()[0][:300] if text.strip() else type(error).__name__
            advice = (
                f"Check that the folder is writable or set {variable} to another path"
                if self.sqlite
                else f"Check {variable}"
            )
        message = f"The run database {self.name} cannot be used: {reason}. {advice}; until then runs are not saved."
        log.warning(message)
        return message

    def execute(self, statement: sa.Executable, fetch: str | None = None, parameters: list[dict] | None = None) -> Any:
        """Runs one statement in a transaction of its own, for the tables that share this database (the
        classes': `playground/classes/class_store.py`), with this store's handling of errors.

        Args:
            fetch: "one" (the first row as a mapping, or None), "all" (every row), or None (the count of rows).
            parameters: rows of values to run the statement once for each, in the same transaction.
        """
        return self._run(statement, fetch, parameters)

    def _run(self, statement, fetch: str | None = None, parameters: list[dict] | None = None):
        try:
            return self._execute(statement, fetch, parameters)
        except (sa.exc.OperationalError, OSError) as error:
            if self.path is not None and (not self.path.exists() or "no such table" in str(error)):
                try:  # the file (or its folder) was deleted while the app ran: start a new one
                    self._create()
                    return self._execute(statement, fetch, parameters)
                except (sa.exc.SQLAlchemyError, OSError) as again:
                    raise StoreError(self._explain(again)) from again
            raise StoreError(self._explain(error)) from error
        except (
            UnicodeEncodeError,
            sa.exc.DataError,
        ):  # an id or token no run can have (a lone surrogate, a NUL): nothing matches
            return {"one": None, "all": []}.get(fetch or "", 0)
        except sa.exc.StatementError as error:
            if isinstance(error.orig, (UnicodeEncodeError, ValueError)):
                return {"one": None, "all": []}.get(fetch or "", 0)
            raise StoreError(self._explain(error)) from error
        except sa.exc.SQLAlchemyError as error:
            raise StoreError(self._explain(error)) from error

    def _execute(self, statement, fetch: str | None, parameters: list[dict] | None = None):
        with self.engine.begin() as connection:  # one transaction: committed on success, rolled back on error
            result = connection.execute(statement, parameters) if parameters else connection.execute(statement)
            if fetch == "one":
                return result.mappings().first()
            if fetch == "all":
                return result.mappings().all()
            return result.rowcount

    # Writing.
    def save(self, record: RunRecord) -> str:
        if record.spec is None:
            raise ValueError("Only a run with its experiment can be saved.")
        final = record.final
        self._run(
            RUNS.insert().values(
                id=record.id,
                owner=record.owner,
                title=record.spec.title,
                spec=record.spec.to_json(),
                history=json.dumps(record.history),
                state=record.state,
                message=record.message,
                started_at=record.started_at,
                duration=record.duration,
                epochs=record.epochs,
                train_loss=_number(final.get("train_loss")),
                test_loss=_number(final.get("test_loss")),
                train_accuracy=_number(final.get("train_accuracy")),
                test_accuracy=_number(final.get("test_accuracy")),
                model=record.model,
                sweep_id=record.sweep_id,
                parameters=json.dumps(record.parameters),
                share_token=record.share_token,
                saved_at=time.time(),
                source=record.source,
            )
        )
        return record.id

    def delete(self, run_id: str, owner: str) -> bool:
        return self._run(RUNS.delete().where(RUNS.c.id == run_id, RUNS.c.owner == owner)) > 0

    def share(self, run_id: str, owner: str) -> str:
        """A token that lets anyone open this run (the same token each time it is asked for)."""
        mine = (RUNS.c.id == str(run_id)) & (RUNS.c.owner == owner)
        row = self._run(sa.select(RUNS.c.share_token).where(mine), "one")
        if row is None:
            raise KeyError(run_id)
        if row["share_token"]:
            return row["share_token"]
        self._run(RUNS.update().where(mine, RUNS.c.share_token.is_(None)).values(share_token=secrets.token_urlsafe(12)))
        return self._run(sa.select(RUNS.c.share_token).where(mine), "one")["share_token"]

    def unshare(self, run_id: str, owner: str) -> bool:
        """Ends the link to this run: whoever has it sees nothing any more (sharing again makes a new link)."""
        mine = (RUNS.c.id == str(run_id)) & (RUNS.c.owner == owner)
        return self._run(RUNS.update().where(mine, RUNS.c.share_token.is_not(None)).values(share_token=None)) > 0

    def share_list(self, owner: str) -> str:
        """A token that lets anyone see (not change) all of `owner`'s runs: the same one until revoked."""
        token = self.shared_list_token(owner)
        if token is not None:
            return token
        try:
            self._run(
                SHARED_LISTS.insert().values(token=secrets.token_urlsafe(16), owner=owner, created_at=time.time())
            )
        except StoreError as error:
            if not isinstance(error.__cause__, sa.exc.IntegrityError):
                raise  # else another page shared the same owner's runs at the same moment: use that token
        token = self.shared_list_token(owner)
        if token is None:
            raise StoreError(f"The runs of {str(owner)!r:.40} could not be shared: no owner has that id.")
        return token

    def shared_list_token(self, owner: str) -> str | None:
        row = self._run(sa.select(SHARED_LISTS.c.token).where(SHARED_LISTS.c.owner == owner), "one")
        return None if row is None else row["token"]

    def revoke_list(self, owner: str) -> bool:
        """Ends the link to `owner`'s runs: whoever has it sees nothing any more."""
        return self._run(SHARED_LISTS.delete().where(SHARED_LISTS.c.owner == owner)) > 0

    def owner_of_list(self, token: str) -> str | None:
        row = self._run(sa.select(SHARED_LISTS.c.owner).where(SHARED_LISTS.c.token == str(token)[:64]), "one")
        return None if row is None else row["owner"]

    # Reading.
    def load(self, run_id: str, owner: str | None = None) -> RunRecord | None:
        """The run, if it exists and (when `owner` is given) belongs to `owner`."""
        query = sa.select(RUNS).where(RUNS.c.id == str(run_id))
        if owner is not None:
            query = query.where(RUNS.c.owner == owner)
        row = self._run(query, "one")
        return None if row is None else self._record(row)

    def load_shared(self, token: str) -> RunRecord | None:
        row = self._run(sa.select(RUNS).where(RUNS.c.share_token == str(token)[:64]), "one")
        return None if row is None else self._record(row)

    def list_runs(self, owner: str | None, sweep_id: str | None = None) -> pd.DataFrame:
        """The owner's runs (everyone's for None: the CLI, run by the server's operator), newest
        first, one row each (no history or model: cheap to list)."""
        columns = [RUNS.c[name] for name in LIST_COLUMNS if name != "has_model"] + [
            RUNS.c.model.is_not(None).label("has_model")
        ]
        query = sa.select(*columns)
        if owner is not None:
            query = query.where(RUNS.c.owner == owner)
        if sweep_id is not None:
            query = query.where(RUNS.c.sweep_id == sweep_id)
        rows = self._run(query.order_by(RUNS.c.started_at.desc(), RUNS.c.saved_at.desc()), "all")
        frame = pd.DataFrame([dict(row) for row in rows], columns=LIST_COLUMNS)
        frame["has_model"] = frame["has_model"].astype(bool)
        frame["parameters"] = [_parameters(p) for p in frame["parameters"]]
        frame["source"] = [_source(source, sweep) for source, sweep in zip(frame["source"], frame["sweep_id"])]
        return frame

    def histories(self, run_ids: list[str], owner: str) -> dict[str, list[dict]]:
        if not run_ids:
            return {}
        rows = self._run(
            sa.select(RUNS.c.id, RUNS.c.history).where(RUNS.c.owner == owner, RUNS.c.id.in_(list(run_ids))), "all"
        )
        histories = {row["id"]: _history(row["history"]) for row in rows}
        return {run_id: history for run_id, history in histories.items() if history is not None}

    def upload_ids(self) -> set[str]:
        """The ids of the uploaded CSV files the saved runs train on (their files must be kept)."""
        rows = self._run(sa.select(RUNS.c.spec).where(RUNS.c.spec.contains('"upload"')), "all")
        return {upload_id for row in rows for upload_id in _UPLOAD_REFERENCE.findall(row["spec"])}

    def count(self) -> int:
        return int(self._run(sa.select(sa.func.count().label("runs")).select_from(RUNS), "one")["runs"])

    @staticmethod
    def _record(row) -> RunRecord:
        message = row["message"] or ""
        try:
            spec = spec_from_json(row["spec"])
        except SpecError as error:  # saved by another version of the app
            spec = None
            message = (
                "This run's config can no longer be read by this version of the app, so it cannot be opened (its "
                f"curves are kept): {error.problems[0]}"
            )
        history = _history(row["history"])
        if history is None:
            message = DAMAGED_HISTORY + (f" {message}" if message else "")
        return RunRecord(
            id=row["id"],
            owner=row["owner"],
            spec=spec,
            history=history or [],
            damaged=history is None,
            state=row["state"],
            started_at=row["started_at"],
            duration=row["duration"],
            message=message,
            model=row["model"],
            sweep_id=row["sweep_id"],
            parameters=_parameters(row["parameters"]),
            share_token=row["share_token"],
            source=_source(row["source"], row["sweep_id"]),
        )


class UnavailableStore:
    """Stands in for the store when the database cannot be used: nothing is saved, nothing breaks."""

    def __init__(self, message: str):
        self.message = message

    def save(self, record: RunRecord) -> str:
        return record.id

    def list_runs(self, owner: str, sweep_id: str | None = None) -> pd.DataFrame:
        return pd.DataFrame(columns=LIST_COLUMNS)

    def load(self, run_id: str, owner: str | None = None) -> RunRecord | None:
        return None

    def load_shared(self, token: str) -> RunRecord | None:
        return None

    def histories(self, run_ids: list[str], owner: str) -> dict[str, list[dict]]:
        return {}

    def delete(self, run_id: str, owner: str) -> bool:
        return False

    def share(self, run_id: str, owner: str) -> str:
        raise StoreError(self.message)

    def unshare(self, run_id: str, owner: str) -> bool:
        return False

    def share_list(self, owner: str) -> str:
        raise StoreError(self.message)

    def shared_list_token(self, owner: str) -> None:
        return None

    def revoke_list(self, owner: str) -> bool:
        return False

    def owner_of_list(self, token: str) -> None:
        return None


def open_store(location: str | os.PathLike | None = None) -> RunStore | UnavailableStore:
    """The store, or an `UnavailableStore` carrying the reason when the database cannot be used."""
    try:
        return RunStore(location)
    except StoreError as error:
        return UnavailableStore(str(error))
