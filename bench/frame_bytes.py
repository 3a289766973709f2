"""What one page's live stream costs: bytes per frame and the server's time to write each frame.

One trainer of the default experiment trains at the watch pace in this process, and a stand-in
for a page that draws instantly reads its frames exactly as the live route does
(`playground.web.live.frames.FrameWriter`): it asks for a frame, waits for the trainer's next change
when nothing is new, and asks again as soon as it has one. Printed: frames/s (and how many showed
a new epoch), bytes per frame (median and largest, and the first, which carries everything),
bytes/s and bytes per epoch shown (a trainer may publish an epoch's rows and its views in two
frames), and the CPU time `next_frame` took (the part of a frame that runs on the server's event
loop).

Run: .venv/bin/python bench/frame_bytes.py                      (10 s)
     .venv/bin/python bench/frame_bytes.py --root /tmp/old-main (another checkout's frames, to compare)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(seconds: float) -> None:
    """The child: trains and reads frames with the checkout on its path; prints one line."""
    from playground.engine.trainer import WATCH_EPOCHS_PER_SECOND, Trainer
    from playground.presets import DEFAULT_PRESET, PRESETS
    from playground.web.live.frames import FrameWriter

    trainer = Trainer(PRESETS[DEFAULT_PRESET].spec)
    trainer.wait_until_ready(120)
    trainer.set_epochs(1_000_000)
    trainer.set_speed(WATCH_EPOCHS_PER_SECOND)
    writer = FrameWriter(trainer)
    first = writer.next_frame()
    trainer.start()
    sizes, writing, epochs = [], [], set()
    changed = threading.Event()
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        seen = trainer.changes.count
        began = time.thread_time()
        frame = writer.next_frame()
        if frame is None:
            changed.clear()
            if trainer.changes.wake_on_change(seen, changed.set):
                changed.wait(1.0)
                trainer.changes.forget(changed.set)
            continue
        writing.append(time.thread_time() - began)
        sizes.append(len(frame.encode() if isinstance(frame, str) else frame))
        epochs.add(trainer.position[0])
        trainer.want_frame()
    elapsed = time.monotonic() - started
    trainer.close()
    first_size = len(first.encode() if isinstance(first, str) else first)
    print(
        f"{len(sizes) / elapsed:.1f} frames/s ({len(epochs) / elapsed:.1f} with a new epoch); "
        f"bytes per frame: median {statistics.median(sizes):,.0f}, largest {max(sizes):,}, first {first_size:,}; "
        f"{sum(sizes) / elapsed / 1000:,.1f} kB/s ({sum(sizes) / max(len(epochs), 1):,.0f} bytes per epoch shown); "
        f"next_frame's CPU: median {1e6 * statistics.median(writing):.0f} µs, "
        f"largest {1e6 * max(writing):.0f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--root", default=str(ROOT), help="the checkout whose frames are measured")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        sys.path.insert(0, os.getcwd())
        measure(args.seconds)
        return
    environment = {**os.environ, "PYTHONPATH": args.root, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", "--seconds", str(args.seconds)]
    result = subprocess.run(command, cwd=args.root, env=environment, capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    print(f"The default experiment at the watch pace ({args.root}):\n  {result.stdout.strip()}")


if __name__ == "__main__":
    main()
