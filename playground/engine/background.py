"""How the training workers yield the cores: their scheduling niceness.

The app process runs every student's page and live stream, and every student waits on it: a click
waits for the page's run, a chart for the next frame. So the pages' training workers yield to it
(`TRAINING_NICENESS`): when the cores are all busy, the trainers slow down a little and the pages
and frames keep coming (`bench/classroom.py`; the README's "A class as it is" has the figures).
The background worker (big networks, sweeps) yields to both (`BACKGROUND_NICENESS`).
"""

from __future__ import annotations

TRAINING_NICENESS = 5  # the pages' trainers: below the app process, which every page waits on
BACKGROUND_NICENESS = 10  # runs when the class's trainers leave a core free
