"""A throwaway PostgreSQL server for the tests, run from Debian's `postgresql` package.

The server runs from a scratch folder, on a free port of 127.0.0.1, with trust authentication,
and without fsync. PostgreSQL refuses to run as root, so as root it runs as the package's
`postgres` user. `make test` installs the package; without it the tests that need it fail, with a
message saying how to install it (they never skip in CI).

Example:

    with PostgresServer(tmp_path) as server:
        url = server.new_database()       # postgresql://playground@127.0.0.1:PORT/test_...
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import uuid
from pathlib import Path

USER = "playground"
INSTALL_HINT = (
    "Install PostgreSQL's server with: sudo apt-get install postgresql (`make test` does this when run as root)."
)


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian keeps it out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """Starts on entering, stops (and forgets its data) on leaving; `stop`/`start` in between."""

    def __init__(self, folder: Path):
        self.bin = server_binaries()
        if self.bin is None:
            raise RuntimeError(
                f"The run store's tests need a PostgreSQL server, which is not installed. {INSTALL_HINT}"
            )
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.port = _free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _command(self, name: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin / name), *args], check=True, capture_output=True, timeout=120)

    def __enter__(self) -> PostgresServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        self._command("initdb", "-D", str(self.data), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync")
        self.start()
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._command(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"), "-w", "start"
        )

    def stop(self) -> None:
        self._command("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def __exit__(self, *exc) -> None:
        self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A fresh, empty database's URL (one per test keeps the tests apart)."""
        import sqlalchemy as sa

        name = f"test_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(
            self.url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
        )
        with engine.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        engine.dispose()
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"
