"""What the server can push: live frames per session with N sessions training, without browsers.

`bench/load.py` measures a class through one headless Chromium on the same machine as the server,
so the browser's drawing and the server's work share the cores. This measures the server's part
alone: N trainers made as the pages make them (in the training worker processes, or in this
process as before them, `--workers 0`), all training the default experiment at the watch pace,
each read by a stand-in for a page that draws instantly: it asks for the next frame as soon as it
has the last, exactly as the live route does (`FrameWriter`, polled 120 times a second, one thread
per page). Printed per N: frames/s per session (all, and those showing a new epoch), the epochs/s
of each trainer (min/median/max), and the CPU of this process (the page server's share) and of the worker processes.

Run: .venv/bin/python bench/live_capacity.py                      (1, 8 and 16 sessions; 2 and 0 workers)
     .venv/bin/python bench/live_capacity.py --sessions 8 --workers 2 --seconds 10
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playground.engine.trainer import WATCH_EPOCHS_PER_SECOND, Trainer  # noqa: E402
from playground.engine.training_workers import TrainingWorkers  # noqa: E402
from playground.presets import DEFAULT_PRESET, PRESETS  # noqa: E402
from playground.web.live.frames import FrameReader, FrameWriter  # noqa: E402

POLL_SECONDS = 1 / 120  # as playground/web/live/route.py


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def watch(trainer, stop: threading.Event, counts: dict) -> None:
    """A page that draws each frame at once and asks for the next."""
    writer, reader = FrameWriter(trainer), FrameReader()
    shown = -1
    while not stop.is_set():
        trainer.want_frame()
        while (frame := writer.next_frame()) is None and not stop.is_set():
            time.sleep(POLL_SECONDS)
        counts["frames"] += 1
        epoch = reader.read(frame)["status"]["epoch"] if frame else shown
        counts["new epochs"] += epoch != shown
        shown = epoch


def measure(sessions: int, pool: TrainingWorkers | None, seconds: float) -> dict:
    spec = PRESETS[DEFAULT_PRESET].spec
    trainers = []
    for i in range(sessions):
        rate = 0.001 * (1.5**i)
        session_spec = spec.replace(training=dataclasses.replace(spec.training, epochs=100_000, learning_rate=rate))
        trainers.append(pool.trainer(session_spec) if pool else Trainer(session_spec))
    try:
        for trainer in trainers:
            assert trainer.wait_until_ready(300)
            trainer.set_speed(WATCH_EPOCHS_PER_SECOND)
            trainer.start()
        stop = threading.Event()
        counts = [{"frames": 0, "new epochs": 0} for _ in trainers]
        threads = [threading.Thread(target=watch, args=(t, stop, c), daemon=True) for t, c in zip(trainers, counts)]
        for thread in threads:
            thread.start()
        time.sleep(2)  # settle
        workers = [w.process.pid for w in pool.workers] if pool else []
        frames0, epochs0 = [dict(c) for c in counts], [t.position[0] for t in trainers]
        cpu0, workers0, start = cpu_seconds(os.getpid()), sum(cpu_seconds(p) for p in workers), time.monotonic()
        time.sleep(seconds)
        wall = time.monotonic() - start
        frames = [(c["frames"] - f["frames"]) / wall for c, f in zip(counts, frames0)]
        new_epoch_frames = [(c["new epochs"] - f["new epochs"]) / wall for c, f in zip(counts, frames0)]
        epochs = [(t.position[0] - e) / wall for t, e in zip(trainers, epochs0)]
        server_cpu = 100 * (cpu_seconds(os.getpid()) - cpu0) / wall
        worker_cpu = 100 * (sum(cpu_seconds(p) for p in workers) - workers0) / wall
        stop.set()
        for thread in threads:
            thread.join()
        return {
            "frames": frames,
            "new epoch frames": new_epoch_frames,
            "epochs": epochs,
            "server_cpu": server_cpu,
            "worker_cpu": worker_cpu,
        }
    finally:
        for trainer in trainers:
            trainer.close()


def spread(values) -> str:
    return f"{min(values):.0f}/{statistics.median(values):.0f}/{max(values):.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, action="append", help="sessions at once; repeat (default 1 8 16)")
    parser.add_argument(
        "--workers", type=int, action="append", help="training worker processes, 0 for none; repeat (default 2 0)"
    )
    parser.add_argument("--seconds", type=float, default=10, help="the measuring window (default 10)")
    options = parser.parse_args()
    print(
        f"Live capacity on {len(os.sched_getaffinity(0))} CPUs: the default experiment at the watch pace "
        f"({WATCH_EPOCHS_PER_SECOND} epochs/s), a page per session that asks for each next frame at once; "
        f"{options.seconds:g} s windows"
    )
    print("min/median/max over the sessions; CPU: % of one core")
    print(
        f"{'workers':>8} {'N':>3} {'frames/s per session':>22} {'with a new epoch':>18} {'epochs/s per trainer':>22} "
        f"{'server CPU':>11} {'workers CPU':>12}"
    )
    for workers in options.workers or [2, 0]:
        pool = TrainingWorkers(workers) if workers else None
        try:
            if pool:  # the first trainer of each worker waits for its TensorFlow import and compile
                for worker_trainer in [pool.trainer(PRESETS[DEFAULT_PRESET].spec) for _ in range(workers)]:
                    worker_trainer.wait_until_ready(300)
                    worker_trainer.close()
            for sessions in options.sessions or [1, 8, 16]:
                row = measure(sessions, pool, options.seconds)
                print(
                    f"{workers:>8} {sessions:>3} {spread(row['frames']):>22} {spread(row['new epoch frames']):>18} "
                    f"{spread(row['epochs']):>22} {row['server_cpu']:>9.0f} % {row['worker_cpu']:>10.0f} %",
                    flush=True,
                )
        finally:
            if pool:
                pool.close()


if __name__ == "__main__":
    main()
