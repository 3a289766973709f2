"""Files uploaded in the page, kept in a folder the app owns and named by an id, never by a path.

A spec (and so a shared link) refers to an uploaded CSV only by its id: the first 16 hex digits of
the content's SHA-256. The same file uploaded twice has the same id; an id cannot name anything
outside the uploads folder. The folder is `PLAYGROUND_UPLOADS_DIR`, or `playground-uploads` in
the system's temporary folder.

Example:

    upload_id = save_upload(b"x,label\\n1,0\\n")
    read_upload(upload_id)      # -> the same bytes
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path

from playground.datasets.csv_table import MAX_BYTES as MAX_UPLOAD_BYTES
from playground.datasets.dataset import DatasetError

FOLDER_VARIABLE = "PLAYGROUND_UPLOADS_DIR"
_UPLOAD_ID = re.compile(r"[0-9a-f]{16}")


def uploads_folder() -> Path:
    return Path(os.environ.get(FOLDER_VARIABLE) or Path(tempfile.gettempdir()) / "playground-uploads")


def is_upload_id(text) -> bool:
    return isinstance(text, str) and _UPLOAD_ID.fullmatch(text) is not None


def save_upload(content: bytes) -> str:
    """Stores `content` (at most `MAX_UPLOAD_BYTES`) and returns its id."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise DatasetError(f"The file is {len(content) / 1e6:.0f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB. Use a sample of the rows.")
    upload_id = hashlib.sha256(content).hexdigest()[:16]
    folder = uploads_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{upload_id}.csv"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(content)
        partial.replace(path)  # atomic: a reader never sees half a file
    return upload_id


def read_upload(upload_id: str) -> bytes:
    """The bytes of an uploaded file, or a `DatasetError` saying to upload it again."""
    if not is_upload_id(upload_id):
        raise DatasetError(f"{upload_id!r:.40} is not the id of an uploaded file. Upload the CSV file again.")
    path = uploads_folder() / f"{upload_id}.csv"
    if not path.is_file():
        raise DatasetError("The uploaded CSV file is no longer on the server (uploads are cleared when it restarts). Upload the file again.")
    return read_file(path, MAX_UPLOAD_BYTES)


def read_file(path: str | os.PathLike, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """A regular file's bytes, refused when it is a folder, a device or a pipe, or longer than `limit`.

    For files named on the command line: the size is checked before anything is read, and the
    read stops after `limit` bytes in any case (files under /proc report a size of 0).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise DatasetError(f"CSV file {str(path)!r} was not found. Check the path.") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
        raise DatasetError(f"CSV file {str(path)!r:.200} cannot be read ({getattr(error, 'strerror', None) or error}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise DatasetError(f"{str(path)!r} is a folder, not a CSV file. Name the file inside it.")
    if not stat.S_ISREG(info.st_mode):
        raise DatasetError(f"{str(path)!r} is not a regular file (a device or a pipe). Name a CSV file.")
    if info.st_size > limit:
        raise DatasetError(f"The CSV file is {info.st_size / 1e6:.0f} MB; the limit is {limit // 2**20} MB. Use a sample of the rows.")
    try:
        with open(path, "rb") as file:
            content = file.read(limit + 1)
    except OSError as error:
        raise DatasetError(f"CSV file {str(path)!r} cannot be read ({error.strerror}).") from None
    if len(content) > limit:
        raise DatasetError(f"The CSV file is over the limit of {limit // 2**20} MB. Use a sample of the rows.")
    return content
