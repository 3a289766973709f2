"""Several app processes behind HAProxy on this machine: `make serve REPLICAS=2` (or
`python -m playground.web.replicas --replicas 2 --port 8501`).

Each replica is the app as `make run` serves it (`python -m playground app`), on its own port of
127.0.0.1; HAProxy listens on the public port with `deploy/haproxy.cfg` (sticky sessions,
WebSockets, health checks), the same file compose.yaml uses. This launcher only writes the
backend that names the local replicas, starts everything and stops everything on Ctrl-C or
SIGTERM. A replica that exits is not restarted: HAProxy takes it out of rotation and its
browsers continue on another replica, where the page says that its server went away.

The replicas share the runs: the database of `PLAYGROUND_DATABASE_URL` if set, else the one
SQLite file (`PLAYGROUND_RUNS_DB`), which every process on this machine can use at once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the source checkout: `make serve` runs from one
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"
INSTALL_HINT = "Install HAProxy with: sudo apt-get install haproxy (`make serve` does this when run as root)."


def haproxy_binary() -> str | None:
    """HAProxy's program (Debian installs it in /usr/sbin, which a user's PATH may lack)."""
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if os.access(p, os.X_OK)), None)


def app_command(port: int, address: str) -> list[str]:
    """How a replica starts, after `python -m`: as the Dockerfile's CMD does (tests/test_deployment.py checks)."""
    return ["playground", "app", "--port", str(port), "--address", address]


def healthy(url: str) -> bool:
    """Whether the app at `url` answers Streamlit's health check."""
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as answer:
            return answer.read() == b"ok"
    except OSError:
        return False


def backend(ports: list[int]) -> str:
    """The backend section naming the local replicas (app1, app2, ... on 127.0.0.1)."""
    lines = ["backend replicas"] + [
        f"    server app{i} 127.0.0.1:{port} cookie app{i}" for i, port in enumerate(ports, start=1)
    ]
    return "\n".join(lines) + "\n"


class Replicas:
    """Starts a replica on each of `app_ports` (127.0.0.1) and HAProxy on `address:port`; `stop()`
    ends them all. Each process's output goes to `log_folder` (app1.log, ..., haproxy.log)."""

    def __init__(self, app_ports: list[int], port: int, address: str = "0.0.0.0", log_folder: Path | None = None):
        self.haproxy = haproxy_binary()
        if self.haproxy is None:
            raise SystemExit(f"HAProxy is not installed. {INSTALL_HINT}")
        self.port, self.address = port, address
        self.ports = list(app_ports)
        self.folder = Path(tempfile.mkdtemp(prefix="playground-replicas-"))
        self.log_folder = log_folder or self.folder
        self.apps: dict[str, subprocess.Popen] = {}
        self.balancer: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0) -> None:
        """Starts the replicas, waits until each answers its health check, then starts HAProxy (so
        it never counts a replica still starting as dead)."""
        for i, app_port in enumerate(self.ports, start=1):
            self.apps[f"app{i}"] = self._start_app(f"app{i}", app_port)
        deadline = time.monotonic() + timeout
        for name, app_port in zip(self.apps, self.ports):
            while not healthy(f"http://127.0.0.1:{app_port}"):
                if self.apps[name].poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"Replica {name} did not start; see {self.log_folder / (name + '.log')}.")
                time.sleep(0.3)
        servers = self.folder / "servers.cfg"
        servers.write_text(backend(self.ports))
        environment = {**os.environ, "PLAYGROUND_BIND": f"{self.address}:{self.port}"}
        assert self.haproxy is not None
        self.balancer = subprocess.Popen(
            [self.haproxy, "-db", "-f", str(HAPROXY_CONFIG), "-f", str(servers)],
            env=environment,
            stdout=open(self.log_folder / "haproxy.log", "ab"),
            stderr=subprocess.STDOUT,
        )

    def _start_app(self, name: str, port: int) -> subprocess.Popen:
        command = [sys.executable, "-m", *app_command(port, "127.0.0.1")]
        log = open(self.log_folder / f"{name}.log", "ab")
        # The cores are shared out: each replica's trainers get its part of them (unless set).
        workers = os.environ.get("PLAYGROUND_TRAINING_WORKERS") or str(max(1, (os.cpu_count() or 1) // len(self.ports)))
        environment = {**os.environ, "PLAYGROUND_REPLICA": name, "PLAYGROUND_TRAINING_WORKERS": workers}
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        for process in [self.balancer, *self.apps.values()]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [self.balancer, *self.apps.values()]:
            if process is not None:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)

    def watch(self) -> None:
        """Reports replicas that exit (HAProxy has already taken them out) until the balancer ends."""
        reported = set()
        balancer = self.balancer
        assert balancer is not None, "start() first"
        while balancer.poll() is None:
            for name, process in self.apps.items():
                if process.poll() is not None and name not in reported:
                    reported.add(name)
                    print(
                        f"replica {name} exited (code {process.returncode}); HAProxy sends its browsers to the others",
                        flush=True,
                    )
            time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the app as several replicas behind HAProxy.")
    parser.add_argument(
        "--replicas", type=int, default=2, help="app processes (default 2: one per core of a small machine)"
    )
    parser.add_argument("--port", type=int, default=8501, help="the balancer's port (default 8501)")
    parser.add_argument("--first-port", type=int, help="the first replica's port on 127.0.0.1 (default: port + 100)")
    options = parser.parse_args()
    if not 1 <= options.replicas <= 64:
        raise SystemExit(f"--replicas must be from 1 to 64, but got {options.replicas}.")
    logs = ROOT / "logs"
    logs.mkdir(exist_ok=True)
    first = options.first_port or options.port + 100
    replicas = Replicas([first + i for i in range(options.replicas)], options.port, log_folder=logs)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    store = (
        "PLAYGROUND_DATABASE_URL"
        if os.environ.get("PLAYGROUND_DATABASE_URL")
        else "the SQLite file of PLAYGROUND_RUNS_DB (or data/)"
    )
    print(
        f"Neural Network Playground: {options.replicas} replicas behind HAProxy, open "
        f"http://localhost:{options.port} (runs shared through {store}; logs in logs/)",
        flush=True,
    )
    replicas.start()
    try:
        replicas.watch()
    except KeyboardInterrupt:
        pass
    finally:
        replicas.stop()


if __name__ == "__main__":
    main()
