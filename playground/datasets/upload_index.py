"""Who uploaded which file, and when: an SQLite table beside the uploaded files.

An uploaded file is named by its content (`uploads.py`), so two owners who upload the same table
share one file; the index has a row per (file, owner), with the file's size and the last time that
owner uploaded it. From it come each owner's share of the disk (their quota), the total, and the
age of a file for the clean-up. Several processes of the app on one machine share the folder:
every use of the index is one transaction that holds SQLite's write lock (`BEGIN IMMEDIATE`), so a
file is never removed while another process records it.

Example:

    with UploadIndex.locked(folder) as index:
        if index.owner_bytes("abc") + size <= quota:
            index.record(upload_id, "abc", size, time.time())
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_NAME = "index.sqlite3"
BUSY_TIMEOUT_SECONDS = 10.0


class UploadIndex:
    """The index of one uploads folder, inside a transaction (see `locked`)."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    @classmethod
    @contextmanager
    def locked(cls, folder: Path) -> Iterator[UploadIndex]:
        """The index, its write lock held until the block ends; committed unless the block raises.

        Raises:
            sqlite3.Error, OSError: the index cannot be opened or stayed locked for 10 s.
        """
        folder.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(folder / FILE_NAME, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS uploads (upload_id TEXT NOT NULL, owner TEXT NOT NULL, "
                "size INTEGER NOT NULL, saved_at REAL NOT NULL, PRIMARY KEY (upload_id, owner))"
            )
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield cls(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()

    def holds(self, upload_id: str, owner: str | None = None) -> bool:
        """Whether the file is recorded (for `owner`, when given)."""
        query, values = "SELECT 1 FROM uploads WHERE upload_id = ?", [upload_id]
        if owner is not None:
            query, values = query + " AND owner = ?", values + [owner]
        return self.connection.execute(query, values).fetchone() is not None

    def owner_bytes(self, owner: str) -> int:
        """The bytes of the files `owner` uploaded (a file shared with others counts for each)."""
        row = self.connection.execute("SELECT COALESCE(SUM(size), 0) FROM uploads WHERE owner = ?", [owner]).fetchone()
        return int(row[0])

    def total_bytes(self) -> int:
        """The bytes of all recorded files, each counted once."""
        row = self.connection.execute(
            "SELECT COALESCE(SUM(size), 0) FROM (SELECT MAX(size) AS size FROM uploads GROUP BY upload_id)"
        ).fetchone()
        return int(row[0])

    def record(self, upload_id: str, owner: str, size: int, now: float) -> None:
        self.connection.execute(
            "INSERT INTO uploads (upload_id, owner, size, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (upload_id, owner) DO UPDATE SET size = excluded.size, saved_at = excluded.saved_at",
            [upload_id, owner, size, now],
        )

    def last_saved(self) -> dict[str, float]:
        """Each recorded file's id and the last time anyone uploaded it."""
        rows = self.connection.execute("SELECT upload_id, MAX(saved_at) FROM uploads GROUP BY upload_id")
        return {upload_id: saved_at for upload_id, saved_at in rows}

    def forget(self, upload_ids: Iterable[str]) -> None:
        self.connection.executemany("DELETE FROM uploads WHERE upload_id = ?", [[i] for i in upload_ids])
