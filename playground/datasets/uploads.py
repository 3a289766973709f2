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
import tempfile
from pathlib import Path

from playground.datasets.csv_table import MAX_BYTES as MAX_UPLOAD_BYTES
from playground.datasets.dataset import DatasetError
from playground.file_reading import FileRefused, read_regular_file

FOLDER_VARIABLE = "PLAYGROUND_UPLOADS_DIR"
_UPLOAD_ID = re.compile(r"[0-9a-f]{16}")


def uploads_folder() -> Path:
    return Path(os.environ.get(FOLDER_VARIABLE) or Path(tempfile.gettempdir()) / "playground-uploads")


def is_upload_id(text) -> bool:
    return isinstance(text, str) and _UPLOAD_ID.fullmatch(text) is not None


def save_upload(content: bytes) -> str:
    """Stores `content` (at most `MAX_UPLOAD_BYTES`) and returns its id."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise DatasetError(
            f"The file is {len(content) / 1e6:.0f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB. Use a sample of "
            "the rows."
        )
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
        raise DatasetError(
            "The uploaded CSV file is no longer on the server (its uploads folder was cleared). Upload the file again."
        )
    try:
        return read_regular_file(path, MAX_UPLOAD_BYTES, "CSV file")
    except FileRefused as error:
        raise DatasetError(str(error)) from None
