"""Files uploaded in the page, kept in a folder the app owns and named by an id, never by a path.

A spec (and so a shared link) refers to an uploaded CSV only by its id: the first 16 hex digits of
the content's SHA-256. The same file uploaded twice has the same id; an id cannot name anything
outside the uploads folder. The folder is `PLAYGROUND_UPLOADS_DIR`, or `playground-uploads` in
the system's temporary folder.

A file is checked whole before it is stored (`csv_table.check_table`), so a refused file
never takes room on the disk. The index beside the files (`upload_index.py`) records who uploaded
what: each owner may keep `PLAYGROUND_UPLOAD_QUOTA_MB` and the server `PLAYGROUND_UPLOADS_TOTAL_MB`
(`playground/limits.py`). A file no saved run uses (a run's share link is the run) is removed
`PLAYGROUND_UPLOAD_MAX_AGE_DAYS` after it was last uploaded or read; that clean-up runs when a file
is uploaded, at most once an hour per process.

Example:

    upload_id = save_upload(csv_content, owner="abc", in_use=store.upload_ids)
    read_upload(upload_id)      # -> the same bytes
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from playground import limits
from playground.datasets.csv_table import MAX_BYTES as MAX_UPLOAD_BYTES
from playground.datasets.csv_table import check_table
from playground.datasets.dataset import DatasetError
from playground.datasets.upload_index import UploadIndex
from playground.file_reading import FileRefused, read_regular_file

log = logging.getLogger(__name__)

FOLDER_VARIABLE = "PLAYGROUND_UPLOADS_DIR"
_UPLOAD_ID = re.compile(r"[0-9a-f]{16}")
CLEAN_UP_INTERVAL_SECONDS = 60 * 60
PARTIAL_MAX_AGE_SECONDS = 60 * 60  # a `.part` file this old was left by a process that stopped while writing
_last_clean_up = {"at": -float("inf")}
_clean_up_lock = threading.Lock()


class UploadQuotaExceeded(DatasetError):
    """An upload refused because its owner's space or the server's is full; the message says how to free some."""


def uploads_folder() -> Path:
    return Path(os.environ.get(FOLDER_VARIABLE) or Path(tempfile.gettempdir()) / "playground-uploads")


def is_upload_id(text: object) -> bool:
    return isinstance(text, str) and _UPLOAD_ID.fullmatch(text) is not None


def _megabytes(size: int) -> str:
    return f"{size / limits.MEGABYTE:,.1f} MB"


def _days() -> str:
    return f"{limits.UPLOAD_MAX_AGE_SECONDS / limits.DAY_SECONDS:g} day(s)"


def save_upload(content: bytes, owner: str = "", in_use: Callable[[], Iterable[str]] | None = None) -> str:
    """Checks `content` (at most `MAX_UPLOAD_BYTES`, a table the app can read), stores it for
    `owner` within the quotas and returns its id. `in_use` (the ids the saved runs use) lets the
    hourly clean-up run first; without it nothing is removed.

    Raises:
        DatasetError: the file is refused (nothing is stored), saying why and what to do;
            `UploadQuotaExceeded` when there is no room for it.
    """
    if len(content) > MAX_UPLOAD_BYTES:
        raise DatasetError(
            f"The file is {len(content) / 1e6:.0f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB. Use a sample of "
            "the rows."
        )
    check_table(content)
    if in_use is not None:
        remove_unused_uploads_hourly(in_use)
    upload_id = hashlib.sha256(content).hexdigest()[:16]
    folder = uploads_folder()
    try:
        with UploadIndex.locked(folder) as index:
            if not index.holds(upload_id, owner):
                _check_room(index, upload_id, owner, len(content))
            path = folder / f"{upload_id}.csv"
            if not path.is_file():
                partial = path.with_suffix(f".{os.getpid()}.part")
                partial.write_bytes(content)
                partial.replace(path)  # atomic: a reader never sees half a file
            index.record(upload_id, owner, len(content), time.time())
    except (sqlite3.Error, OSError) as error:
        log.warning("An upload could not be stored in %s: %s", folder, error)
        raise DatasetError(
            "The server could not store the uploaded file (its uploads folder cannot be written now). Try again in a "
            "moment; if it keeps failing, tell whoever runs the app."
        ) from None
    return upload_id


def _check_room(index: UploadIndex, upload_id: str, owner: str, size: int) -> None:
    """Refuses a file its owner (or the server) has no room for, saying how room is made."""
    freeing = (
        f"An uploaded file that no saved run uses is removed {_days()} after it was last used: delete the saved "
        "runs you no longer need on the Runs page (their files are then removed in time), or upload a sample of the "
        "rows."
    )
    used = index.owner_bytes(owner)
    if used + size > limits.UPLOAD_QUOTA_BYTES:
        raise UploadQuotaExceeded(
            f"This file ({_megabytes(size)}) does not fit in your space for uploads: your files take "
            f"{_megabytes(used)} of {_megabytes(limits.UPLOAD_QUOTA_BYTES)}. Your current data is kept. {freeing}"
        )
    if not index.holds(upload_id) and index.total_bytes() + size > limits.UPLOADS_TOTAL_BYTES:
        raise UploadQuotaExceeded(
            f"The server's space for uploaded files ({_megabytes(limits.UPLOADS_TOTAL_BYTES)}) is full, so this file "
            f"({_megabytes(size)}) was not stored. Your current data is kept. Try again later: {freeing}"
        )


def remove_unused_uploads_hourly(in_use: Callable[[], Iterable[str]]) -> list[str]:
    """`remove_unused_uploads`, unless this process ran it less than an hour ago (then nothing)."""
    with _clean_up_lock:
        now = time.monotonic()
        if now - _last_clean_up["at"] < CLEAN_UP_INTERVAL_SECONDS:
            return []
        _last_clean_up["at"] = now
    return remove_unused_uploads(in_use)


def remove_unused_uploads(in_use: Callable[[], Iterable[str]], now: float | None = None) -> list[str]:
    """Removes the uploaded files that no id of `in_use()` names and that nobody uploaded or read
    for `PLAYGROUND_UPLOAD_MAX_AGE_DAYS`; returns their ids. When `in_use` fails, nothing is removed."""
    now = time.time() if now is None else now
    try:
        kept = set(in_use())
    except Exception as error:  # the run store is down: which files runs use is unknown, so none is removed
        log.warning("Unused uploads were not removed: the saved runs could not be read (%s).", error)
        return []
    folder = uploads_folder()
    try:
        with UploadIndex.locked(folder) as index:
            last_used = index.last_saved()
            for entry in os.scandir(folder):
                name, modified = entry.name, entry.stat().st_mtime
                if name.endswith(".csv") and is_upload_id(name[:-4]):
                    last_used[name[:-4]] = max(last_used.get(name[:-4], modified), modified)
                elif name.endswith(".part") and now - modified > PARTIAL_MAX_AGE_SECONDS:
                    Path(entry.path).unlink(missing_ok=True)
            old = [
                upload_id
                for upload_id, used in last_used.items()
                if now - used > limits.UPLOAD_MAX_AGE_SECONDS and upload_id not in kept
            ]
            for upload_id in old:
                (folder / f"{upload_id}.csv").unlink(missing_ok=True)
            index.forget(old)
    except (sqlite3.Error, OSError) as error:
        log.warning("Unused uploads in %s were not removed: %s", folder, error)
        return []
    if old:
        log.info("Removed %d uploaded file(s) that no saved run used.", len(old))
    return old


def read_upload(upload_id: str) -> bytes:
    """The bytes of an uploaded file, or a `DatasetError` saying to upload it again."""
    if not is_upload_id(upload_id):
        raise DatasetError(f"{upload_id!r:.40} is not the id of an uploaded file. Upload the CSV file again.")
    path = uploads_folder() / f"{upload_id}.csv"
    if not path.is_file():
        raise DatasetError(
            "The uploaded CSV file is no longer on the server: a file that no saved run uses is removed "
            f"{_days()} after it was last used (or the uploads folder was cleared). Upload the file again."
        )
    try:
        content = read_regular_file(path, MAX_UPLOAD_BYTES, "CSV file")
    except FileRefused as error:
        raise DatasetError(str(error)) from None
    with contextlib.suppress(OSError):
        os.utime(path)  # read now: the clean-up counts an upload's age from its last use
    return content
