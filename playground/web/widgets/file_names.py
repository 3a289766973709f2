"""The name of a file uploaded in the page, as text the page can use whatever a client sent.

A crafted client can name a file anything: a NUL byte, control or bidirectional-override
characters, another extension, thousands of characters. Streamlit checks the name against an
uploader's `type` before the page's script runs, and a name it refuses (a NUL byte, another
extension) replaced the whole page with its exception until a reload. So the page's uploaders take
any file (`type=None`), and the page checks the cleaned name itself with `refused_name`.

Example:

    upload = st.file_uploader("CSV file", type=None, key="csv")
    problem = refused_name(upload, (".csv", ".txt"), "a CSV file")
"""

from __future__ import annotations

MAX_NAME_CHARS = 120


def upload_name(upload) -> str:
    """The file's name without control or invisible formatting characters, at most 120 characters
    (the extension kept)."""
    name = "".join(c for c in str(getattr(upload, "name", "") or "") if c.isprintable()).strip()
    if len(name) <= MAX_NAME_CHARS:
        return name
    _, dot, extension = name.rpartition(".")
    extension = extension[:10] if dot else ""
    return name[: MAX_NAME_CHARS - len(extension) - 2] + "…" + (f".{extension}" if extension else "")


def has_extension(name: str, extensions: tuple[str, ...]) -> bool:
    return name.lower().endswith(extensions)


def refused_name(upload, extensions: tuple[str, ...], what: str) -> str | None:
    """Why a file of this name is not taken (`what` names the kind wanted), or None."""
    name = upload_name(upload)
    if has_extension(name, extensions):
        return None
    return f"{name!r:.80} is not {what}: choose a file ending in {', '.join(extensions)}."
