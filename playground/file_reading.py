"""Reading a file someone named (on the command line, or an upload on disk), bounded before any work.

Only regular files are read: a folder, a device such as /dev/zero or a pipe is refused by what it
is. The size is checked before reading, and the read stops after `limit` bytes in any case (files
under /proc report a size of 0).

Example:

    content = read_regular_file("experiment.json", 256 * 1024, "Config file")
"""

from __future__ import annotations

import os
import stat


class FileRefused(ValueError):
    """A file that cannot be read, with the reason in plain words."""


def read_regular_file(path: str | os.PathLike, limit: int, what: str = "File") -> bytes:
    """The file's bytes, at most `limit` of them; `what` names it in the messages ("CSV file")."""
    name = f"{str(path)!r:.200}"
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileRefused(f"{what} {name} was not found. Check the path.") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
        raise FileRefused(f"{what} {name} cannot be read ({getattr(error, 'strerror', None) or error}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused(f"{name} is a folder, not a file. Name the file inside it.")
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(f"{name} is not a regular file (a device or a pipe). Name a {what.lower()}.")
    if info.st_size > limit:
        raise FileRefused(f"{what} {name} is {info.st_size / 1e6:,.1f} MB; the limit is {limit / 1e6:,.2f} MB.")
    try:
        with open(path, "rb") as file:
            content = file.read(limit + 1)
    except OSError as error:
        raise FileRefused(f"{what} {name} cannot be read ({error.strerror}).") from None
    if len(content) > limit:
        raise FileRefused(f"{what} {name} is over the limit of {limit / 1e6:,.2f} MB.")
    return content
