"""Join codes: what students type to join a class, short enough to read off a projector.

A code is 8 letters and digits from an alphabet without look-alikes (no 0/O, 1/I/L), drawn by
`secrets`: 31⁸, about 2⁴⁰ codes, so guessing one of 20 open classes takes some 5·10¹⁰ tries on
average (and wrong codes are rate-limited, see `WrongCodeLimiter`). It is shown as two groups,
`ABCD-EFGH`; what a student types is read leniently (case, spaces and dashes do not matter).

Example:

    code = new_join_code()          # "K7QM3TXA"
    shown(code)                     # "K7QM-3TXA"
    read_code(" k7qm 3txa ")        # "K7QM3TXA"; None for text that cannot be a code
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
MAX_TYPED_CHARS = 40  # longer text is refused before any work is done on it


def new_join_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """The code as a projector shows it: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def read_code(text: object) -> str | None:
    """The code a student typed (any case, with spaces or dashes), or None if it cannot be one."""
    if not isinstance(text, str) or len(text) > MAX_TYPED_CHARS:
        return None
    code = "".join(text.split()).replace("-", "").upper()
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code
