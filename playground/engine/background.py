"""Background work yields the cores to the live trainers: its scheduling niceness.

The background training worker (big networks, sweeps) runs at this niceness as a process; a
background compile (the envelope's programs, `envelope_loop`) lowers its own thread to it.
"""

from __future__ import annotations

import os
import threading

BACKGROUND_NICENESS = 10  # runs when the class's trainers leave a core free


def yield_the_cores() -> None:
    """Lowers the calling thread's scheduling priority (on Linux, the thread's own) to
    `BACKGROUND_NICENESS`, unless it is lower already: a compile in the background then takes the
    cores only when the trainers leave them."""
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, max(os.getpriority(os.PRIO_PROCESS, thread), BACKGROUND_NICENESS))
    except (AttributeError, OSError):  # not Linux, or not allowed: the usual priority
        pass
