"""Run store speed on SQLite and on PostgreSQL, side by side:

1. 8 threads x 25 runs saved at once (each run a 100-epoch history): seconds, and runs lost.
2. With 1,000 runs of one owner: listing them (the Runs page's table) and comparing them
   (`sweep_table` plus every run's history, as the Runs and Sweeps pages load them), best of 3.

PostgreSQL is a throwaway server started as the tests start theirs (tests/postgres_server.py,
from Debian's `postgresql` package), on this machine; SQLite is a scratch file.

Run: .venv/bin/python bench/run_store.py       (under a minute)
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import playground  # noqa: F401
from playground.runs.run_comparison import sweep_table
from playground.runs.run_record import RunRecord
from playground.runs.run_store import RunStore
from playground.spec import ExperimentSpec
from tests.postgres_server import PostgresServer

THREADS, RUNS_PER_THREAD, LISTED = 8, 25, 1_000
HISTORY = [
    {
        "epoch": e,
        "train_loss": 0.5,
        "test_loss": 0.6,
        "train_accuracy": 0.8,
        "test_accuracy": 0.7,
        "learning_rate": 0.03,
    }
    for e in range(1, 101)
]


def record(owner: str, i: int) -> RunRecord:
    return RunRecord.new(
        owner, ExperimentSpec(), HISTORY, "finished", float(i), 1.0, sweep_id="bench", parameters={"seed": i}
    )


def concurrent_saves(store) -> tuple[float, int]:
    def write(owner):
        for i in range(RUNS_PER_THREAD):
            store.save(record(owner, i))

    threads = [threading.Thread(target=write, args=(f"writer-{t}",)) for t in range(THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    return seconds, THREADS * RUNS_PER_THREAD - sum(len(store.list_runs(f"writer-{t}")) for t in range(THREADS))


def best_of(times: int, work) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def measure(store) -> dict:
    saves, lost = concurrent_saves(store)
    for i in range(LISTED):
        store.save(record("lecturer", i))
    listing = best_of(3, lambda: store.list_runs("lecturer"))

    def compare():
        runs = store.list_runs("lecturer")
        sweep_table(runs)
        store.histories(list(runs["id"]), "lecturer")

    return {"saves": saves, "lost": lost, "list": listing, "compare": best_of(3, compare)}


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="playground-store-bench-"))
    results = {"SQLite": measure(RunStore(folder / "runs.sqlite3"))}
    with PostgresServer(Path(tempfile.mkdtemp(prefix="playground-postgres-"))) as server:
        results["PostgreSQL"] = measure(RunStore(server.new_database()))
    print(f"{'':52} {'SQLite':>10} {'PostgreSQL':>11}")
    rows = [
        (f"{THREADS} threads x {RUNS_PER_THREAD} runs saved at once (s)", "saves", "{:10.2f}"),
        ("  runs lost", "lost", "{:10d}"),
        (f"list {LISTED:,} runs (s, best of 3)", "list", "{:10.3f}"),
        (f"compare {LISTED:,} runs: table + histories (s)", "compare", "{:10.3f}"),
    ]
    for label, key, form in rows:
        print(f"{label:52} {form.format(results['SQLite'][key])} {form.format(results['PostgreSQL'][key]):>11}")


if __name__ == "__main__":
    main()
