"""What idle pages cost: the page server's CPU with many live streams open, and a training worker's
with many trainers resting, none training.

A server of the live route alone (uvicorn with the WebSocket implementation Streamlit uses) holds
one trainer of the default experiment, ready and resting, behind `--tokens` tokens (each page has
its own; a few connections may share one). This opens `--connections` WebSockets spread over the
tokens, each doing what a page does (its first message, a frame, then "next"), and measures the
server process's CPU while they wait, against the same server with none open.

Then a training worker holds `--resting` trainers of the default experiment (as a class's pages
make them, none training), and its process's CPU is measured while they rest.

Run: .venv/bin/python bench/live_idle.py                     (200 connections over 50 tokens; 30 resting trainers)
     .venv/bin/python bench/live_idle.py --root /tmp/old-main (another checkout's route, to compare)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = 8605


def serve(tokens: int, port: int) -> None:
    """The child: the live route and one resting trainer; prints the tokens, then serves."""
    import uvicorn
    from starlette.applications import Starlette

    from playground.engine.trainer import Trainer
    from playground.presets import DEFAULT_PRESET, PRESETS
    from playground.web.live.route import live_routes
    from playground.web.live.streams import LIVE_STREAMS

    trainer = Trainer(PRESETS[DEFAULT_PRESET].spec)
    trainer.wait_until_ready(120)
    print(json.dumps([LIVE_STREAMS.open(trainer) for _ in range(tokens)]), flush=True)
    uvicorn.run(Starlette(routes=live_routes()), port=port, ws="websockets-sansio", log_level="warning")


def rest(trainers: int) -> None:
    """The child: a training worker with `trainers` resting trainers; prints the worker's pid, then waits."""
    from playground.engine.training_workers import TrainingWorkers
    from playground.presets import DEFAULT_PRESET, PRESETS

    workers = TrainingWorkers(1, log_level="WARNING")
    held = [workers.trainer(PRESETS[DEFAULT_PRESET].spec) for _ in range(trainers)]
    for trainer in held:
        trainer.wait_until_ready(300)
    print(workers.workers[0].process.pid, flush=True)
    sys.stdin.read()  # until the parent closes it
    workers.close()


def resting_worker_cpu(root: str, trainers: int, seconds: float) -> float:
    """A training worker's CPU share while it holds `trainers` resting trainers."""
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--rest", str(trainers)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": root, "PLAYGROUND_COMPILE_AHEAD": "0"},  # no envelope compiling meanwhile
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        worker = int(child.stdout.readline())
        time.sleep(3)  # settled
        return cpu_share(worker, seconds)
    finally:
        child.stdin.close()
        child.wait(60)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_share(pid: int, seconds: float) -> float:
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


async def open_pages(tokens: list[str], connections: int, port: int) -> list:
    import websockets

    sockets = []
    for i in range(connections):
        socket = await websockets.connect(f"ws://127.0.0.1:{port}/api/live/{tokens[i % len(tokens)]}", max_size=None)
        await socket.send(json.dumps({"points": 0}))
        await socket.recv()
        await socket.send("next")
        sockets.append(socket)
    return sockets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--root", default=str(ROOT), help="the checkout whose route is measured")
    parser.add_argument("--resting", type=int, default=30, help="resting trainers in one training worker")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rest", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        sys.path.insert(0, os.getcwd())
        serve(args.tokens, PORT)
        return
    if args.rest is not None:
        sys.path.insert(0, os.getcwd())
        rest(args.rest)
        return
    environment = {**os.environ, "PLAYGROUND_TRAINING_WORKERS": "0", "PYTHONPATH": args.root}
    environment.setdefault("PLAYGROUND_LIVE_CONNECTIONS_PER_TOKEN", str(-(-args.connections // args.tokens)))
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve", "--tokens", str(args.tokens)],
        cwd=args.root,
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        tokens = json.loads(server.stdout.readline())
        time.sleep(3)  # the server is up
        idle = cpu_share(server.pid, args.seconds)
        loop = asyncio.new_event_loop()
        sockets = loop.run_until_complete(open_pages(tokens, args.connections, PORT))
        time.sleep(2)
        waiting = cpu_share(server.pid, args.seconds)
        for socket in sockets:
            loop.run_until_complete(socket.close())
        print(
            f"server CPU: {100 * idle:.1f} % with no connection, {100 * waiting:.1f} % with {len(sockets)} idle "
            f"connections ({args.root})"
        )
    finally:
        server.terminate()
        server.wait(10)
    worker = resting_worker_cpu(args.root, args.resting, args.seconds)
    print(f"training worker CPU: {100 * worker:.1f} % with {args.resting} resting trainers ({args.root})")


if __name__ == "__main__":
    main()
