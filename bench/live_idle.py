"""What idle live-stream connections cost the page server: its CPU with many pages open, none training.

A server of the live route alone (uvicorn with the WebSocket implementation Streamlit uses) holds
one trainer of the default experiment, ready and resting, behind `--tokens` tokens (each page has
its own; a few connections may share one). This opens `--connections` WebSockets spread over the
tokens, each doing what a page does (its first message, a frame, then "next"), and measures the
server process's CPU while they wait, against the same server with none open.

Run: .venv/bin/python bench/live_idle.py                     (200 connections over 50 tokens)
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

    from playground.engine.live_streams import LIVE_STREAMS
    from playground.engine.trainer import Trainer
    from playground.presets import DEFAULT_PRESET, PRESETS
    from server.live_route import live_routes

    trainer = Trainer(PRESETS[DEFAULT_PRESET].spec)
    trainer.wait_until_ready(120)
    print(json.dumps([LIVE_STREAMS.open(trainer) for _ in range(tokens)]), flush=True)
    uvicorn.run(Starlette(routes=live_routes()), port=port, ws="websockets-sansio", log_level="warning")


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
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        sys.path.insert(0, os.getcwd())
        serve(args.tokens, PORT)
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


if __name__ == "__main__":
    main()
