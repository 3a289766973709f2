"""A training worker's side of a class: N live trainers in one process, alone or stepped together.

`bench/classroom.py` measures a whole class, page server and browsers included, on a machine it
saturates. This measures what one training worker spends per student-epoch: N trainers made as
a worker makes them (the class's four architectures, each student's own rate), all at the watch
pace, each asked for a frame after every epoch as a page that draws at once would ask, with its
detail views off screen as on a 1280x800 page (full snapshots every 2.5 s). Printed
per N, for the trainers stepped alone and together (`engine/live_population.py`): epochs/s per
trainer (min/median/max), CPU per student-epoch (this process, frames and full snapshots
included), and the share of epochs stepped together.

Run: .venv/bin/python bench/live_population.py                 (8 and 16 trainers)
     .venv/bin/python bench/live_population.py --trainers 16 --seconds 10
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from classroom import ARCHITECTURES, student_spec  # noqa: E402

from playground.engine.envelope_loop import compile_envelope_for  # noqa: E402
from playground.engine.live_population import LivePopulations  # noqa: E402
from playground.engine.trainer import WATCH_EPOCHS_PER_SECOND, Trainer  # noqa: E402


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ask_frames(trainers: list[Trainer], stop: threading.Event) -> None:
    """Asks each trainer for a frame whenever it has published the last, as a page's stream does."""
    seen = [-1] * len(trainers)
    while not stop.is_set():
        for i, trainer in enumerate(trainers):
            version, _ = trainer.snapshots.latest()
            if version != seen[i]:
                seen[i] = version
                trainer.want_frame()
        time.sleep(0.002)


def measure(count: int, together: bool, seconds: float) -> tuple[list[float], float, float, float]:
    populations = LivePopulations() if together else None
    specs = [student_spec(0.001 * (i + 1), ARCHITECTURES[i % len(ARCHITECTURES)]) for i in range(count)]
    trainers = [Trainer(spec, envelope=True, population=populations) for spec in specs]
    for trainer in trainers:
        trainer.want_details(False)  # as a 1280x800 page's stream says: the detail views are below it
        trainer.wait_until_ready(120)
        if populations is not None:
            populations.compile_for(trainer.loop)  # as a worker compiles ahead: measured compiled
    stop = threading.Event()
    asker = threading.Thread(target=ask_frames, args=(trainers, stop), daemon=True)
    asker.start()
    for trainer in trainers:
        trainer.set_speed(WATCH_EPOCHS_PER_SECOND)
        trainer.start()
    time.sleep(3)  # settle
    epochs = [trainer.position[0] for trainer in trainers]
    stepped, calls = (populations.members_stepped, populations.calls) if populations else (0, 0)
    cpu, started = cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    cpu, elapsed = cpu_seconds() - cpu, time.monotonic() - started
    rates = [(trainer.position[0] - e) / elapsed for trainer, e in zip(trainers, epochs)]
    share = per_call = 0.0
    if populations is not None:
        share = (populations.members_stepped - stepped) / max(1, sum(rates) * elapsed)
        per_call = (populations.members_stepped - stepped) / max(1, populations.calls - calls)
    stop.set()
    for trainer in trainers:
        trainer.close()
    return rates, 1000 * cpu / max(1, sum(rates) * elapsed), share, per_call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainers", type=int, action="append", help="trainers at once; repeat (default 8 16)")
    parser.add_argument("--seconds", type=float, default=8, help="the measuring window (default 8)")
    options = parser.parse_args()
    for spec in {student_spec(0.01, architecture) for architecture in ARCHITECTURES}:
        compile_envelope_for(spec)  # as a worker does for the default experiment, before a class
    print(
        "| trainers | stepped | epochs/s per trainer (min/med/max) | CPU ms per student-epoch "
        "| epochs stepped together | members per call |"
    )
    print("|---|---|---|---|---|---|")
    for count in options.trainers or [8, 16]:
        for together in (False, True):
            rates, per_epoch, share, per_call = measure(count, together, options.seconds)
            spread = f"{min(rates):.1f}/{statistics.median(rates):.1f}/{max(rates):.1f}"
            label = "together" if together else "alone"
            print(f"| {count} | {label} | {spread} | {per_epoch:.2f} | {share:.0%} | {per_call:.1f} |", flush=True)


if __name__ == "__main__":
    main()
