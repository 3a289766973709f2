"""Background work yields the cores to the live trainers: its scheduling niceness.

The background training worker (big networks, sweeps) runs at this niceness as a process.
"""

from __future__ import annotations

BACKGROUND_NICENESS = 10  # runs when the class's trainers leave a core free
